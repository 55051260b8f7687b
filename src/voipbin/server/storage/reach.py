"""Whether a ``VOIPBIN_DATABASE_URL`` names a database this server can use, said in one line.

``voipbin serve`` and ``voipbin migrate`` check the database before anything else, so that an
unsupported scheme, a malformed URL or a database that does not answer is one line naming the
problem (``cannot reach the database at postgresql://app:***@db:5432/voipbin: connection
refused``), never a driver's traceback and never the password.
"""

from __future__ import annotations

import socket
import sqlite3
from urllib.parse import urlsplit

from voipbin.common.errors import Unavailable
from voipbin.server.storage.backends import open_database
from voipbin.server.storage.database import Database

_HIDDEN = "***"


class DatabaseUnusable(Exception):
    """The database URL is unsupported or malformed, or the database does not answer; the
    message is one line for a person, without the password."""


def redacted(url: str) -> str:
    """``url`` with its password (in the user part or a ``password=`` query) hidden."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    head, query_sep, query = rest.partition("?")
    # The last "@" ends the user part: the password may hold an unencoded "@" or "/".
    userinfo, at, after = head.rpartition("@")
    if at and ":" in userinfo:
        head = f"{userinfo.split(':', 1)[0]}:{_HIDDEN}@{after}"
    if query_sep:
        params = (p.partition("=") for p in query.split("&"))
        query = "&".join(
            f"{name}={_HIDDEN}" if name.lower() == "password" else f"{name}{eq}{value}"
            for name, eq, value in params
        )
    return f"{scheme}{sep}{head}{query_sep}{query}"


def _check_form(url: str) -> None:
    """Refuse a URL whose form is wrong before a driver sees it (and prints it whole)."""
    scheme = url.split(":", 1)[0].lower()
    if scheme.startswith("sqlite"):
        if not url.startswith("sqlite:///"):
            raise DatabaseUnusable(
                f"invalid database URL {url}: a SQLite URL is sqlite:///path/to/file.db"
            )
        return
    if scheme not in ("postgres", "postgresql"):
        raise DatabaseUnusable(
            f"unsupported database URL scheme {scheme!r} in {redacted(url)}: "
            "use sqlite:///path or postgresql://user@host/database"
        )
    try:
        urlsplit(url).port  # noqa: B018 - reading it checks it
    except ValueError as exc:
        raise DatabaseUnusable(f"invalid database URL {redacted(url)}: {exc}") from None


def why(exc: BaseException, seconds: float) -> str:
    """What went wrong when reaching a database, in a few words."""
    cause = exc.__cause__ if isinstance(exc, Unavailable) and exc.__cause__ else exc
    if isinstance(cause, TimeoutError) or (
        isinstance(exc, Unavailable) and exc.reason == "REQUEST_TIMEOUT"
    ):
        return f"no answer within {seconds:g} s"
    if isinstance(cause, socket.gaierror):
        return "unknown host"
    text = " ".join(str(cause).split())
    if isinstance(cause, ConnectionRefusedError) or "Connect call failed" in text:
        return "connection refused"
    if isinstance(cause, OSError) and cause.strerror:
        return cause.strerror.lower()
    return text or type(cause).__name__


async def connect(url: str, *, seconds: float) -> Database:
    """The database ``url`` names, once it has answered within ``seconds`` (the database's
    own bound on every call); ``DatabaseUnusable`` otherwise."""
    _check_form(url)
    where = redacted(url)
    try:
        db = open_database(url, timeout=seconds)
    except (OSError, sqlite3.Error, ValueError) as exc:
        raise DatabaseUnusable(f"cannot open the database at {where}: {why(exc, seconds)}") from exc
    try:
        await db.ping()
    except Exception as exc:  # whatever the driver says, it is said in one line
        await db.close()
        message = f"cannot reach the database at {where}: {why(exc, seconds)}"
        raise DatabaseUnusable(message) from exc
    return db


async def check(url: str, *, seconds: float) -> None:
    """Raise ``DatabaseUnusable`` unless the database ``url`` names answers within
    ``seconds``."""
    db = await connect(url, seconds=seconds)
    await db.close()
