"""Trunks through the HTTP API: domain names unique across customers, IP networks checked
and normalised, what each authentication type needs, and a write-only password stored only
as digest HA1s."""

from __future__ import annotations

from typing import Any

from tests.server.conftest import Api, add_agent, add_customer, assert_error, fields_of
from voipbin.server.auth import sip_digest

Json = dict[str, Any]
FIELDS = {
    "id",
    "customer_id",
    "name",
    "detail",
    "domain_name",
    "auth_types",
    "username",
    "allowed_ips",
    "tm_create",
    "tm_update",
    "tm_delete",
}
PASSWORD = "trunk-secret-1"
BASIC: Json = {"auth_types": ["basic"], "username": "pbx", "password": PASSWORD}


async def create(api: Api, headers: dict[str, str] | None = None, **body: Any) -> Json:
    response = await api.client.post("/v1.0/trunks", json=body, headers=headers or api.headers)
    assert response.status_code == 201, response.text
    created: Json = response.json()
    return created


async def stored_row(api: Api, id: str) -> Json:
    repository = api.state.services["trunk"].repository
    columns = tuple(c.name for c in repository.table.columns)
    row = await repository.find(columns, {"id": id}, live=False)
    assert row is not None
    return dict(zip(columns, row, strict=True))


async def test_create_normalises_the_domain_and_networks_and_hides_the_password(
    api: Api,
) -> None:
    response = await api.client.post(
        "/v1.0/trunks",
        json={
            "name": "PBX",
            "detail": "HQ",
            "domain_name": "Acme-HQ",
            "auth_types": ["basic", "ip"],
            "username": "pbx",
            "password": PASSWORD,
            "allowed_ips": ["203.0.113.7", "203.0.113.8/32", "198.51.100.0/24", "2001:DB8::/32"],
        },
        headers=api.headers,
    )
    assert response.status_code == 201, response.text
    assert PASSWORD not in response.text
    item = response.json()
    assert set(item) == FIELDS
    assert response.headers["location"] == f"/v1.0/trunks/{item['id']}"
    assert item["domain_name"] == "acme-hq"
    assert item["auth_types"] == ["basic", "ip"]
    assert item["allowed_ips"] == ["203.0.113.7", "203.0.113.8", "198.51.100.0/24", "2001:db8::/32"]
    got = await api.client.get(f"/v1.0/trunks/{item['id']}", headers=api.headers)
    assert got.json() == item
    listed = await api.client.get("/v1.0/trunks", headers=api.headers)
    assert listed.json()["result"] == [item]
    for text in (got.text, listed.text):
        assert PASSWORD not in text


async def test_the_password_is_stored_as_digest_ha1s_for_the_trunk_realm(api: Api) -> None:
    item = await create(api, domain_name="acme", **BASIC)
    row = await stored_row(api, item["id"])
    assert not any(PASSWORD in str(v) for v in row.values())
    realm = "acme.trunk.sip.localhost"
    assert row["digest_realm"] == realm
    assert row["digest_ha1_md5"] == sip_digest.ha1("MD5", "pbx", realm, PASSWORD)
    assert row["digest_ha1_sha256"] == sip_digest.ha1("SHA-256", "pbx", realm, PASSWORD)


async def test_an_ip_only_trunk_stores_no_digest(api: Api) -> None:
    item = await create(api, domain_name="acme", auth_types=["ip"], allowed_ips=["192.0.2.1"])
    row = await stored_row(api, item["id"])
    assert (row["username"], row["digest_ha1_md5"], row["digest_ha1_sha256"]) == ("", "", "")


async def test_a_domain_name_is_unique_across_customers_until_deleted(api: Api) -> None:
    first = await create(api, domain_name="acme", **BASIC)
    other = await add_agent(api, permission=32, customer_id=await add_customer(api))
    for headers, name in ((api.headers, "acme"), (other.headers, "ACME")):
        response = await api.client.post(
            "/v1.0/trunks", json={"domain_name": name, **BASIC}, headers=headers
        )
        error = assert_error(response, 409, "ALREADY_EXISTS", "TRUNK_ALREADY_EXISTS")
        assert fields_of(error) == ["domain_name"]
    deleted = await api.client.delete(f"/v1.0/trunks/{first['id']}", headers=api.headers)
    assert deleted.status_code == 204
    again = await create(api, other.headers, domain_name="acme", **BASIC)
    assert again["customer_id"] == other.customer_id


