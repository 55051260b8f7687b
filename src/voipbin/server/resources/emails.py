"""Emails: sent by ``POST /v1.0/emails`` (``201``, the email, ``initiated``), read, listed
(``status`` filter) and deleted here; delivered by the runtime (``server/runtime/emails/``),
reached through ``ctx.emails``.

Creation checks what the schema cannot: every destination is a valid ``email`` address (a
400 naming ``destinations[i].type`` or ``.target``), an attachment names a live recording of
the customer where the server has recordings (a 422 naming ``attachments[i].reference_id``;
the runtime attaches its files: ``server/runtime/emails/attachments.py``),
and the account can pay one ``email`` unit per destination (``402``, before anything is made
or sent). Customer admins and managers send and read them, as calls.
"""

from __future__ import annotations

from typing import Any

import msgspec

from voipbin.common.errors import Unavailable, Unprocessable
from voipbin.common.permissions import CUSTOMER_MANAGERS
from voipbin.models.email import EMAILS, Email, check_destinations
from voipbin.models.wire import wire_struct
from voipbin.server.resources.base import Current, Rules, ServerResource
from voipbin.server.resources.context import CommitHook, Context, EmailControl
from voipbin.server.storage.tables import email_emails

_wire = wire_struct(Email)


def _emails(ctx: Context) -> EmailControl:
    if ctx.emails is None:
        raise Unavailable("SERVICE_UNAVAILABLE", "Emails are not served by this process.")
    return ctx.emails


async def _check_attachments(ctx: Context, body: Any) -> None:
    recordings = ctx.services.get("recording")
    if recordings is None or not body.attachments:
        return
    ids = [str(a.reference_id) for a in body.attachments]
    missing = set(await recordings.missing(ctx.customer_id, ids))
    for i, id in enumerate(ids):
        if id in missing:
            raise Unprocessable.field(
                f"attachments[{i}].reference_id", "is not a live recording of the customer"
            )


async def _create(ctx: Context, body: Any, commit_with: CommitHook | None) -> msgspec.Struct:
    emails = _emails(ctx)
    destinations = check_destinations(body.destinations)
    await _check_attachments(ctx, body)
    # The 402 before anything is written (the charge in the transaction checks again).
    await ctx.ledger.require(ctx.customer_id, "email", len(destinations))
    async with ctx.ledger.db.transaction() as tx:
        row = await emails.create(
            tx, ctx.customer_id, destinations, body.subject, body.content, body.attachments
        )
        item: msgspec.Struct = _wire(*row)
        if commit_with is not None:
            await commit_with(tx, item)
    return item


async def _delete(ctx: Context, current: Current) -> bool:
    return await _emails(ctx).delete(str(current["id"]))


RESOURCE: ServerResource[Email] = ServerResource(
    spec=EMAILS,
    table=email_emails,
    reason_prefix="EMAIL",
    rules=Rules(read=CUSTOMER_MANAGERS, create=CUSTOMER_MANAGERS, delete=CUSTOMER_MANAGERS),
    create_with=_create,
    performs_delete=_delete,
)
