"""The calls benchmark, on one backend, on the real clock.

1. **Lifecycles per second**: the server runs as ``PROCESSES[backend]`` granian processes on
   the one database (one on SQLite, two on PostgreSQL: the jobs of a call are claimed by
   either). Clients spread over them each make call after call through
   create -> ``progressing`` -> talk -> hangup -> ``hangup`` (``callload.py``), warmed up, then
   measured for a fixed time; the servers' CPU is read meanwhile. Then the first process
   serves the list of calls (a page of 100) to the load generator for a few seconds: the CPU
   of a list request, which the budget counts a call's CPU in.
2. **Live calls**: a fresh single process, warmed up by a few seconds of lifecycles, makes
   ``live_calls`` calls that answer and stay up (each arms its one-hour limit, a
   ``call.max_duration`` job); all must read ``progressing``. The worker's RSS before and
   after, the rows and jobs in the database, and the process's CPU while it only holds them.

The simulator's rule answers the benchmark's number at once (``calls_seed.py``), so the
figures are the server's, not the built-in 3 s answer's.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks import callload
from benchmarks.callload import CallPlan, Lifecycles, LiveCalls
from benchmarks.calls_seed import READY_PATH, CallerSeed
from benchmarks.databases import count
from benchmarks.load import LoadGenerator
from benchmarks.memory import worker_rss_bytes
from benchmarks.servers import RunningServer, ServerSpec, running
from benchmarks.tags_list import Run

PROCESSES = {"sqlite": 1, "postgres": 2}
"""Server processes on each backend (SQLite's one writer is one process's)."""
TARGET = "voipbin.server.asgi:app_from_env"
_MAX_DURATION_JOB = "call.max_duration"
LIST_PATH = "/v1.0/calls?page_size=100"
LIST_WARMUP_SECONDS = 1
LIST_SECONDS = 5
LIST_CONNECTIONS = 16
CPU_BUDGET_LISTS = 10
"""DESIGN.md: a simulated call costs less than 10 list requests of CPU."""
LIVE_BUDGET_CALLS = 10_000
LIVE_BUDGET_BYTES = 2**30
"""DESIGN.md: one process holds 10,000 concurrent live calls, timers armed, in under 1 GiB."""


@dataclass(frozen=True)
class CallsPlan:
    seconds: int
    warmup: int
    clients: int
    live_calls: int
    idle_seconds: int
    """How long the live calls' server is watched holding them and doing nothing else."""
    poll_seconds: float
    live_warmup: int = 2
    """Seconds of lifecycles that run each code path before the live calls' RSS is read."""


@dataclass(frozen=True)
class LifecycleRun:
    processes: int
    clients: int
    load: Lifecycles
    server_cpu: float | None
    """CPU seconds every server process used during the measured run."""
    listing: Run
    """The list of calls (a page of 100) on the first process, after the lifecycles."""

    @property
    def cpu_per_lifecycle(self) -> float | None:
        if self.server_cpu is None or not self.load.finished:
            return None
        return self.server_cpu / self.load.finished

    @property
    def in_list_requests(self) -> float | None:
        """A lifecycle's CPU in list requests' CPU (the budget: under 10)."""
        call, listing = self.cpu_per_lifecycle, self.listing.cpu_per_request
        return call / listing if call is not None and listing else None


@dataclass(frozen=True)
class LiveRun:
    calls: LiveCalls
    rss_before: int | None
    rss_after: int | None
    progressing_rows: int
    max_duration_jobs: int
    jobs: int
    idle_cpu: float | None
    """The process's CPU seconds per second while it held the calls and nothing else."""

    @property
    def rss_per_call(self) -> float | None:
        if self.rss_before is None or self.rss_after is None or not self.calls.progressing:
            return None
        return (self.rss_after - self.rss_before) / self.calls.progressing

    @property
    def for_budget(self) -> float | None:
        """The worker's RSS with ``LIVE_BUDGET_CALLS`` calls up, at the growth measured."""
        per_call = self.rss_per_call
        if self.rss_before is None or per_call is None:
            return None
        return self.rss_before + max(per_call, 0.0) * LIVE_BUDGET_CALLS

    @property
    def clean(self) -> bool:
        n = self.calls.created
        return self.calls.clean and self.progressing_rows == n and self.max_duration_jobs == n


@dataclass(frozen=True)
class CallsResult:
    backend: str
    lifecycles: LifecycleRun
    live: LiveRun


