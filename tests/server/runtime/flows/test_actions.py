"""Each implemented action: what it asks of the runtime, and where the cursor goes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.server.runtime.flows.kit import ACTIVEFLOW_ID, CALL_ID, act, env, fire, on, start, tags
from voipbin.models.flows.options import EMPTY
from voipbin.server.runtime.flows import commands as c
from voipbin.server.runtime.flows import events as e
from voipbin.server.runtime.flows import step


@dataclass(frozen=True)
class Case:
    """One action then a ``talk``: the commands of the first step, and what the flow waits
    for (``None``: it moved on by itself)."""

    type: str
    option: dict[str, Any] = field(default_factory=dict)
    commands: tuple[str, ...] = ()
    waits: str | None = None
    reference_type: str = "call"


CASES = [
    Case("answer", commands=("answer",)),
    Case("talk", {"text": "Hello"}, ("talk",), "media"),
    Case("talk", {"text": "Hello", "async": True}, ("talk",)),
    Case("play", {"stream_urls": ["https://example.com/a.wav"]}, ("play",), "media"),
    Case("beep", commands=("beep",), waits="media"),
    Case("sleep", {"duration": 2500}, ("sleep",), "media"),
    Case("echo", {"duration": 3000}, ("echo",), "media"),
    Case("digits_receive", {"duration": 5000, "length": 2}, ("collect_digits",), "digits"),
    Case("digits_send", {"digits": "12#"}, ("send_digits",), "media"),
    Case("amd", {"machine_handle": "hangup"}, ("amd",), "amd"),
    Case("amd", {"async": True}, ("amd",)),
    Case("fetch", {"event_url": "https://example.com/next"}, ("fetch",), "fetch"),
    Case("fetch_flow", {"flow_id": "00000000-0000-0000-0000-0000000000f1"}, ("load_flow",), "flow"),
    Case("block", waits="block", reference_type="api"),
    Case("empty"),
    Case("goto"),
    Case("variable_set", {"key": "a", "value": "b"}),
    Case(
        "call",
        {"destinations": [{"type": "tel", "target": "+15005550000"}]},
        ("start_calls",),
    ),
    Case(
        "connect",
        {"destinations": [{"type": "tel", "target": "+15005550000"}]},
        ("connect",),
        "connect",
    ),
]


@pytest.mark.parametrize(
    "case", CASES, ids=lambda k: f"{k.type}{'-' + str(k.option) if k.option else ''}"
)
def test_an_action_asks_the_runtime_then_moves_on(case: Case) -> None:
    call = case.reference_type == "call"
    talk = "talk" if call else "variable_set"
    after = act("talk", 2, text="after") if call else act("variable_set", 2, key="k", value="v")
    r = start([act(case.type, 1, **case.option), after], reference_type=case.reference_type)
    if case.waits is None:
        follow = ("talk",) if talk == "talk" else ("flow_ended",)
        assert tags(r.commands) == [*case.commands, *follow]
        assert on(r.state) == talk or r.state.status == "ended"
        return
    assert tags(r.commands) == list(case.commands)
    assert r.state.waiting is not None
    assert r.state.waiting.kind == case.waits
    assert on(r.state) == case.type
    assert r.state.status == "running"


def test_media_commands_carry_their_durations() -> None:
    r = start(
        [
            act("talk", text="x" * 45, language="en-US", voice_id="v1"),
            act("play", stream_urls=["https://a/1.wav", "https://a/2.wav"]),
            act("beep"),
            act("sleep", duration=2500),
            act("echo", duration=3000),
            act("digits_send", digits="123", duration=250, interval=100),
        ]
    )
    talk = r.commands[0]
    assert isinstance(talk, c.Talk)
    assert (talk.text, talk.seconds, talk.language, talk.voice_id) == (
        "x" * 45,
        6.75,
        "en-US",
        "v1",
    )
    seen: list[c.AnyCommand] = []
    for _ in range(5):
        r = fire(r)
        seen.extend(r.commands)
    assert seen == [
        c.Play(token=2, stream_urls=["https://a/1.wav", "https://a/2.wav"], seconds=6.0),
        c.Beep(token=3, seconds=1.0),
        c.Sleep(token=4, seconds=2.5),
        c.Echo(token=5, seconds=3.0),
        c.SendDigits(token=6, digits="123", duration=250, interval=100, seconds=0.95),
    ]


def test_a_short_talk_lasts_a_second() -> None:
    r = start([act("talk", text="Hi")])
    assert isinstance(r.commands[0], c.Talk)
    assert r.commands[0].seconds == 1.0


def test_answer_then_the_end_of_the_flow_hangs_up_the_call() -> None:
    r = start([act("answer")])
    assert r.commands == [c.Answer(), c.FlowEnded(reason="finished", hangup_call=True)]
    assert r.state.status == "ended"
    assert on(r.state) == "finish"


def test_an_api_activeflow_ending_hangs_up_nothing() -> None:
    r = start([act("empty")], reference_type="api")
    assert r.commands == [c.FlowEnded(reason="finished")]


def test_hangup_ends_the_flow_with_its_reason() -> None:
    r = start([act("hangup", reason="busy"), act("talk", text="never")])
    assert r.commands == [c.Hangup(reason="busy"), c.FlowEnded(reason="hangup")]
    assert r.state.status == "ended"


def test_hangup_without_a_reason_is_normal() -> None:
    r = start([act("hangup")])
    assert r.commands[0] == c.Hangup(reason="normal")


def test_stop_ends_the_flow_and_skips_the_rest() -> None:
    r = start([act("stop"), act("talk", text="never")])
    assert r.commands == [c.FlowEnded(reason="finished", hangup_call=True)]
    assert on(r.state) == "finish"
    assert [on_type(a) for a in r.state.executed_actions] == ["empty", "stop"]


def on_type(action: Any) -> str:
    return str(type(action).__struct_config__.tag)


def test_amd_hangs_up_on_a_machine_when_asked() -> None:
    r = start([act("amd", machine_handle="hangup"), act("talk", text="human")])
    r2 = step(r.state, e.AmdDetected(token=1, result="machine"), env())
    assert r2.commands == [c.Hangup(reason="amd"), c.FlowEnded(reason="hangup")]
    r3 = step(r.state, e.AmdDetected(token=1, result="human"), env())
    assert tags(r3.commands) == ["talk"]


def test_amd_continues_on_a_machine_unless_asked_to_hang_up() -> None:
    r = start([act("amd", machine_handle="continue"), act("talk", text="hi")])
    r2 = step(r.state, e.AmdDetected(token=1, result="machine"), env())
    assert tags(r2.commands) == ["talk"]


def test_connect_waits_for_the_bridge_to_end() -> None:
    r = start(
        [
            act(
                "connect",
                destinations=[{"type": "tel", "target": "+15005550000"}],
                relay_reason=True,
            ),
            act("talk", text="after"),
        ]
    )
    connect = r.commands[0]
    assert isinstance(connect, c.Connect)
    assert connect.relay_reason
    assert [d.target for d in connect.destinations] == ["+15005550000"]
    r2 = step(r.state, e.ActionFinished(token=connect.token), env())
    assert tags(r2.commands) == ["talk"]


def test_call_and_connect_without_destinations_end_the_flow() -> None:
    for type in ("call", "connect"):
        r = start([act(type), act("talk", text="never")])
        assert tags(r.commands) == ["flow_ended"]
        ended = r.commands[0]
        assert isinstance(ended, c.FlowEnded)
        assert ended.reason == "error"
        assert f"{type}.destinations is empty" in ended.detail


def test_fetch_asks_with_the_activeflow_and_a_timeout() -> None:
    r = start([act("fetch", event_url="https://example.com/next", event_method="POST")])
    assert r.commands == [
        c.Fetch(
            token=1,
            url="https://example.com/next",
            method="POST",
            body={"activeflow_id": str(ACTIVEFLOW_ID), "reference_id": str(CALL_ID)},
            timeout=10.0,
        )
    ]


def test_webhook_send_compacts_its_data_and_waits_only_when_sync() -> None:
    data = '{"call": "${voipbin.activeflow.id}",\n "n": 1}'
    fire = act("webhook_send", 1, uri="https://x.test/h", data=data, data_type="text/plain")
    r = start([fire, act("variable_set", key="after", value="yes")], reference_type="api")
    sent = r.commands[0]
    assert isinstance(sent, c.WebhookSend)
    assert (sent.token, sent.method, sent.content_type) == (0, "", "text/plain")
    assert sent.data == f'{{"call":"{r.state.id}","n":1}}'
    assert r.state.variables["after"] == "yes"
    wait = act("webhook_send", 1, uri="https://x.test/h", sync=True)
    r = start([wait, act("variable_set", key="after", value="yes")], reference_type="api")
    sent = r.commands[0]
    assert isinstance(sent, c.WebhookSend)
    assert (sent.token, sent.data, sent.content_type) == (1, "null", "application/json")
    assert "after" not in r.state.variables
    r2 = step(r.state, e.ActionFinished(token=1), env())
    assert r2.state.variables["after"] == "yes"


def test_block_waits_until_continued() -> None:
    r = start([act("block"), act("variable_set", key="k", value="v")], reference_type="api")
    assert r.commands == []
    r2 = step(r.state, e.Continued(token=1), env())
    assert r2.state.variables["k"] == "v"
    assert r2.state.status == "ended"


@pytest.mark.parametrize(
    ("type", "option", "reference_type", "reason"),
    [
        ("talk", {"text": "hi"}, "api", "needs a call"),
        ("sleep", {"duration": 1000}, "api", "needs a call"),
        ("block", {}, "call", "cannot run for a call"),
        ("transcribe_start", {}, "call", "not implemented"),
        ("external_media_start", {}, "call", "not implemented"),
        ("webhook_send", {}, "api", "webhook_send.uri is not set"),
        (
            "webhook_send",
            {"uri": "https://x.test", "data": "{nope"},
            "api",
            "webhook_send.data is not JSON",
        ),
    ],
)
def test_an_action_not_run_is_logged_and_passed(
    type: str, option: dict[str, Any], reference_type: str, reason: str
) -> None:
    r = start(
        [act(type, 1, **option), act("variable_set", key="after", value="yes")],
        reference_type=reference_type,
    )
    assert r.commands[0] == c.NotExecuted(
        action_id=act(type, 1).id, action_type=type, reason=reason
    )
    assert r.state.variables["after"] == "yes"
    assert [on_type(a) for a in r.state.executed_actions][1] == type


def test_the_call_action_passes_its_inline_flow() -> None:
    inner = [act("talk", text="inner ${who}")]
    r = start(
        [
            act(
                "call",
                destinations=[{"type": "tel", "target": "+15005550000"}],
                actions=[_wire(a) for a in inner],
                chained=True,
            )
        ],
        variables={"who": "me"},
    )
    calls = r.commands[0]
    assert isinstance(calls, c.StartCalls)
    assert calls.chained
    assert calls.flow_id == EMPTY
    assert calls.actions[0].option.text == "inner me"  # type: ignore[attr-defined]


def _wire(action: Any) -> Any:
    import msgspec

    return msgspec.to_builtins(action)
