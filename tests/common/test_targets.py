"""Normalised targets: one key for every way of writing a phone number or an email."""

from __future__ import annotations

import pytest

from voipbin.common.targets import guess_type, normalised_target


@pytest.mark.parametrize(
    ("type", "target", "key"),
    [
        ("tel", "+15551234567", "+15551234567"),
        ("tel", "+1 (555) 123-4567", "+15551234567"),
        ("tel", "15551234567", "+15551234567"),
        ("tel", "0015551234567", "+15551234567"),
        ("tel", "+1.555.123.4567", "+15551234567"),
        ("tel", "+0555", None),
        ("tel", "call me", None),
        ("email", " Ada@Example.COM ", "ada@example.com"),
        ("email", "not-an-email", None),
        ("sip", "a@example.com", None),
    ],
)
def test_normalised_target(type: str, target: str, key: str | None) -> None:
    assert normalised_target(type, target) == key


def test_a_bare_target_with_an_at_is_an_email() -> None:
    assert (guess_type("a@b.co"), guess_type("+1555")) == ("email", "tel")
