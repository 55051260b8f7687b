"""Two real ``voipbin serve`` processes on one database and one Redis draw on one bucket per
customer: its burst of 33 is spent across both, and the 34th request is refused by either."""

from __future__ import annotations

from contextlib import ExitStack

import httpx
from redis import Redis

from tests.processes import prepare_database, serving, wait_until_up
from tests.server.conftest import ADMIN_PASSWORD, ADMIN_USERNAME

BURST = 33

#: Only the per-customer layer on.
LIMITS = {
    "VOIPBIN_RATELIMIT_CUSTOMER_RATE": "0.01",
    "VOIPBIN_RATELIMIT_CUSTOMER_BURST": str(BURST),
    "VOIPBIN_RATELIMIT_IP_RATE": "0",
    "VOIPBIN_RATELIMIT_AUTH_RATE": "0",
}


def test_two_processes_share_each_customers_bucket(sqlite_url: str, redis_url: str) -> None:
    prepare_database(sqlite_url)
    redis = Redis.from_url(redis_url, socket_timeout=5)
    customer_id = None
    with ExitStack() as stack, httpx.Client(timeout=5) as client:
        a = stack.enter_context(serving(sqlite_url, VOIPBIN_REDIS_URL=redis_url, **LIMITS))
        b = stack.enter_context(serving(sqlite_url, VOIPBIN_REDIS_URL=redis_url, **LIMITS))
        try:
            wait_until_up([a, b], client)
            login = client.post(
                f"{a.url}/auth/login",
                json={"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD},
            )
            assert login.status_code == 200, login.text
            headers = {"Authorization": f"Bearer {login.json()['token']}"}

            first = client.get(f"{a.url}/v1.0/customer", headers=headers)
            assert first.status_code == 200, first.text
            customer_id = first.json()["id"]
            responses = [first] + [
                client.get(f"{(b, a)[n % 2].url}/v1.0/tags", headers=headers)
                for n in range(1, BURST)
            ]
            over_a = client.get(f"{a.url}/v1.0/tags", headers=headers)
            over_b = client.get(f"{b.url}/v1.0/tags", headers=headers)
        finally:
            stack.close()
            if customer_id is not None:
                redis.delete(f"voipbin:rl:customer:{customer_id}")
            redis.close()

    detail = [a.output, b.output]
    assert [r.status_code for r in responses] == [200] * BURST, detail
    assert [r.headers["x-ratelimit-remaining"] for r in responses] == [
        str(n) for n in range(BURST - 1, -1, -1)
    ]
    for over in (over_a, over_b):
        assert over.status_code == 429, over.text
        assert over.json()["error"]["details"] == [{"limited_by": "customer"}]
        assert over.headers["retry-after"] == "100"
