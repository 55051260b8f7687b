"""The events benchmark, on one backend, on the real clock: events from the outbox to the
customer's webhook receiver.

The customer's ``webhook_uri`` is a receiver process of the benchmark's (``receiver.py``:
answers ``204`` at once, notes each event's id, type, resource and arrival time). The server
runs as ``PROCESSES[backend]`` granian processes on the one database (one on SQLite, two on
PostgreSQL: either may send any lane's next delivery). Events are made by the calls
benchmark's clients (``callload.py``): call after call through create -> ``progressing`` ->
talk -> hangup -> ``hangup``, every step of which writes the call's events. After a warm-up
the making is measured for a fixed time, then the benchmark waits for every delivery to end
(``drain``), stops the servers and the receiver, and compares what the outbox holds with
what arrived:

- the rate: events written (``tm_create``) and events first arriving, both within the
  measured window, over its length;
- the latency of each event written in the window: its first arrival minus its ``tm_create``
  (both the wall clock of this machine);
- every event written must arrive (``lost``); an event arriving twice is a duplicate
  (allowed, at least once, but reported); per resource, the first arrivals must come in the
  order of ``tm_create`` (``order``: events that arrived after a later one of their resource).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import callload
from benchmarks.callload import CallPlan, Lifecycles
from benchmarks.calls import PROCESSES, TARGET
from benchmarks.calls_seed import READY_PATH
from benchmarks.databases import count, rows
from benchmarks.events_seed import seed_receiving
from benchmarks.receiver import Arrival, Received, receiving
from benchmarks.servers import ServerSpec, running
from voipbin.common.timestamps import parse_timestamp

DRAIN_SECONDS = 120.0
"""The longest the benchmark waits, after the making stops, for every delivery to end."""
_DRAIN_PAUSE = 0.25
_UNFINISHED = "SELECT count(*) FROM webhook_deliveries WHERE status IN ('pending', 'delivering')"


@dataclass(frozen=True)
class EventsPlan:
    seconds: int
    warmup: int
    clients: int
    poll_seconds: float


@dataclass(frozen=True)
class Written:
    """An event as the outbox holds it."""

    id: str
    resource_id: str
    created: float
    """``tm_create`` in wall-clock seconds."""


@dataclass(frozen=True)
class EventsResult:
    backend: str
    processes: int
    clients: int
    calls: Lifecycles
    window: tuple[float, float]
    """The measured window, wall-clock seconds."""
    written: int
    """Events of the customer in the outbox (the warm-up's included)."""
    written_in_window: int
    delivered: int
    """Distinct events written that arrived."""
    delivered_in_window: int
    """Events whose first arrival fell in the window."""
    duplicates: int
    """Arrivals beyond each event's first."""
    unknown: int
    """Arrivals of events the outbox does not hold, or that the receiver could not read."""
    order_violations: int
    p50_ms: float | None
    p99_ms: float | None
    max_ms: float | None
    drain_seconds: float
    """From the end of the window until no delivery was pending or on its way."""
    drained: bool
    deliveries: dict[str, int]
    """The customer's ``webhook_deliveries`` by status at the end."""
    retried: int
    """Deliveries that took more than one attempt."""

    @property
    def seconds(self) -> float:
        return self.window[1] - self.window[0]

    @property
    def written_per_second(self) -> float:
        return self.written_in_window / self.seconds if self.seconds > 0 else 0.0

    @property
    def delivered_per_second(self) -> float:
        return self.delivered_in_window / self.seconds if self.seconds > 0 else 0.0

    @property
    def lost(self) -> int:
        return self.written - self.delivered

    @property
    def clean(self) -> bool:
        """Every event arrived, in order, and the calls ran without a failure."""
        return (
            self.written > 0
            and self.lost == 0
            and self.order_violations == 0
            and self.unknown == 0
            and self.drained
            and self.calls.clean
        )


def _specs(env: dict[str, str], processes: int) -> list[ServerSpec]:
    return [ServerSpec(f"events-{i + 1}", TARGET, env) for i in range(processes)]


def run_events(
    backend: str,
    database_url: str,
    plan: EventsPlan,
    logs: Path,
    say: Callable[[str], None],
) -> EventsResult:
    """The events benchmark on the empty database at ``database_url``."""
    processes = PROCESSES[backend]
    with receiving(logs) as receiver:
        say(f"{backend}: seeding a customer ready to call, its webhook to {receiver.url}")
        seed = seed_receiving(database_url, receiver.url)
        call_plan = CallPlan(seed.source, seed.target, plan.poll_seconds)
        with contextlib.ExitStack() as stack:
            servers = [
                stack.enter_context(running(spec, READY_PATH, seed.headers, logs))
                for spec in _specs(seed.server_env, processes)
            ]
            urls = [s.url("") for s in servers]
            label = f"{backend}: events, {processes} process(es), {plan.clients} clients"
            say(f"{label}: warming up {plan.warmup}s")
            callload.lifecycles(urls, seed.headers, call_plan, plan.warmup, plan.clients)
            say(f"{label}: measuring {plan.seconds}s")
            started = time.time()
            calls = callload.lifecycles(urls, seed.headers, call_plan, plan.seconds, plan.clients)
            ended = started + plan.seconds
            say(f"{label}: waiting for the deliveries to end")
            drained = _drain(database_url)
            drain_seconds = time.time() - ended
        received = receiver.collect()
    written = _written(database_url, seed.customer_id)
    deliveries = {
        str(status): int(str(n))
        for status, n in rows(
            database_url,
            "SELECT status, count(*) FROM webhook_deliveries "
            f"WHERE customer_id = '{seed.customer_id}' GROUP BY status",
        )
    }
    retried = count(
        database_url,
        "SELECT count(*) FROM webhook_deliveries "
        f"WHERE customer_id = '{seed.customer_id}' AND attempt_count > 1",
    )
    return tally(
        backend,
        processes,
        plan.clients,
        calls,
        (started, ended),
        written,
        received,
        drained=drained,
        drain_seconds=drain_seconds,
        deliveries=deliveries,
        retried=retried,
    )


def _drain(database_url: str) -> bool:
    """Wait until no delivery is pending or on its way; whether that happened in time."""
    deadline = time.monotonic() + DRAIN_SECONDS
    while time.monotonic() < deadline:
        if count(database_url, _UNFINISHED) == 0:
            return True
        time.sleep(_DRAIN_PAUSE)
    return False


def _seconds(value: object) -> float:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
    return parse_timestamp(str(value)).timestamp()


def _written(database_url: str, customer_id: str) -> list[Written]:
    return [
        Written(str(id), str(resource_id), _seconds(created))
        for id, resource_id, created in rows(
            database_url,
            "SELECT id, resource_id, tm_create FROM event_outbox "
            f"WHERE customer_id = '{customer_id}'",
        )
    ]


def _percentile(ordered: Sequence[float], q: float) -> float | None:
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def tally(
    backend: str,
    processes: int,
    clients: int,
    calls: Lifecycles,
    window: tuple[float, float],
    written: Sequence[Written],
    received: Received,
    *,
    drained: bool,
    drain_seconds: float,
    deliveries: dict[str, int],
    retried: int,
) -> EventsResult:
    """What the outbox wrote against what the receiver saw."""
    by_id = {w.id: w for w in written}
    first: dict[str, Arrival] = {}
    duplicates = unknown = 0
    for arrival in sorted(received.arrivals, key=lambda a: a.at):
        if arrival.event_id not in by_id:
            unknown += 1
        elif arrival.event_id in first:
            duplicates += 1
        else:
            first[arrival.event_id] = arrival
    # Per resource, first arrivals in arrival order: one whose creation is older than an
    # event of its resource that arrived before it came out of order.
    newest: dict[str, float] = {}
    violations = 0
    for arrival in first.values():
        created = by_id[arrival.event_id].created
        resource = by_id[arrival.event_id].resource_id
        if created < newest.get(resource, float("-inf")):
            violations += 1
        else:
            newest[resource] = created
    start, end = window
    in_window = [w for w in written if start <= w.created < end]
    latencies = sorted(first[w.id].at - w.created for w in in_window if w.id in first)
    return EventsResult(
        backend=backend,
        processes=processes,
        clients=clients,
        calls=calls,
        window=window,
        written=len(by_id),
        written_in_window=len(in_window),
        delivered=len(first),
        delivered_in_window=sum(1 for a in first.values() if start <= a.at < end),
        duplicates=duplicates,
        unknown=unknown + received.unreadable,
        order_violations=violations,
        p50_ms=_percentile(latencies, 0.50),
        p99_ms=_percentile(latencies, 0.99),
        max_ms=latencies[-1] * 1000 if latencies else None,
        drain_seconds=drain_seconds,
        drained=drained,
        deliveries=deliveries,
        retried=retried,
    )
