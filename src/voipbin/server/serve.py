"""What ``voipbin serve`` and ``voipbin migrate`` do, apart from parsing flags."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import socket
from collections.abc import Iterator

from voipbin.server.settings import Settings

log = logging.getLogger("voipbin.server")


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # Alembic's per-step lines are noise at startup.
    logging.getLogger("alembic").setLevel(logging.WARNING)


class StartupError(Exception):
    """The server cannot start; the message says why and what to do, in one line."""

    exit_code = 1


class DatabaseUnusable(StartupError):
    """The database URL is unsupported or malformed, or the database does not answer."""

    exit_code = 2


def _check_database(settings: Settings) -> None:
    from voipbin.server.storage import reach

    try:
        asyncio.run(reach.check(settings.database_url, seconds=settings.database_timeout))
    except reach.DatabaseUnusable as exc:
        raise DatabaseUnusable(str(exc)) from None


def migrate(settings: Settings) -> str:
    """Bring the database to the newest schema; return the revision it is at."""
    from voipbin.server.storage import migrate as migrations

    _check_database(settings)
    migrations.upgrade(settings.database_url)
    return migrations.head_revision()


def prepare(settings: Settings) -> None:
    """Before any worker starts: build the schema of an empty database (when allowed), refuse
    a database at another revision, and create the first super-admin."""
    asyncio.run(_prepare(settings))


async def _prepare(settings: Settings) -> None:
    from voipbin.common.errors import Unavailable
    from voipbin.server.app import create_app
    from voipbin.server.storage import reach
    from voipbin.server.storage.schema import HEAD_REVISION, create_schema, schema_revision

    url, timeout = settings.database_url, settings.database_timeout
    try:
        db = await reach.connect(url, seconds=timeout)
    except reach.DatabaseUnusable as exc:
        raise DatabaseUnusable(str(exc)) from None
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
    except Unavailable as exc:
        raise DatabaseUnusable(
            f"cannot reach the database at {reach.redacted(url)}: {reach.why(exc, timeout)}"
        ) from None
    finally:
        await db.close()
    # The first super-admin and its customer, with everything a new customer gets (its
    # billing account, its outbound config): made by the app's own identity, as at any start.
    state = create_app(settings).state.voipbin
    try:
        await state.identity.ensure_ready()
    except Unavailable as exc:
        raise DatabaseUnusable(
            f"cannot reach the database at {reach.redacted(url)}: {reach.why(exc, timeout)}"
        ) from None
    finally:
        await state.db.close()


def _address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


@contextlib.contextmanager
def _reserved(host: str, port: int) -> Iterator[None]:
    """Hold ``host:port`` (bound, not listening) until the server takes it, or refuse it when
    something listens there already. granian binds with SO_REUSEPORT, with which a second
    server on the same port would start and the kernel would split connections between them;
    this socket does not set it, so its bind fails on a port in use."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise StartupError(f"cannot listen on {_address(host, port)}: {exc.strerror}") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        # A server that just stopped leaves connections in TIME_WAIT; they do not hold the port.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as exc:
        sock.close()
        why = "address already in use" if exc.errno == errno.EADDRINUSE else exc.strerror
        raise StartupError(f"cannot listen on {_address(host, port)}: {why}") from None
    try:
        yield
    finally:
        sock.close()


def serve(settings: Settings) -> None:
    """Run the server on granian with ``settings`` (passed to workers as ``VOIPBIN_*``)."""
    from granian import Granian
    from granian.constants import Interfaces

    with _reserved(settings.host, settings.port):
        prepare(settings)
        # Loaded here so that forked workers inherit it instead of importing it again.
        import voipbin.server.asgi  # noqa: F401

        os.environ.update(_environment(settings))
    # Released just before granian binds: the window for another process is that short.
    Granian(
        "voipbin.server.asgi:app_from_env",
        address=settings.host,
        port=settings.port,
        interface=Interfaces.ASGI,
        websockets=True,  # /v1.0/ws, the event stream
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
