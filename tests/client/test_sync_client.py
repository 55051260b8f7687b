"""``Client`` against the real app in-process: every verb, actions, credentials, caching."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
import pytest

from tests.client.harness import Recording, Sleeps, resource_requests, sync_client
from tests.inprocess import BASE_URL, Served
from voipbin.client import (
    AlreadyExists,
    Client,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    Page,
    PermissionDenied,
    Unauthenticated,
    Unprocessable,
)
from voipbin.common.errors import FieldError
from voipbin.models import TAGS, Tag, TagCreate, TagUpdate
from voipbin.models.accesskey import AccesskeyCreated
from voipbin.models.agent import Agent
from voipbin.models.flows import ACTIONS, Flow, FlowCreate
from voipbin.models.flows.options import GotoOption, TalkOption


def test_create_get_update_delete_a_tag(client: Client) -> None:
    created = client.tags.create(name="vip", detail="important")

    assert isinstance(created, Tag)
    assert (created.name, created.detail) == ("vip", "important")
    assert created.tm_create.tzinfo is not None
    assert created.tm_update == created.tm_create
    assert created.tm_delete is None
    assert client.tags.get(created.id) == created

    updated = client.tags.update(created.id, detail="changed")
    assert (updated.name, updated.detail) == ("vip", "changed")

    client.tags.delete(created.id)
    gone = client.tags.get(str(created.id))
    assert gone.tm_delete is not None
    assert gone.tm_delete >= created.tm_create


def test_bodies_can_be_the_models_structs(client: Client) -> None:
    created = client.tags.create(TagCreate(name="from a struct"))
    updated = client.tags.update(created.id, TagUpdate(detail="also"))

    assert (updated.name, updated.detail) == ("from a struct", "also")


def test_a_typed_accessor_comes_from_a_spec(client: Client) -> None:
    tags = client.resource(TAGS)
    created: Tag = tags.create(name="typed")

    assert tags.get(created.id) == created
    assert client.resources["tags"].spec is TAGS


def test_a_field_the_body_does_not_have_is_a_type_error_before_sending(client: Client) -> None:
    with pytest.raises(TypeError, match="nmae"):
        client.tags.create(nmae="typo")
    with pytest.raises(TypeError):
        client.tags.create(TagCreate(name="x"), detail="both")


def test_list_returns_one_page_of_models_newest_first(client: Client) -> None:
    names = [client.tags.create(name=f"tag {i}").name for i in range(5)]

    page = client.tags.list(page_size=3)

    assert isinstance(page, Page)
    assert [t.name for t in page.result] == ["tag 4", "tag 3", "tag 2"]
    assert page.next_page_token
    rest = client.tags.list(page_size=3, page_token=page.next_page_token)
    assert [t.name for t in rest.result] == ["tag 1", "tag 0"]
    assert rest.next_page_token == ""
    assert sorted(t.name for t in client.tags.iter()) == sorted(names)


def test_filters_are_sent_in_their_wire_form(client: Client) -> None:
    old = client.tags.create(name="old")
    new = client.tags.create(name="new")
    client.tags.delete(old.id)

    assert [t.id for t in client.tags.iter()] == [new.id]
    assert [t.id for t in client.tags.iter(deleted=True)] == [old.id]
    assert [t.id for t in client.tags.iter(deleted="all")] == [new.id, old.id]
    assert [t.id for t in client.tags.iter(tm_create_from=new.tm_create)] == [new.id]
    assert [t.id for t in client.tags.iter(tm_create_to=new.tm_create, deleted="all")] == [old.id]


def test_a_filter_the_resource_does_not_have_is_a_type_error(client: Client) -> None:
    with pytest.raises(TypeError, match="no filter colour"):
        client.tags.list(colour="red")
    with pytest.raises(TypeError, match="no filter status"):
        client.tags.list(status="active")  # tags have no status


def test_actions_come_from_the_declaration(client: Client) -> None:
    agent = client.agents.create(username="ann@example.com", password="agent-password")

    assert isinstance(agent, Agent)
    assert agent.status == "offline"
    changed = client.agents.status(agent.id, status="available")
    assert isinstance(changed, Agent)
    assert changed.status == "available"
    tag = client.tags.create(name="sales")
    tagged = client.agents.tag_ids(agent.id, tag_ids=[tag.id])
    assert tagged is not None
    assert tagged.tag_ids == [tag.id]
    assert "status" in dir(client.agents)
    with pytest.raises(AttributeError, match="no action 'hangup'"):
        client.agents.hangup  # noqa: B018


def test_an_unknown_resource_is_an_attribute_error(client: Client) -> None:
    with pytest.raises(AttributeError, match="widgets"):
        client.widgets  # noqa: B018


def test_an_access_key_is_shown_once_and_works_as_credentials(
    client: Client, served: Served, sleeps: Sleeps
) -> None:
    key = client.accesskeys.create(name="ci")

    assert isinstance(key, AccesskeyCreated)
    assert key.token.startswith("vb_")
    assert key.tm_expire is None
    with Client(BASE_URL, accesskey=key.token, transport=served.transport) as by_key:
        assert by_key.tags.create(name="by key").name == "by key"


def test_a_token_works_as_credentials_and_a_bad_one_is_raised(
    client: Client, served: Served
) -> None:
    recorded = Recording(served.transport)
    bad = Client(BASE_URL, token="not-a-jwt", transport=recorded)
    with bad, pytest.raises(Unauthenticated) as caught:
        bad.tags.list()

    assert caught.value.reason == "INVALID_CREDENTIALS"
    assert [q.url.path for q, _ in recorded.log] == ["/v1.0/tags"]  # no login to try


def test_a_username_and_password_log_in_again_once_when_the_token_stops_working(
    served: Served, sleeps: Sleeps
) -> None:
    refused = 0

    def expire_the_first_token(request: httpx.Request, forward: object) -> httpx.Response:
        nonlocal refused
        if request.url.path == "/v1.0/tags" and refused == 0:
            refused += 1
            return httpx.Response(
                401,
                json={
                    "error": {
                        "status": "UNAUTHENTICATED",
                        "reason": "INVALID_CREDENTIALS",
                        "message": "expired",
                        "request_id": "req_1",
                        "details": [],
                    }
                },
            )
        assert callable(forward)
        response: httpx.Response = forward()
        return response

    recorded = Recording(served.transport, expire_the_first_token)
    with sync_client(recorded, sleeps) as client:
        assert client.tags.list().result == []

    assert [q.url.path for q, _ in recorded.log] == [
        "/auth/login",
        "/v1.0/tags",
        "/auth/login",
        "/v1.0/tags",
    ]


def test_a_wrong_password_is_raised_without_retrying(served: Served) -> None:
    recorded = Recording(served.transport)
    client = Client(BASE_URL, username="admin@localhost", password="wrong", transport=recorded)

    with client, pytest.raises(Unauthenticated) as caught:
        client.tags.list()

    assert caught.value.reason == "INVALID_CREDENTIALS"
    assert [q.url.path for q, _ in recorded.log] == ["/auth/login"]


def test_credentials_are_exactly_one_form() -> None:
    with pytest.raises(ValueError, match="one of"):
        Client(BASE_URL)
    with pytest.raises(ValueError, match="one of"):
        Client(BASE_URL, accesskey="vb_x", token="y")
    with pytest.raises(ValueError, match="password"):
        Client(BASE_URL, username="admin@localhost")


def test_answers_the_api_refuses_are_raised_as_their_classes(
    client: Client, served: Served, sleeps: Sleeps
) -> None:
    with pytest.raises(NotFound) as not_found:
        client.tags.get(uuid.uuid4())
    assert not_found.value.reason == "TAG_NOT_FOUND"
    assert not_found.value.request_id.startswith("req_")
    assert not_found.value.http_status == 404

    with pytest.raises(InvalidArgument) as invalid:
        client.tags.create(name="")
    assert invalid.value.details
    assert isinstance(invalid.value.details[0], FieldError)
    assert invalid.value.details[0].field == "name"

    with pytest.raises(InvalidArgument) as bad_id:
        client.tags.get("not-an-id")
    assert bad_id.value.reason == "INVALID_ID"

    client.agents.create(username="dup@example.com", password="agent-password")
    with pytest.raises(AlreadyExists) as duplicate:
        client.agents.create(username="dup@example.com", password="agent-password")
    assert duplicate.value.reason == "AGENT_ALREADY_EXISTS"

    with pytest.raises(Unprocessable):
        client.agents.create(
            username="tagged@example.com", password="agent-password", tag_ids=[uuid.uuid4()]
        )

    tag = client.tags.create(name="soon gone")
    client.tags.delete(tag.id)
    with pytest.raises(FailedPrecondition) as deleted:
        client.tags.update(tag.id, name="too late")
    assert deleted.value.reason == "TAG_STATE_INVALID"

    client.agents.create(username="plain@example.com", password="agent-password", permission=16)
    plain = Client(
        BASE_URL,
        username="plain@example.com",
        password="agent-password",
        transport=served.transport,
    )
    with plain, pytest.raises(PermissionDenied):
        plain.tags.create(name="not allowed")


def test_single_gets_are_revalidated_and_served_from_the_cache(
    served: Served, sleeps: Sleeps
) -> None:
    recorded = Recording(served.transport)
    with sync_client(recorded, sleeps, cache=True) as client:
        tag = client.tags.create(name="cached")
        first = client.tags.get(tag.id)
        second = client.tags.get(tag.id)
        client.tags.update(tag.id, detail="new")
        third = client.tags.get(tag.id)

    gets = [(q, r) for q, r in resource_requests(recorded.log) if q.method == "GET"]
    assert [r.status_code for _, r in gets] == [200, 304, 200]
    assert "if-none-match" not in gets[0][0].headers
    assert gets[1][0].headers["if-none-match"] == gets[0][1].headers["etag"]
    assert second == first
    assert third.detail == "new"


def test_without_a_cache_gets_are_not_conditional(client: Client, served: Served) -> None:
    tag = client.tags.create(name="plain")
    recorded = Recording(served.transport)
    with sync_client(recorded, Sleeps()) as other:
        other.tags.get(tag.id)
        other.tags.get(tag.id)

    assert all("if-none-match" not in q.headers for q, _ in recorded.log)


def test_times_are_aware_and_in_utc(client: Client) -> None:
    before = datetime.now(UTC)
    tag = client.tags.create(name="now")

    assert tag.tm_create.utcoffset() is not None
    assert abs((tag.tm_create - before).total_seconds()) < 60


def test_a_flow_is_built_from_the_catalogues_typed_actions(client: Client) -> None:
    talk = ACTIONS["talk"](option=TalkOption(text="Hello", language="en-US"))
    then = client.flows.create(name="then")

    created = client.flows.create(
        FlowCreate(name="ivr", actions=[talk, ACTIONS["hangup"]()], on_complete_flow_id=then.id)
    )

    assert isinstance(created, Flow)
    assert [type(a).__name__ for a in created.actions] == ["TalkAction", "HangupAction"]
    assert created.actions[0].option == TalkOption(text="Hello", language="en-US")  # type: ignore[attr-defined]
    assert created.actions[0].id.version == 4
    assert created.on_complete_flow_id == then.id
    assert client.flows.get(created.id) == created
    with pytest.raises(InvalidArgument) as caught:
        client.flows.update(
            created.id, actions=[ACTIONS["goto"](option=GotoOption(target_id=then.id))]
        )
    assert caught.value.details == [
        FieldError("actions[0].option.target_id", "names no action of the flow")
    ]


def test_a_lookup_is_called_by_name(client: Client) -> None:
    found = client.lookup("available_numbers", country_code="US", page_size=3)
    assert len(found.result) == 3
    assert all(n.number.startswith("+1") and n.country == "US" for n in found.result)
    virtual = client.lookup("available_numbers", type="virtual", page_size=1)
    assert virtual.result[0].number.startswith("+899")
    with pytest.raises(TypeError, match="no parameter colour"):
        client.lookup("available_numbers", colour="red")
    with pytest.raises(ValueError, match="no lookup 'nope'"):
        client.lookup("nope")
