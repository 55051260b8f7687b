"""Running an ASGI app in its own granian process on a loopback port, one at a time.

Every server gets the same granian flags (one worker, no websockets, no access log), its own
process group (so stopping it reaches its worker and nothing else) and a log file whose tail is
shown when it fails to start.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from benchmarks.cpu import group_cpu_seconds

HOST = "127.0.0.1"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
GRANIAN_FLAGS = (
    "--interface",
    "asgi",
    "--factory",
    "--workers",
    "1",
    "--no-ws",
    "--no-access-log",
    "--log-level",
    "warning",
)
READY_SECONDS = 30.0
STOP_SECONDS = 10.0
_PROBE_PAUSE = 0.1


@dataclass(frozen=True)
class ServerSpec:
    """What to serve: a name for the report, a granian factory target and its environment."""

    name: str
    target: str
    env: Mapping[str, str]


@dataclass(frozen=True)
class RunningServer:
    name: str
    port: int
    group: int
    """The server's process group (granian's main process and its worker)."""
    first_body: bytes
    """The body of the first 200 answer to the benchmarked request."""

    def url(self, path_and_query: str) -> str:
        return f"http://{HOST}:{self.port}{path_and_query}"

    def cpu_seconds(self) -> float | None:
        """CPU time the server's processes have used so far."""
        return group_cpu_seconds(self.group)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _environment(extra: Mapping[str, str]) -> dict[str, str]:
    # Stray GRANIAN_* or VOIPBIN_* variables of the caller would make the servers differ.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRANIAN_", "VOIPBIN_"))}
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")) if p
    )
    env.update(extra)
    return env


@contextlib.contextmanager
def running(
    spec: ServerSpec, path_and_query: str, headers: Mapping[str, str], logs: Path
) -> Iterator[RunningServer]:
    """``spec`` served by granian until the block ends, answering ``path_and_query`` with 200."""
    port = free_port()
    log_path = logs / f"{spec.name}-{port}.log"
    command = [
        sys.executable,
        "-m",
        "granian",
        *GRANIAN_FLAGS,
        "--host",
        HOST,
        "--port",
        str(port),
        spec.target,
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=_environment(spec.env),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        body = _wait_until_ready(process, port, path_and_query, headers, log_path)
        yield RunningServer(spec.name, port, process.pid, body)
    finally:
        _stop(process)


def _wait_until_ready(
    process: subprocess.Popen[bytes],
    port: int,
    path_and_query: str,
    headers: Mapping[str, str],
    log_path: Path,
) -> bytes:
    deadline = time.monotonic() + READY_SECONDS
    last = "no answer"
    for _ in range(int(READY_SECONDS / _PROBE_PAUSE)):
        if process.poll() is not None or time.monotonic() >= deadline:
            break
        status, body = _probe(port, path_and_query, headers)
        if status == 200:
            return body
        if status is not None:
            last = f"HTTP {status}: {body[:200]!r}"
        time.sleep(_PROBE_PAUSE)
    tail = log_path.read_text(errors="replace")[-2000:]
    raise RuntimeError(
        f"server on port {port} did not answer 200 within {READY_SECONDS:.0f}s "
        f"(exit code {process.poll()}, last: {last})\n--- {log_path} ---\n{tail}"
    )


def _probe(port: int, path_and_query: str, headers: Mapping[str, str]) -> tuple[int | None, bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=2)
    try:
        connection.request("GET", path_and_query, headers=dict(headers))
        response = connection.getresponse()
        return response.status, response.read()
    except OSError:
        return None, b""
    finally:
        connection.close()


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGINT (granian's graceful stop), then SIGKILL to the server's own process group."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(STOP_SECONDS)
    # The group is the one this module started for the server: its main process and worker.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(STOP_SECONDS)
