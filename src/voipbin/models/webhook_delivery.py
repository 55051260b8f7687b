"""Webhook deliveries: the log of every event sent to a customer's endpoint.

One delivery per event and target: the customer's ``webhook_uri``, an activeflow's own
``webhook_uri`` (for the events of resources that name it in ``activeflow_id``), or the
``uri`` of a ``webhook_send`` flow action. Each holds its attempts (when, the status code,
how long it took, what went wrong), so a customer can see why their endpoint is not
receiving, and a dead one (``failed``) can be sent again (``retry``).

Statuses: ``pending`` (waiting for its turn or its next attempt), ``delivering`` (an attempt
is on its way), ``delivered`` (the endpoint answered 2xx or 3xx), ``failed`` (dead-lettered:
every retry was used, or the endpoint or its address refused it for good).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

import msgspec

from voipbin.models.base import Action, Filter, ResourceSpec

WEBHOOK_DELIVERY_STATUSES: tuple[str, ...] = ("pending", "delivering", "delivered", "failed")
WebhookDeliveryStatus = Literal["pending", "delivering", "delivered", "failed"]
WEBHOOK_TARGETS: tuple[str, ...] = ("customer", "activeflow", "webhook_send")
WebhookTarget = Literal["customer", "activeflow", "webhook_send"]


class WebhookAttempt(msgspec.Struct, kw_only=True):
    """One attempt of a delivery."""

    tm: datetime
    """When it started."""
    status_code: int
    """The endpoint's HTTP status; 0 when there was none (refused, timed out, unreachable)."""
    latency_ms: int
    error: str
    """Why it did not count as delivered; ``""`` when it did."""


class WebhookDelivery(msgspec.Struct, kw_only=True):
    """A webhook delivery and its attempts."""

    id: UUID
    customer_id: UUID
    event_id: UUID | None
    """The event's id (``X-VoIPBIN-Event-Id``): the same on every attempt; unset for a
    ``webhook_send``."""
    event_type: str
    """``call_hangup``...; ``webhook_send`` for the flow action's."""
    reference_type: str
    """The kind of resource the event is of (``call``, ``activeflow``...)."""
    reference_id: UUID | None
    target: str
    """``customer`` (its webhook_uri), ``activeflow`` (an activeflow's webhook_uri) or
    ``webhook_send`` (a flow action)."""
    activeflow_id: UUID | None
    uri: str
    method: str
    status: str
    attempts: list[WebhookAttempt]
    """Every attempt, oldest first (the latest 50)."""
    attempt_count: int
    last_status_code: int
    last_error: str
    tm_next_attempt: datetime | None
    """When the next attempt is due (unset once delivered or failed)."""
    tm_create: datetime
    tm_update: datetime | None
    tm_delete: datetime | None


WEBHOOK_DELIVERIES = ResourceSpec(
    name="webhook_delivery",
    plural="webhook_deliveries",
    model=WebhookDelivery,
    verbs=frozenset({"list", "get"}),
    statuses=WEBHOOK_DELIVERY_STATUSES,
    filters=(
        Filter("event_type", "text", description="Deliveries of events of this type."),
        Filter("target", "enum", WEBHOOK_TARGETS),
        Filter("reference_id", "uuid", description="Deliveries of this resource's events."),
    ),
    actions=(
        Action(
            "retry",
            "POST",
            None,
            summary="Send a failed (dead) delivery again, with a fresh round of retries",
        ),
    ),
    summary=(
        "Webhook deliveries: every event sent to the customer's endpoints, with each "
        "attempt (customer admins)."
    ),
)
