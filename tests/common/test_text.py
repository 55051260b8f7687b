"""Text every backend can store."""

from __future__ import annotations

import pytest

from voipbin.common.text import printable, text_problem


@pytest.mark.parametrize("text", ["", "plain", "café", "\U0001f600", "\t\n"])
def test_storable_text_has_no_problem(text: str) -> None:
    assert text_problem(text) is None


@pytest.mark.parametrize(
    ("text", "words"),
    [("a\x00b", "NUL"), ("\ud800", "UTF-8"), ("x\udcff", "UTF-8")],
)
def test_nul_and_lone_surrogates_are_problems(text: str, words: str) -> None:
    problem = text_problem(text)
    assert problem is not None
    assert words in problem


def test_printable_escapes_lone_surrogates_only() -> None:
    assert printable("caf\u00e9\ud800") == "café\\ud800"
