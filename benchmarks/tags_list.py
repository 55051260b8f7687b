"""The first benchmark: an authenticated list page of 100 tags, the real server against the bare
handler running the same statement, on one backend.

Each round starts each server in turn (the order alternates between rounds), checks it answers,
warms it up, then measures it for a fixed time with the same generator and concurrency. The two
runs of a round are back to back, so their ratio cancels slow drift in the machine's speed; with
several rounds the median of those ratios counts.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import msgspec

from benchmarks.bare import ENV as BARE_ENV
from benchmarks.load import LoadGenerator, LoadResult
from benchmarks.seed import Seeded
from benchmarks.servers import RunningServer, ServerSpec, running

VOIPBIN = "voipbin"
BARE = "bare"


@dataclass(frozen=True)
class Plan:
    seconds: int
    warmup: int
    concurrency: int
    rounds: int
    tags: int


@dataclass(frozen=True)
class Run:
    """One measured run of one server."""

    load: LoadResult
    server_cpu: float | None
    """CPU seconds the server's processes used during the measured time."""

    @property
    def requests_per_second(self) -> float:
        return self.load.requests_per_second

    @property
    def cpu_per_request(self) -> float | None:
        """Server CPU seconds per response."""
        if self.server_cpu is None or not self.load.requests:
            return None
        return self.server_cpu / self.load.requests


@dataclass(frozen=True)
class Round:
    voipbin: Run
    bare: Run

    @property
    def ratio(self) -> float:
        """voipbin's throughput over bare's."""
        bare = self.bare.requests_per_second
        return self.voipbin.requests_per_second / bare if bare else 0.0

    @property
    def cpu_ratio(self) -> float | None:
        """bare's CPU per request over voipbin's: the throughput ratio a server that only
        needed its CPU would see."""
        voipbin, bare = self.voipbin.cpu_per_request, self.bare.cpu_per_request
        return bare / voipbin if voipbin and bare else None


@dataclass(frozen=True)
class Comparison:
    """The two servers' figures on one backend."""

    backend: str
    rounds: list[Round]
    same_body: bool
    """Whether both answered the benchmarked request with the same bytes."""

    @property
    def ratio(self) -> float:
        """The median of the rounds' ratios."""
        return statistics.median(r.ratio for r in self.rounds)

    @property
    def cpu_ratio(self) -> float | None:
        ratios = [r.cpu_ratio for r in self.rounds]
        known = [r for r in ratios if r is not None]
        return statistics.median(known) if known else None

    @property
    def voipbin(self) -> Run:
        return median([r.voipbin for r in self.rounds])

    @property
    def bare(self) -> Run:
        return median([r.bare for r in self.rounds])

    @property
    def clean(self) -> bool:
        return all(r.voipbin.load.clean and r.bare.load.clean for r in self.rounds)


def servers(seeded: Seeded) -> list[ServerSpec]:
    bare_config = msgspec.json.encode(seeded.bare).decode()
    return [
        ServerSpec(VOIPBIN, "voipbin.server.asgi:app_from_env", seeded.server_env),
        ServerSpec(BARE, "benchmarks.bare:app_from_env", {BARE_ENV: bare_config}),
    ]


def compare(
    backend: str,
    seeded: Seeded,
    plan: Plan,
    load: LoadGenerator,
    logs: Path,
    say: Callable[[str], None],
) -> Comparison:
    """Rounds of both servers on the database ``seeded`` prepared."""
    bodies: dict[str, bytes] = {}
    specs = servers(seeded)
    rounds: list[Round] = []
    for round_index in range(plan.rounds):
        order = specs if round_index % 2 == 0 else specs[::-1]
        results: dict[str, Run] = {}
        for spec in order:
            with running(spec, seeded.path_and_query, seeded.headers, logs) as server:
                bodies[spec.name] = server.first_body
                label = f"{backend}: {spec.name}"
                warm_up(server, seeded, plan, load, label, say)
                results[spec.name] = measure(server, seeded, plan, load, label, say)
        rounds.append(Round(results[VOIPBIN], results[BARE]))
    return Comparison(backend, rounds, same_body=bodies[VOIPBIN] == bodies[BARE])


def warm_up(
    server: RunningServer,
    seeded: Seeded,
    plan: Plan,
    load: LoadGenerator,
    label: str,
    say: Callable[[str], None],
) -> None:
    """The benchmarked request for ``plan.warmup`` seconds, not measured."""
    say(f"{label} on port {server.port}: warming up {plan.warmup}s")
    load.run(server.url(seeded.path_and_query), seeded.headers, plan.warmup, plan.concurrency)


def measure(
    server: RunningServer,
    seeded: Seeded,
    plan: Plan,
    load: LoadGenerator,
    label: str,
    say: Callable[[str], None],
) -> Run:
    """The benchmarked request for ``plan.seconds`` seconds, and the server's CPU meanwhile."""
    say(f"{label}: measuring {plan.seconds}s")
    url = server.url(seeded.path_and_query)
    cpu_before = server.cpu_seconds()
    result = load.run(url, seeded.headers, plan.seconds, plan.concurrency)
    cpu_after = server.cpu_seconds()
    cpu = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
    run = Run(result, cpu)
    say(f"{label}: {run.requests_per_second:,.0f} req/s")
    return run


def median(runs: list[Run]) -> Run:
    """The run with the median throughput (the lower middle one for an even count)."""
    ordered = sorted(runs, key=lambda r: r.requests_per_second)
    return ordered[(len(ordered) - 1) // 2]
