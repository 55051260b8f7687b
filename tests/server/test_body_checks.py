"""The body checks the edge runs (and the idempotency fingerprint relies on): depth without
recursion, storable text, settings for both limits."""

from __future__ import annotations

import pytest

from voipbin.common.errors import InvalidArgument
from voipbin.models.tag import TagCreate
from voipbin.server.body import check_body, check_json_depth, decode_body, json_depth
from voipbin.server.settings import Settings


@pytest.mark.parametrize(
    ("body", "depth"),
    [
        (b"", 0),
        (b'{"a": 1}', 1),
        (b'{"a": [1, {"b": []}], "c": {}}', 4),
        (b'{"a": "[[[[{{{{"}', 1),
        (b'{"a": "\\"[[[[", "b": [[]]}', 3),
        (b"[" * 100_000 + b"]" * 100_000, 100_000),
        (b'{"a": "unterminated [[[[', 1),
    ],
)
def test_json_depth_counts_brackets_outside_strings(body: bytes, depth: int) -> None:
    assert json_depth(body) == depth


def test_check_json_depth_allows_the_limit_and_refuses_one_more() -> None:
    check_json_depth(b"[" * 32 + b"]" * 32, 32)

    with pytest.raises(InvalidArgument) as caught:
        check_json_depth(b"[" * 33 + b"]" * 33, 32)

    assert caught.value.reason == "INVALID_JSON_BODY"
    assert "32 levels" in caught.value.message


def test_a_wide_body_with_many_brackets_is_not_too_deep() -> None:
    check_body(b"[" + b",".join([b"[1]"] * 10_000) + b"]", 32)


def test_text_checks_leave_invalid_json_to_decoding() -> None:
    check_body(b'{"name": x}', 32)


def test_invalid_utf8_outside_json_is_an_invalid_body_naming_the_byte() -> None:
    with pytest.raises(InvalidArgument) as caught:
        check_body(b'{"a": \xff}', 32)

    assert caught.value.reason == "INVALID_JSON_BODY"
    assert "byte 6" in caught.value.message


def test_a_field_name_with_a_lone_surrogate_is_named_printably() -> None:
    with pytest.raises(InvalidArgument) as caught:
        check_body(b'{"na\\ud800me": "x"}', 32)

    assert caught.value.details_as_dicts()[0]["field"] == "na\\ud800me"


def test_the_limits_are_settings_read_from_the_environment() -> None:
    settings = Settings.from_env({"VOIPBIN_MAX_BODY_BYTES": "10", "VOIPBIN_MAX_JSON_DEPTH": "4"})

    assert (settings.max_body_bytes, settings.max_json_depth) == (10, 4)
    assert (Settings().max_body_bytes, Settings().max_json_depth) == (1_048_576, 32)
    with pytest.raises(ValueError, match="VOIPBIN_MAX_BODY_BYTES"):
        Settings(max_body_bytes=0)
    with pytest.raises(ValueError, match="VOIPBIN_MAX_JSON_DEPTH"):
        Settings(max_json_depth=0)


@pytest.mark.parametrize(
    "body", [b'{"bogus":', b'{"bogus": 1,,}', b'{"bogus": NaN}', b'{"bogus": 1} x']
)
def test_a_body_that_is_no_json_is_said_to_be_so_not_blamed_on_its_first_field(body: bytes) -> None:
    with pytest.raises(InvalidArgument) as caught:
        decode_body(body, TagCreate)
    assert caught.value.reason == "INVALID_JSON_BODY"
    assert "not valid JSON" in str(caught.value)
