"""The second benchmark: what the rate limiter costs the authenticated list page of 100 tags.

The real server runs three ways on the same seeded database: limiter ``off`` (every layer's
rate 0), on in ``memory`` (the per-IP and per-customer layers, with limits the load never
reaches) and on with ``redis`` (the same, the customer's bucket in Redis: one script per
request). Each round starts each in turn (the order rotates between rounds, so each takes
each place), warms it up and measures it like the first benchmark. The cost of a limiter is
``1 - its throughput / off's`` within a round (the runs of a round are back to back, so slow
drift in the machine's speed cancels); the median over the rounds counts.
"""

from __future__ import annotations

import contextlib
import http.client
import statistics
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import redis_store
from benchmarks.load import LoadGenerator
from benchmarks.seed import LIMITER_OFF, LIMITER_ON, Seeded
from benchmarks.servers import HOST, RunningServer, ServerSpec, running
from benchmarks.tags_list import Plan, Run, measure, median, warm_up

OFF = "off"
MEMORY = "memory"
REDIS = "redis"
VARIANTS = (OFF, MEMORY, REDIS)
BUDGETS = {MEMORY: 0.05, REDIS: 0.15}
"""DESIGN.md: the limiter costs at most 5% throughput in memory and 15% with Redis."""
_SCRIPTS_SEEN = 0.99
"""A Redis run whose server ran fewer scripts than this share of its responses answered some
of them from its in-process fallback: its figures are not Redis's."""
_LIMIT_HEADER = "x-ratelimit-limit"


@dataclass(frozen=True)
class RedisUse:
    """What the Redis server did during one measured run (for every client it has)."""

    cpu_seconds: float
    scripts: int


@dataclass(frozen=True)
class LimiterRun:
    run: Run
    redis: RedisUse | None = None
    """Only for the Redis runs, when Redis reports its counters."""

    @property
    def redis_cpu_per_request(self) -> float | None:
        if self.redis is None or not self.run.load.requests:
            return None
        return self.redis.cpu_seconds / self.run.load.requests

    @property
    def fell_back(self) -> bool:
        """Whether some requests were limited in the server's memory instead of in Redis."""
        if self.redis is None:
            return False
        return self.redis.scripts < _SCRIPTS_SEEN * self.run.load.requests

    @property
    def clean(self) -> bool:
        return self.run.load.clean and not self.fell_back


@dataclass(frozen=True)
class LimiterRound:
    runs: dict[str, LimiterRun]

    def cost(self, variant: str) -> float:
        """The share of off's throughput that ``variant`` loses."""
        off = self.runs[OFF].run.requests_per_second
        return 1 - self.runs[variant].run.requests_per_second / off if off else 1.0

    def cpu_cost(self, variant: str) -> float | None:
        """The throughput cost if the server were limited by its own CPU alone:
        ``1 - off's CPU per request / variant's``."""
        off, other = self.runs[OFF].run.cpu_per_request, self.runs[variant].run.cpu_per_request
        return 1 - off / other if off and other else None


@dataclass(frozen=True)
class LimiterComparison:
    """The server's figures with the limiter off, in memory and (if it answers) in Redis."""

    backend: str
    variants: tuple[str, ...]
    rounds: list[LimiterRound]
    same_body: bool
    """Whether every variant answered the benchmarked request with the same bytes."""
    problems: list[str] = field(default_factory=list)
    """Anything that makes the figures doubtful (a limiter that did not run, say)."""

    def cost(self, variant: str) -> float:
        return statistics.median(r.cost(variant) for r in self.rounds)

    def cpu_cost(self, variant: str) -> float | None:
        known = [c for c in (r.cpu_cost(variant) for r in self.rounds) if c is not None]
        return statistics.median(known) if known else None

    def run(self, variant: str) -> Run:
        """The run with the median throughput."""
        return median([r.runs[variant].run for r in self.rounds])

    def redis_cpu_per_request(self) -> float | None:
        known = [
            cpu
            for r in self.rounds
            if REDIS in r.runs and (cpu := r.runs[REDIS].redis_cpu_per_request) is not None
        ]
        return statistics.median(known) if known else None

    def clean(self, variant: str) -> bool:
        return all(r.runs[OFF].clean and r.runs[variant].clean for r in self.rounds)


