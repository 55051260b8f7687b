"""The simulated network's scripts: what the network does when a leg is originated to a
destination (rings, answers, is busy, fails...), as rules by destination and as the
registered devices of extensions. Seconds everywhere; ``docs/simulator.md`` tells the story.

The control API's paths and bodies are declared here, so the server, the SDK
(``client.simulator``) and the CLI (``voipbin sim``) share them. The bodies (``RuleCreate``,
``DevicesSet``) leave out what the caller does not give
(``msgspec.UNSET``); :func:`resolve` turns one into a complete :class:`Script`, with each
outcome's defaults, or a 400 naming the field that does not fit its outcome.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from voipbin.common.address import Address
from voipbin.common.errors import InvalidArgument
from voipbin.models.base import RequestBody

#: The control API's paths (super-admins only); ``{id}`` is a rule's or an extension's id.
CLOCK_PATH = "/_sim/clock"
ADVANCE_PATH = "/_sim/clock/advance"
RULES_PATH = "/_sim/rules"
RULE_PATH = "/_sim/rules/{id}"
DEVICES_PATH = "/_sim/extensions/{id}/devices"
RESET_PATH = "/_sim/reset"
CALLS_PATH = "/_sim/calls"
CALL_DTMF_PATH = "/_sim/calls/{id}/dtmf"
CALL_HANGUP_PATH = "/_sim/calls/{id}/hangup"
EMAILS_PATH = "/_sim/emails"

#: The longest one advance may move the clock: a year.
MAX_ADVANCE_SECONDS = 366 * 24 * 3600.0

#: ``virtual``: moves only when advanced; ``real``: the wall clock.
ClockMode = Literal["real", "virtual"]

#: What the network finally does with a leg.
Outcome = Literal["answer", "busy", "noanswer", "reject", "fail", "unallocated"]
OUTCOMES: tuple[Outcome, ...] = ("answer", "busy", "noanswer", "reject", "fail", "unallocated")
#: The destination types a rule matches on.
RuleType = Literal["tel", "sip"]
#: What answers a leg, as answering machine detection tells.
Answerer = Literal["human", "machine"]

#: Longest a scripted delay may be: a day.
MAX_DELAY = 86_400.0
#: Longest rule pattern (a regular expression), in characters.
MAX_PATTERN = 256
#: Most scripted key presses in one script, and digits in one press.
MAX_PRESSES = 32
MAX_DIGITS = 32
#: Most devices one extension may have registered.
MAX_DEVICES = 16

Delay = Annotated[float, msgspec.Meta(ge=0, le=MAX_DELAY, description="Seconds, 0 to 86400.")]
Digits = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=MAX_DIGITS,
        pattern=r"^[0-9*#A-D]+$",
        description="DTMF digits: 0-9, *, #, A-D.",
    ),
]
Pattern = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=MAX_PATTERN,
        description="A regular expression (Python syntax) the whole target must match.",
    ),
]


class DtmfPress(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The far end presses ``digits``, ``at`` seconds after the leg answers."""

    at: Delay
    digits: Digits


#: Defaults by outcome: (ring_after, outcome_after). ``answer`` takes ``answer_after`` for its
#: outcome time; ``noanswer`` has none (it rings until we give up).
OUTCOME_DEFAULTS: dict[Outcome, tuple[float | None, float | None]] = {
    "answer": (1.0, 3.0),
    "busy": (1.0, 2.0),
    "noanswer": (1.0, None),
    "reject": (1.0, 2.0),
    "fail": (None, 0.5),
    "unallocated": (None, 0.5),
}


class ScriptBody(RequestBody, kw_only=True):
    """A script as a request gives it: every field may be left out."""

    outcome: Outcome = "answer"
    ring_after: Delay | msgspec.UnsetType | None = msgspec.UNSET
    """Seconds to the first ring (180); ``null``: it never rings. Default 1, none for
    ``fail`` and ``unallocated``."""
    answer_after: Delay | msgspec.UnsetType = msgspec.UNSET
    """``answer`` only: seconds to the answer (200). Default 3."""
    outcome_after: Delay | msgspec.UnsetType = msgspec.UNSET
    """``busy``, ``reject``, ``fail``, ``unallocated``: seconds to the final answer. Default
    2 for busy and reject, 0.5 for fail and unallocated."""
    hangup_after: Delay | None = None
    """``answer`` only: the far end hangs up this long after answering; ``null``: never."""
    dtmf: Annotated[list[DtmfPress], msgspec.Meta(max_length=MAX_PRESSES)] = []
    """``answer`` only: key presses of the far end, ``at`` seconds after the answer."""
    amd: Answerer | msgspec.UnsetType = msgspec.UNSET
    """``answer`` only: what answering machine detection finds. Default ``human``."""


class RuleCreate(ScriptBody, kw_only=True):
    """Body of ``POST /_sim/rules``: a script for the targets of ``type`` matching
    ``pattern``. Later rules win over earlier and built-in ones."""

    type: RuleType
    pattern: Pattern


class DevicesSet(RequestBody, kw_only=True):
    """Body of ``POST /_sim/extensions/{id}/devices``: the extension's registered devices,
    each with its script, replacing the ones it had."""

    devices: Annotated[list[ScriptBody], msgspec.Meta(max_length=MAX_DEVICES)]


