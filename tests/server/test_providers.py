"""Providers through the HTTP API: a super-admin's create, read, update, list and soft delete;
every other caller refused on every verb; each bad field a 400 naming it."""

from __future__ import annotations

from typing import Any

import msgspec

from tests.server.conftest import (
    Api,
    add_accesskey,
    add_agent,
    add_customer,
    assert_error,
    bearer,
    fields_of,
)
from voipbin.common.timestamps import SENTINEL_TEXT
from voipbin.server.resources.call_routes import SIM_PROVIDER_ID

FIELDS = {
    "id",
    "type",
    "hostname",
    "tech_prefix",
    "tech_postfix",
    "tech_headers",
    "codecs",
    "name",
    "detail",
    "tm_create",
    "tm_update",
    "tm_delete",
}
UNUSED_ID = "d9d32881-12fd-4b19-a6b2-6d5b6b6acf76"
GOOD = {
    "type": "sip",
    "hostname": "sip.carrier.example.com:5060",
    "tech_prefix": "9",
    "tech_postfix": "#",
    "tech_headers": {"X-Account": "acme", "P-Asserted-Identity": "<sip:+15551234567@acme>"},
    "codecs": "PCMU,PCMA",
    "name": "carrier",
    "detail": "the primary carrier",
}


async def _ids(api: Api, **params: str) -> list[str]:
    response = await api.client.get("/v1.0/providers", params=params, headers=api.headers)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["result"]]


async def test_a_super_admin_creates_reads_updates_lists_and_deletes_a_provider(api: Api) -> None:
    created = await api.client.post("/v1.0/providers", json=GOOD, headers=api.headers)
    assert created.status_code == 201, created.text
    provider = created.json()
    assert set(provider) == FIELDS  # no customer_id: providers are the project's
    assert {k: provider[k] for k in GOOD} == GOOD
    assert created.headers["location"] == f"/v1.0/providers/{provider['id']}"
    path = f"/v1.0/providers/{provider['id']}"
    assert (await api.client.get(path, headers=api.headers)).json() == provider
    row = await api.state.services["provider"].repository.get(provider["id"])
    assert row is not None
    assert msgspec.json.decode(bytes(row[5])) == GOOD["tech_headers"]

    changed = await api.client.put(
        path, json={"hostname": "[2001:db8::1]:5080", "tech_headers": {}}, headers=api.headers
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["hostname"], changed.json()["tech_headers"]) == (
        "[2001:db8::1]:5080",
        {},
    )
    assert changed.json()["tech_prefix"] == "9"  # left out: kept
    assert await _ids(api) == [provider["id"], SIM_PROVIDER_ID]

    deleted = await api.client.delete(path, headers=api.headers)
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert (await api.client.delete(path, headers=api.headers)).status_code == 204
    gone = await api.client.get(path, headers=api.headers)
    assert gone.status_code == 200
    assert gone.json()["tm_delete"] != SENTINEL_TEXT
    assert await _ids(api) == [SIM_PROVIDER_ID]
    assert await _ids(api, deleted="true") == [provider["id"]]
    refused = await api.client.put(path, json={"name": "again"}, headers=api.headers)
    assert_error(refused, 409, "FAILED_PRECONDITION", "PROVIDER_STATE_INVALID")
    missing = await api.client.get(f"/v1.0/providers/{UNUSED_ID}", headers=api.headers)
    assert_error(missing, 404, "NOT_FOUND", "PROVIDER_NOT_FOUND")


ACCEPTED_HOSTNAMES = (
    "sip.example.com",
    "sip.example.com.",
    "carrier:5060",
    "10.0.0.1",
    "10.0.0.1:65535",
    "[2001:db8::1]",
    "[::1]:5060",
)
REFUSED: tuple[tuple[dict[str, Any], str, str], ...] = (
    ({"hostname": ""}, "hostname", "INVALID_ARGUMENT"),
    ({"hostname": "sip example.com"}, "hostname", "INVALID_ARGUMENT"),
    ({"hostname": "-sip.example.com"}, "hostname", "INVALID_ARGUMENT"),
    ({"hostname": "sip.example.com:0"}, "hostname", "INVALID_ARGUMENT"),
    ({"hostname": "sip.example.com:65536"}, "hostname", "INVALID_ARGUMENT"),
    ({"hostname": "sip.example.com:"}, "hostname", "INVALID_ARGUMENT"),
    ({"hostname": "10.0.0.999"}, "hostname", "INVALID_ARGUMENT"),
    ({"hostname": "2001:db8::1"}, "hostname", "INVALID_ARGUMENT"),
    ({"hostname": "[2001:db8::zz]:5060"}, "hostname", "INVALID_ARGUMENT"),
    ({"hostname": "a" * 64 + ".example.com"}, "hostname", "INVALID_ARGUMENT"),
    ({"type": "pstn"}, "type", "INVALID_ARGUMENT"),
    ({"tech_prefix": "9 9"}, "tech_prefix", "INVALID_ARGUMENT"),
    ({"tech_headers": {"X Bad": "v"}}, "tech_headers.X Bad", "INVALID_ARGUMENT"),
    ({"tech_headers": {"Call-ID": "v"}}, "tech_headers.Call-ID", "INVALID_ARGUMENT"),
    ({"tech_headers": {"X-A": "a\r\nVia: x"}}, "tech_headers.X-A", "INVALID_ARGUMENT"),
    ({"tech_headers": {f"X-{i}": "v" for i in range(33)}}, "tech_headers", "INVALID_ARGUMENT"),
    ({"tech_headers": ["X-A"]}, "tech_headers", "INVALID_ARGUMENT"),
    ({"codecs": "PCMU,XYZ"}, "codecs", "INVALID_CODECS"),
    ({"colour": "red"}, "colour", "INVALID_ARGUMENT"),
)


