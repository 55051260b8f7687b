"""Random option objects for every action type: the server answers 201 or a 400 naming a
field of the action, never anything else (no 500, no 400 without a field)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.inprocess import BASE_URL, serving
from tests.server.conftest import ADMIN_PASSWORD, ADMIN_USERNAME
from voipbin.models.flows import CATALOGUE

FIELDS = {
    row.name: sorted(f.encode_name for f in msgspec.structs.fields(row.option)) for row in CATALOGUE
}

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(["", "00000000-0000-0000-0000-000000000000", "+15551234567", "next", "=="]),
)
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


@st.composite
def _action(draw: st.DrawFn) -> dict[str, Any]:
    """An action of a catalogue type whose option mixes its own keys with others, each with
    a value of any JSON type."""
    row = draw(st.sampled_from(CATALOGUE))
    keys = st.sampled_from(FIELDS[row.name]) if FIELDS[row.name] else st.nothing()
    option = draw(st.dictionaries(keys | st.text(max_size=8), _values, max_size=4))
    return {"type": row.name, "option": option}


@pytest.fixture
def client(database_url: str) -> Iterator[httpx.Client]:
    with (
        serving(database_url) as served,
        httpx.Client(transport=served.transport, base_url=BASE_URL) as client,
    ):
        login = {"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD}
        response = client.post("/auth/login", json=login)
        client.headers["Authorization"] = f"Bearer {response.json()['token']}"
        yield client


def test_random_options_are_201_or_a_400_naming_a_field_of_the_action(
    client: httpx.Client,
) -> None:
    @given(action=_action())
    @settings(
        max_examples=150, deadline=None, derandomize=True, database=None,
        suppress_health_check=list(HealthCheck),
    )  # fmt: skip
    def check(action: dict[str, Any]) -> None:
        response = client.post("/v1.0/flows", json={"actions": [action]})
        if response.status_code == 201:
            stored = response.json()["actions"][0]
            assert stored["type"] == action["type"]
            assert set(stored["option"]) == set(FIELDS[action["type"]])
            return
        assert response.status_code == 400, response.text
        error = response.json()["error"]
        (detail,) = error["details"]
        assert detail["field"].startswith("actions[0].option"), error
        # A call's inline actions are actions too: one without a catalogue type is refused
        # for its type, at its own path inside the option.
        nested = detail["field"].startswith("actions[0].option.actions[")
        reasons = ("INVALID_ARGUMENT", "INVALID_ANONYMOUS_VALUE")
        assert error["reason"] in (*reasons, *(("INVALID_ACTION_TYPE",) if nested else ())), error
        assert detail["description"], error

    check()
