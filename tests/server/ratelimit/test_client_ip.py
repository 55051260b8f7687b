"""Whose bucket a request draws on: the socket peer, or behind a trusted proxy the right-most
``X-Forwarded-For`` entry that is not a proxy; a forged header from anyone else changes
nothing. And a trusted-proxies setting that cannot be read stops the server at once."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from tests.server.conftest import Api, StartApp, assert_error
from voipbin.cli.main import app as cli
from voipbin.server.ratelimit.client_ip import ClientAddress
from voipbin.server.settings import Settings


@contextlib.asynccontextmanager
async def client_at(api: Api, address: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose requests come from ``address`` (as the socket peer)."""
    transport = httpx.ASGITransport(app=api.app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def get(client: httpx.AsyncClient, forwarded_for: str | None = None) -> httpx.Response:
    headers = {} if forwarded_for is None else {"X-Forwarded-For": forwarded_for}
    return await client.get("/health", headers=headers)


def assert_limited_by_ip(response: httpx.Response) -> None:
    error = assert_error(response, 429, "RESOURCE_EXHAUSTED", "RATE_LIMIT_EXCEEDED")
    assert error["details"] == [{"limited_by": "ip"}]


def ip_limit(burst: int) -> dict[str, float]:
    return {"ratelimit_ip_rate": 0.01, "ratelimit_ip_burst": burst}


@pytest.mark.parametrize("trusted", [(), ("10.0.0.0/8",)], ids=["none", "others"])
async def test_a_forged_forwarded_for_from_an_untrusted_peer_changes_nothing(
    start_app: StartApp, trusted: tuple[str, ...]
) -> None:
    api = await start_app(trusted_proxies=trusted, **ip_limit(2))

    first = await get(api.client, "198.51.100.1")
    second = await get(api.client, "198.51.100.2")
    third = await get(api.client, "198.51.100.3, 198.51.100.4")

    assert [first.status_code, second.status_code] == [200, 200]
    assert [second.headers["x-ratelimit-remaining"]] == ["0"]
    assert_limited_by_ip(third)


async def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_bucket(
    start_app: StartApp,
) -> None:
    api = await start_app(trusted_proxies=("127.0.0.1",), **ip_limit(2))

    alice = [await get(api.client, "198.51.100.1") for _ in range(3)]
    bob = await get(api.client, "198.51.100.2")

    assert [r.status_code for r in alice[:2]] == [200, 200]
    assert_limited_by_ip(alice[2])
    assert bob.status_code == 200
    assert bob.headers["x-ratelimit-remaining"] == "1"


async def test_the_right_most_untrusted_entry_is_the_client(start_app: StartApp) -> None:
    api = await start_app(trusted_proxies=("10.0.0.0/8",), **ip_limit(2))
    async with client_at(api, "10.0.0.5") as proxy:
        # The client may write anything left of its own address; the proxies append the rest.
        responses = [
            await get(proxy, f"203.0.113.{n}, 198.51.100.7, 10.0.0.9") for n in range(1, 4)
        ]
        other = await get(proxy, "203.0.113.1, 198.51.100.8, 10.0.0.9")

    assert [r.status_code for r in responses[:2]] == [200, 200]
    assert_limited_by_ip(responses[2])
    assert other.status_code == 200


async def test_a_trusted_proxy_without_forwarded_for_is_its_own_client(
    start_app: StartApp,
) -> None:
    api = await start_app(trusted_proxies=("10.0.0.0/8",), **ip_limit(2))
    async with client_at(api, "10.0.0.5") as proxy:
        own = [await get(proxy) for _ in range(3)]
        forwarded = await get(proxy, "198.51.100.7")

    assert [r.status_code for r in own[:2]] == [200, 200]
    assert_limited_by_ip(own[2])
    assert forwarded.status_code == 200


@pytest.mark.parametrize(
    ("trusted", "peer", "forwarded", "client"),
    [
        ((), "192.0.2.1", [b"198.51.100.1"], "192.0.2.1"),
        (("192.0.2.1",), "192.0.2.1", [], "192.0.2.1"),
        (("192.0.2.1",), "192.0.2.1", [b"198.51.100.1"], "198.51.100.1"),
        (("192.0.2.0/24",), "192.0.2.1", [b"6.6.6.6, 198.51.100.1, 192.0.2.9"], "198.51.100.1"),
        (("192.0.2.0/24",), "192.0.2.1", [b"6.6.6.6", b"198.51.100.1 , 192.0.2.9"], "198.51.100.1"),
        (("192.0.2.0/24",), "192.0.2.1", [b"192.0.2.7, 192.0.2.9"], "192.0.2.7"),
        (("::1",), "::1", [b"2001:db8::1"], "2001:db8::1"),
        (("fd00::/8",), "fd00::2", [b"2001:db8::1, fd00::3"], "2001:db8::1"),
    ],
    ids=[
        "untrusted-peer",
        "proxy-alone",
        "one-hop",
        "right-most-untrusted",
        "headers-joined",
        "all-trusted",
        "ipv6",
        "ipv6-network",
    ],
)
def test_the_client_address_of_a_request(
    trusted: tuple[str, ...], peer: str, forwarded: list[bytes], client: str
) -> None:
    scope = {
        "type": "http",
        "client": (peer, 1234),
        "headers": [(b"x-forwarded-for", value) for value in forwarded],
    }

    assert ClientAddress(trusted).of(scope) == client


def test_a_bad_trusted_proxies_setting_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"VOIPBIN_TRUSTED_PROXIES: .*'proxy\.internal'"):
        Settings.from_env({"VOIPBIN_TRUSTED_PROXIES": "10.0.0.0/8, proxy.internal"})


def test_the_command_line_stops_on_a_bad_trusted_proxies_setting(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["migrate", "--database-url", f"sqlite:///{tmp_path / 'voipbin.db'}"],
        env={"VOIPBIN_TRUSTED_PROXIES": "10.0.0.300"},
    )

    assert result.exit_code == 2
    assert "VOIPBIN_TRUSTED_PROXIES" in result.output
    assert "'10.0.0.300'" in result.output
    assert not (tmp_path / "voipbin.db").exists()
