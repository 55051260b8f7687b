"""The simulated network's SMS side: what happens to a message sent to a number (rules by
pattern, over the reserved numbers), and messages from the network to our numbers.
``docs/simulator.md`` tells the story; the server, the SDK (``client.simulator.messages``,
``client.simulator.message_rules``) and the CLI (``voipbin sim message``) share these.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from voipbin.common.errors import InvalidArgument
from voipbin.models.base import RequestBody
from voipbin.models.message import MessageText
from voipbin.models.simulator import Delay, Pattern

#: The control API's paths (super-admins only); ``{id}`` is a rule's id.
MESSAGES_PATH = "/_sim/messages"
MESSAGE_RULES_PATH = "/_sim/message_rules"
MESSAGE_RULE_PATH = "/_sim/message_rules/{id}"

#: How a target's delivery ends, named after the status it ends in: the network delivers
#: it or reports a failure, never sends a receipt (``dlr_timeout``), or never takes it
#: (``gw_timeout``); the two timeouts are the server's own timers.
MessageOutcome = Literal["delivered", "failed", "dlr_timeout", "gw_timeout"]
MESSAGE_OUTCOMES: tuple[MessageOutcome, ...] = ("delivered", "failed", "dlr_timeout", "gw_timeout")

E164 = Annotated[
    str,
    msgspec.Meta(
        max_length=16,
        pattern=r"^\+[1-9][0-9]{1,14}$",
        description="An E.164 number: + then 2 to 15 digits.",
    ),
]


class MessageScriptBody(RequestBody, kw_only=True):
    """What the network does with a message to a number, as a request gives it."""

    outcome: MessageOutcome = "delivered"
    sent_after: Delay | msgspec.UnsetType = msgspec.UNSET
    """Seconds until the gateway takes the message (``sent``). Default 1; not for
    ``gw_timeout``."""
    outcome_after: Delay | msgspec.UnsetType = msgspec.UNSET
    """``delivered``, ``failed``: seconds after ``sent`` until the receipt. Default 2."""


class MessageRuleCreate(MessageScriptBody, kw_only=True):
    """Body of ``POST /_sim/message_rules``: a script for the numbers matching ``pattern``.
    Later rules win over earlier and built-in ones."""

    pattern: Pattern


class MessageScript(msgspec.Struct, kw_only=True):
    """A complete script: every time resolved (``None``: it never happens)."""

    outcome: MessageOutcome
    sent_after: float | None
    outcome_after: float | None


class MessageRule(MessageScript, kw_only=True):
    """A stored rule, as ``/_sim/message_rules`` shows it."""

    id: UUID
    pattern: str
    tm_create: datetime


class MessageRuleList(msgspec.Struct, kw_only=True):
    """``GET /_sim/message_rules``: the stored rules, earliest first."""

    result: list[MessageRule]


class InboundMessage(RequestBody, kw_only=True):
    """Body of ``POST /_sim/messages``: an SMS from ``from`` (any number) to one of the
    customers' numbers (``to``)."""

    from_: E164 = msgspec.field(name="from")
    to: E164
    text: MessageText


def resolve_message(body: MessageScriptBody) -> MessageScript:
    """The complete script ``body`` asks for; a field its outcome does not use is a 400."""
    outcome = body.outcome
    sent_after: float | None = 1.0
    outcome_after: float | None = None
    if body.sent_after is not msgspec.UNSET:
        if outcome == "gw_timeout":
            raise InvalidArgument.field("sent_after", "not with outcome gw_timeout")
        sent_after = body.sent_after
    elif outcome == "gw_timeout":
        sent_after = None
    if body.outcome_after is not msgspec.UNSET:
        if outcome not in ("delivered", "failed"):
            raise InvalidArgument.field(
                "outcome_after", f"only with outcome delivered or failed; outcome is {outcome}"
            )
        outcome_after = body.outcome_after
    elif outcome in ("delivered", "failed"):
        outcome_after = 2.0
    return MessageScript(outcome=outcome, sent_after=sent_after, outcome_after=outcome_after)
