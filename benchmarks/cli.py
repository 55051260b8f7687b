"""``python -m benchmarks``: flags, the run over the chosen backends, and the report."""

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

from benchmarks import report
from benchmarks.databases import (
    DEFAULT_POSTGRES_ADMIN_URL,
    postgres_database,
    postgres_unreachable,
    require_loopback,
    sqlite_database,
)
from benchmarks.load import Choice, LoadGenerator, choose
from benchmarks.tags_list import Comparison, Plan, compare

BACKENDS = ("sqlite", "postgres")
# Per server and round: start, readiness check and stop take a few seconds on top.
_SERVER_OVERHEAD_SECONDS = 3


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
        description="Throughput of the authenticated tags list (page of 100) against a bare "
        "Starlette handler running the same query, each under granian with one worker.",
    )
    p.add_argument(
        "--backend",
        dest="backends",
        action="append",
        choices=BACKENDS,
        help="backend to run (repeatable; default: both)",
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
        default=1,
        help="runs per server, alternating the order; the median counts (1)",
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
        "--strict",
        action="store_true",
        help="exit 1 when a budget is missed or a run saw errors",
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
    backends: list[str] = args.backends or list(BACKENDS)
    admin_url: str = (
        args.postgres_admin_url
        or os.environ.get("VOIPBIN_BENCH_POSTGRES")
        or DEFAULT_POSTGRES_ADMIN_URL
    )
    require_loopback(admin_url)
    plan = Plan(args.duration, args.warmup, args.concurrency, args.rounds, args.tags)
    load: LoadGenerator = choose(args.load_generator)

    runnable: list[str] = []
    for backend in dict.fromkeys(backends):
        reason = postgres_unreachable(admin_url) if backend == "postgres" else None
        if reason is None:
            runnable.append(backend)
        else:
            print(f"skipping {backend}: {reason}")
    per_server = plan.warmup + plan.seconds + _SERVER_OVERHEAD_SECONDS
    estimate = len(runnable) * 2 * plan.rounds * per_server
    print(
        f"tags list, page of 100, {plan.tags} tags: {', '.join(runnable) or 'no backend'}; "
        f"load generator: {load.name}; {plan.concurrency} connections, "
        f"{plan.warmup}s warm-up + {plan.seconds}s measured, {plan.rounds} round(s); "
        f"granian, 1 worker each; about {estimate}s",
        flush=True,
    )

    comparisons: list[Comparison] = []
    with tempfile.TemporaryDirectory(prefix="voipbin-bench-logs-") as logs:
        for backend in runnable:
            with database(backend, admin_url) as url:
                comparisons.append(compare(backend, url, plan, load, Path(logs), say))
    if not comparisons:
        return 1 if args.strict else 0

    print()
    print(report.details(comparisons))
    print()
    for comparison in comparisons:
        print(report.summary(comparison))
    print(f"load generator: {load.name}")
    if args.strict and not report.budget_met(comparisons):
        return 1
    return 0
