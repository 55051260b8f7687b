"""What a resource's hooks are given: the caller, and the other resources' services.

A hook sees another resource only as a :class:`Peer` (what it may ask of it), so this module,
and the declarations that use it, stand below the generic service that implements it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import msgspec

from voipbin.common.address import Address
from voipbin.models.flows.options import Attachment
from voipbin.server.auth.passwords import Passwords
from voipbin.server.auth.principal import Principal
from voipbin.server.billing.ledger import Ledger
from voipbin.server.carrier.numbers import NumberSeller
from voipbin.server.settings import Settings
from voipbin.server.storage.database import Executor, Row
from voipbin.server.storage.repository import Repository

#: Written in the transaction that creates resources, given what the creation answers.
CommitHook = Callable[[Executor, msgspec.Struct], Awaitable[None]]


class Peer(Protocol):
    """Another resource's service, as a hook may use it."""

    repository: Repository

    async def missing(self, customer_id: str, ids: list[str]) -> list[str]:
        """Those of ``ids`` that are not live resources of ``customer_id``."""
        ...


class Flows(Protocol):
    """The flow runner (``runtime/flows/runner.py``), as a resource's hooks use it: the
    activeflows it runs are rows of ``activeflows``; rows are given and answered in that
    resource's field order."""

    async def start(self, executor: Executor, activeflow: Mapping[str, object]) -> None:
        """Record the creation of ``activeflow`` (just inserted) and run its first step, in
        ``executor``'s transaction."""
        ...

    async def stop(self, activeflow_id: str) -> Row:
        """Stop the activeflow (nothing changes when it has ended already); the row after."""
        ...

    async def delete(self, activeflow_id: str) -> bool:
        """Stop the activeflow, then delete it; ``False`` when it was deleted already."""


class CallControl(Protocol):
    """The runtime's calls, as the calls resource drives them (``runtime/calls/control.py``).
    Each takes the call as the generic service found it (live, the caller's)."""

    async def create(
        self, ctx: Context, body: Any, commit_with: CommitHook | None
    ) -> msgspec.Struct:
        """Dial every destination of a ``CallCreate`` that passes its checks."""
        ...

    async def hangup(self, call_id: str) -> Row:
        """Hang the call up (idempotent); the call after."""
        ...

    async def delete(self, call_id: str) -> None:
        """Hang the call up if it is up, then soft-delete it."""
        ...

    async def toggle(self, call_id: str, toggle: str, on: bool, direction: str) -> None:
        """Hold, mute, music on hold or silence, on or off."""
        ...

    async def talk(self, call_id: str, text: str, language: str) -> None:
        """Speak ``text`` on the call."""
        ...

    async def recording_start(self, call_id: str, options: Any) -> Row:
        """Start recording the call (a ``RecordingStart``); the call after."""
        ...

    async def recording_stop(self, call_id: str) -> Row:
        """Stop the call's recording; the call after."""
        ...


class RecordingControl(Protocol):
    """The runtime's recordings, as the recordings resource drives them
    (``runtime/recordings/service.py``)."""

    async def delete(self, recording_id: str) -> bool:
        """End the recording if it runs, soft-delete it and delete its files; ``False`` when
        it was deleted already."""
        ...


class GroupcallControl(Protocol):
    """The runtime's groupcalls, as the groupcalls resource drives them
    (``runtime/groupcalls/control.py``). Each takes the groupcall as the generic service found
    it (live, the caller's)."""

    async def create(
        self, ctx: Context, body: Any, commit_with: CommitHook | None
    ) -> msgspec.Struct:
        """Start the groupcall of a ``GroupcallCreate``: its first legs ring."""
        ...

    async def hangup(self, groupcall_id: str) -> Row:
        """Hang up every leg (idempotent); the groupcall after."""
        ...

    async def delete(self, groupcall_id: str) -> None:
        """Hang up every leg, end the groupcall, and soft-delete it."""
        ...


class ConferenceControl(Protocol):
    """The runtime's conferences, as the conferences and conferencecalls resources drive
    them (``runtime/conferences/control.py``). Each takes a resource the generic service
    found (live, the caller's)."""

    async def create(
        self, ctx: Context, body: Any, commit_with: CommitHook | None
    ) -> msgspec.Struct:
        """Make the conference of a ``ConferenceCreate``, its timeout armed."""
        ...

    async def update(self, conference_id: str, values: dict[str, Any]) -> Row:
        """Write a ``PUT``'s column values; the conference after."""
        ...

    async def delete(self, conference_id: str) -> bool:
        """End the conference and soft-delete it; ``False`` when deleted already."""
        ...

    async def recording_start(self, conference_id: str, options: Any) -> Row:
        """Record the conference (a ``ConferenceRecordingStart``); the conference after."""
        ...

    async def recording_stop(self, conference_id: str) -> Row:
        """Stop the conference's recording; the conference after."""
        ...

    async def kick(self, conferencecall_id: str) -> None:
        """Send the participant out of its conference."""
        ...


