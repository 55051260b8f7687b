"""What each implemented action type does, one handler per type.

A handler gets the step in progress and the action's option (templates filled in) and
says what happened: ``next`` (run the next action now), ``wait`` (a command was given whose
answer resumes the flow) or ``end``. A type with no handler here moves on with a
``not_executed`` command.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from voipbin.models.flows import options as o
from voipbin.models.flows.actions import CallOption
from voipbin.server.runtime.flows import commands as c
from voipbin.server.runtime.flows import conditions, stacks
from voipbin.server.runtime.flows.run import Fatal, Outcome, Run
from voipbin.server.runtime.flows.variables import DIGITS, substitute

Handler = Callable[[Run, Any], Outcome]


def _answer(run: Run, option: o.NoOption) -> Outcome:
    run.emit(c.Answer())
    return "next"


def _talk(run: Run, option: o.TalkOption) -> Outcome:
    run.emit(
        c.Talk(
            token=run.token,
            text=option.text,
            language=option.language,
            gender=option.gender,
            provider=option.provider,
            voice_id=option.voice_id,
            seconds=c.talk_seconds(option.text),
            digits_handle=option.digits_handle,
            async_=option.async_,
        )
    )
    return "next" if option.async_ else run.wait("media")


def _play(run: Run, option: o.PlayOption) -> Outcome:
    seconds = c.play_seconds(option.stream_urls)
    run.emit(c.Play(token=run.token, stream_urls=option.stream_urls, seconds=seconds))
    return run.wait("media")


def _beep(run: Run, option: o.NoOption) -> Outcome:
    run.emit(c.Beep(token=run.token, seconds=c.beep_seconds()))
    return run.wait("media")


def _sleep(run: Run, option: o.DurationOption) -> Outcome:
    run.emit(c.Sleep(token=run.token, seconds=option.duration / 1000))
    return run.wait("media")


def _echo(run: Run, option: o.DurationOption) -> Outcome:
    run.emit(c.Echo(token=run.token, seconds=option.duration / 1000))
    return run.wait("media")


def _digits_receive(run: Run, option: o.DigitsReceiveOption) -> Outcome:
    if conditions.digits_done(option, run.state.variables.get(DIGITS, "")):
        return "next"
    run.emit(
        c.CollectDigits(
            token=run.token, seconds=option.duration / 1000, key=option.key, length=option.length
        )
    )
    return run.wait("digits")


def _digits_send(run: Run, option: o.DigitsSendOption) -> Outcome:
    run.emit(
        c.SendDigits(
            token=run.token,
            digits=option.digits,
            duration=option.duration,
            interval=option.interval,
            seconds=c.digits_seconds(option.digits, option.duration, option.interval),
        )
    )
    return run.wait("media")


def _amd(run: Run, option: o.AMDOption) -> Outcome:
    run.emit(c.Amd(token=run.token, machine_handle=option.machine_handle, async_=option.async_))
    return "next" if option.async_ else run.wait("amd")


def _hangup(run: Run, option: o.HangupOption) -> Outcome:
    run.emit(c.Hangup(reason=option.reason or "normal", reference_id=option.reference_id))
    return run.end("hangup")


def _goto(run: Run, option: o.GotoOption) -> Outcome:
    if option.loop_count <= 0:
        return "next"
    # The count lives in the stack's copy of the action, so it survives the jump back.
    s = run.state
    stack = s.stacks[s.current_stack_id]
    i = stacks.index_of(stack, s.current_action.id)
    if i is not None:
        held = stack.actions[i]
        left = msgspec.structs.replace(held.option, loop_count=option.loop_count - 1)  # type: ignore[attr-defined]
        stack.actions[i] = msgspec.structs.replace(held, option=left)
    return run.jump(option.target_id, "goto.target_id")


def _branch(run: Run, option: o.BranchOption) -> Outcome:
    name = option.variable or DIGITS
    value = run.state.variables.get(name, "")
    run.state.variables[name] = ""
    target = option.target_ids.get(value, option.default_target_id)
    return run.jump(target, f"branch: no target for {value!r}, and default_target_id")


def _on_false(run: Run, holds: bool, false_target: Any) -> Outcome:
    return "next" if holds else run.jump(false_target, "false_target_id")


def _condition_variable(run: Run, option: o.ConditionVariableOption) -> Outcome:
    raw = run.raw.option.variable if run.raw is not None else option.variable  # type: ignore[attr-defined]
    value = conditions.variable_value(raw, option.variable, run.state.variables)
    return _on_false(run, conditions.variable_holds(option, value), option.false_target_id)


def _condition_datetime(run: Run, option: o.ConditionDatetimeOption) -> Outcome:
    holds = conditions.datetime_holds(option, run.env.now)
    return _on_false(run, holds, option.false_target_id)


def _condition_call_digits(run: Run, option: o.ConditionCallDigitsOption) -> Outcome:
    holds = conditions.call_digits_hold(option, run.state.variables)
    return _on_false(run, holds, option.false_target_id)


def _condition_call_status(run: Run, option: o.ConditionCallStatusOption) -> Outcome:
    return _on_false(run, run.env.call_status == option.status, option.false_target_id)


def _variable_set(run: Run, option: o.VariableSetOption) -> Outcome:
    # As upstream, the value is filled in twice (a value may hold a template's text).
    if option.key:
        run.state.variables[option.key] = substitute(option.value, run.state.variables)
    return "next"


def _fetch(run: Run, option: o.FetchOption) -> Outcome:
    if not option.event_url:
        raise Fatal("fetch.event_url is not set")
    s = run.state
    run.emit(
        c.Fetch(
            token=run.token,
            url=option.event_url,
            method=option.event_method or "GET",
            body={"activeflow_id": str(s.id), "reference_id": str(s.reference_id)},
        )
    )
    return run.wait("fetch")


def _webhook_send(run: Run, option: o.WebhookSendOption) -> Outcome:
    # Non-fatal, as upstream: the data is sent as raw JSON, compacted, and no data is the
    # body ``null``; data that is no JSON, or no uri, sends nothing and the flow moves on.
    try:
        data = msgspec.json.encode(msgspec.json.decode(option.data or "null")).decode()
    except msgspec.DecodeError:
        return _not_sent(run, "webhook_send.data is not JSON")
    if not option.uri:
        return _not_sent(run, "webhook_send.uri is not set")
    token = run.token if option.sync else 0
    content_type = option.data_type if option.data and option.data_type else "application/json"
    run.emit(
        c.WebhookSend(
            token=token, uri=option.uri, method=option.method, content_type=content_type, data=data
        )
    )
    return run.wait("webhook") if option.sync else "next"


def _not_sent(run: Run, reason: str) -> Outcome:
    action_id = run.state.current_action.id
    run.emit(c.NotExecuted(action_id=action_id, action_type="webhook_send", reason=reason))
    return "next"


def _fetch_flow(run: Run, option: o.FetchFlowOption) -> Outcome:
    if option.flow_id == o.EMPTY:
        raise Fatal("fetch_flow.flow_id is not set")
    run.emit(c.LoadFlow(token=run.token, flow_id=option.flow_id))
    return run.wait("flow")


def _stop(run: Run, option: o.NoOption) -> Outcome:
    return run.finish()


def _empty(run: Run, option: o.NoOption) -> Outcome:
    return "next"


def _block(run: Run, option: o.NoOption) -> Outcome:
    return run.wait("block")


def _call(run: Run, option: CallOption) -> Outcome:
    if not option.destinations:
        raise Fatal("call.destinations is empty")
    run.emit(
        c.StartCalls(
            source=option.source,
            destinations=option.destinations,
            flow_id=option.flow_id,
            actions=option.actions,
            chained=option.chained,
            early_execution=option.early_execution,
            anonymous=option.anonymous,
        )
    )
    return "next"


def _connect(run: Run, option: o.ConnectOption) -> Outcome:
    if not option.destinations:
        raise Fatal("connect.destinations is empty")
    run.emit(
        c.Connect(
            token=run.token,
            source=option.source,
            destinations=option.destinations,
            early_media=option.early_media,
            relay_reason=option.relay_reason,
            anonymous=option.anonymous,
        )
    )
    return run.wait("connect")


def _email_send(run: Run, option: o.EmailSendOption) -> Outcome:
    # Never fatal (upstream): what the email service refuses is logged, the flow goes on.
    run.emit(
        c.SendEmail(
            destinations=option.destinations,
            subject=option.subject,
            content=option.content,
            attachments=option.attachments,
        )
    )
    return "next"


def _recording_start(run: Run, option: o.RecordingStartOption) -> Outcome:
    run.emit(
        c.RecordingStart(
            format=option.format or "wav",
            end_of_silence=option.end_of_silence,
            end_of_key=option.end_of_key,
            duration=option.duration,
            beep_start=option.beep_start,
            on_end_flow_id=option.on_end_flow_id,
        )
    )
    return "next"


def _message_send(run: Run, option: o.MessageSendOption) -> Outcome:
    if option.source is None:
        raise Fatal("message_send.source is not set")
    if not option.destinations:
        raise Fatal("message_send.destinations is empty")
    run.emit(
        c.SendMessage(
            token=run.token,
            source=option.source,
            destinations=option.destinations,
            text=option.text,
        )
    )
    return run.wait("message")


def _conference_join(run: Run, option: o.ConferenceJoinOption) -> Outcome:
    if option.conference_id == o.EMPTY:
        raise Fatal("conference_join.conference_id is not set")
    run.emit(c.ConferenceJoin(token=run.token, conference_id=option.conference_id))
    return run.wait("conference")


def _confbridge_join(run: Run, option: o.ConfbridgeJoinOption) -> Outcome:
    run.emit(c.ConfbridgeJoin(token=run.token, confbridge_id=option.confbridge_id))
    return run.wait("conference")


def _recording_stop(run: Run, option: o.NoOption) -> Outcome:
    run.emit(c.RecordingStop())
    return "next"


def _queue_join(run: Run, option: o.QueueJoinOption) -> Outcome:
    if option.queue_id == o.EMPTY:
        raise Fatal("queue_join.queue_id is not set")
    # The queuecall's id is the flow's own: an answer for another queuecall changes nothing.
    queuecall_id = run.env.new_id()
    run.state.queuecall_id = queuecall_id
    run.emit(c.QueueJoin(token=run.token, queue_id=option.queue_id, queuecall_id=queuecall_id))
    return run.wait("queue")


HANDLERS: dict[str, Handler] = {
    "answer": _answer,
    "talk": _talk,
    "play": _play,
    "beep": _beep,
    "sleep": _sleep,
    "digits_receive": _digits_receive,
    "digits_send": _digits_send,
    "echo": _echo,
    "amd": _amd,
    "hangup": _hangup,
    "goto": _goto,
    "branch": _branch,
    "condition_variable": _condition_variable,
    "condition_datetime": _condition_datetime,
    "condition_call_digits": _condition_call_digits,
    "condition_call_status": _condition_call_status,
    "variable_set": _variable_set,
    "fetch": _fetch,
    "fetch_flow": _fetch_flow,
    "webhook_send": _webhook_send,
    "stop": _stop,
    "empty": _empty,
    "block": _block,
    "call": _call,
    "connect": _connect,
    "email_send": _email_send,
    "message_send": _message_send,
    "recording_start": _recording_start,
    "recording_stop": _recording_stop,
    "conference_join": _conference_join,
    "confbridge_join": _confbridge_join,
    "queue_join": _queue_join,
}
