"""The Address structure: where a call, message or agent endpoint goes.

On input only ``type`` and ``target`` are required; on output all five keys are present.
``target`` is checked by ``type`` and rewritten in its canonical form.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated

import msgspec

from voipbin.common.errors import InvalidArgument
from voipbin.common.ids import canonical_id

ADDRESS_TYPES: tuple[str, ...] = (
    "agent",
    "ai",
    "ai_team",
    "conference",
    "email",
    "extension",
    "line",
    "sip",
    "tel",
    "webchat",
    "web_session",
    "whatsapp",
)

#: Address types whose target is the id of another resource.
REFERENCE_TYPES: frozenset[str] = frozenset(
    {"agent", "ai", "ai_team", "conference", "webchat", "web_session"}
)


#: Longest of each Address field, shown in the OpenAPI document (``maxLength``).
MAX_TYPE = 32
MAX_TARGET = 1024  # a SIP URI with its parameters can be long; an email is at most 254
MAX_TARGET_NAME = 255
MAX_NAME = 255
MAX_DETAIL = 4096


class Address(msgspec.Struct, frozen=True, kw_only=True):
    """An endpoint: a phone number, a SIP URI, an agent, an email address...

    Unknown fields are ignored (not refused) so that the SDK reads a newer server's
    addresses; a request body's typo in one still fails, on a missing ``type`` or ``target``.
    """

    type: Annotated[
        str, msgspec.Meta(max_length=MAX_TYPE, extra_json_schema={"enum": list(ADDRESS_TYPES)})
    ]
    target: Annotated[str, msgspec.Meta(max_length=MAX_TARGET)]
    target_name: Annotated[str, msgspec.Meta(max_length=MAX_TARGET_NAME)] = ""
    name: Annotated[str, msgspec.Meta(max_length=MAX_NAME)] = ""
    detail: Annotated[str, msgspec.Meta(max_length=MAX_DETAIL)] = ""


_E164 = re.compile(r"\+[1-9]\d{1,14}", re.ASCII)
_EXTENSION = re.compile(r"[A-Za-z0-9_.-]{1,32}")
_EMAIL_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_DOMAIN = re.compile(
    r"(?=.{1,253}\Z)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
_SIP_USER = re.compile(r"[A-Za-z0-9_.!~*'()&=+$,;?/%-]+")
_SIP_HOST = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
    r"(?::\d{1,5})?",
    re.ASCII,
)


def is_e164(text: str) -> bool:
    """Whether ``text`` is an E.164 number: ``+`` then 2-15 digits, the first not 0."""
    return _E164.fullmatch(text) is not None


def is_email(text: str) -> bool:
    """Whether ``text`` is a syntactically valid email address (``local@domain.tld``)."""
    local, at, domain = text.rpartition("@")
    return bool(
        at
        and len(text) <= 254
        and len(local) <= 64
        and _EMAIL_LOCAL.fullmatch(local)
        and _DOMAIN.fullmatch(domain)
    )


def _tel(target: str) -> str | None:
    return target if _E164.fullmatch(target) else None


def _email(target: str) -> str | None:
    return target if is_email(target) else None


def _sip(target: str) -> str | None:
    if target[:4].lower() == "sip:":
        target = target[4:]
    user, at, host = target.rpartition("@")
    if at and _SIP_USER.fullmatch(user) and _SIP_HOST.fullmatch(host):
        return target
    return None


def _extension(target: str) -> str | None:
    return target if _EXTENSION.fullmatch(target) else None


def _reference(target: str) -> str | None:
    try:
        return canonical_id(target)
    except ValueError:
        return None


def _line(target: str) -> str | None:
    return target if target.strip() else None


_CHECKS: dict[str, tuple[Callable[[str], str | None], str]] = {
    "tel": (_tel, "an E.164 number: + then 2-15 digits, the first not 0"),
    "whatsapp": (_tel, "an E.164 number: + then 2-15 digits, the first not 0"),
    "email": (_email, "a valid email address"),
    "sip": (_sip, "a SIP address user@domain"),
    "extension": (_extension, "an extension number: 1-32 characters of A-Z a-z 0-9 _ . -"),
    "line": (_line, "a non-empty line id"),
    **{t: (_reference, "a UUID") for t in REFERENCE_TYPES},
}


def validate_address(address: Address, field: str = "address") -> Address:
    """Check an address and return it with its target in canonical form.

    Raises ``InvalidArgument`` naming ``field.type`` or ``field.target``.
    """
    check = _CHECKS.get(address.type)
    if check is None:
        raise InvalidArgument.field(f"{field}.type", f"must be one of: {', '.join(ADDRESS_TYPES)}")
    function, expected = check
    target = function(address.target)
    if target is None:
        raise InvalidArgument.field(
            f"{field}.target", f"must be {expected} for type {address.type}"
        )
    if target == address.target:
        return address
    return msgspec.structs.replace(address, target=target)
