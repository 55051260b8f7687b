from __future__ import annotations

from tests.server.conftest import Api


async def test_tag_round_trip(api: Api) -> None:
    response = await api.client.post("/v1.0/tags", json={"name": "vip"}, headers=api.headers)
    assert response.status_code == 201
    tag = response.json()
    response = await api.client.get(f"/v1.0/tags/{tag['id']}", headers=api.headers)
    assert response.json() == tag
