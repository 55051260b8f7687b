"""Providers: the project's carrier endpoints, for super-admins only.

What a schema cannot say is checked here: a hostname is ``host`` or ``host:port`` with a real
host form and port, header names are SIP tokens (and not headers the server writes itself),
header values are one line, and codecs are names a SIP peer understands.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

import msgspec

from voipbin.common.errors import InvalidArgument
from voipbin.common.permissions import Permission
from voipbin.models.provider import PROVIDERS, Provider
from voipbin.server.resources.base import Current, Rules, ServerResource, Values, plain_values
from voipbin.server.resources.context import Context
from voipbin.server.storage.tables import route_providers

SUPER_ADMIN_ONLY = Permission.NONE

_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)", re.ASCII)
_PORT = re.compile(r"[0-9]{1,5}", re.ASCII)
#: RFC 3261 ``token``: what a header name may be made of.
_TOKEN = re.compile(r"[A-Za-z0-9.!%*_+`'~-]+", re.ASCII)
#: Headers the server writes on every INVITE; a provider may not replace them.
_RESERVED_HEADERS = frozenset(
    h.lower()
    for h in (
        "Via",
        "From",
        "To",
        "Call-ID",
        "CSeq",
        "Contact",
        "Max-Forwards",
        "Content-Length",
        "Content-Type",
        "Route",
        "Record-Route",
    )
)
#: Codec names as SDP writes them (case does not matter).
_CODECS = frozenset(
    c.lower()
    for c in ("PCMU", "PCMA", "G722", "G729", "G726-32", "GSM", "iLBC", "opus", "speex", "L16")
)
_HOSTNAME_RULE = "must be host or host:port: a DNS name, an IPv4 address or [an IPv6 address]"


def _is_dns_name(host: str) -> bool:
    labels = host.removesuffix(".").split(".")
    return (
        len(host) <= 253
        and all(_LABEL.fullmatch(label) for label in labels)
        and not labels[-1].isdigit()  # 999.1.1.1 is a bad address, not a name
    )


def _is_host(host: str) -> bool:
    if host.startswith("["):
        if not host.endswith("]"):
            return False
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return False
        return True
    if host.replace(".", "").isdigit():
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            return False
        return True
    return _is_dns_name(host)


def check_hostname(value: str) -> None:
    """``host`` or ``host:port``; 400 naming ``hostname`` otherwise."""
    host, port = value, ""
    if value.startswith("["):
        end = value.find("]")
        if end > 0 and value[end + 1 :].startswith(":"):
            host, port = value[: end + 1], value[end + 2 :]
    elif value.count(":") == 1:
        host, port = value.split(":")
    if port and (not _PORT.fullmatch(port) or not 1 <= int(port) <= 65535):
        raise InvalidArgument.field("hostname", "the port must be a number from 1 to 65535")
    if (value.startswith("[") or ":" not in value or port) and _is_host(host):
        return
    raise InvalidArgument.field("hostname", _HOSTNAME_RULE)


def check_tech_headers(headers: dict[str, str]) -> None:
    for name, value in headers.items():
        field = f"tech_headers.{name}"
        if not _TOKEN.fullmatch(name):
            raise InvalidArgument.field(field, "a header name is letters, digits and -.!%*_+`'~")
        if name.lower() in _RESERVED_HEADERS:
            raise InvalidArgument.field(field, "the server writes this header itself")
        if any((ord(c) < 32 and c != "\t") or ord(c) == 127 for c in value):
            raise InvalidArgument.field(field, "a header value is one line, without controls")


def check_codecs(value: str) -> None:
    if not value:
        return
    for name in value.split(","):
        if name.strip().lower() not in _CODECS:
            known = ", ".join(sorted(_CODECS, key=str.lower))
            raise InvalidArgument.field(
                "codecs",
                f"unknown codec {name.strip()!r}; comma-separated, from: {known}",
                "INVALID_CODECS",
            )


async def _values(ctx: Context, body: Any, current: Current | None) -> Values:
    values = await plain_values(ctx, body, current)
    if "hostname" in values:
        check_hostname(values["hostname"])
    if "tech_headers" in values:
        check_tech_headers(values["tech_headers"])
        values["tech_headers"] = msgspec.json.encode(values["tech_headers"]).decode()
    if "codecs" in values:
        check_codecs(values["codecs"])
    return values


RESOURCE: ServerResource[Provider] = ServerResource(
    spec=PROVIDERS,
    table=route_providers,
    reason_prefix="PROVIDER",
    rules=Rules(
        read=SUPER_ADMIN_ONLY,
        create=SUPER_ADMIN_ONLY,
        update=SUPER_ADMIN_ONLY,
        delete=SUPER_ADMIN_ONLY,
    ),
    prepare_create=_values,
    prepare_update=_values,
)