async def test_bad_fields_are_400s_naming_them(api: Api) -> None:
    ip = {"auth_types": ["ip"]}
    for body, field in (
        ({"domain_name": "-acme", **BASIC}, "domain_name"),
        ({"domain_name": "a.b", **BASIC}, "domain_name"),
        ({"domain_name": "a" * 64, **BASIC}, "domain_name"),
        ({"domain_name": "a_b", **BASIC}, "domain_name"),
        (
            {"domain_name": "acme", **ip, "allowed_ips": ["192.0.2.1", "300.1.1.1"]},
            "allowed_ips[1]",
        ),
        ({"domain_name": "acme", **ip, "allowed_ips": ["192.0.2.1/24"]}, "allowed_ips[0]"),
        ({"domain_name": "acme", **ip, "allowed_ips": ["fe80::1%eth0"]}, "allowed_ips[0]"),
        ({"domain_name": "acme", **ip, "allowed_ips": ["example.com"]}, "allowed_ips[0]"),
        ({"domain_name": "acme", **ip, "allowed_ips": ["192.0.2.1"] * 65}, "allowed_ips"),
        ({"domain_name": "acme", **ip}, "allowed_ips"),
        ({"domain_name": "acme", "auth_types": ["basic"], "password": PASSWORD}, "username"),
        ({"domain_name": "acme", "auth_types": ["basic"], "username": "pbx"}, "password"),
        ({"domain_name": "acme", **BASIC, "password": "short"}, "password"),
        ({"domain_name": "acme", **BASIC, "username": "a b"}, "username"),
        ({"domain_name": "acme", "auth_types": ["digest"]}, "auth_types[0]"),
        ({"domain_name": "acme", "auth_types": []}, "auth_types"),
    ):
        response = await api.client.post("/v1.0/trunks", json=body, headers=api.headers)
        error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
        assert field in fields_of(error) or field in error["message"], (body, error)
    assert (await api.client.get("/v1.0/trunks", headers=api.headers)).json()["result"] == []


async def test_an_update_keeps_what_it_does_not_name_and_checks_the_result(api: Api) -> None:
    item = await create(api, domain_name="acme", **BASIC)
    path = f"/v1.0/trunks/{item['id']}"
    before = await stored_row(api, item["id"])
    response = await api.client.put(path, json={"name": "n", "password": ""}, headers=api.headers)
    assert response.status_code == 200, response.text
    assert (await stored_row(api, item["id"]))["digest_ha1_md5"] == before["digest_ha1_md5"]
    for body, field in (
        ({"username": "other"}, "password"),  # the stored digest covers the username
        ({"auth_types": ["ip"]}, "allowed_ips"),
        ({"domain_name": "new"}, "domain_name"),
        ({"allowed_ips": ["nope"]}, "allowed_ips[0]"),
    ):
        response = await api.client.put(path, json=body, headers=api.headers)
        error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
        assert field in fields_of(error) or field in error["message"], (body, error)
    response = await api.client.put(
        path, json={"username": "other", "password": "renewed-pw"}, headers=api.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["username"] == "other"
    assert "renewed-pw" not in response.text
    row = await stored_row(api, item["id"])
    realm = "acme.trunk.sip.localhost"
    assert row["digest_ha1_md5"] == sip_digest.ha1("MD5", "other", realm, "renewed-pw")
    response = await api.client.put(
        path,
        json={"auth_types": ["ip"], "allowed_ips": ["192.0.2.0/24"], "username": ""},
        headers=api.headers,
    )
    assert response.status_code == 200, response.text
    assert (response.json()["auth_types"], response.json()["username"]) == (["ip"], "")
    assert (await stored_row(api, item["id"]))["digest_ha1_md5"] == ""


async def test_a_list_walks_exactly_and_filters_by_domain_name(api: Api) -> None:
    made = [(await create(api, domain_name=f"t{i}", **BASIC))["id"] for i in range(5)]
    seen: list[str] = []
    token = ""
    while True:
        params = {"page_size": "2", **({"page_token": token} if token else {})}
        response = await api.client.get("/v1.0/trunks", params=params, headers=api.headers)
        assert response.status_code == 200, response.text
        seen += [item["id"] for item in response.json()["result"]]
        token = response.json()["next_page_token"]
        if not token:
            break
    assert seen == made[::-1]
    response = await api.client.get(
        "/v1.0/trunks", params={"domain_name": "t2"}, headers=api.headers
    )
    assert [item["id"] for item in response.json()["result"]] == [made[2]]
