"""``voipbin migrate`` and ``voipbin serve`` through the console entry point."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from voipbin.cli.main import app
from voipbin.server.storage.schema import HEAD_REVISION

runner = CliRunner()


def test_migrate_brings_a_new_database_to_the_newest_revision(tmp_path: Path) -> None:
    database = tmp_path / "new.db"

    result = runner.invoke(app, ["migrate", "--database-url", f"sqlite:///{database}"])

    assert result.exit_code == 0, result.output
    assert f"database at revision {HEAD_REVISION}" in result.output
    with closing(sqlite3.connect(database)) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (HEAD_REVISION,)
        ]


def test_a_setting_that_cannot_be_read_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["migrate"], env={"VOIPBIN_DATABASE_TIMEOUT": "soon"})

    assert result.exit_code == 2
    assert "VOIPBIN_DATABASE_TIMEOUT" in result.output


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Served:
    """A ``voipbin serve`` process; ``output`` is all it printed, once it has stopped."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.output = ""


@contextmanager
def serving(database: Path, port: int, **env: str) -> Iterator[Served]:
    process = subprocess.Popen(
        [sys.executable, "-m", "voipbin.cli", "serve", "--port", str(port)],
        env={
            **os.environ,
            "VOIPBIN_DATABASE_URL": f"sqlite:///{database}",
            "VOIPBIN_BOOTSTRAP_PASSWORD": "secret-password",
            **env,
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    served = Served(process)
    try:
        yield served
    finally:
        process.terminate()
        try:
            served.output, _ = process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            served.output, _ = process.communicate()


def login(port: int) -> int | None:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/auth/login",
        data=json.dumps({"username": "admin@localhost", "password": "secret-password"}).encode(),
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            status: int = response.status
            return status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


def test_serve_on_a_new_database_builds_it_and_answers_login(tmp_path: Path) -> None:
    """How fast it starts is measured by ``make bench BENCH_ARGS="--benchmark startup"``
    against DESIGN.md's budget; here only that it does, on its own, within bounds that catch
    a hang and not a busy machine."""
    port = free_port()
    with serving(tmp_path / "voipbin.db", port) as served:
        started = time.monotonic()
        status = None
        while status is None and time.monotonic() - started < 30 and served.process.poll() is None:
            status = login(port)
            if status is None:
                time.sleep(0.02)
        elapsed = time.monotonic() - started

    assert status == 200, served.output
    assert elapsed < 15.0, f"first login answered after {elapsed:.2f} s"


def test_serve_refuses_a_database_at_another_revision(tmp_path: Path) -> None:
    database = tmp_path / "old.db"
    with closing(sqlite3.connect(database)) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        connection.execute("INSERT INTO alembic_version VALUES ('0000')")
        connection.commit()

    with serving(database, free_port()) as served:
        served.process.wait(30)

    assert served.process.returncode == 1
    assert "run `voipbin migrate`" in served.output


# -- a database or a port that cannot be used: one line, never a traceback --------------------

PASSWORD = "hunter2-secret"
UNUSABLE = {
    "unreachable": (
        f"postgresql://postgres:{PASSWORD}@127.0.0.1:1/voipbin",
        "error: cannot reach the database at postgresql://postgres:***@127.0.0.1:1/voipbin: "
        "connection refused",
    ),
    "unsupported scheme": (
        f"mysql://root:{PASSWORD}@127.0.0.1/voipbin",
        "error: unsupported database URL scheme 'mysql' in mysql://root:***@127.0.0.1/voipbin: "
        "use sqlite:///path or postgresql://user@host/database",
    ),
    "malformed port": (
        f"postgresql://postgres:{PASSWORD}@127.0.0.1:port/voipbin",
        "error: invalid database URL postgresql://postgres:***@127.0.0.1:port/voipbin: "
        "Port could not be cast to integer value as 'port'",
    ),
    "malformed sqlite": (
        "sqlite:/voipbin.db",
        "error: invalid database URL sqlite:/voipbin.db: a SQLite URL is sqlite:///path/to/file.db",
    ),
}


@pytest.mark.parametrize("command", ["migrate", "serve"])
@pytest.mark.parametrize(("url", "line"), UNUSABLE.values(), ids=UNUSABLE.keys())
def test_an_unusable_database_is_one_line_and_exit_2(command: str, url: str, line: str) -> None:
    args = [command, "--database-url", url]
    if command == "serve":
        args += ["--port", str(free_port())]

    result = runner.invoke(app, args)

    assert result.exit_code == 2, result.output
    assert result.stderr == line + "\n"
    assert result.stdout == ""
    assert PASSWORD not in result.output


def serve_once(database: Path, port: int) -> subprocess.CompletedProcess[str]:
    """``voipbin serve`` run until it stops by itself (it should, at once)."""
    return subprocess.run(
        [sys.executable, "-m", "voipbin.cli", "serve", "--port", str(port)],
        env={**os.environ, "VOIPBIN_DATABASE_URL": f"sqlite:///{database}"},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_serve_refuses_a_port_something_else_listens_on(tmp_path: Path) -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]

        result = serve_once(tmp_path / "voipbin.db", port)

    assert result.returncode != 0
    assert result.stderr == f"error: cannot listen on 127.0.0.1:{port}: address already in use\n"
    # It stopped before touching the database.
    assert not (tmp_path / "voipbin.db").exists()


def test_a_second_server_on_the_same_port_refuses_to_start(tmp_path: Path) -> None:
    port = free_port()
    with serving(tmp_path / "first.db", port) as first:
        started = time.monotonic()
        while login(port) is None and time.monotonic() - started < 30:
            assert first.process.poll() is None
            time.sleep(0.05)

        second = serve_once(tmp_path / "second.db", port)
        still = login(port)

    assert second.returncode != 0
    assert second.stderr == f"error: cannot listen on 127.0.0.1:{port}: address already in use\n"
    assert still == 200


def test_the_first_start_gives_the_project_customer_its_billing_account(tmp_path: Path) -> None:
    """``voipbin serve`` prepares an empty database before its workers start: the first
    super-admin's customer gets what every new customer gets (its billing account, with the
    ledger row granting its tokens), not only the customer row."""
    from voipbin.server.serve import prepare
    from voipbin.server.settings import Settings

    path = tmp_path / "first.db"
    prepare(Settings(database_url=f"sqlite:///{path}", bootstrap_password="long-enough"))
    with closing(sqlite3.connect(path)) as db:
        linked = db.execute(
            "SELECT a.balance_token FROM customer_customers c "
            "JOIN billing_accounts a ON a.id = c.billing_account_id"
        ).fetchall()
        rows = db.execute("SELECT reference_type, amount_token FROM billing_billings").fetchall()
    assert linked == [(100,)]
    assert rows == [("monthly_allowance", 100)]
