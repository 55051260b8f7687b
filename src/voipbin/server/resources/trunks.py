"""Trunks: SIP connections of a customer's PBX or carrier. ``domain_name`` is a DNS label,
lowercased, unique among every customer's live trunks (the trunk's SIP domain is
``<domain_name>.trunk.<sip domain>``, also its digest realm) and fixed once created.

``auth_types`` says how the trunk's requests are authenticated: ``basic`` needs a
``username`` and a password, ``ip`` needs ``allowed_ips`` (IPv4/IPv6 addresses or networks,
normalised: ``203.0.113.7/32`` is stored as ``203.0.113.7``). The password is write-only,
stored as digest HA1s exactly as an extension's (see ``voipbin.server.auth.sip_digest``); a
new username needs the password again, since the HA1s cover it.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

import msgspec

from voipbin.common.errors import InvalidArgument
from voipbin.common.permissions import CUSTOMER_MANAGERS
from voipbin.models.trunk import TRUNKS, Trunk
from voipbin.server.auth.sip_digest import NO_DIGEST, checked_password, digest_values
from voipbin.server.resources.base import Current, Rules, ServerResource, Values
from voipbin.server.resources.context import Context
from voipbin.server.storage.tables import registrar_trunks

_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?", re.ASCII)
_USERNAME = re.compile(r"[A-Za-z0-9_.+-]*", re.ASCII)


def trunk_realm(domain_name: str, sip_domain: str) -> str:
    """A trunk's SIP domain, and the realm its password's digests are for."""
    return f"{domain_name}.trunk.{sip_domain}"


def _domain_name(value: str) -> str:
    label = value.lower()
    if not _LABEL.fullmatch(label):
        raise InvalidArgument.field(
            "domain_name",
            "must be a DNS label: 1-63 letters, digits and hyphens, "
            "not starting or ending with a hyphen",
        )
    return label


def _username(value: str) -> str:
    if not _USERNAME.fullmatch(value):
        raise InvalidArgument.field("username", "may hold only A-Z a-z 0-9 _ . + -")
    return value


def _network(value: str, field: str) -> str:
    if "%" in value:  # an IPv6 zone names an interface of one host, not an address
        raise InvalidArgument.field(field, "must be an address or network without a zone")
    try:
        network = ipaddress.ip_network(value.strip(), strict=True)
    except ValueError as exc:
        if "host bits set" in str(exc):
            wanted = ipaddress.ip_network(value.strip(), strict=False)
            raise InvalidArgument.field(
                field, f"has host bits set: the network is {wanted}"
            ) from None
        raise InvalidArgument.field(
            field, "must be an IPv4 or IPv6 address, or a network such as 203.0.113.0/24"
        ) from None
    if network.prefixlen == network.max_prefixlen:
        return str(network.network_address)
    return str(network)


def _allowed_ips(values: list[str]) -> list[str]:
    return list(dict.fromkeys(_network(v, f"allowed_ips[{i}]") for i, v in enumerate(values)))


def _check_auth(auth_types: list[str], username: str, password: bool, ips: list[str]) -> None:
    """What each authentication type needs is there (400 naming the missing field)."""
    if password and not username:
        raise InvalidArgument.field("username", "is required with a password")
    if "basic" in auth_types and not username:
        raise InvalidArgument.field("username", "is required when auth_types holds basic")
    if "basic" in auth_types and not password:
        raise InvalidArgument.field("password", "is required when auth_types holds basic")
    if "ip" in auth_types and not ips:
        raise InvalidArgument.field("allowed_ips", "must list a network when auth_types holds ip")


def _json(values: list[str]) -> str:
    return msgspec.json.encode(values).decode()


async def _create(ctx: Context, body: Any, current: Current | None) -> Values:
    domain, username = _domain_name(body.domain_name), _username(body.username)
    auth_types, ips = list(dict.fromkeys(body.auth_types)), _allowed_ips(body.allowed_ips)
    password = checked_password(body.password)
    _check_auth(auth_types, username, bool(password), ips)
    realm = trunk_realm(domain, ctx.settings.sip_domain)
    return {
        "name": body.name,
        "detail": body.detail,
        "domain_name": domain,
        "auth_types": _json(auth_types),
        "username": username,
        "allowed_ips": _json(ips),
        **(digest_values(username, realm, password) if password else NO_DIGEST),
    }


async def _has_password(ctx: Context, id: str) -> bool:
    row = await ctx.services["trunk"].repository.find(("digest_ha1_md5",), {"id": id})
    return row is not None and bool(row[0])


async def _update(ctx: Context, body: Any, current: Current | None) -> Values:
    assert current is not None
    unset = msgspec.UNSET
    values: Values = {
        n: getattr(body, n) for n in ("name", "detail") if getattr(body, n) is not unset
    }
    stored_types: list[str] = msgspec.json.decode(current["auth_types"])
    stored_ips: list[str] = msgspec.json.decode(current["allowed_ips"])
    auth_types = stored_types if body.auth_types is unset else list(dict.fromkeys(body.auth_types))
    ips = stored_ips if body.allowed_ips is unset else _allowed_ips(body.allowed_ips)
    username = str(current["username"]) if body.username is unset else _username(body.username)
    password = "" if body.password is unset else checked_password(body.password)
    renamed = username != current["username"]
    if renamed and username and not password:
        raise InvalidArgument.field(
            "password", "is required with a new username (the stored digest covers the username)"
        )
    kept = not renamed and not password and await _has_password(ctx, str(current["id"]))
    _check_auth(auth_types, username, bool(password) or kept, ips)
    if body.auth_types is not unset:
        values["auth_types"] = _json(auth_types)
    if body.allowed_ips is not unset:
        values["allowed_ips"] = _json(ips)
    if renamed:
        values["username"] = username
    if password:
        realm = trunk_realm(str(current["domain_name"]), ctx.settings.sip_domain)
        values.update(digest_values(username, realm, password))
    elif renamed:
        values.update(NO_DIGEST)
    return values


RESOURCE: ServerResource[Trunk] = ServerResource(
    spec=TRUNKS,
    table=registrar_trunks,
    reason_prefix="TRUNK",
    rules=Rules(read=CUSTOMER_MANAGERS),
    prepare_create=_create,
    prepare_update=_update,
    unique={"uq_registrar_trunks_domain_name": ("domain_name", "TRUNK_ALREADY_EXISTS")},
)
