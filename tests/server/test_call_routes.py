"""Routes through the HTTP API: a super-admin's create, read, update, list and soft delete,
the defaults every customer falls back on, the provider a route names (422 unless live),
every other caller refused on every verb before anything is looked up, and the project's
default provider and route made once, whatever the number of starts."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.server.conftest import (
    Api,
    StartApp,
    add_accesskey,
    add_agent,
    add_customer,
    assert_error,
    bearer,
    fields_of,
)
from voipbin.common.timestamps import SENTINEL_TEXT
from voipbin.models.route import DEFAULT_ROUTES_CUSTOMER_ID
from voipbin.server.resources.call_routes import (
    DEFAULT_ROUTE_ID,
    SIM_PROVIDER_ID,
    ensure_default_routes,
)

FIELDS = {
    "id",
    "customer_id",
    "name",
    "detail",
    "provider_id",
    "priority",
    "target",
    "tm_create",
    "tm_update",
    "tm_delete",
}
UNUSED_ID = "d9d32881-12fd-4b19-a6b2-6d5b6b6acf76"
Json = dict[str, Any]


async def _provider(api: Api, name: str = "carrier") -> str:
    response = await api.client.post(
        "/v1.0/providers",
        json={"hostname": f"{name}.example.com", "name": name},
        headers=api.headers,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _route(api: Api, **body: Any) -> Json:
    response = await api.client.post("/v1.0/routes", json=body, headers=api.headers)
    assert response.status_code == 201, response.text
    route: Json = response.json()
    return route


async def _listed(api: Api, **params: str) -> list[Json]:
    response = await api.client.get("/v1.0/routes", params=params, headers=api.headers)
    assert response.status_code == 200, response.text
    result: list[Json] = response.json()["result"]
    return result


async def test_a_super_admin_creates_reads_updates_and_deletes_a_route(api: Api) -> None:
    customer = await add_customer(api, "A")
    provider = await _provider(api)
    created = await api.client.post(
        "/v1.0/routes",
        json={
            "customer_id": customer,
            "name": "us",
            "detail": "US calls",
            "provider_id": provider.upper(),
            "priority": 1,
            "target": "1",  # upstream's clients send the code without the +
        },
        headers=api.headers,
    )
    assert created.status_code == 201, created.text
    route = created.json()
    assert set(route) == FIELDS
    assert (route["customer_id"], route["provider_id"], route["priority"], route["target"]) == (
        customer,
        provider,
        1,
        "+1",
    )
    assert created.headers["location"] == f"/v1.0/routes/{route['id']}"
    path = f"/v1.0/routes/{route['id']}"
    assert (await api.client.get(path, headers=api.headers)).json() == route
    stored = await api.state.services["route"].repository.get(route["id"])
    assert stored is not None
    assert (str(stored[4]), stored[6]) == (provider, "+1")

    changed = await api.client.put(
        path,
        json={"target": "+44", "priority": 2, "provider_id": SIM_PROVIDER_ID},
        headers=api.headers,
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["target"], body["priority"], body["provider_id"]) == ("+44", 2, SIM_PROVIDER_ID)
    assert body["name"] == "us"

    assert (await api.client.delete(path, headers=api.headers)).status_code == 204
    gone = (await api.client.get(path, headers=api.headers)).json()
    assert gone["tm_delete"] != SENTINEL_TEXT
    assert await _listed(api, customer_id=customer) == []
    refused = await api.client.put(path, json={"priority": 3}, headers=api.headers)
    assert_error(refused, 409, "FAILED_PRECONDITION", "CALL_ROUTE_STATE_INVALID")
    missing = await api.client.get(f"/v1.0/routes/{UNUSED_ID}", headers=api.headers)
    assert_error(missing, 404, "NOT_FOUND", "CALL_ROUTE_NOT_FOUND")


async def test_a_route_without_customer_id_is_the_callers_and_the_defaults_customer_is_every_ones(
    api: Api,
) -> None:
    own = await _route(api, name="own", provider_id=SIM_PROVIDER_ID, target="+81")
    me = (await api.client.get("/v1.0/me", headers=api.headers)).json()
    assert own["customer_id"] == me["customer_id"]
    shared = await _route(
        api,
        customer_id=DEFAULT_ROUTES_CUSTOMER_ID,
        name="fallback jp",
        provider_id=SIM_PROVIDER_ID,
        target="+81",
    )
    assert shared["customer_id"] == DEFAULT_ROUTES_CUSTOMER_ID
    defaults = await _listed(api, customer_id=DEFAULT_ROUTES_CUSTOMER_ID)
    assert [r["id"] for r in defaults] == [shared["id"], DEFAULT_ROUTE_ID]
    assert [r["id"] for r in await _listed(api)] == [own["id"]]


async def test_bad_route_fields_are_400_and_unusable_references_422_naming_them(
    api: Api,
) -> None:
    gone = await _provider(api, "gone")
    assert (
        await api.client.delete(f"/v1.0/providers/{gone}", headers=api.headers)
    ).status_code == 204
    customer = await add_customer(api, "A")
    base = {"customer_id": customer, "provider_id": SIM_PROVIDER_ID, "target": "+1"}
    cases: list[tuple[Json, int, str, str]] = [
        ({"target": "+999"}, 400, "INVALID_ARGUMENT", "target"),  # spare, not in use
        ({"target": "+42"}, 400, "INVALID_ARGUMENT", "target"),  # withdrawn
        ({"target": "+0"}, 400, "INVALID_ARGUMENT", "target"),
        ({"target": "+1234"}, 400, "INVALID_ARGUMENT", "target"),
        ({"target": "ALL"}, 400, "INVALID_ARGUMENT", "target"),
        ({"target": ""}, 400, "INVALID_ARGUMENT", "target"),
        ({"priority": -1}, 400, "INVALID_ARGUMENT", "priority"),
        ({"priority": "1"}, 400, "INVALID_ARGUMENT", "priority"),
        ({"provider_id": "sim"}, 400, "INVALID_ARGUMENT", "provider_id"),
        ({"provider_id": UNUSED_ID}, 422, "UNPROCESSABLE_ENTITY", "provider_id"),
        ({"provider_id": gone}, 422, "UNPROCESSABLE_ENTITY", "provider_id"),
        ({"tagret": "+1"}, 400, "INVALID_ARGUMENT", "tagret"),
    ]
    failures = []
    for change, status, reason, field in cases:
        for method, path in (("POST", "/v1.0/routes"), ("PUT", f"/v1.0/routes/{DEFAULT_ROUTE_ID}")):
            body = {**base, **change} if method == "POST" else change
            response = await api.client.request(method, path, json=body, headers=api.headers)
            try:
                error = assert_error(response, status, "INVALID_ARGUMENT", reason)
                assert fields_of(error) == [field]
            except AssertionError as exc:
                failures.append(f"{method} {change}: {exc}")
    for missing_field in ("provider_id", "target"):
        body = {k: v for k, v in base.items() if k != missing_field}
        response = await api.client.post("/v1.0/routes", json=body, headers=api.headers)
        if response.status_code != 400 or missing_field not in response.text:
            failures.append(f"POST without {missing_field}: {response.text}")
    nobody = await api.client.post(
        "/v1.0/routes", json={**base, "customer_id": UNUSED_ID}, headers=api.headers
    )
    error = assert_error(nobody, 422, "INVALID_ARGUMENT", "UNPROCESSABLE_ENTITY")
    assert fields_of(error) == ["customer_id"]
    assert not failures, "\n".join(failures)
    assert await _listed(api, customer_id=customer, deleted="all") == []
    default = (await api.client.get(f"/v1.0/routes/{DEFAULT_ROUTE_ID}", headers=api.headers)).json()
    assert (default["target"], default["provider_id"], default["priority"]) == (
        "all",
        SIM_PROVIDER_ID,
        0,
    )


async def test_route_lists_walk_exactly_and_filter_by_customer_and_provider(api: Api) -> None:
    a, b = await add_customer(api, "A"), await add_customer(api, "B")
    other = await _provider(api, "other")
    made = []
    for n in range(7):
        made.append(
            await _route(
                api,
                customer_id=a,
                name=f"r{n}",
                provider_id=other if n % 2 else SIM_PROVIDER_ID,
                target="all",
                priority=n,
            )
        )
    await _route(api, customer_id=b, name="b", provider_id=other, target="+33")
    seen: list[str] = []
    token = ""
    while True:
        params = {"customer_id": a, "page_size": "3"} | ({"page_token": token} if token else {})
        response = await api.client.get("/v1.0/routes", params=params, headers=api.headers)
        assert response.status_code == 200, response.text
        seen += [r["id"] for r in response.json()["result"]]
        token = response.json()["next_page_token"]
        if not token:
            break
    assert seen == [r["id"] for r in reversed(made)]
    by_other = await _listed(api, customer_id=a, provider_id=other)
    assert [r["name"] for r in by_other] == ["r5", "r3", "r1"]
    assert [r["name"] for r in await _listed(api, provider_id=other)] == []  # own customer's
    bad = await api.client.get("/v1.0/routes?provider_id=x", headers=api.headers)
    error = assert_error(bad, 400, "INVALID_ARGUMENT", "INVALID_REQUEST_PARAMETER")
    assert fields_of(error) == ["provider_id"]


async def test_only_super_admins_use_routes_on_every_verb_role_before_existence(
    api: Api,
) -> None:
    a, b = await add_customer(api, "A"), await add_customer(api, "B")
    theirs = await _route(api, customer_id=a, name="a", provider_id=SIM_PROVIDER_ID, target="+1")
    elsewhere = await _route(api, customer_id=b, name="b", provider_id=SIM_PROVIDER_ID, target="+1")
    key = await add_accesskey(api, customer_id=a)
    callers = {
        "admin": (await add_agent(api, permission=32, customer_id=a)).headers,
        "manager": (await add_agent(api, permission=64, customer_id=a)).headers,
        "agent": (await add_agent(api, permission=16, customer_id=a)).headers,
        "access key": bearer(key["token"]),
    }
    new = {"provider_id": SIM_PROVIDER_ID, "target": "+1", "name": "sneaky"}
    requests: list[tuple[str, str, Json | None]] = [
        ("GET", "/v1.0/routes", None),
        ("GET", f"/v1.0/routes?customer_id={a}", None),
        ("POST", "/v1.0/routes", new),
        ("POST", "/v1.0/routes", {**new, "customer_id": a}),
    ]
    # Their customer's route, another customer's, the defaults' and none: 403 alike.
    for id in (theirs["id"], elsewhere["id"], DEFAULT_ROUTE_ID, UNUSED_ID):
        requests += [
            ("GET", f"/v1.0/routes/{id}", None),
            ("PUT", f"/v1.0/routes/{id}", {"priority": 9}),
            ("DELETE", f"/v1.0/routes/{id}", None),
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
    for route in (theirs, elsewhere):
        now = await api.client.get(f"/v1.0/routes/{route['id']}", headers=api.headers)
        assert now.json() == route
    assert await _listed(api, customer_id=a) == [theirs]


async def test_the_project_starts_with_provider_sim_and_a_default_route_once(
    start_app: StartApp,
) -> None:
    first = await start_app()
    second = await start_app()  # a restart on the same database
    for api in (first, second):
        providers = await api.client.get("/v1.0/providers?deleted=all", headers=api.headers)
        assert [
            (p["id"], p["name"], p["hostname"], p["type"]) for p in providers.json()["result"]
        ] == [(SIM_PROVIDER_ID, "sim", "sim.invalid", "sip")]
        routes = await _listed(api, customer_id=DEFAULT_ROUTES_CUSTOMER_ID, deleted="all")
        assert [(r["id"], r["target"], r["provider_id"]) for r in routes] == [
            (DEFAULT_ROUTE_ID, "all", SIM_PROVIDER_ID)
        ]
    # Processes starting at once make them once too.
    services = second.state.services
    await asyncio.gather(*(ensure_default_routes(services) for _ in range(4)))
    assert len(await _listed(second, customer_id=DEFAULT_ROUTES_CUSTOMER_ID, deleted="all")) == 1

    # Deleting them is respected: the next start does not bring them back.
    for path in (f"/v1.0/routes/{DEFAULT_ROUTE_ID}", f"/v1.0/providers/{SIM_PROVIDER_ID}"):
        assert (await second.client.delete(path, headers=second.headers)).status_code == 204
    third = await start_app()
    assert await _listed(third, customer_id=DEFAULT_ROUTES_CUSTOMER_ID) == []
    providers = await third.client.get("/v1.0/providers", headers=third.headers)
    assert providers.json()["result"] == []
