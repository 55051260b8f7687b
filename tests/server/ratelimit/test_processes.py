"""Two real ``voipbin serve`` processes on one database and one Redis draw on one bucket per
customer: its burst of 33 is spent across both, and the 34th request is refused by either."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import httpx
from redis import Redis

from tests.server.conftest import ADMIN_PASSWORD, ADMIN_USERNAME
from tests.server.ratelimit.conftest import free_port
from voipbin.server.serve import prepare
from voipbin.server.settings import Settings

BURST = 33
JWT_SECRET = "test-secret-that-is-long-enough-for-hs256"


class Server:
    def __init__(self, process: subprocess.Popen[str], port: int) -> None:
        self.process = process
        self.url = f"http://127.0.0.1:{port}"
        self.output = ""


@contextmanager
def serving(database_url: str, redis_url: str) -> Iterator[Server]:
    """A ``voipbin serve`` process with only the per-customer layer on; stopped afterwards."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOIPBIN_")}
    env.update(
        {
            "VOIPBIN_DATABASE_URL": database_url,
            "VOIPBIN_REDIS_URL": redis_url,
            "VOIPBIN_JWT_SECRET": JWT_SECRET,
            "VOIPBIN_BOOTSTRAP_USERNAME": ADMIN_USERNAME,
            "VOIPBIN_BOOTSTRAP_PASSWORD": ADMIN_PASSWORD,
            "VOIPBIN_RATELIMIT_CUSTOMER_RATE": "0.01",
            "VOIPBIN_RATELIMIT_CUSTOMER_BURST": str(BURST),
            "VOIPBIN_RATELIMIT_IP_RATE": "0",
            "VOIPBIN_RATELIMIT_AUTH_RATE": "0",
            "VOIPBIN_LOG_LEVEL": "warning",
        }
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "voipbin.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    server = Server(process, port)
    try:
        yield server
    finally:
        process.terminate()
        try:
            server.output, _ = process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            server.output, _ = process.communicate()


def wait_until_up(servers: list[Server], client: httpx.Client, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    for server in servers:
        while True:
            assert server.process.poll() is None, "the server exited"
            assert time.monotonic() < deadline, "the server did not answer in time"
            try:
                if client.get(f"{server.url}/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)


def test_two_processes_share_each_customers_bucket(sqlite_url: str, redis_url: str) -> None:
    # The super-admin is made once here, so the two servers do not race to make it.
    prepare(
        Settings(
            database_url=sqlite_url,
            jwt_secret=JWT_SECRET,
            bootstrap_username=ADMIN_USERNAME,
            bootstrap_password=ADMIN_PASSWORD,
        )
    )
    redis = Redis.from_url(redis_url, socket_timeout=5)
    customer_id = None
    with ExitStack() as stack, httpx.Client(timeout=5) as client:
        a = stack.enter_context(serving(sqlite_url, redis_url))
        b = stack.enter_context(serving(sqlite_url, redis_url))
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
