"""``page_size`` on every list the OpenAPI document shows (resources, timelines, an
outdial's targets, a campaign's campaigncalls, available numbers, the simulator's outbox):
above 100 it is clamped to 100, as VoIPBIN does (CONVENTIONS.md §4); 0, negative or not a
whole number is ``400 INVALID_REQUEST_PARAMETER`` with the same description everywhere,
which says so; and the document declares no maximum the server does not enforce."""

from __future__ import annotations

from typing import Any

import pytest

from tests.server.conftest import Api
from voipbin.common.pagination import PAGE_SIZE_PROBLEM

sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
UNUSED_ID = "d9d32881-12fd-4b19-a6b2-6d5b6b6acf76"
#: Query parameters a list needs besides its paging.
NEEDED = {"/v1.0/available_numbers": {"type": "virtual"}}


async def _created(api: Api, path: str, body: dict[str, Any]) -> str:
    response = await api.client.post(path, json=body, headers=api.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _page_size(operation: dict[str, Any]) -> dict[str, Any] | None:
    found = [p for p in operation.get("parameters", []) if p.get("name") == "page_size"]
    return found[0] if found else None


@sqlite_only
async def test_page_size_is_clamped_above_100_and_refused_below_1_on_every_list(
    api: Api,
) -> None:
    document = (await api.client.get("/openapi.json")).json()
    ids = {
        "/v1.0/outdials/{id}/targets": await _created(api, "/v1.0/outdials", {"name": "o"}),
        "/v1.0/campaigns/{id}/campaigncalls": await _created(api, "/v1.0/campaigns", {}),
    }
    lists = {
        path: _page_size(item["get"])
        for path, item in document["paths"].items()
        if "get" in item and _page_size(item["get"]) is not None
    }
    assert len(lists) > 30
    assert {"/v1.0/timelines/{resource_type}/{resource_id}/events", "/_sim/emails"} <= set(lists)
    # A client that validates against the document sends what the server takes.
    assert [p for p, parameter in lists.items() if "maximum" in str(parameter)] == []

    answers: dict[tuple[str, str], Any] = {}
    for path in lists:
        url = path.format(id=ids.get(path, UNUSED_ID), resource_type="calls", resource_id=UNUSED_ID)
        for size in ("0", "-1", "x", "1000"):
            params = {**NEEDED.get(path, {}), "page_size": size}
            response = await api.client.get(url, params=params, headers=api.headers)
            body = response.json()
            if response.status_code == 200:
                answers[(path, size)] = (200, len(body["result"]) <= 100)
            else:
                error = body["error"]
                answers[(path, size)] = (response.status_code, error["reason"], error["details"])
    refused = (
        400,
        "INVALID_REQUEST_PARAMETER",
        [{"field": "page_size", "description": PAGE_SIZE_PROBLEM}],
    )
    expected: dict[tuple[str, str], Any] = {
        (path, size): refused for path in lists for size in ("0", "-1", "x")
    }
    # The timeline of an id no one has is a 404 once the paging is read; the rest list.
    expected |= {(path, "1000"): (200, True) for path in lists if "{resource_id}" not in path}
    timeline = "/v1.0/timelines/{resource_type}/{resource_id}/events"
    expected[(timeline, "1000")] = answers[(timeline, "1000")]
    assert answers == expected
    assert answers[(timeline, "1000")][:2] == (404, "CALL_NOT_FOUND")

    clamped = await api.client.get(
        "/v1.0/available_numbers",
        params={"type": "virtual", "page_size": "1000"},
        headers=api.headers,
    )
    assert len(clamped.json()["result"]) == 100
