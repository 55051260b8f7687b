"""SMS parts: checked against an independent reading of 3GPP TS 23.038 (its tables written
out by code point, and segments built septet by septet), and on known texts."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from voipbin.common.sms import sms_parts

# TS 23.038 §6.2.1, the default alphabet: (code, character), 0x1B (escape) left out.
_BASIC_CODES = [
    0x0040, 0x00A3, 0x0024, 0x00A5, 0x00E8, 0x00E9, 0x00F9, 0x00EC,
    0x00F2, 0x00C7, 0x000A, 0x00D8, 0x00F8, 0x000D, 0x00C5, 0x00E5,
    0x0394, 0x005F, 0x03A6, 0x0393, 0x039B, 0x03A9, 0x03A0, 0x03A8,
    0x03A3, 0x0398, 0x039E, 0x00C6, 0x00E6, 0x00DF, 0x00C9,
    0x0020, 0x0021, 0x0022, 0x0023, 0x00A4, 0x0025, 0x0026, 0x0027,
    *range(0x0028, 0x0040),
    0x00A1, *range(0x0041, 0x005B), 0x00C4, 0x00D6, 0x00D1, 0x00DC, 0x00A7,
    0x00BF, *range(0x0061, 0x007B), 0x00E4, 0x00F6, 0x00F1, 0x00FC, 0x00E0,
]  # fmt: skip
# §6.2.1.1, the extension table reached by the escape: form feed, ^ { } \ [ ~ ] | and €.
_EXTENSION_CODES = [0x000C, 0x005E, 0x007B, 0x007D, 0x005C, 0x005B, 0x007E, 0x005D, 0x007C, 0x20AC]
BASIC = {chr(code) for code in _BASIC_CODES}
EXTENSION = {chr(code) for code in _EXTENSION_CODES}


def reference_parts(text: str) -> tuple[str, int]:
    """The encoding and parts of ``text``, by building the segments one unit at a time."""
    if set(text) <= BASIC | EXTENSION:
        encoding = "gsm7"
        units = [["ESC", ch] if ch in EXTENSION else [ch] for ch in text]
        single, size = 160, 153
    else:
        encoding = "ucs2"
        units = [list(ch.encode("utf-16-be").hex(" ", 2).split()) for ch in text]
        single, size = 70, 67
    if sum(len(u) for u in units) <= single:
        return encoding, 1
    segments: list[list[str]] = [[]]
    for unit in units:
        if len(segments[-1]) + len(unit) > size:
            segments.append([])
        segments[-1].extend(unit)
    return encoding, len(segments)


def test_the_tables_agree_in_size() -> None:
    assert (len(BASIC), len(EXTENSION)) == (127, 10)


def test_known_texts() -> None:
    assert (sms_parts("a" * 160).encoding, sms_parts("a" * 160).parts) == ("gsm7", 1)
    assert sms_parts("a" * 161).parts == 2
    assert sms_parts("a" * 306).parts == 2
    assert sms_parts("a" * 307).parts == 3
    # an extension character counts double, and never straddles two parts
    assert sms_parts("€" * 80).parts == 1
    assert sms_parts("€" * 81).parts == 2
    assert sms_parts("a" + "€" * 80).units == 161
    assert sms_parts("a" * 152 + "€" + "a" * 10).parts == 2  # 164 units, 152 + 12
    assert sms_parts("a" * 152 + "€" + "a" * 152).parts == 3
    emoji = sms_parts("Hi 👋")
    assert (emoji.encoding, emoji.units, emoji.parts) == ("ucs2", 5, 1)
    assert sms_parts("é" * 160).encoding == "gsm7"
    assert sms_parts("ê").encoding == "ucs2"
    assert sms_parts("ж" * 70).parts == 1
    assert sms_parts("ж" * 71).parts == 2
    assert sms_parts("ж" * 66 + "👋" + "ж" * 3).parts == 2  # 71 units; the pair stays whole


_gsm = st.text(alphabet=st.sampled_from(sorted(BASIC | EXTENSION)), max_size=700)
_any = st.text(max_size=400)
_mixed = st.text(alphabet=st.sampled_from([*"abc€^{", "é", "ж", "👋", "😀"]), max_size=400)


@given(st.one_of(_gsm, _any, _mixed))
def test_parts_match_the_reference(text: str) -> None:
    got = sms_parts(text)
    assert (got.encoding, got.parts) == reference_parts(text)
