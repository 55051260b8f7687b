"""The Python load generator, used when wrk is not installed: raw asyncio streams, one
keep-alive HTTP/1.1 connection per unit of concurrency, in a process of its own
(``python -m benchmarks.pyload``) so it never shares an interpreter with the orchestrator.

It is slower than wrk (one Python core), so it may cap the fastest server; the ratio still
compares the two servers under the same generator, and the report says which one ran.
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

from benchmarks.load import LoadResult

REQUEST_TIMEOUT = 5.0
MAX_SAMPLES = 2_000_000
MAX_CONNECTS = 10_000
MAX_REQUESTS_PER_CONNECTION = 10_000_000
_RECONNECT_PAUSE = 0.05
_TIMEOUT_MARGIN = 30


class PythonLoad:
    name = "python (asyncio, raw sockets)"

    def run(
        self, url: str, headers: Mapping[str, str], seconds: int, concurrency: int
    ) -> LoadResult:
        command = [
            sys.executable,
            "-m",
            "benchmarks.pyload",
            url,
            "--seconds",
            str(seconds),
            "--concurrency",
            str(concurrency),
        ]
        for name, value in headers.items():
            command += ["--header", f"{name}: {value}"]
        done = subprocess.run(
            command,
            capture_output=True,
            timeout=seconds + REQUEST_TIMEOUT + _TIMEOUT_MARGIN,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"python load generator failed: {done.stderr.decode()}")
        return msgspec.json.decode(done.stdout, type=LoadResult)


@dataclass
class _Tally:
    responses: int = 0
    non_2xx: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)

    def record(self, status: int, seconds: float) -> None:
        self.responses += 1
        if not 200 <= status < 300:
            self.non_2xx += 1
        if len(self.latencies) < MAX_SAMPLES:
            self.latencies.append(seconds)


def request_bytes(url: str, headers: Mapping[str, str]) -> tuple[str, int, bytes]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    lines = [f"GET {target} HTTP/1.1", f"Host: {host}:{port}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return host, port, ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def parse_head(head: bytes) -> tuple[int, int, bool]:
    """Status, body length and whether the server closes the connection."""
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    status = int(status_line.split(" ", 2)[1])
    length: int | None = None
    close = False
    for line in header_lines:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value.strip())
        elif name == "connection" and value.strip().lower() == "close":
            close = True
    if length is None:
        raise ValueError("response without Content-Length")
    return status, length, close


async def _connection(host: str, port: int, request: bytes, deadline: float, tally: _Tally) -> None:
    """One client connection, reopened after an error, until the deadline."""
    for _ in range(MAX_CONNECTS):
        if time.monotonic() >= deadline:
            return
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT):
                reader, writer = await asyncio.open_connection(host, port)
        except (OSError, TimeoutError):
            tally.errors += 1
            await asyncio.sleep(_RECONNECT_PAUSE)
            continue
        try:
            await _requests(reader, writer, request, deadline, tally)
        except (OSError, TimeoutError, ValueError, asyncio.IncompleteReadError) as exc:
            # A request cut short by the end of the run is not an error.
            if not isinstance(exc, TimeoutError) or time.monotonic() < deadline:
                tally.errors += 1
        finally:
            writer.close()


async def _requests(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    request: bytes,
    deadline: float,
    tally: _Tally,
) -> None:
    """Requests one after another on one connection until the deadline; a response that
    completes after it is not counted."""
    for _ in range(MAX_REQUESTS_PER_CONNECTION):
        if time.monotonic() >= deadline:
            return
        started = time.perf_counter()
        async with asyncio.timeout(REQUEST_TIMEOUT):
            writer.write(request)
            status, length, close = parse_head(await reader.readuntil(b"\r\n\r\n"))
            await reader.readexactly(length)
        if time.monotonic() < deadline:
            tally.record(status, time.perf_counter() - started)
        if close:
            return


def _percentile(ordered: Sequence[float], q: float) -> float | None:
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


async def generate(
    url: str, headers: Mapping[str, str], seconds: int, concurrency: int
) -> LoadResult:
    host, port, request = request_bytes(url, headers)
    tally = _Tally()
    started = time.monotonic()
    deadline = started + seconds
    await asyncio.wait_for(
        asyncio.gather(
            *(_connection(host, port, request, deadline, tally) for _ in range(concurrency))
        ),
        seconds + REQUEST_TIMEOUT + 5,
    )
    ordered = sorted(tally.latencies)
    return LoadResult(
        requests=tally.responses,
        seconds=float(seconds),
        errors=tally.errors,
        non_2xx=tally.non_2xx,
        p50_ms=_percentile(ordered, 0.50),
        p99_ms=_percentile(ordered, 0.99),
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pyload")
    parser.add_argument("url")
    parser.add_argument("--seconds", type=int, required=True)
    parser.add_argument("--concurrency", type=int, required=True)
    parser.add_argument("--header", action="append", default=[])
    args = parser.parse_args(argv)
    headers = {name: value for name, _, value in (h.partition(": ") for h in args.header)}
    if urlsplit(args.url).hostname not in ("127.0.0.1", "localhost", "::1"):
        parser.error("only loopback URLs")
    result = asyncio.run(generate(args.url, headers, args.seconds, args.concurrency))
    sys.stdout.buffer.write(msgspec.json.encode(result))


if __name__ == "__main__":
    main()
