"""Real ``voipbin serve`` subprocesses for tests about more than one server on one database:
started with the settings a test gives, stopped afterwards with their output kept."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from tests.server.conftest import ADMIN_PASSWORD, ADMIN_USERNAME
from voipbin.server.serve import prepare
from voipbin.server.settings import Settings

JWT_SECRET = "test-secret-that-is-long-enough-for-hs256"


class Server:
    def __init__(self, process: subprocess.Popen[str], port: int) -> None:
        self.process = process
        self.url = f"http://127.0.0.1:{port}"
        self.output = ""
        """What the process printed, once it has stopped."""

    def kill(self) -> None:
        """SIGKILL the server: its main process and its workers (one process group), with no
        graceful stop; returns once the main process is gone."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def prepare_database(database_url: str) -> None:
    """The schema (when the database is empty) and the super-admin, made once before the
    servers start, so that they do not race to make them."""
    prepare(
        Settings(
            database_url=database_url,
            jwt_secret=JWT_SECRET,
            bootstrap_username=ADMIN_USERNAME,
            bootstrap_password=ADMIN_PASSWORD,
        )
    )


@contextmanager
def serving(database_url: str, **env: str) -> Iterator[Server]:
    """A ``voipbin serve`` process on ``database_url``, with ``env`` (``VOIPBIN_*``
    variables) on top of the test's super-admin and secret; stopped afterwards."""
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("VOIPBIN_")}
    environment.update(
        {
            "VOIPBIN_DATABASE_URL": database_url,
            "VOIPBIN_JWT_SECRET": JWT_SECRET,
            "VOIPBIN_BOOTSTRAP_USERNAME": ADMIN_USERNAME,
            "VOIPBIN_BOOTSTRAP_PASSWORD": ADMIN_PASSWORD,
            "VOIPBIN_LOG_LEVEL": "warning",
            **env,
        }
    )
    # A file, not a pipe: nobody reads a pipe while the server runs, and a server whose
    # output filled one (64 KiB of log) would block on its next log line, all of it.
    with tempfile.TemporaryFile("w+") as output:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "voipbin.cli", "serve"),
                *("--host", "127.0.0.1", "--port", str(port)),
            ],
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
            # Its own process group, so that kill() reaches granian's workers too.
            start_new_session=True,
        )
        server = Server(process, port)
        try:
            yield server
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            output.seek(0)
            server.output = output.read()


def wait_until_up(servers: list[Server], client: httpx.Client, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    for server in servers:
        while True:
            assert server.process.poll() is None, "the server exited"
            assert time.monotonic() < deadline, "the server did not answer in time"
            try:
                if client.get(f"{server.url}/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
