"""Flows through the HTTP API: the action catalogue round-trips, every rule of an action list
is a 400 naming the field path, references to flows are 422, and the generic resource's list,
update and deletion rules hold, on both databases."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
import pytest

from tests.server.conftest import Api, add_agent, add_customer, assert_error, fields_of
from voipbin.common.timestamps import SENTINEL_TEXT
from voipbin.models.flows import ACTION_TYPES, ACTIONS, CATALOGUE, MAX_ACTIONS
from voipbin.models.flows.options import GotoOption, TalkOption

Json = dict[str, Any]
FIELDS = {
    "id",
    "customer_id",
    "type",
    "name",
    "detail",
    "actions",
    "on_complete_flow_id",
    "tm_create",
    "tm_update",
    "tm_delete",
}
EMPTY = "00000000-0000-0000-0000-000000000000"
UNUSED_ID = "d9d32881-12fd-4b19-a6b2-6d5b6b6acf76"
# The upstream FlowManagerActionType enum, and the types its flow engine has beyond it.
UPSTREAM_TYPES = {
    "ai_talk", "ai_summary", "amd", "answer", "beep", "branch", "call", "condition_call_digits",
    "condition_call_status", "condition_datetime", "condition_variable", "confbridge_join",
    "conference_join", "connect", "conversation_send", "digits_receive", "digits_send", "echo",
    "email_send", "external_media_start", "external_media_stop", "fetch", "fetch_flow", "goto",
    "hangup", "message_send", "mute", "play", "queue_join", "recording_start", "recording_stop",
    "sleep", "stop", "stream_echo", "talk", "transcribe_start", "transcribe_stop",
    "transcribe_recording", "variable_set", "webhook_send",
}  # fmt: skip
ENGINE_TYPES = {"block", "empty", "case_create", "ai_task"}


def action(type: str, id: str | None = None, **option: Any) -> Json:
    body: Json = {"type": type, "option": option}
    if id is not None:
        body["id"] = id
    return body


async def post(api: Api, body: Json, headers: dict[str, str] | None = None) -> Any:
    return await api.client.post("/v1.0/flows", json=body, headers=headers or api.headers)


async def create(api: Api, headers: dict[str, str] | None = None, **body: Any) -> Json:
    response = await post(api, body, headers)
    assert response.status_code == 201, response.text
    flow: Json = response.json()
    return flow


async def listed(api: Api, **params: str) -> list[Json]:
    response = await api.client.get("/v1.0/flows", params=params, headers=api.headers)
    assert response.status_code == 200, response.text
    result: list[Json] = response.json()["result"]
    return result


def bad_field(response: Any, field: str, reason: str = "INVALID_ARGUMENT") -> str:
    """Check a 400 names ``field``; its description."""
    error = assert_error(response, 400, "INVALID_ARGUMENT", reason)
    assert fields_of(error) == [field], error
    description: str = error["details"][0]["description"]
    return description


# -- the catalogue ----------------------------------------------------------------------------


def test_the_catalogue_holds_every_upstream_type_and_the_engines_own() -> None:
    assert set(ACTION_TYPES) == UPSTREAM_TYPES | ENGINE_TYPES
    assert len(CATALOGUE) == 44


def _every_type() -> list[Json]:
    """One action of each type of the catalogue, with its option as the catalogue fills it
    in, each with its id and pointing at the next."""
    ids = [str(uuid.uuid4()) for _ in CATALOGUE]
    made = []
    for i, row in enumerate(CATALOGUE):
        struct = ACTIONS[row.name](id=uuid.UUID(ids[i]), option=row.option())
        item: Json = msgspec.to_builtins(struct)
        item["next_id"] = ids[(i + 1) % len(ids)]
        made.append(item)
    return made


async def test_a_flow_of_every_action_type_round_trips_unchanged(api: Api) -> None:
    actions = _every_type()
    created = await create(api, name="all", actions=actions)
    assert created["actions"] == actions
    assert [a["type"] for a in created["actions"]] == [row.name for row in CATALOGUE]

    got = await api.client.get(f"/v1.0/flows/{created['id']}", headers=api.headers)
    assert got.json() == created

    updated = await api.client.put(
        f"/v1.0/flows/{created['id']}", json={"actions": got.json()["actions"]}, headers=api.headers
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["actions"] == actions
    assert {k: v for k, v in updated.json().items() if k != "tm_update"} == {
        k: v for k, v in created.items() if k != "tm_update"
    }


async def test_create_answers_201_with_the_flow_and_its_location(api: Api) -> None:
    response = await post(api, {"name": "ivr", "detail": "main", "actions": []})

    assert response.status_code == 201, response.text
    flow = response.json()
    assert set(flow) == FIELDS
    assert response.headers["location"] == f"/v1.0/flows/{flow['id']}"
    assert (flow["type"], flow["name"], flow["detail"]) == ("flow", "ivr", "main")
    assert flow["on_complete_flow_id"] == EMPTY
    assert flow["tm_delete"] == SENTINEL_TEXT
    assert flow["tm_update"] == flow["tm_create"]


async def test_an_action_without_an_id_or_with_the_empty_one_gets_a_new_v4(api: Api) -> None:
    flow = await create(api, actions=[action("answer"), action("hangup", id=EMPTY)])

    ids = [a["id"] for a in flow["actions"]]
    assert len(set(ids)) == 2
    assert all(uuid.UUID(i).version == 4 for i in ids)
    assert [a["next_id"] for a in flow["actions"]] == [EMPTY, EMPTY]


async def test_option_defaults_are_stored_and_shown(api: Api) -> None:
    flow = await create(api, actions=[action("talk", text="Hello ${voipbin.call.source.target}")])

    assert flow["actions"][0]["option"] == msgspec.to_builtins(
        TalkOption(text="Hello ${voipbin.call.source.target}")
    )


async def test_an_upstream_tm_execute_is_accepted_and_not_stored(api: Api) -> None:
    flow = await create(api, actions=[{**action("answer"), "tm_execute": None}])

    assert "tm_execute" not in flow["actions"][0]


# -- the rules of an action list: 400 naming the field ----------------------------------------


async def test_an_unknown_action_type_is_400_invalid_action_type(api: Api) -> None:
    response = await post(api, {"actions": [action("answer"), action("dance")]})

    description = bad_field(response, "actions[1].type", "INVALID_ACTION_TYPE")
    assert "talk" in description
    assert "queue_join" in description
    assert await listed(api) == []


async def test_an_action_without_a_type_is_400_invalid_action_type(api: Api) -> None:
    response = await post(api, {"actions": [{"option": {}}]})

    bad_field(response, "actions[0].type", "INVALID_ACTION_TYPE")


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        (action("digits_send", digits="12x"), "option.digits"),
        (action("digits_send", duration=5), "option.duration"),
        (action("talk", text=5), "option.text"),
        (action("talk", digits_handle="later"), "option.digits_handle"),
        (action("goto", loop_count=-1), "option.loop_count"),
        (action("condition_datetime", weekdays=[7]), "option.weekdays[0]"),
        (action("play", stream_urls=["x"] * 101), "option.stream_urls"),
        (action("sleep", duration="5"), "option.duration"),
        (action("webhook_send", method="PATCH"), "option.method"),
        (action("message_send", destinations=[{"type": "tel", "target": "12"}]),
         "option.destinations[0].target"),
        (action("variable_set", key="k" * 256), "option.key"),
        (action("goto", target_id="not-a-uuid"), "option.target_id"),
        ({"type": "answer", "option": []}, "option"),
    ],
)  # fmt: skip
async def test_an_option_of_the_wrong_shape_or_value_is_400_naming_its_path(
    api: Api, bad: Json, field: str
) -> None:
    response = await post(
        api, {"actions": [action("answer"), action("answer"), action("beep"), bad]}
    )

    bad_field(response, f"actions[3].{field}")
    assert await listed(api) == []


async def test_an_unknown_option_key_is_400_listing_the_known_ones(api: Api) -> None:
    response = await post(api, {"actions": [action("goto", colour="red")]})

    description = bad_field(response, "actions[0].option.colour")
    assert description == "unknown field; known fields: loop_count, target_id"


async def test_an_unknown_action_key_is_400_naming_it(api: Api) -> None:
    response = await post(api, {"actions": [{**action("answer"), "nxt_id": EMPTY}]})

    assert "known fields: id, next_id, option, tm_execute" in bad_field(
        response, "actions[0].nxt_id"
    )


async def test_a_bad_anonymous_value_is_400_invalid_anonymous_value(api: Api) -> None:
    response = await post(api, {"actions": [action("connect", anonymous="maybe")]})

    bad_field(response, "actions[0].option.anonymous", "INVALID_ANONYMOUS_VALUE")


async def test_an_action_id_given_twice_is_400(api: Api) -> None:
    response = await post(
        api, {"actions": [action("answer", id=UNUSED_ID), action("hangup", id=UNUSED_ID)]}
    )

    assert "actions[0].id" in bad_field(response, "actions[1].id")


@pytest.mark.parametrize("reserved", [str(uuid.UUID(int=n)) for n in (1, 2, 3)])
async def test_a_reserved_action_id_is_400(api: Api, reserved: str) -> None:
    response = await post(api, {"actions": [action("answer", id=reserved)]})

    bad_field(response, "actions[0].id")


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({**action("answer"), "next_id": UNUSED_ID}, "next_id"),
        ({**action("answer"), "next_id": str(uuid.UUID(int=2))}, "next_id"),
        (action("goto", target_id=UNUSED_ID), "option.target_id"),
        (action("branch", default_target_id=UNUSED_ID), "option.default_target_id"),
        (action("branch", target_ids={"1": UNUSED_ID}), "option.target_ids.1"),
        (action("condition_variable", false_target_id=UNUSED_ID), "option.false_target_id"),
        (action("condition_datetime", false_target_id=UNUSED_ID), "option.false_target_id"),
        (action("condition_call_digits", false_target_id=UNUSED_ID), "option.false_target_id"),
        (action("condition_call_status", false_target_id=UNUSED_ID), "option.false_target_id"),
        (action("call", actions=[action("goto", target_id=UNUSED_ID)]),
         "option.actions[0].option.target_id"),
    ],
)  # fmt: skip
async def test_a_target_naming_no_action_of_the_flow_is_400(
    api: Api, bad: Json, field: str
) -> None:
    response = await post(api, {"actions": [action("answer", id=str(uuid.uuid4())), bad]})

    assert bad_field(response, f"actions[1].{field}") == "names no action of the flow"


async def test_targets_naming_actions_of_the_flow_are_kept(api: Api) -> None:
    first, last = str(uuid.uuid4()), str(uuid.uuid4())
    actions = [
        action("answer", id=first),
        action("branch", target_ids={"1": first, "2": last}, default_target_id=last),
        {**action("goto", target_id=first, loop_count=2), "next_id": last},
        action("hangup", id=last),
    ]
    flow = await create(api, actions=actions)

    assert flow["actions"][1]["option"]["target_ids"] == {"1": first, "2": last}
    assert flow["actions"][2]["option"] == msgspec.to_builtins(
        GotoOption(target_id=uuid.UUID(first), loop_count=2)
    )
    assert flow["actions"][2]["next_id"] == last


async def test_a_call_actions_inline_flow_gets_ids_and_targets_within_itself(api: Api) -> None:
    inner, outer = str(uuid.uuid4()), str(uuid.uuid4())
    inline = [
        action("talk", text="hi"),
        action("hangup", id=inner),
        action("goto", target_id=inner),
    ]
    flow = await create(api, actions=[action("call", actions=inline), action("answer", id=outer)])

    made = flow["actions"][0]["option"]["actions"]
    assert made[2]["option"]["target_id"] == inner
    assert uuid.UUID(made[0]["id"]).version == 4
    # The inline flow is a list of its own: the outer flow's actions are no targets in it.
    inline[2] = action("goto", target_id=outer)
    response = await post(
        api, {"actions": [action("call", actions=inline), action("answer", id=outer)]}
    )
    bad_field(response, "actions[0].option.actions[2].option.target_id")


async def test_at_most_1000_actions(api: Api) -> None:
    flow = await create(api, actions=[action("answer")] * MAX_ACTIONS)
    assert len(flow["actions"]) == MAX_ACTIONS

    response = await post(api, {"actions": [action("answer")] * (MAX_ACTIONS + 1)})

    assert bad_field(response, "actions") == "must have at most 1000 items"


async def test_an_address_target_that_is_a_variable_is_checked_when_it_runs(api: Api) -> None:
    destination = {"type": "tel", "target": "${voipbin.call.source.target}"}
    flow = await create(api, actions=[action("message_send", destinations=[destination])])

    assert flow["actions"][0]["option"]["destinations"][0]["target"] == destination["target"]


# -- references to other resources: 422 ------------------------------------------------------


async def test_on_complete_flow_id_must_name_a_live_flow_of_the_customer(api: Api) -> None:
    other_customer = await add_customer(api)
    admin = await add_agent(api, permission=32, customer_id=other_customer)
    foreign = await create(api, admin.headers, name="theirs")
    deleted = await create(api, name="gone")
    await api.client.delete(f"/v1.0/flows/{deleted['id']}", headers=api.headers)

    for missing in (UNUSED_ID, foreign["id"], deleted["id"]):
        response = await post(api, {"name": "x", "on_complete_flow_id": missing})
        error = assert_error(response, 422, "INVALID_ARGUMENT", "UNPROCESSABLE_ENTITY")
        assert fields_of(error) == ["on_complete_flow_id"]

    then = await create(api, name="then")
    flow = await create(api, name="first", on_complete_flow_id=then["id"])
    assert flow["on_complete_flow_id"] == then["id"]
    assert [f["name"] for f in await listed(api)] == ["first", "then"]  # no "x" was stored


@pytest.mark.parametrize(
    ("type", "field"),
    [
        ("fetch_flow", "flow_id"),
        ("call", "flow_id"),
        ("recording_start", "on_end_flow_id"),
        ("transcribe_start", "on_end_flow_id"),
        ("transcribe_recording", "on_end_flow_id"),
        ("ai_summary", "on_end_flow_id"),
    ],
)
async def test_a_flow_named_in_an_option_must_be_a_live_flow_of_the_customer(
    api: Api, type: str, field: str
) -> None:
    response = await post(api, {"actions": [action("answer"), action(type, **{field: UNUSED_ID})]})

    error = assert_error(response, 422, "INVALID_ARGUMENT", "UNPROCESSABLE_ENTITY")
    assert fields_of(error) == [f"actions[1].option.{field}"]

    target = await create(api, name="target")
    flow = await create(api, actions=[action(type, **{field: target["id"]})])
    assert flow["actions"][0]["option"][field] == target["id"]


async def test_resources_the_server_does_not_serve_yet_are_not_checked(api: Api) -> None:
    flow = await create(
        api,
        actions=[
            action("ai_talk", ai_id=UNUSED_ID),
        ],
    )

    assert flow["actions"][0]["option"]["ai_id"] == UNUSED_ID


# -- update, delete ---------------------------------------------------------------------------


async def test_update_replaces_the_given_fields_and_keeps_the_others(api: Api) -> None:
    then = await create(api, name="then")
    flow = await create(
        api, name="ivr", detail="d", actions=[action("answer")], on_complete_flow_id=then["id"]
    )

    response = await api.client.put(
        f"/v1.0/flows/{flow['id']}",
        json={"name": "new", "actions": [action("hangup")]},
        headers=api.headers,
    )

    assert response.status_code == 200, response.text
    updated = response.json()
    assert (updated["name"], updated["detail"]) == ("new", "d")
    assert [a["type"] for a in updated["actions"]] == ["hangup"]
    assert updated["on_complete_flow_id"] == then["id"]
    cleared = await api.client.put(
        f"/v1.0/flows/{flow['id']}", json={"on_complete_flow_id": EMPTY}, headers=api.headers
    )
    assert cleared.json()["on_complete_flow_id"] == EMPTY
    assert cleared.json()["actions"] == updated["actions"]


async def test_a_bad_update_is_400_and_changes_nothing(api: Api) -> None:
    flow = await create(api, name="ivr", actions=[action("answer")])

    response = await api.client.put(
        f"/v1.0/flows/{flow['id']}",
        json={"name": "new", "actions": [action("goto", target_id=UNUSED_ID)]},
        headers=api.headers,
    )

    bad_field(response, "actions[0].option.target_id")
    got = await api.client.get(f"/v1.0/flows/{flow['id']}", headers=api.headers)
    assert got.json() == flow


async def test_a_flow_may_name_itself_to_run_on_completion(api: Api) -> None:
    flow = await create(api, name="loop")

    response = await api.client.put(
        f"/v1.0/flows/{flow['id']}", json={"on_complete_flow_id": flow["id"]}, headers=api.headers
    )

    assert response.json()["on_complete_flow_id"] == flow["id"]


async def test_a_deleted_flow_is_409_on_update_and_shown_deleted(api: Api) -> None:
    flow = await create(api, name="old")
    response = await api.client.delete(f"/v1.0/flows/{flow['id']}", headers=api.headers)
    assert response.status_code == 204

    response = await api.client.put(
        f"/v1.0/flows/{flow['id']}", json={"name": "new"}, headers=api.headers
    )

    assert_error(response, 409, "FAILED_PRECONDITION", "FLOW_STATE_INVALID")
    got = await api.client.get(f"/v1.0/flows/{flow['id']}", headers=api.headers)
    assert got.json()["tm_delete"] != SENTINEL_TEXT
    assert got.json()["name"] == "old"


async def test_an_unknown_flow_is_404_flow_not_found(api: Api) -> None:
    response = await api.client.get(f"/v1.0/flows/{UNUSED_ID}", headers=api.headers)

    assert_error(response, 404, "NOT_FOUND", "FLOW_NOT_FOUND")


# -- lists ------------------------------------------------------------------------------------


async def test_pages_walk_every_flow_once_newest_first(api: Api) -> None:
    made = [(await create(api, name=f"f{i}", actions=[action("answer")]))["id"] for i in range(7)]
    seen: list[str] = []
    token = ""
    while True:
        params = {"page_size": "3", **({"page_token": token} if token else {})}
        response = await api.client.get("/v1.0/flows", params=params, headers=api.headers)
        page = response.json()
        seen += [f["id"] for f in page["result"]]
        token = page["next_page_token"]
        if not token:
            break
    assert seen == made[::-1]


async def test_lists_filter_by_type_and_deletion(api: Api) -> None:
    kept = await create(api, name="kept")
    gone = await create(api, name="gone")
    await api.client.delete(f"/v1.0/flows/{gone['id']}", headers=api.headers)

    assert [f["name"] for f in await listed(api)] == ["kept"]
    assert [f["name"] for f in await listed(api, type="flow")] == ["kept"]
    assert await listed(api, type="queue") == []
    assert [f["name"] for f in await listed(api, deleted="true")] == ["gone"]
    assert [f["id"] for f in await listed(api, deleted="all")] == [gone["id"], kept["id"]]
    response = await api.client.get("/v1.0/flows", params={"type": "x"}, headers=api.headers)
    assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_REQUEST_PARAMETER")


# -- the OpenAPI document ---------------------------------------------------------------------


async def test_the_document_shows_actions_as_a_union_discriminated_by_type(api: Api) -> None:
    document = (await api.client.get("/openapi.json")).json()
    schemas = document["components"]["schemas"]

    for name in ("Flow", "FlowCreate", "FlowUpdate"):
        items = schemas[name]["properties"]["actions"]
        items = items.get("items") or next(s["items"] for s in items["anyOf"] if "items" in s)
        assert items["discriminator"]["propertyName"] == "type"
        assert set(items["discriminator"]["mapping"]) == set(ACTION_TYPES)
        assert len(items["oneOf"]) == len(ACTION_TYPES)
    talk = schemas["TalkAction"]
    assert talk["properties"]["type"] == {"enum": ["talk"]}
    option = schemas[talk["properties"]["option"]["$ref"].rsplit("/", 1)[1]]
    assert option["additionalProperties"] is False
    assert option["properties"]["text"]["maxLength"] == 16384
    assert schemas["FlowCreate"]["properties"]["actions"]["maxItems"] == MAX_ACTIONS
    assert "/v1.0/flows/{id}" in document["paths"]
