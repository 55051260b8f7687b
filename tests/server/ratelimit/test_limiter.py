"""The two layers through HTTP: the headers of the tightest one, the 429 envelope naming the
layer that refused, which layer is asked first, and what a refused request did (nothing)."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from tests.server.conftest import Api, StartApp, add_agent, assert_error
from tests.server.ratelimit.conftest import MicroClock
from voipbin.common.permissions import Permission
from voipbin.server.app import VoipbinApp
from voipbin.server.ratelimit.gcra import Limit
from voipbin.server.ratelimit.limiter import RateLimiter, limiter_from_settings
from voipbin.server.ratelimit.memory import MemoryBuckets
from voipbin.server.settings import Settings

RATE_LIMIT_HEADERS = (
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "ratelimit-policy",
    "ratelimit",
)
SLOW = 0.01
"""A rate (one request every 100 s) at which nothing refills while a test runs."""


def limiter_of(api: Api) -> RateLimiter:
    assert isinstance(api.app, VoipbinApp)
    assert api.app.limiter is not None
    return api.app.limiter


def on_clock(api: Api, clock: MicroClock) -> None:
    """Run both layers' buckets (emptied) on ``clock`` from now on."""
    limiter = limiter_of(api)
    limiter.ip_buckets = MemoryBuckets(clock)
    limiter.customer_buckets = MemoryBuckets(clock)


def figures(response: httpx.Response) -> tuple[int, int]:
    """``X-RateLimit-Limit`` and ``X-RateLimit-Remaining``."""
    headers = response.headers
    return int(headers["x-ratelimit-limit"]), int(headers["x-ratelimit-remaining"])


def policy_names(response: httpx.Response) -> list[str]:
    policies = response.headers["ratelimit-policy"].split(", ")
    return [policy.split(";")[0].strip('"') for policy in policies]


def limited_by(response: httpx.Response) -> str:
    error = assert_error(response, 429, "RESOURCE_EXHAUSTED", "RATE_LIMIT_EXCEEDED")
    [detail] = error["details"]
    assert set(detail) == {"limited_by"}
    layer: str = detail["limited_by"]
    return layer


def customer_limit(burst: int, rate: float = SLOW) -> dict[str, Any]:
    return {"ratelimit_customer_rate": rate, "ratelimit_customer_burst": burst}


def ip_limit(burst: int, rate: float = SLOW) -> dict[str, Any]:
    return {"ratelimit_ip_rate": rate, "ratelimit_ip_burst": burst}


def auth_limit(burst: int, rate: float = SLOW) -> dict[str, Any]:
    return {"ratelimit_auth_rate": rate, "ratelimit_auth_burst": burst}


# -- headers -----------------------------------------------------------------------------------


async def test_the_headers_count_down_from_the_burst(start_app: StartApp) -> None:
    api = await start_app(**customer_limit(5))

    responses = [await api.client.get("/v1.0/tags", headers=api.headers) for _ in range(3)]

    assert [r.status_code for r in responses] == [200, 200, 200]
    assert [figures(r) for r in responses] == [(5, 4), (5, 3), (5, 2)]


async def test_the_reset_header_is_the_unix_second_the_bucket_is_full_again(
    start_app: StartApp,
) -> None:
    api = await start_app(**customer_limit(5))

    for taken in (1, 2, 3):
        response = await api.client.get("/v1.0/tags", headers=api.headers)
        # Each request taken is 100 s more to refill.
        expected = time.time() + 100 * taken
        assert abs(int(response.headers["x-ratelimit-reset"]) - expected) <= 2


async def test_the_ietf_fields_name_the_policies_and_the_tightest_state(
    start_app: StartApp,
) -> None:
    api = await start_app(**customer_limit(5), **ip_limit(50))

    await api.client.get("/v1.0/tags", headers=api.headers)
    response = await api.client.get("/v1.0/tags", headers=api.headers)

    assert response.headers["ratelimit-policy"] == '"ip";q=50;w=5000, "customer";q=5;w=500'
    assert response.headers["ratelimit"] == '"customer";r=3;t=200'


async def test_the_tightest_layer_gives_the_headers(start_app: StartApp) -> None:
    customer_tighter = await start_app(**customer_limit(3), **ip_limit(10))
    ip_tighter = await start_app(**customer_limit(10), **ip_limit(2))

    by_customer = await customer_tighter.client.get("/v1.0/tags", headers=customer_tighter.headers)
    by_ip = await ip_tighter.client.get("/v1.0/tags", headers=ip_tighter.headers)

    assert figures(by_customer) == (3, 2)
    assert by_customer.headers["ratelimit"].startswith('"customer";')
    assert figures(by_ip) == (2, 1)
    assert by_ip.headers["ratelimit"].startswith('"ip";')


