"""Opening the database a URL names: the one module that knows every backend.

It sits above ``database`` (the interface) and its implementations (``sqlite``,
``postgres``), so the interface never imports what implements it.
"""

from __future__ import annotations

from voipbin.server.storage.database import Database


def open_database(url: str, *, timeout: float = 5.0) -> Database:
    """The database a ``VOIPBIN_DATABASE_URL`` names (``sqlite:///...`` or ``postgresql://...``)."""
    # Each backend is imported when used: a SQLite server never loads asyncpg.
    scheme = url.split(":", 1)[0].lower()
    if scheme.startswith("sqlite"):
        from voipbin.server.storage.sqlite import SQLiteDatabase

        return SQLiteDatabase(url, timeout=timeout)
    if scheme.startswith(("postgres", "postgresql")):
        from voipbin.server.storage.postgres import PostgresDatabase

        return PostgresDatabase(url, timeout=timeout)
    raise ValueError(f"unsupported database URL scheme {scheme!r}: use sqlite:/// or postgresql://")