class InboundCall(RequestBody, kw_only=True):
    """Body of ``POST /_sim/calls``: a call from the network (``source``, any address) to one
    of the customers' numbers (``destination``, a ``tel`` address)."""

    source: Address
    destination: Address


class KeyPress(RequestBody, kw_only=True):
    """Body of ``POST /_sim/calls/{id}/dtmf``: the far end presses ``digits``, in order."""

    digits: Digits


class Script(msgspec.Struct, kw_only=True):
    """A complete script: what the network does with a leg, every time resolved."""

    outcome: Outcome
    ring_after: float | None
    answer_after: float | None
    outcome_after: float | None
    hangup_after: float | None
    dtmf: list[DtmfPress]
    amd: Answerer = "human"


class Rule(Script, kw_only=True):
    """A stored rule, as ``/_sim/rules`` shows it."""

    id: UUID
    type: RuleType
    pattern: str
    tm_create: datetime


class Device(Script, kw_only=True):
    """A registered device of an extension and its script; ``address`` is the contact a
    leg to the device is originated to."""

    address: Address


class RuleList(msgspec.Struct, kw_only=True):
    """``GET /_sim/rules``: the stored rules, earliest first (no paging: they are few)."""

    result: list[Rule]


class ClockState(msgspec.Struct, kw_only=True):
    """The server's clock."""

    mode: ClockMode
    """``virtual``: moves only when advanced; ``real``: the wall clock."""
    now: str
    """The clock's time."""


class ClockAdvance(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """How far to move the virtual clock."""

    seconds: Annotated[
        float,
        msgspec.Meta(
            ge=0,
            le=MAX_ADVANCE_SECONDS,
            description="Seconds to move forward: 0 (run what is due now) to a year.",
        ),
    ]


class Devices(msgspec.Struct, kw_only=True):
    """``POST /_sim/extensions/{id}/devices``: the extension's devices now."""

    extension_id: UUID
    devices: list[Device]


def _only(outcome: Outcome, field: str, allowed: tuple[Outcome, ...], prefix: str) -> None:
    if outcome not in allowed:
        raise InvalidArgument.field(
            f"{prefix}{field}",
            f"only with outcome {' or '.join(allowed)}; outcome is {outcome}",
        )


def resolve(body: ScriptBody, prefix: str = "") -> Script:
    """The complete script ``body`` asks for: defaults filled by outcome. A field its outcome
    does not use is a 400 naming it (``prefix`` + field), so a script never says something
    the network will not do."""
    outcome = body.outcome
    ring_default, outcome_default = OUTCOME_DEFAULTS[outcome]
    ring_after = ring_default if body.ring_after is msgspec.UNSET else body.ring_after
    answer_after: float | None = None
    outcome_after: float | None = None
    if body.answer_after is not msgspec.UNSET:
        _only(outcome, "answer_after", ("answer",), prefix)
        answer_after = body.answer_after
    elif outcome == "answer":
        answer_after = outcome_default
    if body.outcome_after is not msgspec.UNSET:
        _only(outcome, "outcome_after", ("busy", "reject", "fail", "unallocated"), prefix)
        outcome_after = body.outcome_after
    elif outcome != "answer":
        outcome_after = outcome_default
    if body.hangup_after is not None:
        _only(outcome, "hangup_after", ("answer",), prefix)
    if body.dtmf:
        _only(outcome, "dtmf", ("answer",), prefix)
    if body.amd is not msgspec.UNSET:
        _only(outcome, "amd", ("answer",), prefix)
    return Script(
        outcome=outcome,
        ring_after=ring_after,
        answer_after=answer_after,
        outcome_after=outcome_after,
        hangup_after=body.hangup_after,
        dtmf=sorted(body.dtmf, key=lambda press: press.at),
        amd="human" if body.amd is msgspec.UNSET else body.amd,
    )


def compile_pattern(pattern: str, field: str = "pattern") -> re.Pattern[str]:
    """``pattern`` compiled; a 400 naming ``field`` when it is not a regular expression."""
    try:
        return re.compile(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        raise InvalidArgument.field(field, f"not a regular expression: {exc}") from None


class DeliveredAttachment(msgspec.Struct, kw_only=True):
    """One attachment of a delivered email: the recording it names and the file made of it
    (upstream's: ``<recording id>.zip``, ``application/zip``, the recording's WAVs)."""

    reference_type: str
    reference_id: UUID
    status: str
    """``attached``; or why it was left out: ``too_large`` (past the total size limit),
    ``not_ready`` (its files were still not written when the wait ended), ``not_found`` (the
    recording was deleted meanwhile)."""
    filename: str
    content_type: str
    size: int
    """The file's bytes (0 when there was no file)."""
    sha256: str
    """The file's SHA-256, hex (``""`` when there was no file)."""


class DeliveredEmail(msgspec.Struct, kw_only=True):
    """An email the local transport delivered: what a mail server would have been given."""

    id: UUID
    customer_id: UUID
    email_id: UUID
    """The email (``/v1.0/emails/{id}``) this delivery is of."""
    sender: str
    recipients: list[str]
    subject: str
    content: str
    attachments: list[DeliveredAttachment]
    """What became of each of the email's attachments, in its order."""
    tm_create: datetime
    """When it was delivered."""


class DeliveredEmailPage(msgspec.Struct, kw_only=True):
    """A page of the local outbox, newest first; ``next_page_token`` is ``""`` on the last."""

    result: list[DeliveredEmail]
    next_page_token: str = ""
