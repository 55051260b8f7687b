"""Outbound configs: one per customer, made with it (by POST /v1.0/customers, by signup, at
bootstrap, and on first read for a customer that has none), read and changed through
``/v1.0/outbound_configs`` and the customer's own ``/v1.0/outbound_config``, deleted with the
customer; the whitelist and default caller id rules, on both databases."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.server.conftest import (
    Agent,
    Api,
    StartApp,
    add_agent,
    add_customer,
    assert_error,
    fields_of,
)
from tests.server.test_numbers import buy, verify
from tests.server.test_permissions import stored
from voipbin.common.countries import COUNTRY_CODES
from voipbin.common.timestamps import SENTINEL_TEXT
from voipbin.models.outbound_config import MAX_WHITELIST
from voipbin.server.resources.outbound_configs import allows

Json = dict[str, Any]
Headers = dict[str, str]
EMPTY_UUID = "00000000-0000-0000-0000-000000000000"
UNUSED_ID = "d9d32881-12fd-4b19-a6b2-6d5b6b6acf76"
FIELDS = {
    "id",
    "customer_id",
    "name",
    "detail",
    "destination_whitelist",
    "codecs",
    "default_outgoing_source_number_id",
    "tm_create",
    "tm_update",
    "tm_delete",
}
OWN = "/v1.0/outbound_config"
PATH = "/v1.0/outbound_configs"


async def configs_of(api: Api, customer_id: str, deleted: str = "false") -> list[Json]:
    """Every outbound config of ``customer_id``, as a super-admin lists them."""
    response = await api.client.get(
        PATH, params={"customer_id": customer_id, "deleted": deleted}, headers=api.headers
    )
    assert response.status_code == 200, response.text
    result: list[Json] = response.json()["result"]
    return result


async def own(api: Api, headers: Headers) -> Json:
    response = await api.client.get(OWN, headers=headers)
    assert response.status_code == 200, response.text
    config: Json = response.json()
    return config


async def put_own(api: Api, headers: Headers, body: Json) -> Json:
    response = await api.client.put(OWN, json=body, headers=headers)
    assert response.status_code == 200, response.text
    config: Json = response.json()
    return config


def assert_empty(config: Json, customer_id: str) -> None:
    assert set(config) == FIELDS
    assert config["customer_id"] == customer_id
    assert config["destination_whitelist"] == []
    assert config["default_outgoing_source_number_id"] == EMPTY_UUID
    assert (config["name"], config["detail"], config["codecs"]) == ("", "", "")
    assert config["tm_update"] == config["tm_create"]
    assert config["tm_delete"] == SENTINEL_TEXT


# -- made with the customer ---------------------------------------------------------------------


async def test_a_customer_made_by_a_super_admin_comes_with_an_empty_config(api: Api) -> None:
    response = await api.client.post("/v1.0/customers", json={"name": "Acme"}, headers=api.headers)
    assert response.status_code == 201, response.text
    customer_id = response.json()["id"]

    configs = await configs_of(api, customer_id)

    assert len(configs) == 1
    assert_empty(configs[0], customer_id)


async def test_signup_makes_the_new_customers_config(start_app: StartApp) -> None:
    api = await start_app(signup="open")
    response = await api.client.post(
        "/auth/signup", json={"email": "owner@acme.example.com", "accepted_tos": True}
    )
    assert response.status_code == 200, response.text
    customer_id = response.json()["customer"]["id"]

    # Listed before anyone reads the own route: made at signup, not on first read.
    configs = await configs_of(api, customer_id)

    assert len(configs) == 1
    assert_empty(configs[0], customer_id)
    key = {"Authorization": f"Bearer {response.json()['accesskey']['token']}"}
    assert (await own(api, key))["id"] == configs[0]["id"]


async def test_the_bootstrap_customer_has_one_and_restarts_make_no_second(
    start_app: StartApp,
) -> None:
    api = await start_app()
    me = await api.client.get("/v1.0/me", headers=api.headers)
    customer_id = me.json()["customer_id"]

    first = await configs_of(api, customer_id)
    again = await start_app()

    assert len(first) == 1
    assert_empty(first[0], customer_id)
    assert await configs_of(again, customer_id) == first
    assert (await own(again, again.headers))["id"] == first[0]["id"]


async def test_a_customer_without_one_gets_it_on_first_read_once(api: Api) -> None:
    # Straight into storage, as a customer from before outbound configs were.
    customer_id = await add_customer(api, companions=False)
    admin = await add_agent(api, permission=32, customer_id=customer_id)
    assert await configs_of(api, admin.customer_id) == []

    answers = await asyncio.gather(*(api.client.get(OWN, headers=admin.headers) for _ in range(6)))

    assert {r.status_code for r in answers} == {200}
    assert len({r.json()["id"] for r in answers}) == 1
    configs = await configs_of(api, admin.customer_id)
    assert [c["id"] for c in configs] == [answers[0].json()["id"]]
    assert_empty(configs[0], admin.customer_id)


async def test_deleting_a_customer_deletes_its_config(api: Api) -> None:
    response = await api.client.post("/v1.0/customers", json={"name": "Gone"}, headers=api.headers)
    customer_id = response.json()["id"]
    (config,) = await configs_of(api, customer_id)

    deleted = await api.client.delete(f"/v1.0/customers/{customer_id}", headers=api.headers)

    assert deleted.status_code == 204
    assert await configs_of(api, customer_id) == []
    assert [c["id"] for c in await configs_of(api, customer_id, "true")] == [config["id"]]
    shown = await api.client.get(f"{PATH}/{config['id']}", headers=api.headers)
    assert shown.status_code == 200
    assert shown.json()["tm_delete"] != SENTINEL_TEXT
    change = await api.client.put(f"{PATH}/{config['id']}", json={"name": "x"}, headers=api.headers)
    assert_error(change, 409, "FAILED_PRECONDITION", "OUTBOUND_CONFIG_STATE_INVALID")


async def test_configs_are_neither_created_nor_deleted_through_the_api(api: Api) -> None:
    config = await own(api, api.headers)

    create = await api.client.post(PATH, json={"name": "second"}, headers=api.headers)
    delete = await api.client.delete(f"{PATH}/{config['id']}", headers=api.headers)

    assert_error(create, 405, "NOT_FOUND", "METHOD_NOT_ALLOWED")
    assert_error(delete, 405, "NOT_FOUND", "METHOD_NOT_ALLOWED")
    assert [c["id"] for c in await configs_of(api, config["customer_id"], "all")] == [config["id"]]


# -- reading and changing -------------------------------------------------------------------------


async def test_an_admin_changes_their_own_config(api: Api) -> None:
    admin = await add_agent(api, permission=32)
    before = await own(api, admin.headers)

    changed = await put_own(
        api,
        admin.headers,
        {
            "name": "production",
            "detail": "US and UK",
            "destination_whitelist": ["us", "Gb", "US", "kr"],
            "codecs": "PCMU,PCMA",
        },
    )

    assert changed["id"] == before["id"]
    assert changed["destination_whitelist"] == ["US", "GB", "KR"]
    assert (changed["name"], changed["detail"], changed["codecs"]) == (
        "production",
        "US and UK",
        "PCMU,PCMA",
    )
    row = await stored(api, "outbound_config", before["id"])
    assert row is not None
    assert row["destination_whitelist"] == b'["US","GB","KR"]'
    by_id = await api.client.get(f"{PATH}/{before['id']}", headers=admin.headers)
    assert by_id.json() == changed
    # Left out or null: kept (as upstream); [] refuses every PSTN call.
    kept = await put_own(api, admin.headers, {"destination_whitelist": None, "codecs": None})
    assert (kept["destination_whitelist"], kept["codecs"]) == (["US", "GB", "KR"], "PCMU,PCMA")
    cleared = await put_own(api, admin.headers, {"destination_whitelist": []})
    assert cleared["destination_whitelist"] == []
    assert cleared["name"] == "production"


async def test_the_own_route_serves_admins_and_managers_reads_and_admins_writes(
    api: Api,
) -> None:
    admin = await add_agent(api, permission=32)
    manager = await add_agent(api, permission=64, customer_id=admin.customer_id)
    agent = await add_agent(api, permission=16, customer_id=admin.customer_id)
    key_response = await api.client.post(
        "/v1.0/accesskeys", json={"name": "k"}, headers=admin.headers
    )
    key = {"Authorization": f"Bearer {key_response.json()['token']}"}
    config = await own(api, admin.headers)

    assert (await own(api, manager.headers))["id"] == config["id"]
    refused = await api.client.put(OWN, json={"name": "m"}, headers=manager.headers)
    assert_error(refused, 403, "PERMISSION_DENIED", "PERMISSION_DENIED")
    for method in ("GET", "PUT"):
        response = await api.client.request(method, OWN, json={"name": "a"}, headers=agent.headers)
        assert_error(response, 403, "PERMISSION_DENIED", "PERMISSION_DENIED")
    assert (await put_own(api, key, {"name": "by key"}))["id"] == config["id"]
    assert (await own(api, admin.headers))["name"] == "by key"


async def test_each_customers_own_route_is_its_own_config(api: Api) -> None:
    a = await add_agent(api, permission=32)
    b = await add_agent(api, permission=32)

    await put_own(api, a.headers, {"destination_whitelist": ["US"]})
    b_config = await own(api, b.headers)

    assert b_config["customer_id"] == b.customer_id
    assert b_config["destination_whitelist"] == []
    hidden = await api.client.get(f"{PATH}/{b_config['id']}", headers=a.headers)
    assert_error(hidden, 404, "NOT_FOUND", "OUTBOUND_CONFIG_NOT_FOUND")
    unknown = await api.client.get(f"{PATH}/{UNUSED_ID}", headers=a.headers)
    assert_error(unknown, 404, "NOT_FOUND", "OUTBOUND_CONFIG_NOT_FOUND")


async def test_a_super_admin_lists_their_own_or_a_named_customers(api: Api) -> None:
    mine = await own(api, api.headers)
    a = await add_agent(api, permission=32)
    theirs = await own(api, a.headers)

    listed = await api.client.get(PATH, headers=api.headers)
    filtered = await configs_of(api, a.customer_id)
    as_admin = await api.client.get(
        PATH, params={"customer_id": mine["customer_id"]}, headers=a.headers
    )

    assert [c["id"] for c in listed.json()["result"]] == [mine["id"]]
    assert [c["id"] for c in filtered] == [theirs["id"]]
    assert as_admin.json() == {"result": [], "next_page_token": ""}
    changed = await api.client.put(
        f"{PATH}/{theirs['id']}", json={"destination_whitelist": ["de"]}, headers=api.headers
    )
    assert changed.status_code == 200, changed.text
    assert (await own(api, a.headers))["destination_whitelist"] == ["DE"]


# -- validation ---------------------------------------------------------------------------------


async def _refused(api: Api, headers: Headers, body: Json, status: int, reason: str) -> Json:
    before = await own(api, headers)
    response = await api.client.put(OWN, json=body, headers=headers)
    canonical = {400: "INVALID_ARGUMENT", 422: "INVALID_ARGUMENT"}[status]
    error = assert_error(response, status, canonical, reason)
    assert await own(api, headers) == before, "a refused change changed the config"
    return error


async def test_a_whitelist_entry_that_is_no_country_is_a_400_naming_it(api: Api) -> None:
    admin = await add_agent(api, permission=32)
    cases: list[tuple[list[Any], str]] = [
        (["US", "GB", "XX"], "destination_whitelist[2]"),
        (["us", "uk"], "destination_whitelist[1]"),  # reserved, not assigned: GB is
        (["usa"], "destination_whitelist[0]"),
        ([""], "destination_whitelist[0]"),
        (["US", 1], "destination_whitelist[1]"),
        (["U1"], "destination_whitelist[0]"),
        (["US"] * (MAX_WHITELIST + 1), "destination_whitelist"),
    ]
    for whitelist, field in cases:
        body = {"destination_whitelist": whitelist}
        error = await _refused(api, admin.headers, body, 400, "INVALID_ARGUMENT")
        assert fields_of(error) == [field], (whitelist, error)
    error = await _refused(
        api, admin.headers, {"destination_whitelist": "US"}, 400, "INVALID_ARGUMENT"
    )
    assert fields_of(error) == ["destination_whitelist"]


async def test_other_bad_fields_are_400s_naming_them(api: Api) -> None:
    admin = await add_agent(api, permission=32)
    codecs = await _refused(api, admin.headers, {"codecs": "PCMU,MP3"}, 400, "INVALID_CODECS")
    unknown = await _refused(api, admin.headers, {"whitelist": ["US"]}, 400, "INVALID_ARGUMENT")
    bad_id = await _refused(
        api, admin.headers, {"default_outgoing_source_number_id": "12"}, 400, "INVALID_ARGUMENT"
    )
    assert fields_of(codecs) == ["codecs"]
    assert fields_of(unknown) == ["whitelist"]
    assert fields_of(bad_id) == ["default_outgoing_source_number_id"]


# -- the default caller id ----------------------------------------------------------------------


async def _normal_number(api: Api, owner: Agent | None, number: str) -> str:
    headers = owner.headers if owner is not None else api.headers
    customer_id = (
        owner.customer_id if owner is not None else (await own(api, headers))["customer_id"]
    )
    await verify(api, customer_id)
    return str((await buy(api, headers, number=number))["id"])


async def test_the_default_caller_id_is_a_live_normal_number_of_the_customer(api: Api) -> None:
    admin = await add_agent(api, permission=32)
    normal = await _normal_number(api, admin, "+14155550111")

    changed = await put_own(api, admin.headers, {"default_outgoing_source_number_id": normal})

    assert changed["default_outgoing_source_number_id"] == normal
    kept = await put_own(api, admin.headers, {"default_outgoing_source_number_id": None})
    assert kept["default_outgoing_source_number_id"] == normal
    cleared = await put_own(api, admin.headers, {"default_outgoing_source_number_id": EMPTY_UUID})
    assert cleared["default_outgoing_source_number_id"] == EMPTY_UUID


async def test_a_default_caller_id_that_cannot_be_used_is_a_422_naming_it(api: Api) -> None:
    admin = await add_agent(api, permission=32)
    virtual = str((await buy(api, admin.headers, number="+899123456789"))["id"])
    someone_elses = await _normal_number(api, None, "+14155550112")
    released = await _normal_number(api, admin, "+14155550113")
    gone = await api.client.delete(f"/v1.0/numbers/{released}", headers=admin.headers)
    assert gone.status_code == 204

    for number_id in (virtual, someone_elses, released, UNUSED_ID):
        body = {"default_outgoing_source_number_id": number_id}
        error = await _refused(api, admin.headers, body, 422, "UNPROCESSABLE_ENTITY")
        assert fields_of(error) == ["default_outgoing_source_number_id"], number_id


# -- the check outgoing calls will make ---------------------------------------------------------


def test_allows_only_whitelisted_countries_in_any_case() -> None:
    config = {"destination_whitelist": ["US", "GB"]}

    assert allows(config, "US")
    assert allows(config, "gb")
    assert not allows(config, "KR")
    assert not allows(config, "")
    assert not allows(config, "USA")
    assert not allows({"destination_whitelist": []}, "US"), "empty refuses every PSTN call"


def test_the_country_table_holds_the_249_assigned_codes() -> None:
    assert len(COUNTRY_CODES) == 249
    assert all(len(c) == 2 and c.isalpha() and c.isupper() for c in COUNTRY_CODES)
    assert {"US", "GB", "KR", "DE", "SS", "BQ"} <= COUNTRY_CODES
    assert not {"UK", "EU", "XK", "AA", "YU"} & COUNTRY_CODES


# -- the document -------------------------------------------------------------------------------


async def test_the_openapi_document_shows_both_paths(api: Api) -> None:
    document = (await api.client.get("/openapi.json")).json()
    paths = document["paths"]

    assert set(paths[PATH]) == {"get"}
    assert set(paths[f"{PATH}/{{id}}"]) == {"get", "put"}
    assert set(paths[OWN]) == {"get", "put"}
    assert "422" in paths[OWN]["put"]["responses"], "a caller id of no usable number"
    schemas = document["components"]["schemas"]
    body_ref = paths[OWN]["put"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    body = schemas[body_ref.rsplit("/", 1)[1]]
    whitelist = body["properties"]["destination_whitelist"]
    listed = next(s for s in whitelist["anyOf"] if s.get("type") == "array")
    assert listed["maxItems"] == MAX_WHITELIST
    assert listed["items"]["maxLength"] == 2
