"""The statements behind the event outbox: the generic repository over ``event_outbox``
(an append-only table: insert with a unique creation time, and a keyset list of one
resource's events served by its ``(resource, resource_id, tm_create)`` index)."""

from __future__ import annotations

from voipbin.server.storage.clock import CreationClock
from voipbin.server.storage.database import Database
from voipbin.server.storage.repository import Repository
from voipbin.server.storage.tables import event_outbox

#: The columns an event row is read with, in this order.
EVENT_FIELDS = ("id", "customer_id", "type", "resource", "resource_id", "data", "tm_create")


def outbox_repository(db: Database, clock: CreationClock) -> Repository:
    """The repository of the outbox, sharing ``clock`` with every other table's."""
    return Repository(db, event_outbox, EVENT_FIELDS, clock)
