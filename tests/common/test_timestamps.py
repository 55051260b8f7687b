"""Timestamps: the 6-digit UTC wire form, the accepted input forms and the "never" sentinel."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from voipbin.common.timestamps import (
    SENTINEL,
    SENTINEL_TEXT,
    format_timestamp,
    normalize_timestamp,
    parse_timestamp,
    read_timestamp,
)

WIRE_FORM = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}", re.ASCII)

#: Fixed offsets strictly inside a day, down to the microsecond.
OFFSETS: st.SearchStrategy[tzinfo] = st.builds(
    timezone,
    st.timedeltas(
        min_value=timedelta(hours=-23, minutes=-59, seconds=-59),
        max_value=timedelta(hours=23, minutes=59, seconds=59),
    ),
)
#: Whole-minute offsets, the only ones the ``+HH:MM`` input form can carry.
MINUTE_OFFSETS: st.SearchStrategy[tzinfo] = st.builds(
    lambda minutes: timezone(timedelta(minutes=minutes)),
    st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59),
)
#: Local times a day inside the supported years, so any offset stays in range once in UTC.
AWARE = st.datetimes(
    min_value=datetime(1, 1, 2),
    max_value=datetime(9998, 12, 30, 23, 59, 59, 999999),
    timezones=st.one_of(st.just(UTC), OFFSETS, st.timezones()),
)


def test_format_writes_six_fraction_digits_and_no_zone() -> None:
    value = datetime(2022, 5, 1, 15, 10, 38, 785510, tzinfo=UTC)

    assert format_timestamp(value) == "2022-05-01 15:10:38.785510"


def test_format_writes_six_zeros_for_a_whole_second() -> None:
    assert format_timestamp(datetime(2022, 5, 1, 15, 10, 38, tzinfo=UTC)) == (
        "2022-05-01 15:10:38.000000"
    )


def test_format_pads_small_years_to_four_digits() -> None:
    assert format_timestamp(datetime(1, 2, 3, 4, 5, 6, 7, tzinfo=UTC)) == (
        "0001-02-03 04:05:06.000007"
    )


def test_format_converts_an_aware_datetime_to_utc() -> None:
    tokyo = timezone(timedelta(hours=9))

    assert format_timestamp(datetime(2022, 5, 1, 2, 0, tzinfo=tokyo)) == (
        "2022-04-30 17:00:00.000000"
    )


def test_format_takes_a_naive_datetime_as_utc() -> None:
    assert format_timestamp(datetime(2022, 5, 1, 15, 10, 38, 5)) == "2022-05-01 15:10:38.000005"


def test_format_writes_none_as_the_sentinel() -> None:
    assert format_timestamp(None) == SENTINEL_TEXT == "9999-01-01 00:00:00.000000"


@pytest.mark.parametrize(
    ("text", "microsecond"),
    [
        ("2022-05-01 15:10:38", 0),
        ("2022-05-01 15:10:38.7", 700000),
        ("2022-05-01 15:10:38.78", 780000),
        ("2022-05-01 15:10:38.785", 785000),
        ("2022-05-01 15:10:38.7855", 785500),
        ("2022-05-01 15:10:38.78551", 785510),
        ("2022-05-01 15:10:38.785510", 785510),
        ("2022-05-01 15:10:38.7855108", 785510),
        ("2022-05-01 15:10:38.78551087", 785510),
        ("2022-05-01 15:10:38.785510878", 785510),
    ],
)
def test_parse_accepts_zero_to_nine_fraction_digits(text: str, microsecond: int) -> None:
    assert parse_timestamp(text) == datetime(2022, 5, 1, 15, 10, 38, microsecond, tzinfo=UTC)


def test_parse_truncates_nine_digits_and_never_rounds() -> None:
    assert normalize_timestamp("2022-05-01 15:10:38.785510878") == "2022-05-01 15:10:38.785510"


def test_parse_does_not_round_up_into_the_next_second() -> None:
    assert normalize_timestamp("2022-12-31 23:59:59.999999999") == "2022-12-31 23:59:59.999999"


def test_parse_accepts_a_t_separator() -> None:
    assert normalize_timestamp("2022-05-01T15:10:38.785510") == "2022-05-01 15:10:38.785510"


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2022-05-01T15:10:38.785510Z", "2022-05-01 15:10:38.785510"),
        ("2022-05-01 15:10:38.785510+00:00", "2022-05-01 15:10:38.785510"),
        ("2022-05-01T15:10:38.785510+09:00", "2022-05-01 06:10:38.785510"),
        ("2022-05-01T15:10:38.785510-0530", "2022-05-01 20:40:38.785510"),
        ("2022-05-01T02:00:00+09:00", "2022-04-30 17:00:00.000000"),
        ("2022-12-31T23:00:00.5-01:30", "2023-01-01 00:30:00.500000"),
    ],
)
def test_parse_converts_a_zone_to_utc(text: str, utc: str) -> None:
    assert normalize_timestamp(text) == utc


def test_parse_returns_an_aware_utc_datetime() -> None:
    value = parse_timestamp("2022-05-01T15:10:38+09:00")

    assert value.utcoffset() == timedelta(0)
    assert value == datetime(2022, 5, 1, 6, 10, 38, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "garbage",
        "2022-05-01",
        "15:10:38",
        "2022/05/01 15:10:38",
        "2022-5-1 15:10:38",
        "2022-05-01  15:10:38",
        "2022-05-01 15:10:38.",
        "2022-05-01 15:10:38.1234567890",
        "2022-05-01 15:10:38,785510",
        "2022-05-01 15:10:38\n",
        " 2022-05-01 15:10:38",
        "2022-13-01 15:10:38",
        "2022-00-01 15:10:38",
        "2022-02-30 15:10:38",
        "0000-01-01 00:00:00",
        "2022-05-01 24:00:00",
        "2022-05-01 15:60:38",
        "2022-05-01 15:10:60",
        "2022-05-01 15:10:38+24:00",
        "2022-05-01 15:10:38+09:60",
        "2022-05-01 15:10:38+9:00",
        "2022-05-01 15:10:38+09",
        "2022-05-01 15:10:38 +09:00",
        "2022-05-01 15:10:38UTC",
        "\uff12\uff10\uff12\uff12-05-01 15:10:38",  # fullwidth digits
        "2022-05-01 15:10:38.\uff17\uff18\uff15",
        "9999-12-31 23:59:59-01:00",
        "0001-01-01 00:00:00+01:00",
    ],
)
def test_parse_rejects_anything_else(text: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - any ValueError is the contract
        parse_timestamp(text)


@pytest.mark.parametrize(
    "text", [SENTINEL_TEXT, "9999-01-01T00:00:00Z", "9999-01-01 09:00:00+09:00"]
)
def test_read_takes_the_sentinel_as_never(text: str) -> None:
    assert read_timestamp(text) is None


@pytest.mark.parametrize("text", [None, ""])
def test_read_takes_nothing_as_never(text: str | None) -> None:
    assert read_timestamp(text) is None


def test_read_parses_a_real_timestamp() -> None:
    assert read_timestamp("2022-05-01 15:10:38.785510878") == datetime(
        2022, 5, 1, 15, 10, 38, 785510, tzinfo=UTC
    )


def test_read_rejects_garbage() -> None:
    with pytest.raises(ValueError, match="not a timestamp"):
        read_timestamp("yesterday")


def test_the_sentinel_reads_back_what_none_writes() -> None:
    assert parse_timestamp(SENTINEL_TEXT) == SENTINEL
    assert read_timestamp(format_timestamp(None)) is None


@given(
    st.datetimes(
        min_value=datetime(1, 1, 1),
        max_value=datetime(9998, 12, 31, 23, 59, 59, 999999),
        timezones=st.just(UTC),
    )
)
def test_format_then_parse_round_trips_every_utc_datetime(value: datetime) -> None:
    text = format_timestamp(value)

    assert WIRE_FORM.fullmatch(text)
    assert parse_timestamp(text) == value


@given(AWARE)
def test_format_then_parse_round_trips_every_aware_datetime(value: datetime) -> None:
    text = format_timestamp(value)

    assert WIRE_FORM.fullmatch(text)
    # Compare in UTC: an aware datetime in a DST fold never equals one in another zone.
    assert parse_timestamp(text) == value.astimezone(UTC)


@given(AWARE.map(lambda value: value.replace(tzinfo=None)), MINUTE_OFFSETS)
def test_parse_reads_isoformat_with_any_offset(local: datetime, zone: tzinfo) -> None:
    value = local.replace(tzinfo=zone)

    assert parse_timestamp(value.isoformat()) == value.astimezone(UTC)
