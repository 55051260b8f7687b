"""Password hashing runs off the event loop, a bounded number at a time: other requests are
served while a login hashes, no more than ``password_hash_concurrency`` hashes run at once,
and a caller past the waiting bound gets a 503 with ``Retry-After`` instead of a long queue."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Literal

import httpx
import pytest
from argon2 import PasswordHasher

from tests.server.conftest import ADMIN_PASSWORD, ADMIN_USERNAME, Api, assert_error
from tests.server.conftest import test_settings as settings_for
from voipbin.common.errors import Unavailable
from voipbin.server import Settings, create_app
from voipbin.server.auth.passwords import WAITING_PER_SLOT, Passwords


class BlockingHasher(PasswordHasher):
    """Cheap argon2 that, once armed, holds every hash until the test releases it, and
    records how many ran at once."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.armed = False
        self.release = threading.Event()
        self._lock = threading.Lock()
        self.started = 0
        self.running = 0
        self.most = 0

    def _hold(self) -> None:
        if not self.armed:
            return
        with self._lock:
            self.started += 1
            self.running += 1
            self.most = max(self.most, self.running)
        self.release.wait(5)
        with self._lock:
            self.running -= 1

    def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
        self._hold()
        return super().hash(password, salt=salt)

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        self._hold()
        return super().verify(hash, password)


async def until(condition: Callable[[], bool]) -> None:
    """Wait, yielding to the loop, until ``condition`` holds (a worker thread makes it so:
    it cannot set an event of the loop); three seconds at most."""
    for _ in range(600):
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("still waiting after three seconds")


async def started(hasher: BlockingHasher, count: int) -> None:
    """Wait until ``count`` hashes are being held."""
    await until(lambda: hasher.started >= count)


def blocking(api: Api, monkeypatch: pytest.MonkeyPatch) -> BlockingHasher:
    hasher = BlockingHasher()
    monkeypatch.setattr(api.state.identity.passwords, "hasher", hasher)
    hasher.armed = True
    return hasher


async def log_in(api: Api) -> httpx.Response:
    return await api.client.post(
        "/auth/login", json={"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD}
    )


async def test_other_requests_are_served_while_a_login_hashes(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    hasher = blocking(api, monkeypatch)
    login = asyncio.create_task(log_in(api))
    await started(hasher, 1)

    health = await api.client.get("/health")
    tags = await api.client.get("/v1.0/tags", headers=api.headers)

    assert health.status_code == 200, health.text
    assert tags.status_code == 200, tags.text
    assert not login.done(), "the login finished before its hash was let go"
    hasher.release.set()
    assert (await login).status_code == 200


async def test_no_more_than_the_concurrency_hash_at_once() -> None:
    hasher = BlockingHasher()
    passwords = Passwords(hasher, concurrency=2)
    hasher.armed = True
    calls = [asyncio.create_task(passwords.hash(f"password {i}")) for i in range(5)]
    await started(hasher, 2)
    await asyncio.sleep(0.1)  # room for a third to start, if anything let it
    assert hasher.started == 2
    hasher.release.set()
    hashes = await asyncio.gather(*calls)
    assert hasher.started == 5
    assert hasher.most == 2
    assert [await passwords.verify(h, f"password {i}") for i, h in enumerate(hashes)] == [True] * 5


async def test_a_login_past_the_waiting_bound_is_503_with_retry_after(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    hasher = blocking(api, monkeypatch)
    passwords = api.state.identity.passwords
    queued = passwords.concurrency * (1 + WAITING_PER_SLOT)
    logins = [asyncio.create_task(log_in(api)) for _ in range(queued)]
    await started(hasher, passwords.concurrency)
    await until(lambda: passwords._waiting >= passwords.max_waiting)

    refused = await log_in(api)

    assert_error(refused, 503, "UNAVAILABLE", "SERVICE_UNAVAILABLE")
    assert refused.headers["retry-after"] == "1"
    assert "password" in refused.json()["error"]["message"]
    hasher.release.set()
    # Those that waited are served; a retry now goes through.
    assert {(await login).status_code for login in logins} == {200}
    assert (await log_in(api)).status_code == 200


async def test_a_refused_hash_raises_unavailable_and_did_nothing() -> None:
    hasher = BlockingHasher()
    passwords = Passwords(hasher, concurrency=1)
    hasher.armed = True
    calls = [asyncio.create_task(passwords.hash("x")) for _ in range(1 + passwords.max_waiting)]
    await started(hasher, 1)
    await asyncio.sleep(0)
    with pytest.raises(Unavailable) as refused:
        await passwords.hash("one too many")
    assert refused.value.headers == {"Retry-After": "1"}
    assert hasher.started == 1
    hasher.release.set()
    await asyncio.gather(*calls)
    assert hasher.started == 1 + passwords.max_waiting


async def test_the_concurrency_is_a_setting() -> None:
    settings = Settings.from_env(
        {"VOIPBIN_PASSWORD_HASH_CONCURRENCY": "3"}, database_url="sqlite:///:memory:"
    )
    assert settings.password_hash_concurrency == 3
    assert Settings().password_hash_concurrency == 2
    app = create_app(settings_for("sqlite:///:memory:", password_hash_concurrency=3))
    state = app.state.voipbin
    assert state.identity.passwords.concurrency == 3
    await state.db.close()
    with pytest.raises(ValueError, match="VOIPBIN_PASSWORD_HASH_CONCURRENCY"):
        Settings(password_hash_concurrency=0)
