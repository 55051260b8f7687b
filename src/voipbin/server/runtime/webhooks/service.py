"""Webhook delivery: at least once, in order per resource, signed, logged.

At emit time (an outbox listener, in the transaction of the event), each target of the event
gets a ``webhook_deliveries`` row: the customer's ``webhook_uri`` when set, and the
``webhook_uri`` of the activeflow the event's resource names in ``activeflow_id`` (not the
activeflow's own events, which carry ``id``: upstream's rule). Its body is fixed then
(``{"type", "data"}``), so every attempt and every duplicate sends the same bytes.

Deliveries go out by **lane**: one per target URI and resource. A lane's oldest delivery not
yet delivered or failed (its head) goes first; a later one waits until it is delivered or
dead. A lane job (``webhook.lane``, scheduled with each delivery and after each outcome)
takes the head from ``pending`` to ``delivering`` with one conditional UPDATE (so of several
processes and duplicate jobs, one wins) and starts the attempt in the background, off every
transaction. The outcome is recorded in a transaction of its own, conditional on the attempt
still being the delivery's latest; it schedules the lane's next step (now, or the retry's
time). A guard job (``webhook.guard``), due after the attempt's timeout and a grace, records
"no outcome" for an attempt whose process died, and the delivery is retried: nothing is lost,
and a duplicate carries the same event id. (A guard that finds its attempt still running in
this process, as when a virtual clock jumps past the timeout, looks again later.)

The signature is made at each attempt with the secrets valid then (after a rotation, the
current and the previous one for the overlap). A ``webhook_send`` action's delivery is the
same, with its raw ``data`` as the body; ``sync`` makes the flow wait for the first attempt's
outcome (fed back as ``ActionFinished``).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from typing import Any
from uuid import NAMESPACE_URL, uuid5

import msgspec

from voipbin.common import webhooks as signing
from voipbin.common.errors import FailedPrecondition
from voipbin.common.ids import EMPTY_UUID_TEXT
from voipbin.common.timestamps import SENTINEL_TEXT, format_timestamp, parse_timestamp
from voipbin.models.webhook_delivery import WebhookAttempt, WebhookDelivery
from voipbin.server.runtime.clock import Clock
from voipbin.server.runtime.events.outbox import Emitted, Outbox
from voipbin.server.runtime.jobs import Job, Jobs
from voipbin.server.runtime.webhooks import policy
from voipbin.server.runtime.webhooks.sender import Sender
from voipbin.server.settings import Settings, retry_schedule
from voipbin.server.storage.clock import CreationClock
from voipbin.server.storage.database import Database, Executor, Row
from voipbin.server.storage.repository import Repository
from voipbin.server.storage.tables import (
    activeflow_activeflows,
    customer_customers,
    webhook_deliveries,
)
from voipbin.server.storage.webhooks import DeliveryRows

log = logging.getLogger("voipbin.runtime.webhooks")

JOB_LANE = "webhook.lane"
JOB_GUARD = "webhook.guard"
#: How long after an attempt's timeout its guard is due.
GUARD_GRACE = timedelta(seconds=5)
#: The most attempts a delivery keeps (the latest).
ATTEMPTS_KEPT = 50

PUBLIC_FIELDS: tuple[str, ...] = WebhookDelivery.__struct_fields__
FIELDS = (*PUBLIC_FIELDS, "lane", "round_start", "body", "content_type", "flow_token")
_F = {name: i for i, name in enumerate(FIELDS)}
_SECRETS = ("webhook_secret", "webhook_secret_previous", "tm_webhook_secret_rotate")
_attempts_decoder = msgspec.json.Decoder(list[WebhookAttempt])
_encoder = msgspec.json.Encoder()

#: Feeds ``ActionFinished(token)`` to an activeflow in the caller's transaction (a
#: ``webhook_send`` with ``sync`` waits for it).
Answer = Callable[[Executor, str, int], Awaitable[None]]


def lane_of(uri: str, reference_id: str) -> str:
    """The lane of a target URI and resource (a UUID, as jobs are keyed)."""
    return str(uuid5(NAMESPACE_URL, f"{uri}\n{reference_id}"))


def envelope(type: str, data: bytes) -> bytes:
    """The body of an event's delivery: ``{"type": ..., "data": ...}``, byte for byte."""
    return b'{"type":' + _encoder.encode(type) + b',"data":' + data + b"}"


