"""CLI test fixtures: the real app in-process on SQLite, and an access key for it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from typer.testing import CliRunner, Result

from tests.inprocess import BASE_URL, Served, serving
from tests.server import conftest as server
from voipbin.cli.main import app
from voipbin.client import Client

# The server suite's database fixtures: a migrated, empty SQLite database.
sqlite_template = server.sqlite_template
sqlite_url = server.sqlite_url


@dataclass
class Cli:
    """``voipbin`` run through its typer app, against the in-process server."""

    served: Served
    accesskey: str
    runner: CliRunner

    def __call__(self, *args: str, input: str | None = None) -> Result:
        return self.runner.invoke(
            app,
            list(args),
            input=input,
            env={"VOIPBIN_URL": BASE_URL, "VOIPBIN_ACCESSKEY": self.accesskey},
            obj={"transport": self.served.transport},
        )

    def client(self) -> Client:
        return Client(BASE_URL, accesskey=self.accesskey, transport=self.served.transport)


@pytest.fixture
def cli(sqlite_url: str) -> Iterator[Cli]:
    with serving(sqlite_url) as served:
        with Client(
            BASE_URL,
            username=server.ADMIN_USERNAME,
            password=server.ADMIN_PASSWORD,
            transport=served.transport,
        ) as admin:
            key = admin.accesskeys.create(name="cli")
        yield Cli(served, key.token, CliRunner())
