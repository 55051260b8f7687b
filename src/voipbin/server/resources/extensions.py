"""Extensions: a customer's SIP phones. The number is unique among the customer's live
extensions and is also the SIP username; the domain is ``<customer_id>.<sip domain>`` (the
``sip_domain`` setting), which is also the digest realm.

The password is write-only. It is stored as its digest HA1s for that username and realm
(``MD5`` and ``SHA-256``, RFC 2617 / 7616 / 8760: see ``voipbin.server.auth.sip_digest``),
never in plaintext and never in an answer, so a registrar can check a phone's digest answer
later without it. An update with a new password writes new HA1s; one without keeps them.
"""

from __future__ import annotations

import re
from typing import Any

from voipbin.common.errors import InvalidArgument
from voipbin.common.permissions import CUSTOMER_MANAGERS
from voipbin.models.extension import EXTENSIONS, Extension
from voipbin.server.auth.sip_digest import checked_password, digest_values
from voipbin.server.resources.base import Current, Rules, ServerResource, Values, plain_values
from voipbin.server.resources.context import Context
from voipbin.server.storage.tables import registrar_extensions

# The rule of an ``extension`` Address target (CONVENTIONS.md §3).
_EXTENSION = re.compile(r"[A-Za-z0-9_.-]{1,32}", re.ASCII)


def extension_domain(customer_id: str, sip_domain: str) -> str:
    """A customer's SIP domain, where its extensions register (and their digest realm)."""
    return f"{customer_id}.{sip_domain}"


def _extension(value: str) -> str:
    if not _EXTENSION.fullmatch(value):
        raise InvalidArgument.field(
            "extension", "must be 1-32 characters of A-Z a-z 0-9 _ . - (an extension number)"
        )
    return value


async def _create(ctx: Context, body: Any, current: Current | None) -> Values:
    extension = _extension(body.extension)
    domain = extension_domain(ctx.customer_id, ctx.settings.sip_domain)
    return {
        "extension": extension,
        "name": body.name,
        "detail": body.detail,
        "domain_name": domain,
        "username": extension,
        **digest_values(extension, domain, body.password),
    }


async def _update(ctx: Context, body: Any, current: Current | None) -> Values:
    assert current is not None
    values = await plain_values(ctx, body, current)
    password = checked_password(values.pop("password", ""))
    if password:
        username, domain = str(current["username"]), str(current["domain_name"])
        values.update(digest_values(username, domain, password))
    return values


RESOURCE: ServerResource[Extension] = ServerResource(
    spec=EXTENSIONS,
    table=registrar_extensions,
    reason_prefix="EXTENSION",
    rules=Rules(read=CUSTOMER_MANAGERS),
    prepare_create=_create,
    prepare_update=_update,
    unique={
        "uq_registrar_extensions_customer_id_extension": ("extension", "EXTENSION_ALREADY_EXISTS")
    },
)
