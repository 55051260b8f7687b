"""The events benchmark's webhook receiver, in a process of its own
(``python -m benchmarks.receiver``): a raw asyncio HTTP/1.1 server on loopback that answers
every request ``204`` at once and notes, per request, when its body had arrived (the wall
clock, as the server's ``tm_create`` is), its ``X-VoIPBIN-Event-Id`` and the body.

Nothing is parsed while it runs but the head; on SIGINT or SIGTERM it decodes the bodies (the
event's type and its resource's id, ``data.id``), writes them to ``--out`` as JSON and exits.
The orchestrator's side: ``receiving`` starts it, waits until it listens, and gives back what
it saw once stopped.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import msgspec

from benchmarks.servers import HOST, PROJECT_ROOT, free_port

PATH = "/events"
MAX_REQUESTS = 5_000_000
"""The most requests noted (a bound; far above any run's events)."""
MAX_HEAD_BYTES = 64 * 1024
READY_SECONDS = 10.0
STOP_SECONDS = 30.0
_ANSWER = b"HTTP/1.1 204 No Content\r\n\r\n"
_PROBE_PAUSE = 0.05


class Arrival(msgspec.Struct, array_like=True, frozen=True):
    """One request as the receiver saw it."""

    at: float
    """Wall-clock seconds (``time.time()``) when its body had arrived."""
    event_id: str
    type: str
    resource_id: str


class Received(msgspec.Struct, frozen=True):
    arrivals: list[Arrival]
    unreadable: int
    """Requests without an event id, or whose body is not an event."""


class _Data(msgspec.Struct):
    id: str = ""


class _Event(msgspec.Struct):
    type: str
    data: _Data


_event = msgspec.json.Decoder(_Event)


@dataclass
class _Notes:
    raw: list[tuple[float, bytes, bytes]] = field(default_factory=list)
    broken: int = 0
    """Requests whose head could not be read (no ``Content-Length``, chunked...)."""


def _header(head: bytes, name: bytes) -> bytes | None:
    for line in head.split(b"\r\n")[1:]:
        key, _, value = line.partition(b":")
        if key.strip().lower() == name:
            return value.strip()
    return None


async def _serve_connection(
    notes: _Notes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    try:
        for _ in range(MAX_REQUESTS):
            head = await reader.readuntil(b"\r\n\r\n")
            length = _header(head, b"content-length")
            if length is None or not length.isdigit():
                notes.broken += 1
                return
            body = await reader.readexactly(int(length))
            at = time.time()
            if len(notes.raw) < MAX_REQUESTS:
                notes.raw.append((at, _header(head, b"x-voipbin-event-id") or b"", body))
            writer.write(_ANSWER)
            await writer.drain()
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        pass
    finally:
        writer.close()


def decode(notes: _Notes) -> Received:
    arrivals: list[Arrival] = []
    unreadable = notes.broken
    for at, event_id, body in notes.raw:
        try:
            event = _event.decode(body)
        except msgspec.DecodeError:
            unreadable += 1
            continue
        if not event_id or not event.data.id:
            unreadable += 1
            continue
        arrivals.append(Arrival(at, event_id.decode("latin-1"), event.type, event.data.id))
    return Received(arrivals, unreadable)


async def _serve(port: int) -> _Notes:
    """Serve until SIGINT or SIGTERM; what was received."""
    notes = _Notes()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _serve_connection(notes, reader, writer)

    server = await asyncio.start_server(serve, HOST, port, limit=MAX_HEAD_BYTES, backlog=1024)
    async with server:
        await stop.wait()
    return notes


# -- the orchestrator's side ------------------------------------------------------------------


@dataclass(frozen=True)
class RunningReceiver:
    url: str
    """Where the deliveries go (the customer's ``webhook_uri``)."""
    process: subprocess.Popen[bytes]
    out: Path

    def collect(self) -> Received:
        """Stop the receiver and read what it saw."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        self.process.wait(STOP_SECONDS)
        if self.process.returncode != 0 or not self.out.exists():
            raise RuntimeError(f"the receiver failed (exit code {self.process.returncode})")
        return msgspec.json.decode(self.out.read_bytes(), type=Received)


def _listening(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=1):
        return True
    return False


@contextlib.contextmanager
def receiving(logs: Path) -> Iterator[RunningReceiver]:
    """A receiver process until the block ends (stopped, then killed, whatever happens)."""
    port = free_port()
    out = logs / f"receiver-{port}.json"
    log_path = logs / f"receiver-{port}.log"
    command = [sys.executable, "-m", "benchmarks.receiver", "--port", str(port), "--out", str(out)]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + READY_SECONDS
        while not _listening(port):
            if process.poll() is not None or time.monotonic() >= deadline:
                tail = log_path.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"the receiver did not listen on port {port}\n{tail}")
            time.sleep(_PROBE_PAUSE)
        yield RunningReceiver(f"http://{HOST}:{port}{PATH}", process, out)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(STOP_SECONDS)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.receiver")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    notes = asyncio.run(_serve(args.port))
    args.out.write_bytes(msgspec.json.encode(decode(notes)))


if __name__ == "__main__":
    main()
