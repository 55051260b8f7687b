"""The caller's own routes through the SDK (``client.customer``, ``client.me``,
``client.outbound_config``), sync and async, against the real app in-process."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette

from tests.client.harness import (
    AsyncRecording,
    Recording,
    Sleeps,
    async_client,
    resource_requests,
    sync_client,
)
from tests.inprocess import BASE_URL, Served
from tests.server.conftest import ADMIN_USERNAME
from voipbin.client import AsyncClient, Client, NotFound, PermissionDenied
from voipbin.models.agent import Agent
from voipbin.models.customer import CustomerUpdate, OwnCustomer
from voipbin.models.outbound_config import OutboundConfig


def test_the_customer_is_read_with_its_webhook_secret(client: Client) -> None:
    customer = client.customer.get()

    assert isinstance(customer, OwnCustomer)
    assert customer.webhook_secret
    assert customer.tm_delete is None


def test_the_customer_is_updated_and_its_flags_changed(client: Client) -> None:
    renamed = client.customer.update(name="Renamed", detail="ours")
    from_struct = client.customer.update(CustomerUpdate(address="1 Main St"))
    flagged = client.customer.metadata(rtp_debug=True)

    assert isinstance(renamed, OwnCustomer)
    assert (renamed.name, renamed.detail) == ("Renamed", "ours")
    assert from_struct.address == "1 Main St"
    assert flagged.metadata.rtp_debug is True
    assert client.customer.get().metadata.rtp_debug is True
    assert client.customers.get(flagged.id).name == "Renamed"


def test_the_webhook_secret_is_rotated(client: Client) -> None:
    before = client.customer.get()

    rotated = client.customer.webhook_secret_rotate()

    assert isinstance(rotated, OwnCustomer)
    assert rotated.webhook_secret
    assert rotated.webhook_secret != before.webhook_secret
    assert rotated.tm_webhook_secret_rotate is not None
    assert client.customer.get().webhook_secret == rotated.webhook_secret


def test_a_field_the_body_does_not_have_is_a_type_error_before_sending(client: Client) -> None:
    with pytest.raises(TypeError, match="nmae"):
        client.customer.update(nmae="typo")
    with pytest.raises(TypeError):
        client.customer.webhook_secret_rotate(secret="mine")
    with pytest.raises(AttributeError, match="freeze"):
        client.customer.freeze()  # an action on /v1.0/customers/{id}, not on the own route


def test_me_is_the_callers_agent(client: Client) -> None:
    me = client.me.get()

    assert isinstance(me, Agent)
    assert me.username == ADMIN_USERNAME
    assert client.agents.get(me.id) == me
    with pytest.raises(TypeError, match="cannot be updated"):
        client.me.update(name="x")


def test_an_access_key_is_no_agent(client: Client, served: Served) -> None:
    key = client.accesskeys.create(name="own")
    with Client(BASE_URL, accesskey=key.token, transport=served.transport) as keyed:
        with pytest.raises(NotFound) as caught:
            keyed.me.get()
        customer = keyed.customer.get()

    assert caught.value.reason == "AGENT_NOT_FOUND"
    assert customer.webhook_secret  # an access key acts as its customer's admin


def test_an_agent_reads_its_customer_without_the_secret_and_cannot_change_it(
    client: Client, served: Served
) -> None:
    client.agents.create(username="plain@example.com", password="agent-password", permission=16)
    with Client(
        BASE_URL,
        username="plain@example.com",
        password="agent-password",
        transport=served.transport,
    ) as agent:
        customer = agent.customer.get()
        me = agent.me.get()
        with pytest.raises(PermissionDenied):
            agent.customer.webhook_secret_rotate()
        with pytest.raises(PermissionDenied):
            agent.outbound_config.get()

    assert customer.webhook_secret == ""
    assert customer.id == client.customer.get().id
    assert me.username == "plain@example.com"


def test_the_outbound_config_is_read_and_updated(client: Client) -> None:
    config = client.outbound_config.get()
    changed = client.outbound_config.update(destination_whitelist=["US"], detail="US only")

    assert isinstance(config, OutboundConfig)
    assert changed.id == config.id
    assert (changed.destination_whitelist, changed.detail) == (["US"], "US only")
    assert client.outbound_configs.get(config.id) == changed


def test_own_gets_are_revalidated_through_the_cache(served: Served, sleeps: Sleeps) -> None:
    recorded = Recording(served.transport)
    with sync_client(recorded, sleeps, cache=True) as client:
        first = client.customer.get()
        second = client.customer.get()

    gets = [(q, r) for q, r in resource_requests(recorded.log) if q.method == "GET"]
    assert [(q.url.path, r.status_code) for q, r in gets] == [
        ("/v1.0/customer", 200),
        ("/v1.0/customer", 304),
    ]
    assert second == first


def test_the_accessors_are_listed(client: Client) -> None:
    assert set(client.own_routes) == {"customer", "me", "outbound_config", "billing_account"}
    assert {"customer", "me", "outbound_config"} <= set(dir(client))
    assert "webhook_secret_rotate" in dir(client.customer)
    assert repr(client.customer) == "<Own /v1.0/customer>"


async def test_async_own_routes(aclient: AsyncClient, app: Starlette) -> None:
    customer = await aclient.customer.get()
    renamed = await aclient.customer.update(name="Async")
    flagged = await aclient.customer.metadata(rtp_debug=True)
    rotated = await aclient.customer.webhook_secret_rotate()
    me = await aclient.me.get()
    config = await aclient.outbound_config.update(detail="async")

    assert isinstance(customer, OwnCustomer)
    assert customer.webhook_secret
    assert renamed.name == "Async"
    assert flagged.metadata.rtp_debug is True
    assert rotated.webhook_secret != customer.webhook_secret
    assert isinstance(me, Agent)
    assert me.username == ADMIN_USERNAME
    assert (await aclient.outbound_config.get()) == config
    assert config.detail == "async"
    with pytest.raises(AttributeError):
        aclient.me.webhook_secret_rotate()


async def test_async_errors_are_the_sdks(app: Starlette, sleeps: Sleeps) -> None:
    recorded = AsyncRecording(httpx.ASGITransport(app=app))
    async with async_client(recorded, sleeps) as aclient:
        key = await aclient.accesskeys.create(name="own")
    async with AsyncClient(
        BASE_URL, accesskey=key.token, transport=httpx.ASGITransport(app=app)
    ) as keyed:
        with pytest.raises(NotFound) as caught:
            await keyed.me.get()

    assert caught.value.reason == "AGENT_NOT_FOUND"
