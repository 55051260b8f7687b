"""The Redis the limiter benchmark's servers share: whether it answers, what it did during a run
(its own CPU time and the scripts it ran, from ``INFO``), and removing the benchmark's keys.

The benchmark uses its own database index (``/15`` by default, never the tests' ``/0``), and
removes only the keys that name the customer it seeded (a random id), so it never touches
anybody else's data: no ``FLUSHDB``, no ``FLUSHALL``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import redis

from benchmarks.databases import require_loopback

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
TIMEOUT = 2.0
_MAX_FOUND = 100_000
"""Matching keys one cleanup removes at most (the benchmark makes one or two)."""
_SCRIPT_COMMANDS = ("cmdstat_evalsha", "cmdstat_eval", "cmdstat_evalsha_ro", "cmdstat_eval_ro")


@dataclass(frozen=True)
class RedisSample:
    """Counters of the Redis server at one moment (for all its clients, not just ours)."""

    cpu_seconds: float
    """User + system CPU time of the server so far."""
    scripts: int
    """Lua scripts run so far (EVAL and EVALSHA calls)."""


def _client(url: str) -> redis.Redis:
    require_loopback(url)
    if urlsplit(url).scheme != "redis":
        raise ValueError(f"not a plain Redis URL: {url!r}")
    return redis.Redis.from_url(url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT)


def redis_unreachable(url: str) -> str | None:
    """Why Redis at ``url`` cannot be used, or ``None`` when it answers."""
    client = _client(url)
    try:
        client.ping()
        return None
    except redis.RedisError as exc:
        return f"Redis at {url} does not answer ({exc})"
    finally:
        client.close()


def sample(url: str) -> RedisSample | None:
    """The server's counters now, or ``None`` if it does not say."""
    client = _client(url)
    try:
        cpu: dict[str, Any] = client.info("cpu")
        stats: dict[str, Any] = client.info("commandstats")
    except redis.RedisError:
        return None
    finally:
        client.close()
    scripts = sum(int(stats[name]["calls"]) for name in _SCRIPT_COMMANDS if name in stats)
    return RedisSample(float(cpu["used_cpu_user"]) + float(cpu["used_cpu_sys"]), scripts)


def delete_keys_naming(url: str, word: str) -> int:
    """Delete the keys of ``url``'s database whose name contains ``word`` (a random id the
    benchmark made, so nothing else matches); how many there were."""
    if len(word) < 16 or any(c in word for c in "*?[]\\"):
        raise ValueError(f"refusing to delete keys by so broad a pattern: {word!r}")
    client = _client(url)
    try:
        found: list[bytes] = []
        for key in client.scan_iter(match=f"*{word}*", count=1000):
            found.append(key)
            if len(found) >= _MAX_FOUND:
                break
        if found:
            client.delete(*found)
        return len(found)
    finally:
        client.close()
