"""Checks of single fields that several resources share."""

from __future__ import annotations

from urllib.parse import urlsplit

from voipbin.common.address import is_e164
from voipbin.common.errors import InvalidArgument


def check_phone_number(value: str | None, field: str = "phone_number") -> None:
    if value and not is_e164(value):
        raise InvalidArgument.field(field, "must be an E.164 number: + then 2-15 digits")


def check_webhook_uri(value: str | None, field: str = "webhook_uri") -> None:
    if not value:
        return
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidArgument.field(field, "must be an http or https URL")
