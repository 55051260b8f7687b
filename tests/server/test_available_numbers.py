"""``GET /v1.0/available_numbers``: deterministic candidates from the simulated carrier
(normal) or made here (virtual), none held by a live number, bounded by page_size."""

from __future__ import annotations

import re
from typing import Any

from tests.server.conftest import Api, add_agent, assert_error, fields_of, fund

E164 = re.compile(r"^\+[1-9][0-9]{1,14}$")
PATH = "/v1.0/available_numbers"


async def lookup(api: Api, **params: str) -> list[dict[str, Any]]:
    response = await api.client.get(PATH, params=params, headers=api.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"result"}
    result: list[dict[str, Any]] = body["result"]
    return result


async def test_normal_candidates_are_plausible_and_the_same_every_time(api: Api) -> None:
    first = await lookup(api, country_code="US", page_size="10")
    assert len(first) == 10
    assert len({c["number"] for c in first}) == 10
    for candidate in first:
        assert set(candidate) == {"number", "country", "region", "postal_code", "features"}
        assert E164.match(candidate["number"]), candidate
        assert candidate["number"].startswith("+1")
        assert len(candidate["number"]) == 12
        assert candidate["country"] == "US"
        assert candidate["region"]
        assert candidate["postal_code"]
        assert candidate["features"] == ["voice", "sms"]
    assert await lookup(api, country_code="us", page_size="10") == first
    gb = await lookup(api, country_code="GB", page_size="3")
    assert all(c["number"].startswith("+44") and c["country"] == "GB" for c in gb)


async def test_page_size_is_the_limit(api: Api) -> None:
    assert len(await lookup(api, country_code="US", page_size="1")) == 1
    assert len(await lookup(api, country_code="US")) == 100
    assert len(await lookup(api, country_code="US", page_size="1000")) == 100
    for bad in ("0", "-1", "many"):
        response = await api.client.get(
            PATH, params={"country_code": "US", "page_size": bad}, headers=api.headers
        )
        error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_REQUEST_PARAMETER")
        assert fields_of(error) == ["page_size"], bad


async def test_a_held_number_is_no_longer_offered_until_released(api: Api) -> None:
    own = await api.client.get("/v1.0/customer", headers=api.headers)
    await api.client.put(
        f"/v1.0/customers/{own.json()['id']}/identity_verification_status",
        json={"identity_verification_status": "verified"},
        headers=api.headers,
    )
    await fund(api, own.json()["id"], "5")
    before = await lookup(api, country_code="US", page_size="5")
    taken = before[0]["number"]
    bought = await api.client.post("/v1.0/numbers", json={"number": taken}, headers=api.headers)
    assert bought.status_code == 201, bought.text

    after = await lookup(api, country_code="US", page_size="5")
    assert len(after) == 5
    assert taken not in {c["number"] for c in after}
    assert after[:4] == before[1:]

    await api.client.delete(f"/v1.0/numbers/{bought.json()['id']}", headers=api.headers)
    assert await lookup(api, country_code="US", page_size="5") == before


async def test_virtual_candidates_are_free_899_numbers(api: Api) -> None:
    first = await lookup(api, type="virtual", page_size="20")
    assert len(first) == 20
    for candidate in first:
        assert re.fullmatch(r"\+899[0-9]{9}", candidate["number"]), candidate
        assert not candidate["number"].startswith("+899000")
        assert (candidate["country"], candidate["features"]) == ("899", ["voice"])
    bought = await api.client.post(
        "/v1.0/numbers", json={"number": first[0]["number"]}, headers=api.headers
    )
    assert bought.status_code == 201, bought.text
    again = await lookup(api, type="virtual", page_size="20")
    assert again[:19] == first[1:]


async def test_bad_queries_are_400_naming_the_parameter(api: Api) -> None:
    cases = [
        ({"country_code": "ZZ"}, "country_code", "INVALID_REQUEST_PARAMETER"),
        ({"country_code": "USA"}, "country_code", "INVALID_REQUEST_PARAMETER"),
        ({}, "country_code", "MISSING_REQUEST_PARAMETER"),
        ({"country_code": "US", "type": "mobile"}, "type", "INVALID_REQUEST_PARAMETER"),
        ({"country_code": "US", "colour": "red"}, "colour", "INVALID_REQUEST_PARAMETER"),
    ]
    for params, field, reason in cases:
        response = await api.client.get(PATH, params=params, headers=api.headers)
        error = assert_error(response, 400, "INVALID_ARGUMENT", reason)
        assert fields_of(error) == [field], params


async def test_who_may_look_up_numbers(api: Api) -> None:
    anonymous = await api.client.get(PATH, params={"country_code": "US"})
    assert_error(anonymous, 401, "UNAUTHENTICATED", "AUTHENTICATION_REQUIRED")
    agent = await add_agent(api, permission=16)
    denied = await api.client.get(PATH, params={"country_code": "US"}, headers=agent.headers)
    assert_error(denied, 403, "PERMISSION_DENIED", "PERMISSION_DENIED")
    manager = await add_agent(api, permission=64)
    allowed = await api.client.get(
        PATH, params={"country_code": "US", "page_size": "2"}, headers=manager.headers
    )
    assert allowed.status_code == 200, allowed.text
    token = await api.client.get(
        PATH, params={"country_code": "US", "page_size": "2", "token": api.token}
    )
    assert token.status_code == 200, token.text


async def test_the_openapi_document_describes_the_lookup(api: Api) -> None:
    document = (await api.client.get("/openapi.json")).json()
    operation = document["paths"][PATH]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"country_code", "type", "page_size"}
    answer = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert answer.endswith("/AvailableNumbers")
    schemas = document["components"]["schemas"]
    assert set(schemas["AvailableNumber"]["properties"]) == {
        "number",
        "country",
        "region",
        "postal_code",
        "features",
    }
