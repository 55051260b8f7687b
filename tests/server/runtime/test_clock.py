"""The runtime's clock: a virtual clock stands still until moved, and only forwards; the
setting that chooses it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from voipbin.server.runtime.clock import RealClock, VirtualClock, clock_for
from voipbin.server.settings import Settings

START = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


def test_a_virtual_clock_moves_only_when_advanced_and_never_back() -> None:
    clock = VirtualClock(START)
    assert clock.now() == START
    assert clock.now() == START
    assert clock.advance(12.5) == START + timedelta(seconds=12.5)
    assert clock.move_to(START) == START + timedelta(seconds=12.5)
    with pytest.raises(ValueError, match="does not move"):
        clock.advance(-1)
    with pytest.raises(ValueError, match="does not move"):
        clock.advance(float("nan"))
    assert clock.now() == START + timedelta(seconds=12.5)


def test_the_setting_chooses_the_clock() -> None:
    real = clock_for("real", lambda: START)
    assert isinstance(real, RealClock)
    assert (real.mode, real.now()) == ("real", START)
    virtual = clock_for("virtual", lambda: START)
    assert (virtual.mode, virtual.now()) == ("virtual", START)
    assert Settings.from_env({"VOIPBIN_CLOCK": "virtual"}).clock == "virtual"
    with pytest.raises(ValueError, match="VOIPBIN_CLOCK"):
        Settings(clock="fast")
    with pytest.raises(ValueError, match="one server process"):
        Settings(clock="virtual", workers=2)
    with pytest.raises(ValueError, match="VOIPBIN_JOBS_POLL_SECONDS"):
        Settings(jobs_poll_seconds=0)
    with pytest.raises(ValueError, match="VOIPBIN_JOBS_LEASE_SECONDS"):
        Settings.from_env({"VOIPBIN_JOBS_LEASE_SECONDS": "nan"})


@pytest.mark.parametrize(
    ("backend", "clock", "expected"),
    [("sqlite", "real", 1), ("postgres", "virtual", 1), ("postgres", "real", 6)],
)
def test_jobs_run_concurrently_on_postgresql_on_the_real_clock_only(
    request: pytest.FixtureRequest, tmp_path: Any, backend: str, clock: str, expected: int
) -> None:
    """SQLite has one writer and a virtual clock's runs must repeat: one job at a time."""
    from tests.server.conftest import cheap_passwords, test_settings
    from voipbin.server import create_app

    with pytest.raises(ValueError, match="VOIPBIN_JOBS_CONCURRENCY"):
        Settings(jobs_concurrency=0)
    url = (
        f"sqlite:///{tmp_path}/x.db"
        if backend == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    settings = test_settings(url, clock=clock, jobs_concurrency=6)
    app = create_app(settings, passwords=cheap_passwords())
    assert app.state.voipbin.jobs.concurrency == expected
