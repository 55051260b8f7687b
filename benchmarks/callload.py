"""The calls benchmark's client, in a process of its own (``python -m benchmarks.callload``):
raw asyncio streams, one keep-alive HTTP/1.1 connection per client, JSON in and out.

- ``lifecycles``: each client, over and over until the time is up: ``POST /v1.0/calls``,
  ``GET`` the call until it is ``progressing``, ``POST .../talk``, ``POST .../hangup``, ``GET``
  it until it is ``hangup``. Clients are spread over the servers given (client ``i`` talks to
  server ``i mod n``). A lifecycle counts when it ends before the deadline; the ones in
  flight then are finished (bounded) but not counted.
- ``live``: ``--calls`` calls made by the clients, each left up; then every one is read until
  it is ``progressing``.

Every wait is bounded: a request by ``REQUEST_TIMEOUT``, a status by ``STATUS_TIMEOUT``.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import msgspec

from benchmarks.pyload import parse_head as parse_sized_head

REQUEST_TIMEOUT = 10.0
STATUS_TIMEOUT = 30.0
"""The longest a client waits for a call to reach the status it waits for."""
MAX_SAMPLES = 1_000_000
MAX_LIFECYCLES_PER_CLIENT = 1_000_000
MAX_PROBLEMS = 3
TALK_TEXT = "hello"
_TIMEOUT_MARGIN = 60.0
_FAILURE_PAUSE = 0.05


class _Call(msgspec.Struct):
    id: str
    status: str


class _Created(msgspec.Struct):
    calls: list[_Call]


class Lifecycles(msgspec.Struct, frozen=True, kw_only=True):
    """What one timed run of lifecycles saw."""

    completed: int
    """Lifecycles that ended (the call seen ``hangup``) before the deadline."""
    finished: int
    """All lifecycles that ended, those finished after the deadline included."""
    seconds: float
    requests: int
    """HTTP requests answered during the whole run (polls included)."""
    non_2xx: int = 0
    errors: int = 0
    """Connection errors and timeouts."""
    stuck: int = 0
    """Calls that did not reach the status awaited within ``STATUS_TIMEOUT`` (or ended)."""
    p50_ms: float | None = None
    p99_ms: float | None = None
    """Of a whole lifecycle."""
    answer_p50_ms: float | None = None
    """From the create request to the call seen ``progressing``."""
    hangup_p50_ms: float | None = None
    """From the hangup request to the call seen ``hangup``."""
    problems: list[str] = []
    """The first few failures, as the client saw them."""

    @property
    def per_second(self) -> float:
        return self.completed / self.seconds if self.seconds > 0 else 0.0

    @property
    def clean(self) -> bool:
        return self.completed > 0 and not (self.non_2xx or self.errors or self.stuck)


class LiveCalls(msgspec.Struct, frozen=True, kw_only=True):
    """What making calls that stay up saw."""

    created: int
    progressing: int
    """Calls read back ``progressing`` once all were made."""
    create_seconds: float
    """The time to make them all."""
    non_2xx: int = 0
    errors: int = 0
    problems: list[str] = []

    @property
    def clean(self) -> bool:
        return self.created == self.progressing > 0 and not (self.non_2xx or self.errors)


def parse_head(head: bytes) -> tuple[int, int, bool]:
    """Status, body length and whether the server closes the connection; a 204 has no
    body (and no Content-Length)."""
    if head.startswith((b"HTTP/1.1 204 ", b"HTTP/1.0 204 ")):
        close = b"\r\nconnection: close" in head.lower()
        return 204, 0, close
    return parse_sized_head(head)


class Failed(Exception):
    """A lifecycle that went wrong in a way the tally has already counted."""


@dataclass
class _Tally:
    requests: int = 0
    non_2xx: int = 0
    errors: int = 0
    stuck: int = 0
    lifecycles: list[float] = field(default_factory=list)
    answers: list[float] = field(default_factory=list)
    hangups: list[float] = field(default_factory=list)
    finished: int = 0
    problems: list[str] = field(default_factory=list)

    def failed(self, exc: Failed) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(str(exc))


class Connection:
    """One keep-alive HTTP/1.1 connection to one server, reopened after an error."""

    def __init__(self, url: str, headers: Mapping[str, str], tally: _Tally) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        base = [f"Host: {self.host}:{self.port}", *(f"{k}: {v}" for k, v in headers.items())]
        self.base = "\r\n".join(base)
        self.tally = tally
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes | None = None) -> bytes:
        """The body of a 2xx answer; a non-2xx answer or an error is counted and raised."""
        head = f"{method} {path} HTTP/1.1\r\n{self.base}\r\n"
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        data = (head + "\r\n").encode("latin-1") + (body or b"")
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT):
                if self.writer is None:
                    self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
                assert self.reader is not None
                self.writer.write(data)
                status, length, close = parse_head(await self.reader.readuntil(b"\r\n\r\n"))
                answer = await self.reader.readexactly(length)
        except (OSError, TimeoutError, ValueError, asyncio.IncompleteReadError) as exc:
            self.tally.errors += 1
            self.close()
            raise Failed(f"{method} {path}: {exc!r}") from exc
        self.tally.requests += 1
        if close:
            self.close()
        if not 200 <= status < 300:
            self.tally.non_2xx += 1
            raise Failed(f"{method} {path}: HTTP {status} {answer[:300]!r}")
        return answer

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


@dataclass(frozen=True)
class CallPlan:
    source: str
    target: str
    poll_seconds: float

    @property
    def create_body(self) -> bytes:
        return msgspec.json.encode(
            {
                "source": {"type": "tel", "target": self.source},
                "destinations": [{"type": "tel", "target": self.target}],
            }
        )


async def create(connection: Connection, plan: CallPlan) -> str:
    answer = await connection.request("POST", "/v1.0/calls", plan.create_body)
    calls = msgspec.json.decode(answer, type=_Created).calls
    if len(calls) != 1:
        raise Failed(f"expected one call, got {len(calls)}")
    return calls[0].id


async def until(connection: Connection, call_id: str, wanted: str, plan: CallPlan) -> None:
    """Read the call until it is ``wanted``; a call that ends on the way, or does not get
    there in time, is stuck."""
    deadline = time.monotonic() + STATUS_TIMEOUT
    while time.monotonic() < deadline:
        answer = await connection.request("GET", f"/v1.0/calls/{call_id}")
        status = msgspec.json.decode(answer, type=_Call).status
        if status == wanted:
            return
        if status == "hangup":
            break
        await asyncio.sleep(plan.poll_seconds)
    connection.tally.stuck += 1
    raise Failed(f"call {call_id} did not become {wanted}")


async def lifecycle(connection: Connection, plan: CallPlan) -> tuple[float, float, float]:
    """One call's life; its duration, the wait for the answer and the wait for the hangup."""
    started = time.perf_counter()
    call_id = await create(connection, plan)
    await until(connection, call_id, "progressing", plan)
    answered = time.perf_counter()
    path = f"/v1.0/calls/{call_id}"
    await connection.request("POST", f"{path}/talk", msgspec.json.encode({"text": TALK_TEXT}))
    hanging_up = time.perf_counter()
    await connection.request("POST", f"{path}/hangup", b"{}")
    await until(connection, call_id, "hangup", plan)
    done = time.perf_counter()
    return done - started, answered - started, done - hanging_up


