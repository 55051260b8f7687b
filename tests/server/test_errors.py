"""The error envelope and the request context: every failure, whatever raised it, answers
JSON in the envelope of CONVENTIONS.md §6, with the request id in the body and the header."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator

import anyio
import httpx
import pytest

from tests.server.conftest import Api, assert_error, cheap_passwords, fields_of
from tests.server.conftest import test_settings as settings_for
from voipbin.server import create_app
from voipbin.server.storage.database import Row
from voipbin.server.storage.repository import ListQuery

GENERATED_ID = re.compile(r"^req_[0-9A-HJKMNP-TV-Z]{26}$")
UNUSED_ID = "d9d32881-12fd-4b19-a6b2-6d5b6b6acf76"


async def create_tag(api: Api, name: str = "vip") -> str:
    response = await api.client.post("/v1.0/tags", json={"name": name}, headers=api.headers)
    assert response.status_code == 201, response.text
    tag_id: str = response.json()["id"]
    return tag_id


def allowed(response: httpx.Response) -> set[str]:
    return {m.strip() for m in response.headers["allow"].split(",")}


# -- routing ----------------------------------------------------------------------------------


async def test_an_unknown_route_is_404_route_not_found(api: Api) -> None:
    for path in ("/nope", "/v1.0/nothings", "/v1.0/tags/a/b", "/v1.0", "/V1.0/tags"):
        response = await api.client.get(path, headers=api.headers)
        error = assert_error(response, 404, "NOT_FOUND", "ROUTE_NOT_FOUND")
        assert error["details"] == [], path
        assert GENERATED_ID.match(error["request_id"]), path


async def test_a_wrong_method_on_a_collection_is_405_listing_its_methods(api: Api) -> None:
    response = await api.client.delete("/v1.0/tags", headers=api.headers)
    assert_error(response, 405, "NOT_FOUND", "METHOD_NOT_ALLOWED")
    assert {"GET", "POST"} <= allowed(response)
    assert not {"PUT", "DELETE", "PATCH"} & allowed(response)


async def test_a_wrong_method_on_an_item_is_405_listing_its_methods(api: Api) -> None:
    response = await api.client.patch(f"/v1.0/tags/{UNUSED_ID}", json={}, headers=api.headers)
    assert_error(response, 405, "NOT_FOUND", "METHOD_NOT_ALLOWED")
    assert {"GET", "PUT", "DELETE"} <= allowed(response)
    assert not {"POST", "PATCH"} & allowed(response)


async def test_a_wrong_method_needs_no_credentials_to_be_told(api: Api) -> None:
    response = await api.client.post("/health")
    assert_error(response, 405, "NOT_FOUND", "METHOD_NOT_ALLOWED")
    assert "GET" in allowed(response)


# -- bodies -----------------------------------------------------------------------------------

NOT_JSON = [b'{"name": ', b"name=vip", b'{"name": "vip"} trailing', b"\xff\xfe{}", b"", b"  "]
NOT_AN_OBJECT = [b"[]", b'["vip"]', b'"vip"', b"42", b"null", b"true"]


@pytest.mark.parametrize("bodies", [NOT_JSON, NOT_AN_OBJECT], ids=["not-json", "not-an-object"])
async def test_a_body_that_is_not_a_json_object_is_400_invalid_json_body(
    api: Api, bodies: list[bytes]
) -> None:
    headers = {**api.headers, "Content-Type": "application/json"}
    for body in bodies:
        response = await api.client.post("/v1.0/tags", content=body, headers=headers)
        assert response.status_code == 400, body
        assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_JSON_BODY")
    listed = await api.client.get("/v1.0/tags", headers=api.headers)
    assert listed.json()["result"] == []


async def test_an_update_body_that_is_not_an_object_is_400_invalid_json_body(api: Api) -> None:
    tag_id = await create_tag(api)
    response = await api.client.put(f"/v1.0/tags/{tag_id}", content=b"[1]", headers=api.headers)
    assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_JSON_BODY")


async def test_a_login_body_that_is_not_json_is_400_invalid_json_body(api: Api) -> None:
    response = await api.client.post("/auth/login", content=b"username=admin")
    assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_JSON_BODY")


async def test_a_json_body_without_a_content_type_is_accepted(api: Api) -> None:
    headers = {**api.headers, "Content-Type": "text/plain"}
    response = await api.client.post("/v1.0/tags", content=b'{"name": "vip"}', headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["name"] == "vip"


WRONG_TYPES: list[tuple[dict[str, object], str]] = [
    ({"name": 5}, "name"),
    ({"name": None}, "name"),
    ({"name": ["vip"]}, "name"),
    ({"name": "vip", "detail": 1.5}, "detail"),
    ({"name": "vip", "detail": {"text": "x"}}, "detail"),
]


async def test_a_field_of_the_wrong_type_is_400_invalid_argument_naming_it(api: Api) -> None:
    tag_id = await create_tag(api)
    for body, field in WRONG_TYPES:
        for method, path in (("POST", "/v1.0/tags"), ("PUT", f"/v1.0/tags/{tag_id}")):
            response = await api.client.request(method, path, json=body, headers=api.headers)
            error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
            assert fields_of(error) == [field], (method, body)
            assert all(d["description"] for d in error["details"])


async def test_a_missing_required_field_is_400_naming_it(api: Api) -> None:
    response = await api.client.post("/v1.0/tags", json={"detail": "x"}, headers=api.headers)
    error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
    assert error["details"] == [{"field": "name", "description": "is required"}]


async def test_an_unknown_body_field_is_400_naming_it_and_stores_nothing(api: Api) -> None:
    body = {"name": "vip", "colour": "red", "id": UNUSED_ID}
    response = await api.client.post("/v1.0/tags", json=body, headers=api.headers)
    error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
    assert error["details"] == [
        {"field": "colour", "description": "unknown field; known fields: detail, name"}
    ]
    listed = await api.client.get("/v1.0/tags", headers=api.headers)
    assert listed.json()["result"] == []


# -- path ids and query parameters ------------------------------------------------------------


BAD_IDS = ["not-a-uuid", "1234", UNUSED_ID[:-1], UNUSED_ID + "0", UNUSED_ID.replace("-", "_")]


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
async def test_a_bad_path_id_is_400_invalid_id(api: Api, method: str) -> None:
    for bad_id in BAD_IDS:
        response = await api.client.request(
            method, f"/v1.0/tags/{bad_id}", json={"name": "x"}, headers=api.headers
        )
        assert response.status_code == 400, bad_id
        error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ID")
        assert fields_of(error) == ["id"]


BAD_PARAMETERS = [
    ("page_size", "0"),
    ("page_size", "-1"),
    ("page_size", "abc"),
    ("page_size", "1.5"),
    ("page_size", "1_0"),
    ("page_token", "yesterday"),
    ("page_token", "2024-13-01 00:00:00.000000"),
    ("tm_create_from", "2024-01-01 00:00"),
    ("tm_create_to", "not-a-time"),
    ("customer_id", "abc"),
    ("customer_id", UNUSED_ID[:-1]),
    ("deleted", "yes"),
    ("deleted", "TRUE"),
]


async def test_a_bad_list_parameter_is_400_naming_it(api: Api) -> None:
    for name, value in BAD_PARAMETERS:
        response = await api.client.get("/v1.0/tags", params={name: value}, headers=api.headers)
        assert response.status_code == 400, (name, value)
        error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_REQUEST_PARAMETER")
        assert fields_of(error) == [name], (name, value)


async def test_an_unknown_list_parameter_is_400_naming_it(api: Api) -> None:
    await create_tag(api)
    response = await api.client.get("/v1.0/tags?colour=red&sort=name", headers=api.headers)
    error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_REQUEST_PARAMETER")
    assert fields_of(error) == ["colour"]


# -- crashes and backends ---------------------------------------------------------------------


async def test_an_unhandled_exception_is_500_internal_without_a_traceback(
    api: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(query: ListQuery) -> list[Row]:
        raise RuntimeError("secret: SELECT password_hash FROM agent_agents")

    monkeypatch.setattr(api.state.services["tag"].repository, "list", broken)
    with caplog.at_level(logging.ERROR, logger="voipbin.server"):
        response = await api.client.get("/v1.0/tags", headers=api.headers)

    error = assert_error(response, 500, "INTERNAL", "INTERNAL")
    for leak in ("Traceback", "RuntimeError", "secret", "SELECT", "agent_agents"):
        assert leak not in response.text
    logged = [r for r in caplog.records if error["request_id"] in r.getMessage()]
    assert len(logged) == 1
    assert logged[0].levelno == logging.ERROR
    assert logged[0].exc_info is not None
    assert isinstance(logged[0].exc_info[1], RuntimeError)


async def test_a_crash_keeps_an_inbound_request_id(
    api: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(query: ListQuery) -> list[Row]:
        raise ZeroDivisionError

    monkeypatch.setattr(api.state.services["tag"].repository, "list", broken)
    with caplog.at_level(logging.ERROR, logger="voipbin.server"):
        response = await api.client.get(
            "/v1.0/tags", headers={**api.headers, "X-Request-Id": "client-trace-42"}
        )
    error = assert_error(response, 500, "INTERNAL", "INTERNAL")
    assert error["request_id"] == "client-trace-42"
    assert any("client-trace-42" in r.getMessage() for r in caplog.records)


@contextlib.asynccontextmanager
async def app_on(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """An app on ``database_url`` (which may be unreachable), with its lifespan running."""
    settings = settings_for(database_url, database_timeout=0.3)
    app = create_app(settings, passwords=cheap_passwords())
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
    ):
        yield client


@pytest.fixture
async def silent_port() -> AsyncIterator[int]:
    """A port that accepts connections and never says a word (a hung database)."""
    held: list[asyncio.StreamWriter] = []

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    port: int = server.sockets[0].getsockname()[1]
    try:
        yield port
    finally:
        for writer in held:
            writer.close()
        server.close()
        await server.wait_closed()


async def test_a_refused_database_is_503_and_health_still_answers() -> None:
    token = {"Authorization": "Bearer x.y.z"}
    with anyio.fail_after(5):
        async with app_on("postgresql://postgres@127.0.0.1:1/voipbin") as client:
            health = await client.get("/health")
            ready = await client.get("/ready")
            tags = await client.get("/v1.0/tags", headers=token)
            login = await client.post("/auth/login", json={"username": "a", "password": "b"})

    assert health.status_code == 200
    assert health.json() == {"status": "ok"}
    assert_error(ready, 503, "UNAVAILABLE", "SERVICE_UNAVAILABLE")
    assert_error(tags, 503, "UNAVAILABLE", "SERVICE_UNAVAILABLE")
    assert_error(login, 503, "UNAVAILABLE", "SERVICE_UNAVAILABLE")


async def test_a_database_that_never_answers_is_503_within_the_timeout(silent_port: int) -> None:
    with anyio.fail_after(5):
        async with app_on(f"postgresql://postgres@127.0.0.1:{silent_port}/voipbin") as client:
            ready = await client.get("/ready")
            tags = await client.get("/v1.0/tags", headers={"Authorization": "Bearer x.y.z"})
            health = await client.get("/health")

    assert health.status_code == 200
    assert_error(ready, 503, "UNAVAILABLE", "REQUEST_TIMEOUT")
    assert_error(tags, 503, "UNAVAILABLE", "REQUEST_TIMEOUT")


# -- request ids and CORS ---------------------------------------------------------------------


async def test_a_safe_inbound_request_id_is_echoed(api: Api) -> None:
    for inbound in ("abc", "trace-1.2:3_4", "A" * 128, "0"):
        ok = await api.client.get("/v1.0/tags", headers={**api.headers, "X-Request-Id": inbound})
        assert ok.status_code == 200
        assert ok.headers["x-request-id"] == inbound
        failed = await api.client.get("/nope", headers={"X-Request-Id": inbound})
        error = assert_error(failed, 404, "NOT_FOUND", "ROUTE_NOT_FOUND")
        assert error["request_id"] == inbound


UNSAFE_IDS = [b"A" * 129, b"", b"has space", b"semi;colon", b"slash/", b"caf\xc3\xa9", b"<x>"]


async def test_an_unsafe_inbound_request_id_is_replaced(api: Api) -> None:
    for inbound in UNSAFE_IDS:
        authorization = api.headers["Authorization"].encode()
        headers = {b"Authorization": authorization, b"X-Request-Id": inbound}
        ok = await api.client.get("/v1.0/tags", headers=headers)
        assert ok.status_code == 200
        assert GENERATED_ID.match(ok.headers["x-request-id"]), inbound
        assert len(ok.headers.get_list("x-request-id")) == 1
        failed = await api.client.get("/nope", headers={b"X-Request-Id": inbound})
        error = assert_error(failed, 404, "NOT_FOUND", "ROUTE_NOT_FOUND")
        assert GENERATED_ID.match(error["request_id"]), inbound
        assert error["request_id"] != ok.headers["x-request-id"]


async def test_every_response_gets_its_own_request_id(api: Api) -> None:
    ids = {(await api.client.get("/health")).headers["x-request-id"] for _ in range(5)}
    assert len(ids) == 5
    assert all(GENERATED_ID.match(i) for i in ids)


def exposed(response: httpx.Response) -> set[str]:
    header = response.headers.get("access-control-expose-headers", "")
    return {h.strip().lower() for h in header.split(",") if h.strip()}


async def test_cors_exposes_the_request_id(api: Api) -> None:
    origin = {"Origin": "https://app.example.com"}
    for response in (
        await api.client.get("/v1.0/tags", headers={**api.headers, **origin}),
        await api.client.get("/health", headers=origin),
        await api.client.get("/nope", headers=origin),
        await api.client.get("/v1.0/tags", headers=origin),
    ):
        assert response.headers["access-control-allow-origin"] == "*", response.url
        assert {"x-request-id", "retry-after", "location"} <= exposed(response)
        assert response.headers["x-request-id"]


async def test_cors_exposes_the_request_id_of_a_crash(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(query: ListQuery) -> list[Row]:
        raise RuntimeError("boom")

    monkeypatch.setattr(api.state.services["tag"].repository, "list", broken)
    headers = {**api.headers, "Origin": "https://app.example.com"}
    response = await api.client.get("/v1.0/tags", headers=headers)
    assert_error(response, 500, "INTERNAL", "INTERNAL")
    assert response.headers.get("access-control-allow-origin") == "*"
    assert "x-request-id" in exposed(response)


async def test_a_cors_preflight_is_answered(api: Api) -> None:
    response = await api.client.options(
        "/v1.0/tags",
        headers={
            "Origin": "https://app.example.com",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
        },
    )
    assert response.status_code == 204
    assert response.content == b""
    assert "POST" in response.headers["access-control-allow-methods"]
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["access-control-allow-headers"] == (
        "authorization, content-type, idempotency-key"
    )
    assert response.headers["x-request-id"]


async def test_a_preflight_for_a_method_the_api_lacks_is_an_envelope(api: Api) -> None:
    response = await api.client.options(
        "/v1.0/tags",
        headers={"Origin": "https://app.example.com", "Access-Control-Request-Method": "PATCH"},
    )

    error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
    assert fields_of(error) == ["Access-Control-Request-Method"]
    assert response.headers["access-control-allow-origin"] == "*"
