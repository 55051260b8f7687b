"""``voipbin``: run the server, migrate its database, and use any server's resources, its
timelines and its simulator, and receive its events."""

from __future__ import annotations

import os
import sys
from typing import Annotated, NoReturn

import typer

from voipbin.cli.contacts import add_contact_commands
from voipbin.cli.events import add_event_commands
from voipbin.cli.outdials import add_outdial_commands
from voipbin.cli.resources import add_resource_commands
from voipbin.cli.simulator import add_simulator_commands
from voipbin.cli.webhooks import add_webhook_commands

app = typer.Typer(no_args_is_help=True, add_completion=False, help="VoIPBIN API server and tools.")


def _settings(**overrides: object) -> object:
    from voipbin.server.settings import Settings

    try:
        return Settings.from_env(os.environ, **overrides)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on [VOIPBIN_HOST].")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on [VOIPBIN_PORT].")] = None,
    workers: Annotated[int | None, typer.Option(help="Server processes [VOIPBIN_WORKERS].")] = None,
    database_url: Annotated[
        str | None, typer.Option(help="Database URL [VOIPBIN_DATABASE_URL].")
    ] = None,
) -> None:
    """Start the API server (migrating an empty database first)."""
    from voipbin.server.serve import StartupError, configure_logging
    from voipbin.server.serve import serve as run
    from voipbin.server.settings import Settings

    settings = _settings(host=host, port=port, workers=workers, database_url=database_url)
    assert isinstance(settings, Settings)
    configure_logging(settings.log_level)
    try:
        run(settings)
    except StartupError as exc:
        _refuse(exc)


@app.command()
def migrate(
    database_url: Annotated[
        str | None, typer.Option(help="Database URL [VOIPBIN_DATABASE_URL].")
    ] = None,
) -> None:
    """Apply the database migrations."""
    from voipbin.server.serve import StartupError, configure_logging
    from voipbin.server.serve import migrate as run
    from voipbin.server.settings import Settings

    settings = _settings(database_url=database_url)
    assert isinstance(settings, Settings)
    configure_logging(settings.log_level)
    try:
        revision = run(settings)
    except StartupError as exc:
        _refuse(exc)
    typer.echo(f"database at revision {revision}")


def _refuse(exc: Exception) -> NoReturn:
    """One line on stderr, and the exit code the error carries (2: the database)."""
    typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(getattr(exc, "exit_code", 1)) from None


add_resource_commands(app)
add_contact_commands(app)
add_outdial_commands(app)
add_simulator_commands(app)
add_webhook_commands(app)
add_event_commands(app)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