async def _client(connection: Connection, plan: CallPlan, deadline: float) -> None:
    tally = connection.tally
    try:
        for _ in range(MAX_LIFECYCLES_PER_CLIENT):
            if time.monotonic() >= deadline:
                return
            try:
                took, answer, hangup = await lifecycle(connection, plan)
            except Failed as exc:
                tally.failed(exc)
                await asyncio.sleep(_FAILURE_PAUSE)
                continue
            tally.finished += 1
            if time.monotonic() <= deadline and len(tally.lifecycles) < MAX_SAMPLES:
                tally.lifecycles.append(took)
                tally.answers.append(answer)
                tally.hangups.append(hangup)
    finally:
        connection.close()


def _percentile(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


async def run_lifecycles(
    urls: Sequence[str],
    headers: Mapping[str, str],
    plan: CallPlan,
    seconds: int,
    concurrency: int,
) -> Lifecycles:
    tally = _Tally()
    deadline = time.monotonic() + seconds
    clients = [
        _client(Connection(urls[i % len(urls)], headers, tally), plan, deadline)
        for i in range(concurrency)
    ]
    await asyncio.wait_for(asyncio.gather(*clients), seconds + _TIMEOUT_MARGIN)
    return Lifecycles(
        completed=len(tally.lifecycles),
        finished=tally.finished,
        seconds=float(seconds),
        requests=tally.requests,
        non_2xx=tally.non_2xx,
        errors=tally.errors,
        stuck=tally.stuck,
        p50_ms=_percentile(tally.lifecycles, 0.50),
        p99_ms=_percentile(tally.lifecycles, 0.99),
        answer_p50_ms=_percentile(tally.answers, 0.50),
        hangup_p50_ms=_percentile(tally.hangups, 0.50),
        problems=tally.problems,
    )


async def run_live(
    url: str, headers: Mapping[str, str], plan: CallPlan, calls: int, concurrency: int
) -> LiveCalls:
    tally = _Tally()
    made: list[str] = []
    numbers = iter(range(calls))

    async def maker() -> None:
        connection = Connection(url, headers, tally)
        try:
            for _ in numbers:
                try:
                    made.append(await create(connection, plan))
                except Failed as exc:
                    tally.failed(exc)
        finally:
            connection.close()

    started = time.monotonic()
    await asyncio.gather(*(maker() for _ in range(concurrency)))
    create_seconds = time.monotonic() - started
    waiting = iter(made)
    up = 0

    async def checker() -> None:
        nonlocal up
        connection = Connection(url, headers, tally)
        try:
            for call_id in waiting:
                try:
                    await until(connection, call_id, "progressing", plan)
                except Failed as exc:
                    tally.failed(exc)
                    continue
                up += 1
        finally:
            connection.close()

    await asyncio.gather(*(checker() for _ in range(concurrency)))
    return LiveCalls(
        created=len(made),
        progressing=up,
        create_seconds=create_seconds,
        non_2xx=tally.non_2xx,
        errors=tally.errors,
        problems=tally.problems,
    )


# -- the orchestrator's side: the client as a process of its own ------------------------------


def _run(command: list[str], timeout: float) -> bytes:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.callload", *command],
        capture_output=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"calls client failed: {done.stderr.decode()[-2000:]}")
    return done.stdout


