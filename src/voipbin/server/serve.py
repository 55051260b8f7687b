"""What ``voipbin serve`` and ``voipbin migrate`` do, apart from parsing flags."""

from __future__ import annotations

import asyncio
import logging
import os

from voipbin.server.settings import Settings
from voipbin.server.storage import migrate as migrations

log = logging.getLogger("voipbin.server")


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # Alembic's per-step lines are noise at startup.
    logging.getLogger("alembic").setLevel(logging.WARNING)


def migrate(settings: Settings) -> str:
    """Bring the database to the newest schema; return the revision it is at."""
    migrations.upgrade(settings.database_url)
    return migrations.head_revision()


def prepare(settings: Settings) -> None:
    """Migrate an empty database (when allowed) and create the first super-admin, once,
    before any worker starts."""
    if settings.auto_migrate and migrations.current_revision(settings.database_url) is None:
        log.info("empty database: applying migrations")
        migrate(settings)
    asyncio.run(_bootstrap(settings))


async def _bootstrap(settings: Settings) -> None:
    from voipbin.server.app import create_app

    app = create_app(settings)
    state = app.state.voipbin
    try:
        await state.identity.ensure_ready()
    finally:
        await state.db.close()


def serve(settings: Settings) -> None:
    """Run the server on granian with ``settings`` (passed to workers as ``VOIPBIN_*``)."""
    from granian import Granian
    from granian.constants import Interfaces

    prepare(settings)
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
