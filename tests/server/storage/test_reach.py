"""Checking a database URL before starting: a person reads one line naming the problem, and
never the password."""

from __future__ import annotations

from pathlib import Path

import pytest

from voipbin.server.storage.reach import DatabaseUnusable, check, redacted


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://app:s3cret@db:5432/voipbin", "postgresql://app:***@db:5432/voipbin"),
        ("postgresql://app:p@ss/w0rd@db/voipbin", "postgresql://app:***@db/voipbin"),
        (
            "postgresql://db/voipbin?sslmode=require&password=s3cret",
            "postgresql://db/voipbin?sslmode=require&password=***",
        ),
        ("postgresql://app@db/voipbin", "postgresql://app@db/voipbin"),
        ("sqlite:///./voipbin.db", "sqlite:///./voipbin.db"),
    ],
)
def test_a_url_is_shown_without_its_password(url: str, shown: str) -> None:
    assert redacted(url) == shown


async def test_a_sqlite_file_that_cannot_be_opened_is_named(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    url = f"sqlite:///{blocker}/voipbin.db"

    with pytest.raises(DatabaseUnusable) as caught:
        await check(url, seconds=1)

    assert str(caught.value).startswith(f"cannot open the database at {url}: ")
    assert "\n" not in str(caught.value)


async def test_a_database_that_answers_passes(database_url: str) -> None:
    await check(database_url, seconds=5)
