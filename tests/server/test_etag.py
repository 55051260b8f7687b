"""Single-resource GETs carry an ``ETag``; a matching ``If-None-Match`` is ``304`` with no
body, and a change gives a new tag."""

from __future__ import annotations

from tests.server.conftest import Api


async def test_a_matching_if_none_match_is_304_until_the_resource_changes(api: Api) -> None:
    tag = (await api.client.post("/v1.0/tags", json={"name": "a"}, headers=api.headers)).json()
    url = f"/v1.0/tags/{tag['id']}"
    first = await api.client.get(url, headers=api.headers)
    etag = first.headers["etag"]
    assert etag.startswith('"')
    assert etag.endswith('"')

    same = await api.client.get(url, headers={**api.headers, "If-None-Match": etag})
    weak = await api.client.get(url, headers={**api.headers, "If-None-Match": f'"x", W/{etag}'})
    await api.client.put(url, json={"name": "b"}, headers=api.headers)
    changed = await api.client.get(url, headers={**api.headers, "If-None-Match": etag})

    assert (same.status_code, same.content, same.headers["etag"]) == (304, b"", etag)
    assert weak.status_code == 304
    assert changed.status_code == 200
    assert changed.json()["name"] == "b"
    assert changed.headers["etag"] != etag


async def test_own_resources_carry_an_etag_too(api: Api) -> None:
    for path in ("/v1.0/me", "/v1.0/customer"):
        first = await api.client.get(path, headers=api.headers)
        again = await api.client.get(
            path, headers={**api.headers, "If-None-Match": first.headers["etag"]}
        )
        assert (first.status_code, again.status_code) == (200, 304), path


async def test_lists_and_errors_carry_no_etag(api: Api) -> None:
    listed = await api.client.get("/v1.0/tags", headers=api.headers)
    missing = await api.client.get(
        "/v1.0/tags/00000000-0000-0000-0000-000000000001", headers=api.headers
    )

    assert "etag" not in listed.headers
    assert missing.status_code == 404
    assert "etag" not in missing.headers
