"""The app's own endpoints: liveness and readiness."""

from __future__ import annotations

from tests.server.conftest import Api


async def test_health_is_ok_without_credentials(api: Api) -> None:
    response = await api.client.get("/health")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"status": "ok"}
    assert response.headers["x-request-id"]


async def test_ready_is_ok_when_the_database_answers(api: Api) -> None:
    response = await api.client.get("/ready")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"status": "ready"}
