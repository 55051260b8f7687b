"""Normalised targets: the one form of a phone number or an email address that two ways of
writing it share, so a contact's address is found whatever form a caller or a client uses.

- ``tel``: the E.164 number, ``+`` then digits. Spaces, dashes, dots and parentheses are
  dropped, and a number given without its ``+`` gets it (a caller id often comes without).
- ``email``: lowercased (the domain is case-blind; providers treat the local part so too).
"""

from __future__ import annotations

import re

from voipbin.common.address import is_e164, is_email

_PUNCTUATION = re.compile(r"[\s().-]")


def normalised_tel(text: str) -> str | None:
    """The E.164 form of a phone number, or ``None`` when it is no phone number."""
    digits = _PUNCTUATION.sub("", text)
    if digits[:2] == "00":  # the international prefix some networks show
        digits = digits[2:]
    number = digits if digits.startswith("+") else f"+{digits}"
    return number if is_e164(number) else None


def normalised_email(text: str) -> str | None:
    """The lowercased email address, or ``None`` when it is no email address."""
    address = text.strip()
    return address.lower() if is_email(address) else None


def normalised_target(type: str, target: str) -> str | None:
    """The key of a ``tel`` or ``email`` target (``None`` for another type, or a bad one)."""
    if type == "tel":
        return normalised_tel(target)
    if type == "email":
        return normalised_email(target)
    return None


def guess_type(target: str) -> str:
    """The type of a bare target: ``email`` when it has an ``@``, ``tel`` otherwise."""
    return "email" if "@" in target else "tel"
