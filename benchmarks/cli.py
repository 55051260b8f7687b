"""``python -m benchmarks``: flags, the run of the chosen benchmarks over the chosen backends,
and the report."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import FrameType
from typing import get_args

from benchmarks import events_report, report, startup
from benchmarks.calls import (
    LIST_SECONDS,
    LIST_WARMUP_SECONDS,
    PROCESSES,
    CallsPlan,
    CallsResult,
    run_calls,
)
from benchmarks.calls_seed import seed_caller
from benchmarks.databases import (
    DEFAULT_POSTGRES_ADMIN_URL,
    postgres_database,
    postgres_unreachable,
    require_loopback,
    sqlite_database,
)
from benchmarks.events import EventsPlan, EventsResult, run_events
from benchmarks.limiter import LimiterComparison, compare_limiter
from benchmarks.load import Choice, LoadGenerator, choose
from benchmarks.redis_store import DEFAULT_REDIS_URL, redis_unreachable
from benchmarks.seed import Seeded, seed_tags
from benchmarks.startup import StartupResult, run_startup
from benchmarks.tags_list import Comparison, Plan, compare

BACKENDS = ("sqlite", "postgres")
BARE = "bare"
LIMITER = "limiter"
CALLS = "calls"
EVENTS = "events"
STARTUP = "startup"
BENCHMARKS = (BARE, LIMITER, CALLS, EVENTS, STARTUP)
DEFAULT_BACKENDS = {
    BARE: BACKENDS,
    LIMITER: ("sqlite",),
    CALLS: BACKENDS,
    EVENTS: BACKENDS,
    STARTUP: ("sqlite",),
}
"""Without --backend: the first benchmark on both, the limiter's on SQLite (its cost is the
same on both, and three servers a round take long enough), the calls' and events' on both,
the start on SQLite (the default a new user meets)."""
DEFAULT_ROUNDS = {BARE: 1, LIMITER: 3, CALLS: 1, EVENTS: 1, STARTUP: 5}
# Per server and round: start, readiness check and stop take a few seconds on top.
_SERVER_OVERHEAD_SECONDS = 3
# Calls: how long the live calls' server is watched doing nothing else.
_IDLE_SECONDS = 5
# Calls: about what making (and reading back) a live call takes, for the estimate.
_LIVE_CALL_SECONDS = {"sqlite": 0.004, "postgres": 0.02}
# Events: seeding, and the wait for the last deliveries after the run.
_EVENTS_EXTRA_SECONDS = 10


def _bounded(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        value = int(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be from {low} to {high}")
        return value

    return parse


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Throughput of the authenticated tags list (page of 100), each server under "
        "granian with one worker: against a bare Starlette handler running the same query "
        "(bare), and with the rate limiter off, in memory and in Redis (limiter). Simulated "
        "calls per second through create, answer, talk and hangup, and the memory of calls "
        "that stay up (calls). Webhook events from the outbox to a local receiver: per second, "
        "latency, none lost, in order per resource (events).",
    )
    p.add_argument(
        "--benchmark",
        dest="benchmarks",
        action="append",
        choices=BENCHMARKS,
        help="benchmark to run (repeatable; default: all five)",
    )
    p.add_argument(
        "--backend",
        dest="backends",
        action="append",
        choices=BACKENDS,
        help="backend to run (repeatable; default: sqlite for limiter, both for the others)",
    )
    p.add_argument(
        "--duration", type=_bounded(1, 600), default=15, help="measured seconds per run (15)"
    )
    p.add_argument(
        "--warmup", type=_bounded(1, 120), default=5, help="warm-up seconds before each run (5)"
    )
    p.add_argument(
        "--concurrency", type=_bounded(1, 1000), default=32, help="open connections (32)"
    )
    p.add_argument(
        "--rounds",
        type=_bounded(1, 9),
        default=None,
        help="runs per server, changing the order each round; the median counts "
        f"({DEFAULT_ROUNDS[BARE]} for bare, {DEFAULT_ROUNDS[LIMITER]} for limiter; calls and "
        "events run once)",
    )
    p.add_argument(
        "--call-clients",
        type=_bounded(1, 500),
        default=32,
        help="calls: concurrent clients, each one call at a time (32)",
    )
    p.add_argument(
        "--live-calls",
        type=_bounded(1, 200_000),
        default=2000,
        help="calls: calls left up on one process to weigh its memory (2000)",
    )
    p.add_argument(
        "--poll-ms",
        type=_bounded(1, 1000),
        default=50,
        help="calls: pause in ms between two reads of a call awaiting a status (50)",
    )
    p.add_argument(
        "--event-clients",
        type=_bounded(1, 500),
        default=16,
        help="events: concurrent calls clients making the events (16)",
    )
    p.add_argument("--tags", type=_bounded(101, 100_000), default=1000, help="tags to seed (1000)")
    p.add_argument(
        "--load-generator",
        choices=get_args(Choice),
        default="auto",
        help="wrk, the Python generator, or auto: wrk when on PATH (auto)",
    )
    p.add_argument(
        "--postgres-admin-url",
        default=None,
        help="PostgreSQL URL allowed to create databases (default: $VOIPBIN_BENCH_POSTGRES, "
        f"else {DEFAULT_POSTGRES_ADMIN_URL}); loopback only",
    )
    p.add_argument(
        "--redis-url",
        default=None,
        help="Redis for the limiter's Redis runs (default: $VOIPBIN_BENCH_REDIS, else "
        f"{DEFAULT_REDIS_URL}); loopback only; only the benchmark's own keys are removed",
    )
    p.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 when a budget is missed, a run saw errors, or an event was lost or "
        "out of order",
    )
    return p


def say(message: str) -> None:
    print(f"  .. {message}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def database(backend: str, admin_url: str) -> Iterator[str]:
    if backend == "sqlite":
        with sqlite_database() as url:
            yield url
    else:
        with postgres_database(admin_url) as url:
            yield url


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    # Unwinding runs the cleanups: servers stopped, PostgreSQL database dropped.
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    chosen: list[str] = list(dict.fromkeys(args.benchmarks or BENCHMARKS))
    admin_url: str = (
        args.postgres_admin_url
        or os.environ.get("VOIPBIN_BENCH_POSTGRES")
        or DEFAULT_POSTGRES_ADMIN_URL
    )
    require_loopback(admin_url)
    redis_url: str = args.redis_url or os.environ.get("VOIPBIN_BENCH_REDIS") or DEFAULT_REDIS_URL
    require_loopback(redis_url)
    plans = {
        name: Plan(
            args.duration,
            args.warmup,
            args.concurrency,
            args.rounds or DEFAULT_ROUNDS[name],
            args.tags,
        )
        for name in chosen
    }
    load: LoadGenerator = choose(args.load_generator)
    calls_plan = CallsPlan(
        args.duration,
        args.warmup,
        args.call_clients,
        args.live_calls,
        idle_seconds=_IDLE_SECONDS,
        poll_seconds=args.poll_ms / 1000,
    )
    events_plan = EventsPlan(
        args.duration, args.warmup, args.event_clients, poll_seconds=args.poll_ms / 1000
    )

    wanted = {name: list(dict.fromkeys(args.backends or DEFAULT_BACKENDS[name])) for name in chosen}
    unreachable: dict[str, str | None] = {}
    for backend in dict.fromkeys(b for backends in wanted.values() for b in backends):
        unreachable[backend] = postgres_unreachable(admin_url) if backend == "postgres" else None
        if unreachable[backend] is not None:
            print(f"skipping {backend}: {unreachable[backend]}")
    runnable = {name: [b for b in wanted[name] if unreachable[b] is None] for name in chosen}
    redis_reason = redis_unreachable(redis_url) if runnable.get(LIMITER) else None
    if redis_reason is not None:
        print(f"limiter: skipping the Redis runs: {redis_reason}")
    limiter_redis = None if redis_reason is not None else redis_url

    if BARE in plans:
        plan = plans[BARE]
        per_server = plan.warmup + plan.seconds + _SERVER_OVERHEAD_SECONDS
        estimate = len(runnable[BARE]) * 2 * plan.rounds * per_server
        print(
            f"tags list, page of 100, {plan.tags} tags: "
            f"{', '.join(runnable[BARE]) or 'no backend'}; "
            f"load generator: {load.name}; {plan.concurrency} connections, "
            f"{plan.warmup}s warm-up + {plan.seconds}s measured, {plan.rounds} round(s); "
            f"granian, 1 worker each; about {estimate}s",
            flush=True,
        )
    if LIMITER in plans:
        plan = plans[LIMITER]
        per_server = plan.warmup + plan.seconds + _SERVER_OVERHEAD_SECONDS
        variants = 2 if limiter_redis is None else 3
        estimate = len(runnable[LIMITER]) * variants * plan.rounds * per_server
        print(
            f"limiter cost, same list: {', '.join(runnable[LIMITER]) or 'no backend'}; "
            f"limiter off, memory{'' if limiter_redis is None else ', redis'}; "
            f"{plan.concurrency} connections, {plan.warmup}s warm-up + {plan.seconds}s "
            f"measured, {plan.rounds} round(s); about {estimate}s",
            flush=True,
        )
    if CALLS in plans:
        estimate = sum(
            args.warmup
            + args.duration
            + calls_plan.live_warmup
            + calls_plan.idle_seconds
            + round(args.live_calls * _LIVE_CALL_SECONDS[backend])
            + LIST_WARMUP_SECONDS
            + LIST_SECONDS
            + 3 * _SERVER_OVERHEAD_SECONDS
            for backend in runnable[CALLS]
        )
        print(
            "calls, create -> progressing -> talk -> hangup -> hangup: "
            + (
                ", ".join(f"{b} ({PROCESSES[b]} process(es))" for b in runnable[CALLS])
                or "no backend"
            )
            + f"; {args.call_clients} clients, {args.warmup}s warm-up + {args.duration}s "
            f"measured; then {args.live_calls:,} live calls on one process; about {estimate}s",
            flush=True,
        )

    if EVENTS in plans:
        estimate = sum(
            args.warmup
            + args.duration
            + _EVENTS_EXTRA_SECONDS
            + PROCESSES[b] * _SERVER_OVERHEAD_SECONDS
            for b in runnable[EVENTS]
        )
        print(
            "events, outbox -> webhook receiver, made by calls: "
            + (
                ", ".join(f"{b} ({PROCESSES[b]} process(es))" for b in runnable[EVENTS])
                or "no backend"
            )
            + f"; {args.event_clients} clients, {args.warmup}s warm-up + {args.duration}s "
            f"measured, then every delivery awaited; about {estimate}s",
            flush=True,
        )

    if STARTUP in plans and runnable[STARTUP]:
        print(
            f"startup, voipbin serve on a new SQLite database to its first answer, beside a "
            f"bare granian app: {plans[STARTUP].rounds} round(s); about "
            f"{plans[STARTUP].rounds * 4}s",
            flush=True,
        )

    comparisons: list[Comparison] = []
    startup_result: StartupResult | None = None
    limiter_comparisons: list[LimiterComparison] = []
    calls_results: list[CallsResult] = []
    events_results: list[EventsResult] = []
    tags_benchmarks = (BARE, LIMITER)
    with tempfile.TemporaryDirectory(prefix="voipbin-bench-logs-") as logs:
        for backend in dict.fromkeys(b for backends in runnable.values() for b in backends):
            if any(backend in runnable.get(name, []) for name in tags_benchmarks):
                with database(backend, admin_url) as url:
                    say(f"{backend}: seeding {args.tags} tags through the app")
                    seeded: Seeded = seed_tags(url, args.tags)
                    if backend in runnable.get(BARE, []):
                        comparisons.append(
                            compare(backend, seeded, plans[BARE], load, Path(logs), say)
                        )
                    if backend in runnable.get(LIMITER, []):
                        limiter_comparisons.append(
                            compare_limiter(
                                backend,
                                seeded,
                                plans[LIMITER],
                                load,
                                Path(logs),
                                say,
                                limiter_redis,
                            )
                        )
            if backend in runnable.get(CALLS, []):
                with database(backend, admin_url) as url:
                    say(f"{backend}: seeding a customer ready to call")
                    calls_results.append(
                        run_calls(backend, seed_caller(url), calls_plan, load, Path(logs), say)
                    )
            if backend in runnable.get(EVENTS, []):
                with database(backend, admin_url) as url:
                    events_results.append(run_events(backend, url, events_plan, Path(logs), say))
            if backend in runnable.get(STARTUP, []):
                startup_result = run_startup(plans[STARTUP].rounds, Path(logs), say)
    ran = comparisons or limiter_comparisons or calls_results or events_results
    if not (ran or startup_result):
        return 1 if args.strict else 0

    if comparisons:
        print()
        print(report.details(comparisons))
        print()
        for comparison in comparisons:
            print(report.summary(comparison))
    if limiter_comparisons:
        print()
        print(report.limiter_details(limiter_comparisons))
        print()
        for limiter_comparison in limiter_comparisons:
            print("\n".join(report.limiter_summary(limiter_comparison)))
    if calls_results:
        print()
        print(report.calls_details(calls_results))
        print()
        print(report.live_details(calls_results))
        print()
        for result in calls_results:
            print("\n".join(report.calls_summary(result)))
        for problem in report.calls_problems(calls_results):
            print(problem)
    if events_results:
        print()
        print(events_report.details(events_results))
        for problem in events_report.problems(events_results):
            print(problem)
    if startup_result is not None:
        print()
        print(startup.details(startup_result))
        print()
        print(startup.summary(startup_result))
    if comparisons or limiter_comparisons or calls_results:
        print(f"load generator: {load.name}")
    met = (
        (startup_result is None or startup.budget_met(startup_result))
        and report.budget_met(comparisons)
        and report.limiter_budget_met(limiter_comparisons)
        and report.calls_budget_met(calls_results)
        and events_report.met(events_results)
    )
    if args.strict and not met:
        return 1
    return 0