@pytest.mark.parametrize(
    ("overrides", "path", "policies"),
    [
        ({}, "/v1.0/tags", None),
        (customer_limit(5), "/v1.0/tags", ["customer"]),
        (customer_limit(5), "/health", None),
        (ip_limit(5), "/v1.0/tags", ["ip"]),
        (ip_limit(5), "/auth/login", None),
        (auth_limit(5), "/auth/login", ["auth"]),
        (auth_limit(5), "/v1.0/tags", None),
    ],
    ids=[
        "all-off",
        "customer-only",
        "customer-only-unauthenticated",
        "ip-only",
        "ip-only-auth-path",
        "auth-only",
        "auth-only-elsewhere",
    ],
)
async def test_a_rate_of_zero_turns_a_layer_off(
    start_app: StartApp, overrides: dict[str, Any], path: str, policies: list[str] | None
) -> None:
    api = await start_app(**overrides)

    if path == "/auth/login":
        response = await api.client.post(
            path, json={"username": "nobody@example.com", "password": "wrong"}
        )
    else:
        response = await api.client.get(path, headers=api.headers)

    assert response.status_code in (200, 401)
    if policies is None:
        assert not [h for h in RATE_LIMIT_HEADERS if h in response.headers]
    else:
        assert all(h in response.headers for h in RATE_LIMIT_HEADERS)
        assert policy_names(response) == policies


# -- the 429 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "retry_after"), [(0.5, "2"), (0.4, "3"), (3.0, "1"), (1.0, "1"), (SLOW, "100")]
)
async def test_a_customer_over_its_limit_gets_the_429_envelope(
    start_app: StartApp, rate: float, retry_after: str
) -> None:
    api = await start_app(**customer_limit(1, rate))
    clock = MicroClock()
    on_clock(api, clock)
    assert (await api.client.get("/v1.0/tags", headers=api.headers)).status_code == 200

    response = await api.client.get("/v1.0/tags", headers=api.headers)

    assert limited_by(response) == "customer"
    # Whole seconds, rounded up from 1/rate.
    assert response.headers["retry-after"] == retry_after
    assert figures(response) == (1, 0)
    assert response.headers["ratelimit"] == f'"customer";r=0;t={retry_after}'


async def test_a_client_ip_over_its_limit_gets_the_429_envelope(start_app: StartApp) -> None:
    api = await start_app(**ip_limit(1, 0.5))
    assert (await api.client.get("/v1.0/tags", headers=api.headers)).status_code == 200

    response = await api.client.get("/v1.0/tags", headers=api.headers)

    assert limited_by(response) == "ip"
    assert response.headers["retry-after"] == "2"
    assert figures(response) == (1, 0)
    cors = await api.client.get("/v1.0/tags", headers={**api.headers, "Origin": "http://x.test"})
    assert limited_by(cors) == "ip"
    assert "Retry-After" in cors.headers["access-control-expose-headers"]


async def test_the_ip_layer_refuses_before_authentication(start_app: StartApp) -> None:
    api = await start_app(**ip_limit(2), **customer_limit(5))
    for _ in range(2):
        anonymous = await api.client.get("/v1.0/tags")
        assert_error(anonymous, 401, "UNAUTHENTICATED", "AUTHENTICATION_REQUIRED")
        assert anonymous.headers["ratelimit"].startswith('"ip";')

    assert limited_by(await api.client.get("/v1.0/tags")) == "ip"
    assert limited_by(await api.client.get("/v1.0/tags", headers=api.headers)) == "ip"


async def test_a_request_the_ip_layer_refused_took_nothing_from_the_customer(
    start_app: StartApp,
) -> None:
    api = await start_app(**ip_limit(2, rate=1), **customer_limit(3))
    clock = MicroClock()
    on_clock(api, clock)
    for _ in range(2):
        assert (await api.client.get("/v1.0/tags", headers=api.headers)).status_code == 200
    assert limited_by(await api.client.get("/v1.0/tags", headers=api.headers)) == "ip"

    clock.advance(10)  # the IP's bucket is full again; the customer's refills by 0.1
    response = await api.client.get("/v1.0/tags", headers=api.headers)

    assert response.status_code == 200
    assert figures(response) == (3, 0)
    assert limited_by(await api.client.get("/v1.0/tags", headers=api.headers)) == "customer"


