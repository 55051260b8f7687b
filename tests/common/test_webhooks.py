"""Webhook signatures: VoIPBIN's header byte for byte, the V2 header over the timestamp with
every valid secret, and what a receiver's verify accepts and refuses."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st

from voipbin import webhooks
from voipbin.common.webhooks import signed_headers

BODY = b'{"type":"call_hangup","data":{"id":"1"}}'
NOW = 1_800_000_000


def test_the_v1_signature_is_voipbins_hmac_of_the_body() -> None:
    headers = signed_headers(BODY, "event-1", NOW, ["s3cret"])
    expected = hmac.new(b"s3cret", BODY, hashlib.sha256).hexdigest()
    assert headers["X-VoIPBIN-Signature"] == f"sha256={expected}"
    assert headers["X-VoIPBIN-Event-Id"] == "event-1"
    assert headers["X-VoIPBIN-Timestamp"] == str(NOW)
    v2 = hmac.new(b"s3cret", f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert headers["X-VoIPBIN-Signature-V2"] == f"sha256={v2}"


def test_no_secret_no_signature() -> None:
    assert signed_headers(BODY, "e", NOW, [""]) == {
        "X-VoIPBIN-Event-Id": "e",
        "X-VoIPBIN-Timestamp": str(NOW),
    }


def test_during_a_rotation_both_secrets_verify_and_v1_is_the_new_ones() -> None:
    headers = signed_headers(BODY, "e", NOW, ["new", "old"])
    webhooks.verify(BODY, headers, "new", now=NOW)
    webhooks.verify(BODY, headers, "old", now=NOW)
    v1_only = {"X-VoIPBIN-Signature": headers["X-VoIPBIN-Signature"]}
    webhooks.verify(BODY, v1_only, "new")
    with pytest.raises(webhooks.SignatureError, match="X-VoIPBIN-Signature does not match"):
        webhooks.verify(BODY, v1_only, "old")


def test_verify_refuses_what_it_should() -> None:
    headers = signed_headers(BODY, "e", NOW, ["s"])
    lower = {k.lower(): v for k, v in headers.items()}
    webhooks.verify(BODY, lower, "s", now=NOW + 299)  # names without regard to case
    cases = [
        (BODY + b" ", headers, "s", NOW, "Signature-V2 does not match"),
        (BODY, headers, "t", NOW, "Signature-V2 does not match"),
        (BODY, headers, "s", NOW + 301, "at most 300 s"),
        (BODY, headers, "s", NOW - 301, "at most 300 s"),
        (BODY, {**headers, "X-VoIPBIN-Timestamp": "soon"}, "s", NOW, "not a Unix time"),
        (BODY, {"X-VoIPBIN-Event-Id": "e"}, "s", NOW, "neither"),
        (BODY, headers, "", NOW, "no secret"),
    ]
    for body, given_headers, secret, now, why in cases:
        with pytest.raises(webhooks.SignatureError, match=why):
            webhooks.verify(body, given_headers, secret, now=now)


@given(
    body=st.binary(max_size=256),
    secret=st.text(min_size=1, max_size=40),
    stamp=st.integers(0, 2**40),
)
def test_what_is_signed_verifies_and_a_changed_byte_does_not(
    body: bytes, secret: str, stamp: int
) -> None:
    headers = signed_headers(body, "e", stamp, [secret])
    webhooks.verify(body, headers, secret, now=stamp)
    with pytest.raises(webhooks.SignatureError):
        webhooks.verify(body + b"x", headers, secret, now=stamp)
