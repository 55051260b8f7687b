"""Messages: sent by ``POST /v1.0/messages`` (``201``, the message) or a flow's
``message_send``, received on a number, moved by the runtime (``server/runtime/messages/``),
read and deleted here.

Customer admins and managers use them (as calls). What the runtime does is reached through
``ctx.messages``; the generic service has already checked the id, the tenancy (another
customer's message is a 404), the role and the body.
"""

from __future__ import annotations

from typing import Any

from voipbin.common.errors import Unavailable
from voipbin.common.permissions import CUSTOMER_MANAGERS
from voipbin.models.message import MESSAGES, Message
from voipbin.server.resources.base import Current, Rules, ServerResource
from voipbin.server.resources.context import CommitHook, Context, MessageControl
from voipbin.server.storage.tables import message_messages


def _messages(ctx: Context) -> MessageControl:
    if ctx.messages is None:
        raise Unavailable("SERVICE_UNAVAILABLE", "Messages are not served by this process.")
    return ctx.messages


async def _create(ctx: Context, body: Any, commit_with: CommitHook | None) -> Any:
    return await _messages(ctx).create(ctx, body, commit_with)


async def _delete(ctx: Context, current: Current) -> bool:
    await _messages(ctx).delete(str(current["id"]))
    return True


RESOURCE: ServerResource[Message] = ServerResource(
    spec=MESSAGES,
    table=message_messages,
    reason_prefix="MESSAGE",
    rules=Rules(read=CUSTOMER_MANAGERS),
    create_with=_create,
    performs_delete=_delete,
)
