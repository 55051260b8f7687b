"""Ids: lowercase canonical UUIDs on the wire, and the empty UUID for "no reference"."""

from __future__ import annotations

from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from voipbin.common.ids import (
    EMPTY_UUID,
    EMPTY_UUID_TEXT,
    canonical_id,
    new_id,
    parse_id,
    read_id,
    write_id,
)

ID = "d9d32881-12fd-4b19-a6b2-6d5b6b6acf76"


@pytest.mark.parametrize(
    "text",
    [
        ID,
        ID.upper(),
        "D9d32881-12Fd-4B19-a6B2-6D5b6B6aCf76",
        "{" + ID + "}",
        "{" + ID.upper() + "}",
        "d9d3288112fd4b19a6b26d5b6b6acf76",
        "D9D3288112FD4B19A6B26D5B6B6ACF76",
        "urn:uuid:" + ID,
    ],
)
def test_accepted_forms_normalise_to_lowercase_canonical(text: str) -> None:
    assert canonical_id(text) == ID
    assert parse_id(text) == UUID(ID)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not-a-uuid",
        ID[:-1],
        ID + "0",
        ID.replace("d", "g", 1),
        ID.replace("-", "_"),
        "d9d3-2881-12fd4b19a6b26d5b6b6acf76",
        "d9d3288112fd-4b19-a6b2-6d5b6b6acf76",
        "d9d32881-urn:12fd-4b19-a6b2-6d5b6b6acf76",
        "{" + ID,
        ID + "}",
        "{{d9d3288112fd4b19a6b26d5b6b6acf76}}",
        "+9d3288112fd4b19a6b26d5b6b6acf76",
        "d9d32881_2fd4b19a6b26d5b6b6acf76",
        "\u0660" * 32,  # ARABIC-INDIC DIGIT ZERO, which int() would take
        "urn:uuid:{" + ID + "}x",
    ],
)
def test_bad_ids_raise_value_error(text: str) -> None:
    with pytest.raises(ValueError, match="UUID"):
        parse_id(text)


def test_canonical_id_rejects_a_bad_id() -> None:
    with pytest.raises(ValueError, match="UUID"):
        canonical_id("agent-1")


@pytest.mark.parametrize("text", [EMPTY_UUID_TEXT, "00000000000000000000000000000000", None, ""])
def test_read_takes_the_empty_uuid_or_nothing_as_no_reference(text: str | None) -> None:
    assert read_id(text) is None


def test_read_returns_a_real_reference() -> None:
    assert read_id(ID.upper()) == UUID(ID)


def test_read_rejects_a_bad_id() -> None:
    with pytest.raises(ValueError, match="UUID"):
        read_id("nope")


def test_write_writes_none_as_the_empty_uuid() -> None:
    assert write_id(None) == EMPTY_UUID_TEXT == "00000000-0000-0000-0000-000000000000"


@pytest.mark.parametrize("value", [UUID(ID), ID, ID.upper(), "{" + ID + "}"])
def test_write_writes_a_reference_in_canonical_form(value: UUID | str) -> None:
    assert write_id(value) == ID


def test_write_rejects_a_bad_id_text() -> None:
    with pytest.raises(ValueError, match="UUID"):
        write_id("nope")


def test_read_and_write_round_trip_the_empty_reference() -> None:
    assert write_id(read_id(EMPTY_UUID_TEXT)) == EMPTY_UUID_TEXT
    assert EMPTY_UUID.int == 0


def test_new_ids_are_random_version_4() -> None:
    first, second = new_id(), new_id()

    assert first.version == second.version == 4
    assert first != second


@given(st.uuids())
def test_every_uuid_reads_back_from_each_accepted_form(value: UUID) -> None:
    text = str(value)

    for form in (text, text.upper(), "{" + text + "}", value.hex, value.hex.upper()):
        assert parse_id(form) == value
        assert canonical_id(form) == text