async def test_bad_provider_fields_are_400_naming_them(api: Api) -> None:
    for hostname in ACCEPTED_HOSTNAMES:
        response = await api.client.post(
            "/v1.0/providers", json={"hostname": hostname}, headers=api.headers
        )
        assert response.status_code == 201, (hostname, response.text)
    before = await _ids(api, deleted="all")
    failures = []
    for change, field, reason in REFUSED:
        for method, path in (
            ("POST", "/v1.0/providers"),
            ("PUT", f"/v1.0/providers/{SIM_PROVIDER_ID}"),
        ):
            body = {"hostname": "sip.example.com", **change} if method == "POST" else change
            response = await api.client.request(method, path, json=body, headers=api.headers)
            try:
                error = assert_error(response, 400, "INVALID_ARGUMENT", reason)
                assert fields_of(error) == [field]
            except AssertionError as exc:
                failures.append(f"{method} {change}: {exc}")
    assert not failures, "\n".join(failures)
    assert await _ids(api, deleted="all") == before
    sim = await api.client.get(f"/v1.0/providers/{SIM_PROVIDER_ID}", headers=api.headers)
    assert (sim.json()["hostname"], sim.json()["tech_headers"]) == ("sim.invalid", {})


async def test_only_super_admins_use_providers_on_every_verb(api: Api) -> None:
    customer = await add_customer(api, "A")
    key = await add_accesskey(api, customer_id=customer)
    callers = {
        "admin": (await add_agent(api, permission=32, customer_id=customer)).headers,
        "manager": (await add_agent(api, permission=64, customer_id=customer)).headers,
        "agent": (await add_agent(api, permission=16, customer_id=customer)).headers,
        "everything but super-admin": (
            await add_agent(api, permission=16 | 32 | 64, customer_id=customer)
        ).headers,
        "access key": bearer(key["token"]),
    }
    before = (
        await api.client.get(f"/v1.0/providers/{SIM_PROVIDER_ID}", headers=api.headers)
    ).json()
    requests: list[tuple[str, str, dict[str, Any] | None]] = [
        ("GET", "/v1.0/providers", None),
        ("POST", "/v1.0/providers", {"hostname": "sip.example.com"}),
    ]
    for id in (SIM_PROVIDER_ID, UNUSED_ID):  # one that exists, one that does not: both 403
        requests += [
            ("GET", f"/v1.0/providers/{id}", None),
            ("PUT", f"/v1.0/providers/{id}", {"name": "mine"}),
            ("DELETE", f"/v1.0/providers/{id}", None),
        ]
    failures = []
    for caller, headers in callers.items():
        for method, path, body in requests:
            response = await api.client.request(method, path, json=body, headers=headers)
            try:
                assert_error(response, 403, "PERMISSION_DENIED", "PERMISSION_DENIED")
            except AssertionError as exc:
                failures.append(f"{caller}: {method} {path}: {exc}")
    assert not failures, "\n".join(failures)
    after = await api.client.get(f"/v1.0/providers/{SIM_PROVIDER_ID}", headers=api.headers)
    assert after.json() == before
    assert await _ids(api, deleted="all") == [SIM_PROVIDER_ID]


async def test_the_list_walks_every_provider_exactly_once(api: Api) -> None:
    made = {SIM_PROVIDER_ID}
    for i in range(5):
        body = {**GOOD, "name": f"carrier {i}", "hostname": f"sip{i}.example.com"}
        response = await api.client.post("/v1.0/providers", json=body, headers=api.headers)
        assert response.status_code == 201, response.text
        made.add(response.json()["id"])

    seen: list[str] = []
    token = ""
    while True:
        response = await api.client.get(
            f"/v1.0/providers?page_size=2&page_token={token}", headers=api.headers
        )
        assert response.status_code == 200, response.text
        page = response.json()
        seen += [p["id"] for p in page["result"]]
        token = page["next_page_token"]
        if not token:
            break

    assert len(seen) == len(set(seen)) == 6
    assert set(seen) == made
