"""Extensions through the HTTP API: SIP phones whose password is written, never shown, and
stored only as digest HA1s; numbers unique per customer; the customer's SIP domain."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from tests.server.conftest import Api, StartApp, add_agent, add_customer, assert_error, fields_of
from voipbin.server.auth import sip_digest

Json = dict[str, Any]
FIELDS = {
    "id",
    "customer_id",
    "extension",
    "name",
    "detail",
    "domain_name",
    "username",
    "tm_create",
    "tm_update",
    "tm_delete",
}
PASSWORD = "phone-secret-1"


async def create(api: Api, headers: dict[str, str] | None = None, **body: Any) -> Json:
    body.setdefault("password", PASSWORD)
    response = await api.client.post("/v1.0/extensions", json=body, headers=headers or api.headers)
    assert response.status_code == 201, response.text
    created: Json = response.json()
    return created


async def stored_row(api: Api, id: str) -> Json:
    """Every column of the stored row, deleted or not."""
    repository = api.state.services["extension"].repository
    columns = tuple(c.name for c in repository.table.columns)
    row = await repository.find(columns, {"id": id}, live=False)
    assert row is not None
    return dict(zip(columns, row, strict=True))


async def test_create_answers_the_extension_on_the_customers_sip_domain(api: Api) -> None:
    response = await api.client.post(
        "/v1.0/extensions",
        json={"extension": "1001", "password": PASSWORD, "name": "Reception", "detail": "desk"},
        headers=api.headers,
    )
    assert response.status_code == 201, response.text
    item = response.json()
    assert set(item) == FIELDS
    assert response.headers["location"] == f"/v1.0/extensions/{item['id']}"
    assert (item["extension"], item["username"]) == ("1001", "1001")
    assert (item["name"], item["detail"]) == ("Reception", "desk")
    assert item["domain_name"] == f"{item['customer_id']}.sip.localhost"


async def test_the_sip_domain_is_a_setting(start_app: StartApp) -> None:
    api = await start_app(sip_domain="sip.example.com")
    item = await create(api, extension="1001")
    assert item["domain_name"] == f"{item['customer_id']}.sip.example.com"


async def test_the_password_is_never_in_an_answer(api: Api) -> None:
    created = await create(api, extension="1001")
    answers = [created]
    got = await api.client.get(f"/v1.0/extensions/{created['id']}", headers=api.headers)
    listed = await api.client.get("/v1.0/extensions", headers=api.headers)
    updated = await api.client.put(
        f"/v1.0/extensions/{created['id']}",
        json={"name": "n", "password": "another-secret"},
        headers=api.headers,
    )
    for response in (got, listed, updated):
        assert response.status_code == 200, response.text
        answers.append(response.json())
        assert PASSWORD not in response.text
        assert "another-secret" not in response.text
    assert all(set(a) == FIELDS for a in (answers[0], answers[1], answers[3]))
    assert all(set(a) == FIELDS for a in answers[2]["result"])


async def test_the_password_is_stored_as_digest_ha1s_a_registrar_can_check(api: Api) -> None:
    item = await create(api, extension="1001")
    row = await stored_row(api, item["id"])
    assert not any(PASSWORD in str(v) for v in row.values())
    realm = item["domain_name"]
    assert row["digest_realm"] == realm
    expected = hashlib.md5(f"1001:{realm}:{PASSWORD}".encode()).hexdigest()
    assert row["digest_ha1_md5"] == expected
    sha = hashlib.sha256(f"1001:{realm}:{PASSWORD}".encode()).hexdigest()
    assert row["digest_ha1_sha256"] == sha
    # A phone answers a challenge from the password; the registrar checks it from the HA1.
    ha2 = hashlib.md5(b"REGISTER:sip:" + realm.encode()).hexdigest()
    phone = hashlib.md5(f"{expected}:n0nce:{ha2}".encode()).hexdigest()
    assert (
        sip_digest.response("MD5", row["digest_ha1_md5"], "REGISTER", f"sip:{realm}", "n0nce")
        == phone
    )


async def test_an_update_changes_the_password_only_when_given_one(api: Api) -> None:
    item = await create(api, extension="1001")
    before = await stored_row(api, item["id"])
    for body in ({"name": "x"}, {"detail": "y", "password": ""}):
        response = await api.client.put(
            f"/v1.0/extensions/{item['id']}", json=body, headers=api.headers
        )
        assert response.status_code == 200, response.text
    kept = await stored_row(api, item["id"])
    assert (kept["name"], kept["detail"]) == ("x", "y")
    assert kept["digest_ha1_md5"] == before["digest_ha1_md5"]
    response = await api.client.put(
        f"/v1.0/extensions/{item['id']}", json={"password": "brand-new-pw"}, headers=api.headers
    )
    assert response.status_code == 200, response.text
    changed = await stored_row(api, item["id"])
    realm = item["domain_name"]
    assert changed["digest_ha1_md5"] == sip_digest.ha1("MD5", "1001", realm, "brand-new-pw")


async def test_an_extension_number_is_unique_per_customer_until_deleted(api: Api) -> None:
    first = await create(api, extension="1001")
    duplicate = await api.client.post(
        "/v1.0/extensions", json={"extension": "1001", "password": PASSWORD}, headers=api.headers
    )
    error = assert_error(duplicate, 409, "ALREADY_EXISTS", "EXTENSION_ALREADY_EXISTS")
    assert fields_of(error) == ["extension"]
    # Another customer has its own numbers.
    other = await add_agent(api, permission=32, customer_id=await add_customer(api))
    await create(api, other.headers, extension="1001")
    deleted = await api.client.delete(f"/v1.0/extensions/{first['id']}", headers=api.headers)
    assert deleted.status_code == 204
    again = await create(api, extension="1001")
    assert again["id"] != first["id"]


async def test_bad_fields_are_400s_naming_them(api: Api) -> None:
    for body, field in (
        ({"extension": "10 01", "password": PASSWORD}, "extension"),
        ({"extension": "x" * 33, "password": PASSWORD}, "extension"),
        ({"extension": "", "password": PASSWORD}, "extension"),
        ({"extension": "1001", "password": "short"}, "password"),
        ({"extension": "1001"}, "password"),
        ({"extension": "1001", "password": PASSWORD, "domain_name": "x"}, "domain_name"),
    ):
        response = await api.client.post("/v1.0/extensions", json=body, headers=api.headers)
        error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
        assert field in str(error), (body, error)
    item = await create(api, extension="1001")
    response = await api.client.put(
        f"/v1.0/extensions/{item['id']}", json={"password": "short"}, headers=api.headers
    )
    error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
    assert "password" in str(error)
    response = await api.client.put(
        f"/v1.0/extensions/{item['id']}", json={"extension": "2002"}, headers=api.headers
    )
    assert "extension" in str(assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT"))


async def test_a_deleted_extension_cannot_change(api: Api) -> None:
    item = await create(api, extension="1001")
    assert (
        await api.client.delete(f"/v1.0/extensions/{item['id']}", headers=api.headers)
    ).status_code == 204
    response = await api.client.put(
        f"/v1.0/extensions/{item['id']}", json={"name": "x"}, headers=api.headers
    )
    assert_error(response, 409, "FAILED_PRECONDITION", "EXTENSION_STATE_INVALID")


async def test_a_list_walks_exactly_and_filters_by_number(api: Api) -> None:
    made = [(await create(api, extension=f"10{i:02d}"))["id"] for i in range(7)]
    seen: list[str] = []
    token = ""
    while True:
        params = {"page_size": "3", **({"page_token": token} if token else {})}
        response = await api.client.get("/v1.0/extensions", params=params, headers=api.headers)
        assert response.status_code == 200, response.text
        seen += [item["id"] for item in response.json()["result"]]
        token = response.json()["next_page_token"]
        if not token:
            break
    assert seen == made[::-1]
    response = await api.client.get(
        "/v1.0/extensions", params={"extension": "1003"}, headers=api.headers
    )
    assert [item["id"] for item in response.json()["result"]] == [made[3]]


def test_the_sip_domain_setting_must_be_a_dns_name() -> None:
    from voipbin.server.settings import Settings

    assert Settings.from_env({"VOIPBIN_SIP_DOMAIN": "sip.example.com"}).sip_domain == (
        "sip.example.com"
    )
    for bad in ("-sip.example.com", "sip..example.com", "sip example.com", "SIP.example.com"):
        with pytest.raises(ValueError, match="VOIPBIN_SIP_DOMAIN"):
            Settings(sip_domain=bad)
