"""Request input the server bounds before doing any work: the body's size (413, cut off
while read), its nesting depth, text no backend can store (NUL, bad UTF-8, lone surrogates)
in bodies, query parameters and path ids, and a path's trailing slash."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.server.conftest import Api, StartApp, add_agent, assert_error, fields_of

LIMIT = 2000
CHUNK = 256
#: Chunks of a stream far over the limit (finite, so that a regression fails, not hangs).
MANY = 64 * LIMIT // CHUNK


async def _world(api: Api) -> dict[str, str]:
    """A tag and an agent of the super-admin's customer, to aim writes at."""
    tag = await api.client.post("/v1.0/tags", json={"name": "t"}, headers=api.headers)
    agent = await add_agent(api, permission=32, customer_id=tag.json()["customer_id"])
    return {"tag": tag.json()["id"], "agent": agent.id}


def _endpoints(ids: dict[str, str]) -> list[tuple[str, str]]:
    """Every kind of endpoint that reads a body."""
    return [
        ("POST", "/auth/login"),
        ("POST", "/auth/signup"),
        ("POST", "/v1.0/tags"),
        ("PUT", f"/v1.0/tags/{ids['tag']}"),
        ("PUT", "/v1.0/customer"),
        ("PUT", f"/v1.0/agents/{ids['agent']}/addresses"),
    ]


async def _tag_names(api: Api) -> list[str]:
    response = await api.client.get("/v1.0/tags", headers=api.headers)
    return [t["name"] for t in response.json()["result"]]


class Counting:
    """A request body sent in chunks (no Content-Length), counting what the server pulled."""

    def __init__(self, chunks: int) -> None:
        self.chunks = chunks
        self.sent = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b'{"name": "x", "detail": "'
        self.sent += 1
        n = 0
        while n < self.chunks:
            n += 1
            self.sent += 1
            yield b"y" * CHUNK
        yield b'"}'


# -- size -------------------------------------------------------------------------------------


async def test_a_body_over_the_limit_is_413_on_every_endpoint_and_does_nothing(
    start_app: StartApp,
) -> None:
    api = await start_app(max_body_bytes=LIMIT, signup="open")
    ids = await _world(api)
    big = {"name": "big", "detail": "y" * LIMIT}

    for method, path in _endpoints(ids):
        response = await api.client.request(method, path, json=big, headers=api.headers)
        error = assert_error(response, 413, "INVALID_ARGUMENT", "PAYLOAD_TOO_LARGE")
        assert f"{LIMIT} bytes" in error["message"], path

    assert await _tag_names(api) == ["t"]
    tag = await api.client.get(f"/v1.0/tags/{ids['tag']}", headers=api.headers)
    assert tag.json()["detail"] == ""


async def test_a_body_at_the_limit_is_accepted(start_app: StartApp) -> None:
    api = await start_app(max_body_bytes=LIMIT)
    body = json.dumps({"name": "edge", "detail": ""}).encode()
    body = body[:-2] + b"y" * (LIMIT - len(body)) + body[-2:]
    assert len(body) == LIMIT

    response = await api.client.post("/v1.0/tags", content=body, headers=api.headers)

    assert response.status_code == 201, response.text


async def test_a_declared_length_over_the_limit_is_refused_before_reading(
    start_app: StartApp,
) -> None:
    api = await start_app(max_body_bytes=LIMIT)
    stream = Counting(chunks=MANY)
    headers = {**api.headers, "Content-Length": str(10**9)}

    response = await api.client.post("/v1.0/tags", content=stream, headers=headers)

    assert_error(response, 413, "INVALID_ARGUMENT", "PAYLOAD_TOO_LARGE")
    assert stream.sent == 0


