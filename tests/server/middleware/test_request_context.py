"""Request ids: ``req_`` and a ULID, whose text is exactly the ULID specification's."""

from __future__ import annotations

import time

from hypothesis import given
from hypothesis import strategies as st

from voipbin.server.middleware.request_context import new_request_id, ulid_text

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def reference_ulid_text(value: int) -> str:
    """The specification, literally: 26 characters of 5 bits, most significant first."""
    return "".join(CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(26)))


@given(st.integers(min_value=0, max_value=2**128 - 1))
def test_ulid_text_is_the_crockford_base32_of_the_128_bits(value: int) -> None:
    assert ulid_text(value) == reference_ulid_text(value)


def test_a_request_id_carries_the_time_it_was_made() -> None:
    before = time.time_ns() // 1_000_000
    request_id = new_request_id()
    after = time.time_ns() // 1_000_000

    assert request_id.startswith("req_")
    text = request_id[4:]
    assert len(text) == 26
    assert set(text) <= set(CROCKFORD)
    milliseconds = sum(CROCKFORD.index(c) << (5 * i) for i, c in enumerate(reversed(text))) >> 80
    assert before <= milliseconds <= after


def test_request_ids_differ() -> None:
    assert len({new_request_id() for _ in range(1000)}) == 1000
