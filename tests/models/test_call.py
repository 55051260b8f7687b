"""Calls and groupcalls as declared: the wire form has exactly upstream's fields, and the
``POST`` bodies refuse what upstream's clients could not mean, with the usual 400."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import msgspec
import pytest

from voipbin.common.address import Address
from voipbin.common.errors import InvalidArgument
from voipbin.common.ids import EMPTY_UUID_TEXT
from voipbin.common.timestamps import SENTINEL_TEXT
from voipbin.models.call import (
    CALLS,
    Call,
    CallCreate,
    CallMetadata,
    CallMute,
    CallsCreated,
    CallTalk,
    check_call_create,
)
from voipbin.models.flows import ACTIONS
from voipbin.models.groupcall import GROUPCALLS, Groupcall, GroupcallCreate
from voipbin.models.wire import from_wire, to_wire
from voipbin.server.body import decode_body

# Upstream's oas schema CallManagerCall, in its order.
UPSTREAM_CALL_FIELDS = [
    "id",
    "customer_id",
    "owner_type",
    "owner_id",
    "flow_id",
    "activeflow_id",
    "type",
    "master_call_id",
    "chained_call_ids",
    "recording_id",
    "recording_ids",
    "groupcall_id",
    "source",
    "destination",
    "status",
    "action",
    "direction",
    "mute_direction",
    "hangup_by",
    "hangup_reason",
    "metadata",
    "tm_progressing",
    "tm_ringing",
    "tm_hangup",
    "tm_create",
    "tm_update",
    "tm_delete",
]
# Upstream's oas schema CallManagerGroupcall, in its order.
UPSTREAM_GROUPCALL_FIELDS = [
    "id",
    "customer_id",
    "owner_type",
    "owner_id",
    "status",
    "flow_id",
    "source",
    "destinations",
    "master_call_id",
    "master_groupcall_id",
    "ring_method",
    "answer_method",
    "answer_call_id",
    "call_ids",
    "answer_groupcall_id",
    "groupcall_ids",
    "call_count",
    "groupcall_count",
    "dial_index",
    "tm_create",
    "tm_update",
    "tm_delete",
]

ID = UUID("d9d32881-12fd-4b19-a6b2-6d5b6b6acf76")
CUSTOMER = UUID("5e4a0680-804e-11ec-8477-2fea5968d85b")
GROUPCALL = UUID("0b0a4b1e-2f63-4a8e-9d6f-3a1a1a3c9e10")
NOW = datetime(2026, 5, 1, 15, 10, 38, 785510, tzinfo=UTC)
TEL = Address(type="tel", target="+15005550000")
FROM = Address(type="tel", target="+15551234567")


def a_call(**fields: Any) -> Call:
    values: dict[str, Any] = {
        "id": ID,
        "customer_id": CUSTOMER,
        "owner_type": "",
        "owner_id": None,
        "flow_id": None,
        "activeflow_id": None,
        "type": "flow",
        "master_call_id": None,
        "chained_call_ids": [],
        "recording_id": None,
        "recording_ids": [],
        "groupcall_id": GROUPCALL,
        "source": FROM,
        "destination": TEL,
        "status": "dialing",
        "action": None,
        "direction": "outgoing",
        "mute_direction": "",
        "hangup_by": "",
        "hangup_reason": "",
        "metadata": CallMetadata(),
        "tm_progressing": None,
        "tm_ringing": None,
        "tm_hangup": None,
        "tm_create": NOW,
        "tm_update": NOW,
        "tm_delete": None,
    }
    values.update(fields)
    return Call(**values)


def a_groupcall() -> Groupcall:
    return Groupcall(
        id=GROUPCALL,
        customer_id=CUSTOMER,
        owner_type="",
        owner_id=None,
        status="progressing",
        flow_id=None,
        source=FROM,
        destinations=[TEL],
        master_call_id=None,
        master_groupcall_id=None,
        ring_method="ring_all",
        answer_method="hangup_others",
        answer_call_id=None,
        call_ids=[ID],
        answer_groupcall_id=None,
        groupcall_ids=[],
        call_count=1,
        groupcall_count=0,
        dial_index=0,
        tm_create=NOW,
        tm_update=NOW,
        tm_delete=None,
    )


# -- the wire form ------------------------------------------------------------------------------


def test_a_call_on_the_wire_has_exactly_upstreams_fields_in_order() -> None:
    assert list(to_wire(a_call())) == UPSTREAM_CALL_FIELDS


def test_a_groupcall_on_the_wire_has_exactly_upstreams_fields_in_order() -> None:
    assert list(to_wire(a_groupcall())) == UPSTREAM_GROUPCALL_FIELDS


def test_a_new_call_shows_empty_references_and_unset_times_as_the_conventions_say() -> None:
    wire = to_wire(a_call())
    assert wire["owner_id"] == EMPTY_UUID_TEXT
    assert wire["activeflow_id"] == EMPTY_UUID_TEXT
    assert wire["recording_id"] == EMPTY_UUID_TEXT
    assert wire["tm_ringing"] == SENTINEL_TEXT
    assert wire["tm_hangup"] == SENTINEL_TEXT
    assert wire["tm_create"] == "2026-05-01 15:10:38.785510"
    assert wire["destination"] == {
        "type": "tel",
        "target": "+15005550000",
        "target_name": "",
        "name": "",
        "detail": "",
    }
    assert wire["action"] is None
    assert wire["metadata"] == {"rtp_debug": False}


def test_a_calls_groupcall_id_is_shown_unlike_upstream() -> None:
    assert to_wire(a_call())["groupcall_id"] == str(GROUPCALL)


def test_a_call_reads_back_from_its_wire_form_with_its_running_action() -> None:
    talk = ACTIONS["talk"](id=UUID(int=7))
    call = a_call(action=talk, status="progressing", tm_progressing=NOW)
    wire = msgspec.json.decode(msgspec.json.encode(to_wire(call)))
    assert wire["action"]["type"] == "talk"
    assert from_wire(Call, wire) == call


def test_the_create_answer_always_has_both_lists() -> None:
    answer = to_wire(CallsCreated(calls=[a_call()], groupcalls=[]))
    assert list(answer) == ["calls", "groupcalls"]
    assert answer["groupcalls"] == []
    assert answer["calls"][0]["id"] == str(ID)


# -- the declarations ---------------------------------------------------------------------------


def test_calls_are_listed_by_status_direction_flow_and_activeflow() -> None:
    assert CALLS.path == "/v1.0/calls"
    assert CALLS.statuses == (
        "dialing",
        "ringing",
        "progressing",
        "terminating",
        "canceling",
        "hangup",
    )
    assert [f.name for f in CALLS.filters] == ["direction", "flow_id", "activeflow_id"]
    assert CALLS.verbs == {"list", "get", "create", "delete"}
    assert CALLS.created is CallsCreated


def test_call_actions_answer_the_call_and_undo_by_delete_where_upstream_does() -> None:
    declared = {a.name: a for a in CALLS.actions}
    assert set(declared) == {
        "hangup",
        "hold",
        "mute",
        "moh",
        "silence",
        "talk",
        "recording_start",
        "recording_stop",
    }
    assert all(a.method == "POST" for a in declared.values())
    answering = [n for n, a in declared.items() if a.returns_resource]
    assert sorted(answering) == ["hangup", "recording_start", "recording_stop"]
    assert sorted(n for n, a in declared.items() if a.undo) == ["hold", "moh", "mute", "silence"]
    assert declared["mute"].body is CallMute
    assert declared["talk"].body is CallTalk


def test_groupcalls_are_hung_up_by_an_action_that_answers_the_groupcall() -> None:
    assert GROUPCALLS.path == "/v1.0/groupcalls"
    assert GROUPCALLS.statuses == ("progressing", "hangingup", "hangup")
    (hangup,) = GROUPCALLS.actions
    assert (hangup.name, hangup.method, hangup.body, hangup.returns_resource) == (
        "hangup",
        "POST",
        None,
        True,
    )


# -- the bodies ---------------------------------------------------------------------------------


def _error(body: bytes | dict[str, Any], kind: type[msgspec.Struct]) -> InvalidArgument:
    content = body if isinstance(body, bytes) else msgspec.json.encode(body)
    with pytest.raises(InvalidArgument) as caught:
        _decode_and_check(content, kind)
    assert caught.value.http_status == 400
    return caught.value


def _decode_and_check(content: bytes, kind: type[msgspec.Struct]) -> None:
    """What the server does with a body: decode it, then (a call's) check its rules."""
    decoded = decode_body(content, kind)
    if isinstance(decoded, CallCreate):
        check_call_create(decoded)


CALL_BODY: dict[str, Any] = {
    "source": {"type": "tel", "target": "+15551234567"},
    "destinations": [{"type": "tel", "target": "+15005550000"}],
}


def test_a_call_body_of_upstreams_fields_decodes_with_its_defaults() -> None:
    body = decode_body(
        msgspec.json.encode(
            {
                **CALL_BODY,
                "actions": [{"type": "talk", "option": {"text": "hello"}}],
                "anonymous": "yes",
                "variables": {"name": "Jane"},
            }
        ),
        CallCreate,
    )
    checked, _ = check_call_create(body)
    assert checked.flow_id is None
    assert checked.anonymous == "yes"
    assert checked.variables == {"name": "Jane"}
    assert checked.actions[0].id != UUID(int=0)  # given an id, as a flow's actions are
    assert decode_body(msgspec.json.encode(CALL_BODY), CallCreate).anonymous == "auto"


def test_a_call_body_puts_addresses_in_canonical_form() -> None:
    body = decode_body(
        msgspec.json.encode(
            {**CALL_BODY, "destinations": [{"type": "sip", "target": "sip:alice@example.com"}]}
        ),
        CallCreate,
    )
    checked, _ = check_call_create(body)
    assert checked.destinations[0].target == "alice@example.com"


def test_a_call_body_with_a_bad_address_type_names_the_field() -> None:
    error = _error(
        {**CALL_BODY, "destinations": [TEL_JSON, {"type": "fax", "target": "+1555"}]}, CallCreate
    )
    assert error.reason == "INVALID_ARGUMENT"
    assert [d["field"] for d in error.details_as_dicts()] == ["destinations[1].type"]


def test_a_call_body_with_a_bad_tel_target_names_the_field() -> None:
    error = _error({**CALL_BODY, "source": {"type": "tel", "target": "5551234"}}, CallCreate)
    assert [d["field"] for d in error.details_as_dicts()] == ["source.target"]


def test_a_call_body_with_more_than_100_destinations_is_refused() -> None:
    error = _error({**CALL_BODY, "destinations": [TEL_JSON] * 101}, CallCreate)
    (detail,) = error.details_as_dicts()
    assert detail["field"] == "destinations"
    assert "100" in detail["description"]


def test_a_call_body_without_destinations_is_refused() -> None:
    error = _error({**CALL_BODY, "destinations": []}, CallCreate)
    assert [d["field"] for d in error.details_as_dicts()] == ["destinations"]


def test_a_call_body_with_an_unknown_field_names_it() -> None:
    error = _error({**CALL_BODY, "destination": TEL_JSON}, CallCreate)
    (detail,) = error.details_as_dicts()
    assert detail["field"] == "destination"
    assert detail["description"].startswith("unknown field")


def test_a_call_body_with_an_unknown_anonymous_value_is_upstreams_reason() -> None:
    error = _error({**CALL_BODY, "anonymous": "maybe"}, CallCreate)
    assert error.reason == "INVALID_ANONYMOUS_VALUE"


def test_a_call_body_with_more_than_100_variables_is_refused() -> None:
    variables = {f"v{i}": "x" for i in range(101)}
    error = _error({**CALL_BODY, "variables": variables}, CallCreate)
    assert [d["field"] for d in error.details_as_dicts()] == ["variables"]


def test_a_call_body_with_a_bad_action_names_it() -> None:
    error = _error({**CALL_BODY, "actions": [{"type": "teleport"}]}, CallCreate)
    assert error.reason == "INVALID_ACTION_TYPE"


def test_a_groupcall_body_defaults_to_ring_all_and_hangup_others() -> None:
    body = decode_body(msgspec.json.encode(CALL_BODY), GroupcallCreate)
    assert (body.ring_method, body.answer_method) == ("ring_all", "hangup_others")


def test_a_groupcall_body_with_an_unknown_ring_method_names_it() -> None:
    error = _error({**CALL_BODY, "ring_method": "random"}, GroupcallCreate)
    assert [d["field"] for d in error.details_as_dicts()] == ["ring_method"]


def test_a_groupcall_body_with_an_unknown_field_names_it() -> None:
    error = _error({**CALL_BODY, "anonymous": "yes"}, GroupcallCreate)
    assert [d["field"] for d in error.details_as_dicts()] == ["anonymous"]


def test_a_mute_body_defaults_to_both_and_refuses_another_direction() -> None:
    assert decode_body(b"{}", CallMute).direction == "both"
    error = _error({"direction": "sideways"}, CallMute)
    assert [d["field"] for d in error.details_as_dicts()] == ["direction"]


def test_a_talk_body_needs_its_text() -> None:
    error = _error({"language": "en-US"}, CallTalk)
    assert [d["field"] for d in error.details_as_dicts()] == ["text"]


TEL_JSON = {"type": "tel", "target": "+15005550000"}
