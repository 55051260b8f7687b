"""Fixtures for the rate-limit tests: one database backend (the limiter does not care which),
a clock that moves only when told, the shared test Redis, and a ``redis-server`` of the
test's own that can be stopped and started again."""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator

import pytest
from redis import Redis

from tests.backends import REDIS_URL, missing, reachable
from tests.processes import free_port


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """Rate limits are decided before storage is touched: SQLite is enough."""
    return sqlite_url


class MicroClock:
    """A monotonic microsecond clock that moves only when told."""

    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds * 1_000_000


@pytest.fixture
def redis_url() -> str:
    """The shared test Redis (keys the tests write carry a prefix of their own)."""
    if not reachable(REDIS_URL):
        missing(f"Redis at {REDIS_URL}")
    return REDIS_URL


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix of this test's own; its keys are deleted afterwards."""
    prefix = f"voipbin-test:{uuid.uuid4().hex}:"
    yield prefix
    with Redis.from_url(redis_url, socket_timeout=5) as client:
        keys = list(client.scan_iter(match=prefix + "*", count=1000))
        if keys:
            client.delete(*keys)


class RedisServer:
    """A ``redis-server`` on a spare loopback port, without persistence, that a test may stop
    (``terminate``) and start again on the same port."""

    def __init__(self, *extra: str) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.extra = extra
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        assert self.process is None
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                *self.extra,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 5
        while not reachable(self.url):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"redis-server did not start on port {self.port}")
            time.sleep(0.01)

    def stop(self) -> None:
        if self.process is None:
            return
        process, self.process = self.process, None
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def private_redis() -> Iterator[RedisServer]:
    """A ``redis-server`` of this test's own, running; always stopped afterwards."""
    if shutil.which("redis-server") is None:
        missing("redis-server")
    server = RedisServer("--enable-debug-command", "local")
    try:
        server.start()
        yield server
    finally:
        server.stop()