def _specs(seed: CallerSeed, processes: int) -> list[ServerSpec]:
    return [ServerSpec(f"calls-{i + 1}", TARGET, seed.server_env) for i in range(processes)]


def _cpu(servers: Sequence[RunningServer]) -> float | None:
    readings = [s.cpu_seconds() for s in servers]
    known = [r for r in readings if r is not None]
    return sum(known) if len(known) == len(readings) else None


def run_calls(
    backend: str,
    seed: CallerSeed,
    plan: CallsPlan,
    load: LoadGenerator,
    logs: Path,
    say: Callable[[str], None],
) -> CallsResult:
    """Both parts of the calls benchmark on the database ``seed`` prepared."""
    call_plan = CallPlan(seed.source, seed.target, plan.poll_seconds)
    processes = PROCESSES[backend]
    with contextlib.ExitStack() as stack:
        servers = [
            stack.enter_context(running(spec, READY_PATH, seed.headers, logs))
            for spec in _specs(seed, processes)
        ]
        urls = [s.url("") for s in servers]
        label = f"{backend}: calls, {processes} process(es), {plan.clients} clients"
        say(f"{label}: warming up {plan.warmup}s")
        callload.lifecycles(urls, seed.headers, call_plan, plan.warmup, plan.clients)
        say(f"{label}: measuring {plan.seconds}s")
        before = _cpu(servers)
        lifecycles_run = callload.lifecycles(
            urls, seed.headers, call_plan, plan.seconds, plan.clients
        )
        after = _cpu(servers)
        cpu = None if before is None or after is None else after - before
        say(f"{label}: {lifecycles_run.per_second:,.1f} lifecycles/s")
        listing = _listing(servers[0], seed, load, backend, say)
        lifecycles = LifecycleRun(processes, plan.clients, lifecycles_run, cpu, listing)
    (spec, *_) = _specs(seed, 1)
    with running(spec, READY_PATH, seed.headers, logs) as server:
        live = _live(backend, server, seed, call_plan, plan, say)
    return CallsResult(backend, lifecycles, live)


def _listing(
    server: RunningServer,
    seed: CallerSeed,
    load: LoadGenerator,
    backend: str,
    say: Callable[[str], None],
) -> Run:
    """The list of calls, page of 100, for ``LIST_SECONDS``, and the server's CPU meanwhile."""
    url = server.url(LIST_PATH)
    say(f"{backend}: the list of calls for {LIST_SECONDS}s")
    load.run(url, seed.headers, LIST_WARMUP_SECONDS, LIST_CONNECTIONS)
    before = server.cpu_seconds()
    result = load.run(url, seed.headers, LIST_SECONDS, LIST_CONNECTIONS)
    after = server.cpu_seconds()
    return Run(result, None if before is None or after is None else after - before)


def _live(
    backend: str,
    server: RunningServer,
    seed: CallerSeed,
    call_plan: CallPlan,
    plan: CallsPlan,
    say: Callable[[str], None],
) -> LiveRun:
    url = server.url("")
    say(f"{backend}: live calls: warming up {plan.live_warmup}s")
    callload.lifecycles([url], seed.headers, call_plan, plan.live_warmup, plan.clients)
    rss_before = worker_rss_bytes(server.group)
    say(f"{backend}: making {plan.live_calls:,} calls that stay up")
    calls = callload.live(url, seed.headers, call_plan, plan.live_calls, plan.clients)
    say(f"{backend}: {calls.progressing:,} calls up; idle {plan.idle_seconds}s")
    cpu_before = server.cpu_seconds()
    time.sleep(plan.idle_seconds)
    cpu_after = server.cpu_seconds()
    rss_after = worker_rss_bytes(server.group)
    idle = (
        None
        if cpu_before is None or cpu_after is None
        else (cpu_after - cpu_before) / plan.idle_seconds
    )
    database = seed.database_url
    return LiveRun(
        calls,
        rss_before,
        rss_after,
        progressing_rows=count(
            database, "SELECT count(*) FROM call_calls WHERE status = 'progressing'"
        ),
        max_duration_jobs=count(
            database, f"SELECT count(*) FROM runtime_jobs WHERE kind = '{_MAX_DURATION_JOB}'"
        ),
        jobs=count(database, "SELECT count(*) FROM runtime_jobs"),
        idle_cpu=idle,
    )