def specs(seeded: Seeded, redis_url: str | None) -> list[ServerSpec]:
    target = "voipbin.server.asgi:app_from_env"
    base = {k: v for k, v in seeded.server_env.items() if not k.startswith("VOIPBIN_RATELIMIT_")}
    found = [
        ServerSpec(OFF, target, {**base, **LIMITER_OFF}),
        ServerSpec(MEMORY, target, {**base, **LIMITER_ON}),
    ]
    if redis_url is not None:
        found.append(
            ServerSpec(REDIS, target, {**base, **LIMITER_ON, "VOIPBIN_REDIS_URL": redis_url})
        )
    return found


def compare_limiter(
    backend: str,
    seeded: Seeded,
    plan: Plan,
    load: LoadGenerator,
    logs: Path,
    say: Callable[[str], None],
    redis_url: str | None,
) -> LimiterComparison:
    """Rounds of the server with the limiter off, in memory and, when ``redis_url`` is given,
    in Redis, on the database ``seeded`` prepared."""
    servers = specs(seeded, redis_url)
    bodies: dict[str, bytes] = {}
    problems: list[str] = []
    rounds: list[LimiterRound] = []
    with _keys_removed(redis_url, seeded.customer_id):
        for round_index in range(plan.rounds):
            shift = round_index % len(servers)
            results: dict[str, LimiterRun] = {}
            for spec in servers[shift:] + servers[:shift]:
                with running(spec, seeded.path_and_query, seeded.headers, logs) as server:
                    bodies[spec.name] = server.first_body
                    problem = _limiter_problem(server, seeded, spec.name)
                    if problem and problem not in problems:
                        problems.append(problem)
                    label = f"{backend}: limiter {spec.name}"
                    warm_up(server, seeded, plan, load, label, say)
                    if spec.name == REDIS and redis_url is not None:
                        results[spec.name] = _measure_with_redis(
                            server, seeded, plan, load, label, say, redis_url
                        )
                    else:
                        results[spec.name] = LimiterRun(
                            measure(server, seeded, plan, load, label, say)
                        )
                if spec.name == REDIS and redis_url is not None:
                    redis_store.delete_keys_naming(redis_url, seeded.customer_id)
            rounds.append(LimiterRound(results))
    variants = tuple(s.name for s in servers)
    same_body = len(set(bodies.values())) == 1
    return LimiterComparison(backend, variants, rounds, same_body, problems)


def _measure_with_redis(
    server: RunningServer,
    seeded: Seeded,
    plan: Plan,
    load: LoadGenerator,
    label: str,
    say: Callable[[str], None],
    redis_url: str,
) -> LimiterRun:
    before = redis_store.sample(redis_url)
    run = measure(server, seeded, plan, load, label, say)
    after = redis_store.sample(redis_url)
    if before is None or after is None:
        return LimiterRun(run)
    use = RedisUse(after.cpu_seconds - before.cpu_seconds, after.scripts - before.scripts)
    return LimiterRun(run, use)


@contextlib.contextmanager
def _keys_removed(redis_url: str | None, customer_id: str) -> Iterator[None]:
    """Whatever happens, the customer's buckets are gone from Redis afterwards."""
    try:
        yield
    finally:
        if redis_url is not None:
            with contextlib.suppress(Exception):
                redis_store.delete_keys_naming(redis_url, customer_id)


def _limiter_problem(server: RunningServer, seeded: Seeded, variant: str) -> str | None:
    """Why ``variant``'s answer shows that its limiter is not what it should be, if it does:
    the limiter's headers are on every limited answer, and on no other."""
    connection = http.client.HTTPConnection(HOST, server.port, timeout=5)
    try:
        connection.request("GET", seeded.path_and_query, headers=seeded.headers)
        response = connection.getresponse()
        response.read()
        limited = response.getheader(_LIMIT_HEADER) is not None
    except OSError as exc:
        return f"limiter {variant}: the header check failed ({exc})"
    finally:
        connection.close()
    if limited != (variant != OFF):
        state = "has" if limited else "lacks"
        return f"limiter {variant}: the answer {state} the X-RateLimit headers"
    return None