@pytest.mark.parametrize("layer", ["ip", "customer"])
async def test_a_refused_post_creates_nothing(start_app: StartApp, layer: str) -> None:
    api = await start_app(**(ip_limit(2) if layer == "ip" else customer_limit(2)))
    clock = MicroClock()
    on_clock(api, clock)
    for n in range(2):
        created = await api.client.post("/v1.0/tags", json={"name": f"t{n}"}, headers=api.headers)
        assert created.status_code == 201, created.text

    refused = await api.client.post("/v1.0/tags", json={"name": "t2"}, headers=api.headers)

    assert limited_by(refused) == layer
    clock.advance(1000)
    listed = await api.client.get("/v1.0/tags", headers=api.headers)
    assert listed.status_code == 200
    assert sorted(tag["name"] for tag in listed.json()["result"]) == ["t0", "t1"]


# -- what each bucket counts ---------------------------------------------------------------


async def test_auth_paths_are_limited_apart_from_the_rest(start_app: StartApp) -> None:
    # start_app's own login took the first of the three.
    api = await start_app(**auth_limit(3), **ip_limit(100))
    credentials = {"username": "admin@localhost", "password": "admin-password"}
    logins = [await api.client.post("/auth/login", json=credentials) for _ in range(3)]

    assert [r.status_code for r in logins[:2]] == [200, 200]
    assert [figures(r) for r in logins[:2]] == [(3, 1), (3, 0)]
    assert limited_by(logins[2]) == "ip"
    assert logins[2].headers["ratelimit"].startswith('"auth";')

    elsewhere = await api.client.get("/v1.0/tags", headers=api.headers)
    assert elsewhere.status_code == 200
    assert figures(elsewhere) == (100, 99)


async def test_the_rest_exhausted_leaves_login_working(start_app: StartApp) -> None:
    api = await start_app(**auth_limit(3), **ip_limit(1))
    assert (await api.client.get("/v1.0/tags", headers=api.headers)).status_code == 200
    assert limited_by(await api.client.get("/v1.0/tags", headers=api.headers)) == "ip"

    login = await api.client.post(
        "/auth/login", json={"username": "admin@localhost", "password": "admin-password"}
    )

    assert login.status_code == 200
    assert figures(login) == (3, 1)


async def test_every_credential_of_a_customer_draws_on_one_bucket(start_app: StartApp) -> None:
    api = await start_app(**customer_limit(3))
    key = await api.client.post("/v1.0/accesskeys", json={}, headers=api.headers)
    assert key.status_code == 201, key.text
    by_key = {"Authorization": f"Bearer {key.json()['token']}"}
    other = await add_agent(api, permission=int(Permission.CUSTOMER_ADMIN))

    by_token = await api.client.get("/v1.0/tags", headers=api.headers)
    by_accesskey = await api.client.get("/v1.0/tags", headers=by_key)
    by_other_customer = await api.client.get("/v1.0/tags", headers=other.headers)

    assert figures(by_token) == (3, 1)
    assert figures(by_accesskey) == (3, 0)
    assert figures(by_other_customer) == (3, 2)
    assert limited_by(await api.client.get("/v1.0/tags", headers=by_key)) == "customer"


# -- settings ------------------------------------------------------------------------------


def test_limits_are_read_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "VOIPBIN_RATELIMIT_CUSTOMER_RATE": "2.5",
            "VOIPBIN_RATELIMIT_CUSTOMER_BURST": "7",
            "VOIPBIN_RATELIMIT_IP_RATE": "0",
        }
    )

    limits = limiter_from_settings(settings).limits
    assert limits.customer == Limit(2.5, 7)
    assert not limits.ip.enabled
    assert limits.auth == Limit(10, 20)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("VOIPBIN_RATELIMIT_CUSTOMER_RATE", "-1"),
        ("VOIPBIN_RATELIMIT_CUSTOMER_RATE", "inf"),
        ("VOIPBIN_RATELIMIT_IP_RATE", "nan"),
        ("VOIPBIN_RATELIMIT_AUTH_BURST", "0"),
    ],
)
def test_a_limit_that_cannot_work_is_a_clear_error(name: str, value: str) -> None:
    layer = name.split("_")[2]

    with pytest.raises(ValueError, match=f"VOIPBIN_RATELIMIT_{layer}"):
        Settings.from_env({name: value})