def _activeflow_of(source: object) -> str | None:
    value = source.get("activeflow_id") if isinstance(source, Mapping) else None
    if value is None and isinstance(source, msgspec.Struct):
        value = getattr(source, "activeflow_id", None)
    text = "" if value is None else str(value)
    return text if text and text != EMPTY_UUID_TEXT else None


class Webhooks:
    """The webhook deliveries of one server process (any process may send any of them)."""

    def __init__(
        self,
        db: Database,
        clock: CreationClock,
        runtime_clock: Clock,
        jobs: Jobs,
        settings: Settings,
        *,
        sender: Sender | None = None,
        random: Callable[[], float] = random.random,
    ) -> None:
        self.db = db
        self.clock = runtime_clock
        self.jobs = jobs
        self.rows = DeliveryRows(db, webhook_deliveries, FIELDS, clock)
        self.customers = Repository(
            db, customer_customers, ("webhook_uri", "webhook_method", *_SECRETS), clock
        )
        self.activeflows = Repository(
            db, activeflow_activeflows, ("webhook_uri", "webhook_method"), clock
        )
        self.sender = sender or Sender(
            allow_private=settings.webhook_allow_private,
            timeout=settings.webhook_timeout_seconds,
        )
        self.schedule = retry_schedule(settings.webhook_retry_schedule)
        self.overlap = timedelta(seconds=settings.webhook_secret_overlap_seconds)
        self.random = random
        self.answer: Answer | None = None
        """How a ``sync`` ``webhook_send`` is answered (the flow runner's, set by the app)."""
        self._attempts: set[asyncio.Task[None]] = set()
        self._in_flight: dict[str, int] = {}
        """The attempt of each delivery this process is sending now, by delivery id."""

    def register(self, outbox: Outbox) -> None:
        """Deliver every event ``outbox`` writes from now on, by the jobs."""
        outbox.add_listener(self.on_event)
        self.jobs.register(JOB_LANE, self._on_lane)
        self.jobs.register(JOB_GUARD, self._on_guard)

    # -- creating deliveries ---------------------------------------------------------------

    async def on_event(self, executor: Executor, event: Emitted) -> None:
        """The deliveries of ``event``, in its transaction (one per target)."""
        if event.customer_id == EMPTY_UUID_TEXT:
            return
        targets: list[tuple[str, str, str, str]] = []
        customer = await self.customers.find(
            ("webhook_uri", "webhook_method"), {"id": event.customer_id}, executor=executor
        )
        if customer is not None and customer[0]:
            targets.append(("customer", str(customer[0]), str(customer[1]), EMPTY_UUID_TEXT))
        activeflow_id = _activeflow_of(event.source)
        if activeflow_id is not None and event.resource != "activeflow":
            activeflow = await self.activeflows.find(
                ("webhook_uri", "webhook_method"),
                {"id": activeflow_id, "customer_id": event.customer_id},
                executor=executor,
            )
            if activeflow is not None and activeflow[0]:
                uri, method = str(activeflow[0]), str(activeflow[1])
                targets.append(("activeflow", uri, method, activeflow_id))
        if not targets:
            return
        body = envelope(event.type, event.data).decode()
        for target, uri, method, flow in targets:
            await self.create(
                executor,
                customer_id=event.customer_id,
                event_id=event.id,
                event_type=event.type,
                reference_type=event.resource,
                reference_id=event.resource_id,
                target=target,
                uri=uri,
                method=method,
                activeflow_id=flow,
                body=body,
            )

    async def create(
        self,
        executor: Executor,
        *,
        customer_id: str,
        event_type: str,
        reference_type: str,
        reference_id: str,
        target: str,
        uri: str,
        method: str,
        body: str,
        event_id: str = EMPTY_UUID_TEXT,
        activeflow_id: str = EMPTY_UUID_TEXT,
        content_type: str = "application/json",
        flow_token: int = 0,
    ) -> Row:
        """A new delivery, due now in its lane, in ``executor``'s transaction; its row."""
        now = self.clock.now()
        lane = lane_of(uri, reference_id)
        row = await self.rows.insert(
            {
                "customer_id": customer_id,
                "event_id": event_id,
                "event_type": event_type,
                "reference_type": reference_type,
                "reference_id": reference_id,
                "target": target,
                "activeflow_id": activeflow_id,
                "uri": uri,
                "method": method.upper() or "POST",
                "status": "pending",
                "tm_next_attempt": now,
                "lane": lane,
                "body": body,
                "content_type": content_type,
                "flow_token": flow_token,
            },
            executor,
        )
        await self.jobs.schedule(executor, JOB_LANE, lane, now)
        return row

    # -- the lanes -------------------------------------------------------------------------

    async def _on_lane(self, executor: Executor, job: Job) -> None:
        head = await self.rows.lane_head(executor, job.resource_id)
        if head is None or head[_F["status"]] != "pending":
            return  # empty, or an attempt on its way (its outcome moves the lane on)
        now = self.clock.now()
        if parse_timestamp(str(head[_F["tm_next_attempt"]])) > now:
            return  # waiting for a retry: the job due then moves it
        id, count = str(head[_F["id"]]), int(head[_F["attempt_count"]])
        attempt = count + 1
        updated = await self.rows.update(
            id,
            {"status": "delivering", "attempt_count": attempt},
            expected={"status": "pending", "attempt_count": count},
            executor=executor,
        )
        if updated is None:
            return
        due = now + timedelta(seconds=self.sender.timeout) + GUARD_GRACE
        payload = {"attempt": attempt, "started": format_timestamp(now)}
        await self.jobs.schedule(executor, JOB_GUARD, id, due, payload)
        secrets = await self._secrets(executor, str(head[_F["customer_id"]]), now)

        def done(task: asyncio.Task[None]) -> None:
            self._attempts.discard(task)
            if self._in_flight.get(id) == attempt:
                del self._in_flight[id]

        def start() -> None:
            # Only once ``delivering`` is committed: an outcome recorded sooner would find
            # the delivery still pending and be lost (the guard would send it again).
            self._in_flight[id] = attempt
            task = asyncio.get_running_loop().create_task(
                self._attempt(updated, attempt, secrets), name=f"webhook {id}"
            )
            self._attempts.add(task)
            task.add_done_callback(done)

        job.on_commit(start)

    async def _secrets(self, executor: Executor, customer_id: str, now: datetime) -> list[str]:
        """The secrets valid now, current first (the previous one during the overlap)."""
        row = await self.customers.get(customer_id, executor)
        if row is None:
            return []
        current, previous, rotated = (str(v) for v in row[2:5])
        secrets = [current]
        recent = rotated != SENTINEL_TEXT and now - parse_timestamp(rotated) < self.overlap
        if previous and recent:
            secrets.append(previous)
        return secrets

    async def _attempt(self, row: Row, attempt: int, secrets: list[str]) -> None:
        body = str(row[_F["body"]]).encode()
        now = self.clock.now()
        headers = signing.signed_headers(
            body, str(row[_F["event_id"]]), int(now.timestamp()), secrets
        )
        headers["Content-Type"] = str(row[_F["content_type"]]) or "application/json"
        outcome = await self.sender.send(
            str(row[_F["uri"]]), str(row[_F["method"]]), body, headers, now
        )
        try:
            async with self.db.transaction() as tx:
                await self._record(tx, str(row[_F["id"]]), attempt, now, outcome)
        except Exception:
            # The guard job records "no outcome" and the delivery is retried.
            log.exception("webhook delivery %s: attempt %d's outcome was lost", row[0], attempt)

    async def _on_guard(self, executor: Executor, job: Job) -> None:
        attempt = int(job.payload["attempt"])
        if self._in_flight.get(job.resource_id) == attempt:
            # This process is still at it (a virtual clock moved past the timeout, or its
            # outcome is being recorded): look again later, with the same start.
            due = self.clock.now() + timedelta(seconds=self.sender.timeout) + GUARD_GRACE
            await self.jobs.schedule(executor, JOB_GUARD, job.resource_id, due, job.payload)
            return
        started = parse_timestamp(str(job.payload["started"]))
        outcome = policy.Outcome(
            0,
            int((self.clock.now() - started).total_seconds() * 1000),
            "no outcome: the attempt did not finish (its server process stopped?)",
        )
        await self._record(executor, job.resource_id, attempt, started, outcome)

    async def _record(
        self,
        executor: Executor,
        id: str,
        attempt: int,
        started: datetime,
        outcome: policy.Outcome,
    ) -> None:
        """Record ``outcome`` of ``attempt`` (if it is still the delivery's latest) and move
        the lane on."""
        row = await self.rows.get(id, executor)
        if row is None or row[_F["status"]] != "delivering":
            return
        if int(row[_F["attempt_count"]]) != attempt:
            return
        now = self.clock.now()
        kept = _attempts_decoder.decode(bytes(row[_F["attempts"]]))
        kept.append(
            WebhookAttempt(
                tm=started,
                status_code=outcome.status_code,
                latency_ms=outcome.latency_ms,
                error=outcome.error,
            )
        )
        values: dict[str, Any] = {
            "attempts": _encoder.encode(kept[-ATTEMPTS_KEPT:]).decode(),
            "last_status_code": outcome.status_code,
            "last_error": outcome.error,
            "tm_next_attempt": None,
        }
        status = policy.verdict(outcome)
        due = now
        if status == "retry":
            round_attempts = attempt - int(row[_F["round_start"]])
            wait = policy.next_wait(self.schedule, round_attempts, outcome, self.random)
            if wait is None:
                status = "failed"
            else:
                due = now + timedelta(seconds=wait)
                values["tm_next_attempt"] = due
        values["status"] = "pending" if status == "retry" else status
        updated = await self.rows.update(
            id,
            values,
            expected={"status": "delivering", "attempt_count": attempt},
            executor=executor,
        )
        if updated is None:
            return
        await self.jobs.cancel(executor, JOB_GUARD, id)
        await self.jobs.schedule(executor, JOB_LANE, str(row[_F["lane"]]), due)
        token = int(row[_F["flow_token"]])
        if token and attempt == 1 and self.answer is not None:
            await self.answer(executor, str(row[_F["activeflow_id"]]), token)
        if status == "failed":
            log.info("webhook delivery %s is dead: %s", id, outcome.error)

    # -- the API ---------------------------------------------------------------------------

    async def retry(self, delivery_id: str) -> Row:
        """Send a dead delivery again with a fresh round of retries; its row after (public
        fields). 409 when it is not dead."""
        async with self.db.transaction() as tx:
            row = await self.rows.get(delivery_id, tx)
            count = 0 if row is None else int(row[_F["attempt_count"]])
            now = self.clock.now()
            updated = await self.rows.update(
                delivery_id,
                {"status": "pending", "round_start": count, "tm_next_attempt": now},
                expected={"status": "failed", "attempt_count": count},
                executor=tx,
            )
            if updated is None:
                raise FailedPrecondition(
                    "WEBHOOK_DELIVERY_STATE_INVALID", "Only a failed delivery is retried."
                )
            await self.jobs.schedule(tx, JOB_LANE, str(updated[_F["lane"]]), now)
        return updated[: len(PUBLIC_FIELDS)]

    async def settle(self) -> None:
        """Wait for the attempts on their way now (tests, and a stopping server)."""
        while self._attempts:
            await asyncio.gather(*self._attempts, return_exceptions=True)

    async def close(self) -> None:
        """Cancel the attempts on their way (their guards retry them)."""
        for task in list(self._attempts):
            task.cancel()
        await asyncio.gather(*self._attempts, return_exceptions=True)
