"""Checks of single fields that several resources share."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from voipbin.common.errors import InvalidArgument

_E164 = re.compile(r"\+[1-9][0-9]{1,14}", re.ASCII)


def check_phone_number(value: str | None, field: str = "phone_number") -> None:
    if value and not _E164.fullmatch(value):
        raise InvalidArgument.field(field, "must be an E.164 number: + then 2-15 digits")


def check_webhook_uri(value: str | None, field: str = "webhook_uri") -> None:
    if not value:
        return
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidArgument.field(field, "must be an http or https URL")