class EmailControl(Protocol):
    """The runtime's emails, as the emails resource drives them
    (``runtime/emails/service.py``)."""

    async def create(
        self,
        executor: Executor,
        customer_id: str,
        destinations: list[Address],
        subject: str,
        content: str,
        attachments: list[Attachment],
    ) -> Row:
        """Make, charge (``402`` when the account cannot pay) and schedule the sending of
        an email, in ``executor``'s transaction; its row."""
        ...

    async def delete(self, email_id: str) -> bool:
        """Soft-delete the email and cancel its pending send; ``False`` when it was deleted
        already."""
        ...


class MessageControl(Protocol):
    """The runtime's messages, as the messages resource drives them
    (``runtime/messages/service.py``)."""

    async def create(
        self, ctx: Context, body: Any, commit_with: CommitHook | None
    ) -> msgspec.Struct:
        """Send the message of a ``MessageCreate``: checked, charged, its targets queued."""
        ...

    async def delete(self, message_id: str) -> None:
        """Soft-delete the message; its targets move no more."""
        ...


class Events(Protocol):
    """The event outbox, as resources write to it (``runtime/events/outbox.py``)."""

    async def emit(
        self,
        executor: Executor,
        customer_id: str,
        type: str,
        resource: str,
        resource_id: str,
        data: msgspec.Struct,
    ) -> str: ...


class WebhookControl(Protocol):
    """The runtime's webhook deliveries (``runtime/webhooks/service.py``), as the webhook
    deliveries resource drives them."""

    async def retry(self, delivery_id: str) -> Row:
        """Send a dead delivery again (409 when it is not dead); the delivery after."""
        ...


class QueueControl(Protocol):
    """The runtime's queuecalls, as the queuecalls resource drives them
    (``runtime/queues/service.py``). Each takes the queuecall as the generic service found
    it (live, the caller's)."""

    async def kick(self, queuecall_id: str) -> Row:
        """Take the caller out of its queue (its flow goes on after ``queue_join``); the
        queuecall after. ``409`` for one that has ended."""
        ...

    async def delete(self, queuecall_id: str) -> None:
        """Kick the queuecall if it is not over, then soft-delete it."""
        ...


class CampaignControl(Protocol):
    """The runtime's campaigns and campaigncalls, as their resources drive them
    (``runtime/campaigns/control.py``). Each takes a resource the generic service found
    (live, the caller's); values are column values, checked."""

    async def status(self, campaign_id: str, status: str) -> Row:
        """``run`` (``422`` when it cannot) or ``stop`` the campaign; the campaign after."""
        ...

    async def delete(self, campaign_id: str) -> bool:
        """Stop the campaign's dialing and soft-delete it; ``False`` when deleted already."""
        ...


@dataclass(slots=True)
class Runtime:
    """What the runtime gives the resources: one per app, shared by every service and
    filled in by the app as it builds the runtime (``None``: not built, as in a service
    made alone)."""

    events: Events | None = None
    flows: Flows | None = None
    calls: CallControl | None = None
    groupcalls: GroupcallControl | None = None
    emails: EmailControl | None = None
    messages: MessageControl | None = None
    recordings: RecordingControl | None = None
    webhooks: WebhookControl | None = None
    conferences: ConferenceControl | None = None
    queues: QueueControl | None = None
    campaigns: CampaignControl | None = None


@dataclass(frozen=True, slots=True)
class Context:
    principal: Principal
    customer_id: str
    """The customer the request acts for (the caller's, or a super-admin's chosen one)."""
    services: Mapping[str, Peer]
    passwords: Passwords
    now: datetime
    settings: Settings
    """The server's settings (a domain a resource derives its values from)."""
    carrier: NumberSeller
    """The carrier the server buys normal numbers from (the simulated one today)."""
    ledger: Ledger
    """Balances: quotes, charges (``402`` when the customer cannot pay) and adjustments."""
    runtime: Runtime = field(default_factory=lambda: Runtime())
    """The runtime's services (each ``None`` in a service built without the runtime)."""

    @property
    def flows(self) -> Flows | None:
        return self.runtime.flows

    @property
    def calls(self) -> CallControl | None:
        return self.runtime.calls

    @property
    def groupcalls(self) -> GroupcallControl | None:
        return self.runtime.groupcalls

    @property
    def emails(self) -> EmailControl | None:
        return self.runtime.emails

    @property
    def messages(self) -> MessageControl | None:
        return self.runtime.messages

    @property
    def recordings(self) -> RecordingControl | None:
        return self.runtime.recordings

    @property
    def webhooks(self) -> WebhookControl | None:
        return self.runtime.webhooks

    @property
    def conferences(self) -> ConferenceControl | None:
        return self.runtime.conferences

    @property
    def queues(self) -> QueueControl | None:
        return self.runtime.queues

    @property
    def campaigns(self) -> CampaignControl | None:
        return self.runtime.campaigns
