"""Creation times never repeat and never go back, whatever the wall clock does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from tests.server.conftest import StartApp
from tests.server.storage.conftest import ManualClock, assert_newest_first, create_tag, walk
from voipbin.common.timestamps import format_timestamp
from voipbin.server.storage.clock import CreationClock

US = timedelta(microseconds=1)
T = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def test_a_stuck_clock_still_gives_strictly_increasing_times() -> None:
    clock = CreationClock(lambda: T)

    assert [clock.next() for _ in range(3)] == [T, T + US, T + 2 * US]


def test_a_clock_going_backwards_never_takes_times_back() -> None:
    wall = ManualClock(T)
    clock = CreationClock(wall)
    times = [clock.next()]
    for value in (T - timedelta(hours=1), T - US, T, T + 5 * US, T + US):
        wall.value = value
        times.append(clock.next())

    assert times == [T, T + US, T + 2 * US, T + 3 * US, T + 5 * US, T + 6 * US]


def test_times_are_utc_whatever_zone_the_wall_clock_answers_in() -> None:
    clock = CreationClock(lambda: T.astimezone(timezone(timedelta(hours=9))))

    value = clock.next()

    assert value == T
    assert value.utcoffset() == timedelta(0)


def test_advance_past_moves_later_times_beyond_another_process() -> None:
    clock = CreationClock(lambda: T)
    clock.next()

    clock.advance_past(T + timedelta(seconds=1))
    clock.advance_past(T)  # an older time changes nothing

    assert clock.next() == T + timedelta(seconds=1) + US


async def test_tm_create_is_unique_and_increasing_when_the_clock_goes_backwards(
    start_app: StartApp, fixed: datetime
) -> None:
    wall = ManualClock(fixed)
    api = await start_app(now=wall)
    readings = [fixed, fixed, fixed - timedelta(hours=1), fixed - US, fixed + 1000 * US, fixed]
    tags = []
    for i, reading in enumerate(readings):
        wall.value = reading
        tags.append(await create_tag(api, f"tag-{i}"))

    times = [tag["tm_create"] for tag in tags]
    assert times == sorted(set(times))
    assert all(tag["tm_update"] == tag["tm_create"] for tag in tags)
    # A clock that moved on past every time handed out is taken as it is.
    assert times[4] == format_timestamp(fixed + 1000 * US)
    items = await walk(api, {"page_size": 2})
    assert [item["id"] for item in items] == [tag["id"] for tag in reversed(tags)]
    assert_newest_first(items)
