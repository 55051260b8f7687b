"""Login and bearer tokens: a good token works, anything else is a 401 (never a 500), and a
token stops working when its agent goes."""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import jwt
import pytest
from argon2 import PasswordHasher

from tests.server.conftest import (
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    Api,
    StartApp,
    add_agent,
    assert_error,
)
from tests.server.conftest import test_settings as settings_for
from voipbin.common.permissions import Permission

SECRET = settings_for("sqlite:///unused").jwt_secret
SEVEN_DAYS = timedelta(days=7)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def claims_of(api: Api) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(api.token, SECRET, algorithms=["HS256"])
    return claims


def signed(claims: dict[str, Any], key: str = SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, key, algorithm=algorithm)


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


async def assert_rejected(api: Api, token: str) -> None:
    response = await api.client.get("/v1.0/tags", headers=bearer(token))
    assert response.status_code == 401, (token, response.text)
    assert_error(response, 401, "UNAUTHENTICATED", "INVALID_CREDENTIALS")


# -- login ------------------------------------------------------------------------------------


async def test_login_returns_an_hs256_token_that_expires_in_seven_days(api: Api) -> None:
    before = datetime.now(UTC)
    response = await api.client.post(
        "/auth/login", json={"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"username", "token"}
    assert body["username"] == ADMIN_USERNAME
    assert jwt.get_unverified_header(body["token"])["alg"] == "HS256"
    claims = jwt.decode(body["token"], SECRET, algorithms=["HS256"])
    expires = datetime.fromtimestamp(claims["exp"], UTC)
    assert before + SEVEN_DAYS - timedelta(seconds=5) <= expires
    assert expires <= datetime.now(UTC) + SEVEN_DAYS + timedelta(seconds=5)


async def test_the_login_token_opens_the_api(api: Api) -> None:
    response = await api.client.post(
        "/auth/login", json={"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD}
    )
    listed = await api.client.get("/v1.0/tags", headers=bearer(response.json()["token"]))
    assert listed.status_code == 200, listed.text


BAD_LOGINS = [
    (ADMIN_USERNAME, "wrong-password"),
    (ADMIN_USERNAME, ""),
    (ADMIN_USERNAME, ADMIN_PASSWORD.upper()),
    (ADMIN_USERNAME, ADMIN_PASSWORD + " "),
    ("nobody@localhost", ADMIN_PASSWORD),
    ("", ""),
]


async def test_a_wrong_password_or_unknown_user_is_401_invalid_credentials(api: Api) -> None:
    for username, password in BAD_LOGINS:
        response = await api.client.post(
            "/auth/login", json={"username": username, "password": password}
        )
        assert response.status_code == 401, (username, password)
        error = assert_error(response, 401, "UNAUTHENTICATED", "INVALID_CREDENTIALS")
        assert "token" not in response.text
        assert error["details"] == []


async def test_login_with_a_missing_field_is_400_naming_it(api: Api) -> None:
    response = await api.client.post("/auth/login", json={"username": ADMIN_USERNAME})
    error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
    assert [d["field"] for d in error["details"]] == ["password"]


async def test_a_deleted_agent_cannot_log_in(api: Api) -> None:
    agent = await add_agent(api, permission=int(Permission.CUSTOMER_ADMIN))
    await api.state.identity.agents.soft_delete(agent.id)
    response = await api.client.post(
        "/auth/login", json={"username": agent.username, "password": agent.password}
    )
    assert_error(response, 401, "UNAUTHENTICATED", "INVALID_CREDENTIALS")


# -- credentials on requests ------------------------------------------------------------------


async def test_no_credentials_is_401_authentication_required(api: Api) -> None:
    response = await api.client.get("/v1.0/tags")
    assert_error(response, 401, "UNAUTHENTICATED", "AUTHENTICATION_REQUIRED")


async def test_a_malformed_authorization_header_is_401_invalid_credentials(api: Api) -> None:
    for header in ("Basic YWRtaW46YWRtaW4=", "Bearer", "Bearer   ", "token", api.token):
        response = await api.client.get("/v1.0/tags", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert_error(response, 401, "UNAUTHENTICATED", "INVALID_CREDENTIALS")


async def test_the_bearer_scheme_is_case_insensitive(api: Api) -> None:
    response = await api.client.get("/v1.0/tags", headers={"Authorization": f"bearer {api.token}"})
    assert response.status_code == 200, response.text


async def test_a_tampered_payload_is_401(api: Api) -> None:
    header, _, signature = api.token.split(".")
    claims = claims_of(api) | {"sub": "00000000-0000-4000-8000-000000000000"}
    await assert_rejected(api, f"{header}.{b64(claims)}.{signature}")


async def test_a_tampered_signature_is_401(api: Api) -> None:
    head, _, last = api.token.rpartition(".")
    flipped = ("A" if last[0] != "A" else "B") + last[1:]
    await assert_rejected(api, f"{head}.{flipped}")


async def test_a_token_signed_with_another_key_is_401(api: Api) -> None:
    await assert_rejected(api, signed(claims_of(api), key="another-secret-that-is-long-enough-x"))


async def test_an_unsigned_alg_none_token_is_401(api: Api) -> None:
    claims = claims_of(api)
    await assert_rejected(api, f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims)}.")
    await assert_rejected(api, jwt.encode(claims, "", algorithm="none"))  # "" is no key


# The test secret is too short for HS512; pyjwt warns when this test signs with it.
@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
async def test_a_token_with_another_hmac_algorithm_is_401(api: Api) -> None:
    await assert_rejected(api, signed(claims_of(api), algorithm="HS512"))


async def test_an_expired_token_is_401(api: Api) -> None:
    claims = claims_of(api) | {"exp": int(time.time()) - 60}
    await assert_rejected(api, signed(claims))


async def test_a_token_without_exp_is_401(api: Api) -> None:
    claims = {k: v for k, v in claims_of(api).items() if k != "exp"}
    await assert_rejected(api, signed(claims))


async def test_a_validly_signed_token_with_bad_claims_is_401(api: Api) -> None:
    good = claims_of(api)
    bad_claims: list[dict[str, Any]] = [
        {"exp": good["exp"]},
        {"sub": good["sub"]},
        {"sub": good["sub"], "exp": "tomorrow"},
        {"sub": 12345, "exp": good["exp"]},
        {"sub": "", "exp": good["exp"]},
        {"sub": "not-an-agent-id", "exp": good["exp"]},
        {"sub": "00000000-0000-4000-8000-000000000000", "exp": good["exp"]},
        {"sub": "9" * 40, "exp": good["exp"]},
    ]
    for claims in bad_claims:
        await assert_rejected(api, signed(claims))


async def test_garbage_tokens_are_401(api: Api) -> None:
    for token in ("abc", "a.b.c", "a.b", "....", "eyJ.eyJ.x", "é.é.é"):
        response = await api.client.get(
            "/v1.0/tags", headers={b"Authorization": f"Bearer {token}".encode()}
        )
        assert response.status_code == 401, token
        assert_error(response, 401, "UNAUTHENTICATED", "INVALID_CREDENTIALS")


async def test_a_rejected_token_stays_rejected_and_a_good_one_keeps_working(api: Api) -> None:
    expired = signed(claims_of(api) | {"exp": int(time.time()) - 1})
    for _ in range(2):
        await assert_rejected(api, expired)
        ok = await api.client.get("/v1.0/tags", headers=api.headers)
        assert ok.status_code == 200


# -- the agent behind the token ---------------------------------------------------------------


async def test_a_token_stops_working_when_its_agent_is_deleted(api: Api) -> None:
    agent = await add_agent(api, permission=int(Permission.CUSTOMER_ADMIN))
    before = await api.client.get("/v1.0/tags", headers=agent.headers)
    assert before.status_code == 200, before.text

    assert await api.state.identity.agents.soft_delete(agent.id)

    after = await api.client.get("/v1.0/tags", headers=agent.headers)
    assert_error(after, 401, "UNAUTHENTICATED", "INVALID_CREDENTIALS")
    created = await api.client.post("/v1.0/tags", json={"name": "x"}, headers=agent.headers)
    assert_error(created, 401, "UNAUTHENTICATED", "INVALID_CREDENTIALS")


async def test_a_lowered_permission_applies_to_an_existing_token(api: Api) -> None:
    agent = await add_agent(api, permission=int(Permission.CUSTOMER_ADMIN))
    first = await api.client.post("/v1.0/tags", json={"name": "a"}, headers=agent.headers)
    assert first.status_code == 201, first.text

    await api.state.identity.agents.update(agent.id, {"permission": int(Permission.CUSTOMER_AGENT)})

    second = await api.client.post("/v1.0/tags", json={"name": "b"}, headers=agent.headers)
    assert_error(second, 403, "PERMISSION_DENIED", "PERMISSION_DENIED")
    listed = await api.client.get("/v1.0/tags", headers=agent.headers)
    assert [t["name"] for t in listed.json()["result"]] == ["a"]


async def test_a_token_names_its_agent_and_customer(api: Api) -> None:
    agent = await add_agent(api, permission=int(Permission.CUSTOMER_AGENT))
    token = agent.headers["Authorization"].removeprefix("Bearer ")
    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    assert claims["sub"] == agent.id
    assert claims["customer_id"] == agent.customer_id


class CountingHasher(PasswordHasher):
    """argon2 as the tests use it, counting the hashes it checks."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.checked: list[str] = []

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        self.checked.append(str(hash))
        return super().verify(hash, password)


async def test_an_unknown_user_costs_the_same_argon2_check_as_a_wrong_password(
    start_app: StartApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = await start_app()
    hasher = CountingHasher()
    monkeypatch.setattr(api.state.identity.passwords, "hasher", hasher)
    cases = {
        "unknown user": ("nobody@example.com", ADMIN_PASSWORD),
        "wrong password": (ADMIN_USERNAME, "wrong-password"),
    }
    work: dict[str, list[str]] = {}
    for name, (username, password) in cases.items():
        hasher.checked.clear()
        response = await api.client.post(
            "/auth/login", json={"username": username, "password": password}
        )
        assert_error(response, 401, "UNAUTHENTICATED", "INVALID_CREDENTIALS")
        work[name] = list(hasher.checked)

    # One full argon2 verification each, with the same parameters (so the same cost).
    assert [len(w) for w in work.values()] == [1, 1]
    parameters = {w[0].rsplit("$", 2)[0] for w in work.values()}
    assert len(parameters) == 1, parameters
