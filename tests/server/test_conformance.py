"""The served OpenAPI document against the server: property-based, with schemathesis.

For every operation the document describes, valid and invalid requests are generated from it
and sent to the real app in-process, on each database, as the super-admin. Every answer must
be documented and match its schema: never a 5xx, every status listed for the operation, every
body of its declared schema and content type, invalid input refused with a 4xx.

The example budget per operation and mode is bounded so that the suite stays quick (half of it
for invalid requests, which are refused before storage and are the slowest to generate, and so
are sent to one backend only); the generation is derandomized, so a run is repeatable.
``VOIPBIN_CONFORMANCE_EXAMPLES`` raises the budget (and ``VOIPBIN_CONFORMANCE_RANDOM=1`` draws
new examples) for a deeper run.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests.inprocess import BASE_URL, serving
from tests.server.conftest import ADMIN_PASSWORD, ADMIN_USERNAME

EXAMPLES = int(os.environ.get("VOIPBIN_CONFORMANCE_EXAMPLES", "10"))
#: Invalid requests are refused before storage is reached, so fewer of them find as much; they
#: cost the most (each operation's invalid cases are slow to generate). Raised with EXAMPLES.
NEGATIVE_EXAMPLES = max(1, EXAMPLES // 2)
RANDOM = os.environ.get("VOIPBIN_CONFORMANCE_RANDOM", "") == "1"

CHECKS: list[Callable[..., Any]] = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@pytest.fixture
def client(database_url: str) -> Iterator[httpx.Client]:
    """A client of the app on ``database_url``, logged in as the super-admin."""
    with (
        serving(database_url) as served,
        httpx.Client(transport=served.transport, base_url=BASE_URL) as client,
    ):
        response = client.post(
            "/auth/login", json={"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD}
        )
        assert response.status_code == 200, response.text
        client.headers["Authorization"] = f"Bearer {response.json()['token']}"
        yield client


def _send(client: httpx.Client, case: Any) -> httpx.Response:
    """Send a generated case through ``client`` (its transport arguments are requests-style)."""
    kwargs = case.as_transport_kwargs(base_url=BASE_URL)
    headers = dict(kwargs.get("headers") or {})
    cookies = kwargs.get("cookies") or {}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    body: dict[str, Any] = {}
    if "json" in kwargs:
        body["json"] = kwargs["json"]
    elif kwargs.get("data") is not None:
        data = kwargs["data"]
        body["content"] = data.encode() if isinstance(data, str) else data
    response = client.request(
        kwargs["method"], kwargs["url"], params=kwargs.get("params"), headers=headers, **body
    )
    # The in-process transport hands back a finished response, which httpx does not time.
    response.elapsed = timedelta(0)
    return response


@pytest.mark.parametrize(
    ("database_url", "mode"),
    [
        ("sqlite", GenerationMode.POSITIVE),
        ("postgres", GenerationMode.POSITIVE),
        # Invalid requests are refused before storage: one backend is enough for them.
        ("sqlite", GenerationMode.NEGATIVE),
    ],
    indirect=["database_url"],
)
def test_every_answer_is_documented(client: httpx.Client, mode: GenerationMode) -> None:
    document = client.get("/openapi.json").json()
    schema = schemathesis.openapi.from_dict(document)
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result.err()  # the document itself is valid
        operations.append(result.ok())
    assert len(operations) > 20

    failures: list[str] = []
    for operation in operations:
        # The credential is fixed (a negative case must not be refused only for lacking it).
        credential = {"Authorization": client.headers["Authorization"]}

        @given(case=operation.as_strategy(generation_mode=mode, headers=credential))
        @settings(
            max_examples=EXAMPLES if mode is GenerationMode.POSITIVE else NEGATIVE_EXAMPLES,
            deadline=None,
            derandomize=not RANDOM,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any) -> None:
            response = _send(client, case)
            case.validate_response(response, checks=CHECKS)

        try:
            check()
        except Unsatisfiable:  # nothing in the operation can be made invalid (GET /v1.0/me)
            assert mode is GenerationMode.NEGATIVE, operation.label
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)
