"""Pagination: ``page_size`` 1-100 (default 100, clamped), ``page_token`` a timestamp."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from voipbin.common.errors import InvalidArgument
from voipbin.common.pagination import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    Page,
    parse_page_size,
    parse_page_token,
    parse_query_timestamp,
)


def assert_bad_parameter(error: InvalidArgument, name: str) -> None:
    assert (error.http_status, error.status, error.reason) == (
        400,
        "INVALID_ARGUMENT",
        "INVALID_REQUEST_PARAMETER",
    )
    [detail] = error.details_as_dicts()
    assert detail["field"] == name


@pytest.mark.parametrize("text", [None, ""])
def test_page_size_defaults_to_100(text: str | None) -> None:
    assert parse_page_size(text) == DEFAULT_PAGE_SIZE == 100


@pytest.mark.parametrize(("text", "size"), [("1", 1), ("50", 50), ("100", 100), ("+7", 7)])
def test_page_size_from_1_to_100_is_taken_as_is(text: str, size: int) -> None:
    assert parse_page_size(text) == size


@pytest.mark.parametrize("text", ["101", "1000", "99999999999999999999999"])
def test_page_size_above_100_is_clamped_to_100(text: str) -> None:
    assert parse_page_size(text) == MAX_PAGE_SIZE == 100


@pytest.mark.parametrize(
    "text",
    [
        "0",
        "-0",
        "-1",
        "-100",
        "abc",
        "1.5",
        "5.0",
        "1e2",
        "0x10",
        "1_0",
        " 5",
        "5 ",
        "5\n",
        "\u0665",  # ARABIC-INDIC DIGIT FIVE, which int() would take
        "\uff15",  # FULLWIDTH DIGIT FIVE
        "ten",
    ],
)
def test_page_size_not_a_positive_integer_is_invalid_request_parameter(text: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        parse_page_size(text)

    assert_bad_parameter(caught.value, "page_size")


@given(st.integers(min_value=1, max_value=10**30))
def test_any_positive_page_size_is_clamped_to_at_most_100(size: int) -> None:
    assert parse_page_size(str(size)) == min(size, 100)


@given(st.integers(max_value=0))
def test_any_page_size_below_1_is_refused(size: int) -> None:
    with pytest.raises(InvalidArgument):
        parse_page_size(str(size))


@pytest.mark.parametrize("text", [None, ""])
def test_no_page_token_starts_from_the_newest(text: str | None) -> None:
    assert parse_page_token(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "2022-05-01 15:10:38.785510878",
        "2022-05-01 15:10:38.785510",
        "2022-05-01T15:10:38.785510Z",
        "2022-05-01T17:10:38.785510+02:00",
    ],
)
def test_page_token_accepts_any_timestamp_input_form(text: str) -> None:
    assert parse_page_token(text) == datetime(2022, 5, 1, 15, 10, 38, 785510, tzinfo=UTC)


@pytest.mark.parametrize(
    "text", ["next", "2022-05-01", "2022-13-01 00:00:00", "MjAyMi0wNS0wMQ==", "1651417838"]
)
def test_a_malformed_page_token_is_invalid_request_parameter(text: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        parse_page_token(text)

    assert_bad_parameter(caught.value, "page_token")


def test_a_timestamp_filter_error_names_the_filter() -> None:
    with pytest.raises(InvalidArgument) as caught:
        parse_query_timestamp("tm_create_from", "yesterday")

    assert_bad_parameter(caught.value, "tm_create_from")


def test_an_empty_page_has_both_keys() -> None:
    wire = msgspec.json.decode(msgspec.json.encode(Page[int](result=[])))

    assert wire == {"result": [], "next_page_token": ""}


def test_a_page_carries_its_items_and_token() -> None:
    page = Page(result=[1, 2], next_page_token="2022-05-01 15:10:38.785510")

    assert msgspec.json.decode(msgspec.json.encode(page)) == {
        "result": [1, 2],
        "next_page_token": "2022-05-01 15:10:38.785510",
    }