async def test_a_chunked_body_is_cut_off_as_soon_as_it_passes_the_limit(
    start_app: StartApp,
) -> None:
    api = await start_app(max_body_bytes=LIMIT)
    stream = Counting(chunks=MANY)

    response = await api.client.post("/v1.0/tags", content=stream, headers=api.headers)

    assert_error(response, 413, "INVALID_ARGUMENT", "PAYLOAD_TOO_LARGE")
    assert stream.sent * CHUNK <= LIMIT + 2 * CHUNK
    assert await _tag_names(api) == []


async def test_a_lying_small_content_length_does_not_let_a_big_body_through(
    start_app: StartApp,
) -> None:
    api = await start_app(max_body_bytes=LIMIT)
    stream = Counting(chunks=4 * LIMIT // CHUNK)
    headers = {**api.headers, "Content-Length": "20"}

    response = await api.client.post("/v1.0/tags", content=stream, headers=headers)

    assert_error(response, 413, "INVALID_ARGUMENT", "PAYLOAD_TOO_LARGE")
    assert await _tag_names(api) == []


async def test_a_chunked_body_under_the_limit_is_read_whole(start_app: StartApp) -> None:
    api = await start_app(max_body_bytes=LIMIT)
    stream = Counting(chunks=3)

    response = await api.client.post("/v1.0/tags", content=stream, headers=api.headers)

    assert response.status_code == 201, response.text
    assert response.json()["detail"] == "y" * 3 * CHUNK


# -- depth ------------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [1_000, 100_000])
async def test_a_body_nested_too_deep_is_400_on_every_endpoint(
    start_app: StartApp, depth: int
) -> None:
    api = await start_app(signup="open")
    ids = await _world(api)
    deep = b"[" * depth + b"]" * depth

    for method, path in _endpoints(ids):
        response = await api.client.request(method, path, content=deep, headers=api.headers)
        error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_JSON_BODY")
        assert "32 levels" in error["message"], path


async def test_a_too_deep_body_with_an_idempotency_key_is_400_and_stores_no_key(
    api: Api,
) -> None:
    deep = b'{"name": "x", "detail": ' + b"[" * 5_000 + b"]" * 5_000 + b"}"
    headers = {**api.headers, "Idempotency-Key": "deep-1"}

    response = await api.client.post("/v1.0/tags", content=deep, headers=headers)
    assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_JSON_BODY")

    # The key was not used up: a proper request with it runs.
    response = await api.client.post("/v1.0/tags", json={"name": "x"}, headers=headers)
    assert response.status_code == 201, response.text


async def test_the_depth_limit_is_a_setting_and_brackets_in_strings_do_not_count(
    start_app: StartApp,
) -> None:
    api = await start_app(max_json_depth=2)
    address = {"type": "tel", "target": "+15551234567", "detail": "[[[[{{{{"}
    agent = (await api.client.get("/v1.0/me", headers=api.headers)).json()["id"]
    path = f"/v1.0/agents/{agent}/addresses"

    response = await api.client.put(path, json={"addresses": [address]}, headers=api.headers)
    error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_JSON_BODY")
    assert "2 levels" in error["message"]

    response = await api.client.post(
        "/v1.0/tags", json={"name": "[[[[", "detail": "{{{{"}, headers=api.headers
    )
    assert response.status_code == 201, response.text


# -- text no backend can store ----------------------------------------------------------------

BAD_TEXT = [
    pytest.param(b'{"name": "a\\u0000b"}', id="escaped-nul"),
    pytest.param(b'{"name": "a\x00b"}', id="raw-nul"),
    pytest.param(b'{"name": "caf\xe9"}', id="latin-1-byte"),
    pytest.param(b'{"name": "a\\ud800b"}', id="lone-surrogate"),
    pytest.param(b'{"name": "\\udc00"}', id="lone-low-surrogate"),
]


@pytest.mark.parametrize("body", BAD_TEXT)
async def test_text_no_backend_can_store_is_400_naming_the_field(api: Api, body: bytes) -> None:
    response = await api.client.post("/v1.0/tags", content=body, headers=api.headers)

    assert fields_of(assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")) == [
        "name"
    ]
    assert await _tag_names(api) == []


@pytest.mark.parametrize("body", BAD_TEXT)
async def test_login_with_unstorable_text_is_400_naming_the_field(api: Api, body: bytes) -> None:
    body = body.replace(b'"name"', b'"username"')[:-1] + b', "password": "x"}'

    response = await api.client.post("/auth/login", content=body)

    assert fields_of(assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")) == [
        "username"
    ]


async def test_unstorable_text_deep_in_a_body_is_named_by_its_path(api: Api) -> None:
    agent = (await api.client.get("/v1.0/me", headers=api.headers)).json()["id"]
    body = b'{"addresses": [{"type": "tel", "target": "+15551234567", "name": "x\\u0000"}]}'

    response = await api.client.put(
        f"/v1.0/agents/{agent}/addresses", content=body, headers=api.headers
    )

    error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
    assert fields_of(error) == ["addresses[0].name"]


async def test_a_surrogate_pair_and_other_escapes_are_stored_as_text(api: Api) -> None:
    body = b'{"name": "\\ud83d\\ude00 caf\\u00e9", "detail": "caf\xc3\xa9"}'

    response = await api.client.post("/v1.0/tags", content=body, headers=api.headers)

    assert response.status_code == 201, response.text
    assert (response.json()["name"], response.json()["detail"]) == ("\U0001f600 café", "café")


@pytest.mark.parametrize(
    "query",
    [
        "username=a%00b",
        "username=caf%E9",
        "page_token=%00",
        "status=%00",
        "tag_ids=%ff",
        "co%00lour=1",
    ],
)
async def test_a_query_parameter_no_backend_can_store_is_400_naming_it(
    api: Api, query: str
) -> None:
    response = await api.client.get(f"/v1.0/agents?{query}", headers=api.headers)

    error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_REQUEST_PARAMETER")
    assert fields_of(error) == [query.split("=")[0].replace("%00", "\x00")]


async def test_a_query_string_is_read_as_utf8(api: Api) -> None:
    raw = "caf%C3%A9@example.com"

    response = await api.client.get(f"/v1.0/agents?username={raw}", headers=api.headers)

    assert response.status_code == 200, response.text
    assert response.json()["result"] == []


@pytest.mark.parametrize("bad", ["%00", "a%00b", "%ff", "%ed%a0%80"])
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
async def test_a_path_id_no_backend_can_store_is_400_invalid_id(
    api: Api, bad: str, method: str
) -> None:
    response = await api.client.request(
        method, f"/v1.0/tags/{bad}", json={"name": "x"}, headers=api.headers
    )

    assert fields_of(assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ID")) == ["id"]


# -- trailing slash ---------------------------------------------------------------------------


async def test_a_trailing_slash_is_the_same_route(api: Api) -> None:
    created = await api.client.post("/v1.0/tags/", json={"name": "s"}, headers=api.headers)
    assert created.status_code == 201, created.text
    tag: dict[str, Any] = created.json()

    listed = await api.client.get("/v1.0/tags/", headers=api.headers)
    assert listed.status_code == 200, listed.text
    assert [t["id"] for t in listed.json()["result"]] == [tag["id"]]
    got = await api.client.get(f"/v1.0/tags/{tag['id']}/", headers=api.headers)
    assert got.json() == tag
    me = await api.client.get("/v1.0/me/", headers=api.headers)
    assert me.status_code == 200, me.text
    health = await api.client.get("/health/")
    assert health.json() == {"status": "ok"}


async def test_the_root_path_is_unchanged(api: Api) -> None:
    response = await api.client.get("/", headers=api.headers)

    assert_error(response, 404, "NOT_FOUND", "ROUTE_NOT_FOUND")


def test_a_raw_utf8_query_string_reads_as_utf8() -> None:
    from voipbin.server.http import query_params

    assert query_params({"query_string": b"username=caf\xc3\xa9&x=%C3%A9"}) == {
        "username": "café",
        "x": "é",
    }