def _common(headers: Mapping[str, str], plan: CallPlan, concurrency: int) -> list[str]:
    command = ["--source", plan.source, "--target", plan.target]
    command += ["--poll", str(plan.poll_seconds), "--concurrency", str(concurrency)]
    for name, value in headers.items():
        command += ["--header", f"{name}: {value}"]
    return command


def lifecycles(
    urls: Sequence[str],
    headers: Mapping[str, str],
    plan: CallPlan,
    seconds: int,
    concurrency: int,
) -> Lifecycles:
    """``run_lifecycles`` in a client process of its own."""
    command = ["lifecycles", *_common(headers, plan, concurrency), "--seconds", str(seconds)]
    for url in urls:
        command += ["--url", url]
    out = _run(command, seconds + 2 * _TIMEOUT_MARGIN)
    return msgspec.json.decode(out, type=Lifecycles)


def live(
    url: str, headers: Mapping[str, str], plan: CallPlan, calls: int, concurrency: int
) -> LiveCalls:
    """``run_live`` in a client process of its own."""
    command = ["live", *_common(headers, plan, concurrency), "--url", url, "--calls", str(calls)]
    # Bounded by the calls' own timeouts; a slow server gets a generous share per call.
    out = _run(command, _TIMEOUT_MARGIN + calls * 0.5)
    return msgspec.json.decode(out, type=LiveCalls)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.callload")
    parser.add_argument("mode", choices=("lifecycles", "live"))
    parser.add_argument("--url", action="append", required=True)
    parser.add_argument("--header", action="append", default=[])
    parser.add_argument("--source", required=True)
    parser.add_argument("--target", required=True)
    parser.add_argument("--poll", type=float, required=True)
    parser.add_argument("--concurrency", type=int, required=True)
    parser.add_argument("--seconds", type=int, default=0)
    parser.add_argument("--calls", type=int, default=0)
    args = parser.parse_args(argv)
    if any(urlsplit(u).hostname not in ("127.0.0.1", "localhost", "::1") for u in args.url):
        parser.error("only loopback URLs")
    headers = {name: value for name, _, value in (h.partition(": ") for h in args.header)}
    plan = CallPlan(args.source, args.target, args.poll)
    result: msgspec.Struct
    if args.mode == "lifecycles":
        result = asyncio.run(
            run_lifecycles(args.url, headers, plan, args.seconds, args.concurrency)
        )
    else:
        result = asyncio.run(run_live(args.url[0], headers, plan, args.calls, args.concurrency))
    sys.stdout.buffer.write(msgspec.json.encode(result))


if __name__ == "__main__":
    main()
