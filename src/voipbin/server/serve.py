"""What ``voipbin serve`` and ``voipbin migrate`` do, apart from parsing flags."""

from __future__ import annotations

import asyncio
import logging
import os

from voipbin.server.settings import Settings

log = logging.getLogger("voipbin.server")


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # Alembic's per-step lines are noise at startup.
    logging.getLogger("alembic").setLevel(logging.WARNING)


def migrate(settings: Settings) -> str:
    """Bring the database to the newest schema; return the revision it is at."""
    from voipbin.server.storage import migrate as migrations

    migrations.upgrade(settings.database_url)
    return migrations.head_revision()


class StartupError(Exception):
    """The server cannot start; the message says why and what to do."""


def prepare(settings: Settings) -> None:
    """Before any worker starts: build the schema of an empty database (when allowed), refuse
    a database at another revision, and create the first super-admin."""
    asyncio.run(_prepare(settings))


async def _prepare(settings: Settings) -> None:
    from voipbin.common.errors import Unavailable
    from voipbin.server.auth.identity import Identity
    from voipbin.server.auth.passwords import Passwords
    from voipbin.server.storage.clock import CreationClock
    from voipbin.server.storage.database import open_database
    from voipbin.server.storage.schema import HEAD_REVISION, create_schema, schema_revision

    db = open_database(settings.database_url, timeout=settings.database_timeout)
    try:
        revision = await schema_revision(db)
        if revision is None:
            if not settings.auto_migrate:
                raise StartupError("the database is empty; run `voipbin migrate` first")
            log.info("empty database: creating the schema at revision %s", HEAD_REVISION)
            await create_schema(db)
        elif revision != HEAD_REVISION:
            raise StartupError(
                f"the database is at revision {revision} and this server needs "
                f"{HEAD_REVISION}; run `voipbin migrate`"
            )
        await Identity(settings, db, CreationClock(), Passwords()).ensure_ready()
    except Unavailable as exc:
        raise StartupError(f"cannot reach the database: {exc.message}") from exc
    finally:
        await db.close()


def serve(settings: Settings) -> None:
    """Run the server on granian with ``settings`` (passed to workers as ``VOIPBIN_*``)."""
    from granian import Granian
    from granian.constants import Interfaces

    prepare(settings)
    # Loaded here so that forked workers inherit it instead of importing it again.
    import voipbin.server.asgi  # noqa: F401

    os.environ.update(_environment(settings))
    Granian(
        "voipbin.server.asgi:app_from_env",
        address=settings.host,
        port=settings.port,
        interface=Interfaces.ASGI,
        workers=settings.workers,
        factory=True,
        log_level=settings.log_level,  # type: ignore[arg-type]
    ).serve()


def _environment(settings: Settings) -> dict[str, str]:
    import dataclasses

    values: dict[str, str] = {}
    for f in dataclasses.fields(settings):
        value = getattr(settings, f.name)
        if isinstance(value, tuple):
            value = ",".join(value)
        elif isinstance(value, bool):
            value = "true" if value else "false"
        values[f"VOIPBIN_{f.name.upper()}"] = str(value)
    return values
