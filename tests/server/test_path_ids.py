"""A malformed id in any path is ``400 INVALID_ID`` naming the parameter as the OpenAPI
document names it (``id``, ``address_id``, ``target_id``, ``resource_id``): every route the
document lists, the simulator's included, checked before anything is looked up or read."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.server.conftest import Api

sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
UNUSED_ID = "d9d32881-12fd-4b19-a6b2-6d5b6b6acf76"
MALFORMED = "not-a-uuid"
METHODS = ("get", "put", "post", "delete")
#: Path parameters that are not ids, and the value that reaches the id after them.
NOT_IDS = {"resource_type": "calls"}
#: Query parameters a route needs before it reads its path (the recording link's).
NEEDED = {"/files/recordings/{id}.zip": {"expires": "1", "signature": "x"}}


def id_parameters(operation: dict[str, Any]) -> list[str]:
    return [
        p["name"]
        for p in operation.get("parameters", [])
        if p.get("in") == "path" and p["name"] not in NOT_IDS
    ]


@sqlite_only
async def test_a_malformed_path_id_is_400_invalid_id_naming_the_documented_parameter(
    api: Api,
) -> None:
    document = (await api.client.get("/openapi.json")).json()
    answers: dict[tuple[str, str, str], Any] = {}
    for path, item in document["paths"].items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            names = id_parameters(operation)
            assert set(names) | set(NOT_IDS) >= set(re.findall(r"{(\w+)}", path)), path
            for malformed in names:
                values = {name: UNUSED_ID for name in names} | NOT_IDS | {malformed: MALFORMED}
                url = path.format(**values)
                response = await api.client.request(
                    method.upper(), url, params=NEEDED.get(path), json={}, headers=api.headers
                )
                body = response.json() if response.content else {}
                error = body.get("error", {})
                answers[(method, path, malformed)] = (
                    response.status_code,
                    error.get("reason"),
                    [d.get("field") for d in error.get("details", [])],
                )
    assert len(answers) > 100
    wrong = {k: v for k, v in answers.items() if v != (400, "INVALID_ID", [k[2]])}
    assert wrong == {}
