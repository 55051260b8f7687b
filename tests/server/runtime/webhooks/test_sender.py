"""One attempt over real HTTP: the SSRF guard refuses private targets for good (the address
checked is the one connected to), redirects are followed at most three times, each target
checked again; and the retry rules as a table."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.server.runtime.webhooks.receiver import Answer, Receiver
from voipbin.server.runtime.webhooks import policy
from voipbin.server.runtime.webhooks.policy import Outcome
from voipbin.server.runtime.webhooks.sender import Sender, is_public
from voipbin.server.settings import Settings, retry_schedule

NOW = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    "uri",
    [
        "http://127.0.0.1:9/hook",
        "http://localhost:9/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://10.0.0.1/",
        "http://[::1]:9/",
        "http://[::ffff:192.168.0.1]/",
        "http://100.64.0.1/",
        "ftp://example.com/",
    ],
)
async def test_private_and_odd_targets_are_refused_for_good(uri: str) -> None:
    outcome = await Sender(allow_private=False).send(uri, "POST", b"{}", {}, NOW)
    assert (outcome.status_code, outcome.final) == (0, True)
    assert "refused" in outcome.error or "only http and https" in outcome.error
    assert policy.verdict(outcome) == "failed"


async def test_redirects_are_followed_three_times_and_each_target_checked() -> None:
    target = Receiver()
    hops = Receiver(*(Answer(307, {"Location": target.url}) for _ in range(1)))
    sender = Sender(allow_private=True)
    outcome = await sender.send(hops.url, "PUT", b'{"a":1}', {"X-Test": "1"}, NOW)
    assert (outcome.status_code, outcome.error) == (200, "")
    assert [(r.method, r.body) for r in target.received] == [("PUT", b'{"a":1}')]
    assert target.received[0].headers["Host"] == f"127.0.0.1:{target.port}"

    loop = Receiver(*(Answer(302, {"Location": "/again"}) for _ in range(4)))
    outcome = await sender.send(loop.url, "POST", b"{}", {}, NOW)
    assert (outcome.status_code, outcome.final) == (302, True)
    assert outcome.error == "more than 3 redirects"
    assert [r.method for r in loop.received] == ["POST", "GET", "GET", "GET"]

    # A public name redirecting to a private address would be refused the same way.
    guarded = Sender(allow_private=False)
    assert (await guarded.send(hops.url, "POST", b"{}", {}, NOW)).final


async def test_an_unreachable_endpoint_is_retried() -> None:
    down = Receiver()
    down.stop()
    outcome = await Sender(allow_private=True).send(down.url, "POST", b"{}", {}, NOW)
    assert (outcome.status_code, outcome.final) == (0, False)
    assert outcome.error
    assert policy.verdict(outcome) == "retry"


def test_is_public() -> None:
    import ipaddress

    assert is_public(ipaddress.ip_address("93.184.216.34"))
    assert not is_public(ipaddress.ip_address("224.0.0.1"))
    assert not is_public(ipaddress.ip_address("::ffff:127.0.0.1"))
    assert not is_public(ipaddress.ip_address("fe80::1"))


@pytest.mark.parametrize(
    ("code", "verdict"),
    [
        (200, "delivered"),
        (204, "delivered"),
        (301, "delivered"),
        (0, "retry"),
        (408, "retry"),
        (429, "retry"),
        (500, "retry"),
        (503, "retry"),
        (400, "failed"),
        (404, "failed"),
        (410, "failed"),
    ],
)
def test_what_each_status_means(code: int, verdict: str) -> None:
    assert policy.verdict(Outcome(code, 1)) == verdict


def test_the_schedule_with_jitter_and_retry_after() -> None:
    schedule = (1.0, 10.0)
    assert policy.next_wait(schedule, 1, Outcome(500, 1), lambda: 0.0) == 1.0
    assert policy.next_wait(schedule, 2, Outcome(500, 1), lambda: 1.0) == 12.5
    assert policy.next_wait(schedule, 3, Outcome(500, 1), lambda: 0.5) is None
    assert policy.next_wait(schedule, 1, Outcome(429, 1, retry_after=120), lambda: 0) == 120
    assert policy.next_wait(schedule, 1, Outcome(500, 1, retry_after=120), lambda: 0) == 1.0
    assert policy.next_wait(schedule, 1, Outcome(503, 1, retry_after=1e9), lambda: 0) == 86400
    assert policy.retry_after("30", NOW) == 30
    assert policy.retry_after("Tue, 01 Dec 2026 00:01:00 GMT", NOW) == 60
    assert policy.retry_after("soon", NOW) is None
    assert policy.retry_after(None, NOW) is None


def test_the_webhook_settings_are_read_and_checked() -> None:
    settings = Settings.from_env(
        {"VOIPBIN_WEBHOOK_ALLOW_PRIVATE": "true", "VOIPBIN_WEBHOOK_RETRY_SCHEDULE": "2, 30,600"}
    )
    assert settings.webhook_allow_private
    assert retry_schedule(settings.webhook_retry_schedule) == (2.0, 30.0, 600.0)
    assert not Settings().webhook_allow_private
    for name, value in [
        ("VOIPBIN_WEBHOOK_RETRY_SCHEDULE", "1,soon"),
        ("VOIPBIN_WEBHOOK_RETRY_SCHEDULE", "-1"),
        ("VOIPBIN_WEBHOOK_TIMEOUT_SECONDS", "0"),
        ("VOIPBIN_WEBHOOK_SECRET_OVERLAP_SECONDS", "nan"),
    ]:
        with pytest.raises(ValueError, match=name):
            Settings.from_env({name: value})
