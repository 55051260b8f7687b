"""How many parts (segments) an SMS text takes, as the network splits it.

A text every character of which is in the GSM 03.38 alphabet (3GPP TS 23.038 §6.2.1, the
basic table and its extension table) travels as GSM-7: 160 septets in one part, 153 per part
when it needs several (the other 7 carry the concatenation header). A character of the
extension table takes two septets (an escape, then the character), and the two never go to
different parts. Any other text travels as UCS-2 (UTF-16): 70 code units in one part, 67 per
part; a character outside the Basic Multilingual Plane (an emoji) takes two, never split.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Encoding = Literal["gsm7", "ucs2"]

#: The basic table, in code order (0x1B, the escape to the extension table, left out).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
#: The extension table: each takes two septets.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

#: (units in a single part, units per part of a concatenated message), by encoding.
LIMITS: dict[Encoding, tuple[int, int]] = {"gsm7": (160, 153), "ucs2": (70, 67)}


@dataclass(frozen=True, slots=True)
class Parts:
    """A text's encoding, its length in that encoding's units, and its parts."""

    encoding: Encoding
    units: int
    parts: int


def _widths(text: str) -> tuple[Encoding, list[int]]:
    """The encoding of ``text`` and the units each of its characters takes."""
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text):
        return "gsm7", [2 if ch in GSM7_EXTENSION else 1 for ch in text]
    return "ucs2", [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def sms_parts(text: str) -> Parts:
    """The encoding and number of parts of ``text`` (an empty text is one part)."""
    encoding, widths = _widths(text)
    units = sum(widths)
    single, per_part = LIMITS[encoding]
    if units <= single:
        return Parts(encoding, units, 1)
    parts, used = 1, 0
    for width in widths:
        if used + width > per_part:  # a character never straddles two parts
            parts, used = parts + 1, 0
        used += width
    return Parts(encoding, units, parts)
