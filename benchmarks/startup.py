"""``startup``: how long ``voipbin serve`` takes on a new SQLite database (the default a new
user meets) from the command to its first answer, and its super-admin's first login after
that; beside the floor: a bare Starlette app with one route, started by granian with the same
flags as every benchmark server.

DESIGN.md's budget: one process on SQLite "must feel instant (start to first answer well under a
second)". Each round starts a fresh process on a fresh database (the schema is built and the
super-admin made during the start), probes it every 10 ms and stops it.
"""

from __future__ import annotations

import http.client
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from benchmarks.servers import GRANIAN_FLAGS, HOST, PROJECT_ROOT, _environment, _stop, free_port

#: DESIGN.md: "start to first answer well under a second".
BUDGET_SECONDS = 1.0
USERNAME = "admin@localhost"
PASSWORD = "startup-benchmark-password"
_PROBE_PAUSE = 0.01
_READY_SECONDS = 30.0


@dataclass(frozen=True)
class StartupResult:
    voipbin: list[float]
    """Seconds from the command to the first answer, each round."""
    login: list[float]
    """Seconds of the super-admin's first login, right after."""
    bare: list[float]
    """The bare app's seconds from the command to its first answer."""


def app() -> Starlette:
    """The bare app (``granian --factory benchmarks.startup:app``)."""

    async def hello(request: Request) -> Response:
        return Response(b"{}", media_type="application/json")

    return Starlette(routes=[Route("/", hello)])


def _answer(port: int, method: str = "GET", path: str = "/", body: bytes | None = None) -> int:
    connection = http.client.HTTPConnection(HOST, port, timeout=5)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def _timed_start(
    command: list[str], env: dict[str, str], port: int, log: Path
) -> tuple[subprocess.Popen[bytes], float]:
    with log.open("wb") as out:
        started = time.monotonic()
        process = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=_environment(env),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    while time.monotonic() - started < _READY_SECONDS and process.poll() is None:
        try:
            _answer(port)
            return process, time.monotonic() - started
        except OSError:
            time.sleep(_PROBE_PAUSE)
    _stop(process)
    raise RuntimeError(
        f"{command[2:4]} did not answer within {_READY_SECONDS:.0f}s:\n"
        + log.read_text(errors="replace")[-2000:]
    )


def run_startup(rounds: int, logs: Path, say: Callable[[str], None]) -> StartupResult:
    result = StartupResult([], [], [])
    for round_number in range(1, rounds + 1):
        say(f"startup: round {round_number} of {rounds}")
        with tempfile.TemporaryDirectory(prefix="voipbin-bench-startup-") as data:
            port = free_port()
            env = {
                "VOIPBIN_DATABASE_URL": f"sqlite:///{data}/voipbin.db",
                "VOIPBIN_DATA_DIR": data,
                "VOIPBIN_BOOTSTRAP_USERNAME": USERNAME,
                "VOIPBIN_BOOTSTRAP_PASSWORD": PASSWORD,
                "VOIPBIN_LOG_LEVEL": "warning",
            }
            command = [sys.executable, "-m", "voipbin.cli", "serve", "--port", str(port)]
            log = logs / f"startup-voipbin-{port}.log"
            process, seconds = _timed_start(command, env, port, log)
            try:
                body = json.dumps({"username": USERNAME, "password": PASSWORD}).encode()
                started = time.monotonic()
                status = _answer(port, "POST", "/auth/login", body)
                if status != 200:
                    raise RuntimeError(f"the first login answered {status}")
                result.login.append(time.monotonic() - started)
            finally:
                _stop(process)
            result.voipbin.append(seconds)
        port = free_port()
        bare = [sys.executable, "-m", "granian", *GRANIAN_FLAGS, "--host", HOST]
        bare += ["--port", str(port), "benchmarks.startup:app"]
        process, seconds = _timed_start(bare, {}, port, logs / f"startup-bare-{port}.log")
        _stop(process)
        result.bare.append(seconds)
    return result


def _ms(values: Sequence[float]) -> str:
    return f"{statistics.median(values) * 1000:7.0f} {max(values) * 1000:7.0f}"


def details(result: StartupResult) -> str:
    lines = [
        "server                        median ms  max ms",
        "-----------------------------------------------",
        f"voipbin serve, first answer     {_ms(result.voipbin)}",
        f"  then the first login          {_ms(result.login)}",
        f"bare granian app, first answer  {_ms(result.bare)}",
    ]
    return "\n".join(lines)


def budget_met(result: StartupResult) -> bool:
    return statistics.median(result.voipbin) < BUDGET_SECONDS


def summary(result: StartupResult) -> str:
    median = statistics.median(result.voipbin)
    floor = statistics.median(result.bare)
    verdict = "OK" if budget_met(result) else "MISSED"
    return (
        f"sqlite  start to first answer: {median:.2f} s (the bare granian app: {floor:.2f} s; "
        f"ours beyond it: {median - floor:.2f} s)  budget under {BUDGET_SECONDS:.0f} s {verdict}"
    )
