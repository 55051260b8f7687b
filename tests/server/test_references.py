"""Declared references (``ServerResource.references``), checked by the generic layer: an id
must name a live resource of the same customer, the empty UUID is none, and a resource this
server does not serve yet is not checked. Shown with tags, which every server serves."""

from __future__ import annotations

import uuid

import pytest

from tests.server.conftest import Api, add_customer
from voipbin.common.errors import Unprocessable
from voipbin.common.permissions import Permission
from voipbin.server.auth.principal import Principal
from voipbin.server.resources.references import check_references

EMPTY_UUID = "00000000-0000-0000-0000-000000000000"
UNKNOWN = "d9d32881-12fd-4b19-a6b2-6d5b6b6acf76"


async def test_a_reference_must_name_a_live_resource_of_the_customer(api: Api) -> None:
    tag = (await api.client.post("/v1.0/tags", json={"name": "t"}, headers=api.headers)).json()
    gone = (await api.client.post("/v1.0/tags", json={"name": "g"}, headers=api.headers)).json()
    await api.client.delete(f"/v1.0/tags/{gone['id']}", headers=api.headers)
    service = api.state.services["tag"]
    ctx = service.context(_admin_of(tag["customer_id"]))
    other = service.context(_admin_of(await add_customer(api)))
    references = {"tag_id": "tag", "later_id": "not_served_yet"}

    await check_references(ctx, references, {"tag_id": tag["id"], "name": "x"})
    await check_references(ctx, references, {"tag_id": EMPTY_UUID})
    await check_references(ctx, references, {"tag_id": None})
    await check_references(ctx, references, {"name": "no reference given"})
    # No such resource is served: its references are not checked until it is registered.
    await check_references(ctx, references, {"later_id": UNKNOWN})
    for context, value in ((ctx, UNKNOWN), (ctx, gone["id"]), (other, tag["id"])):
        with pytest.raises(Unprocessable) as raised:
            await check_references(context, references, {"tag_id": value})
        assert raised.value.http_status == 422
        assert [getattr(d, "field", None) for d in raised.value.details] == ["tag_id"]


def _admin_of(customer_id: str) -> Principal:
    return Principal(str(uuid.uuid4()), customer_id, Permission.CUSTOMER_ADMIN)
