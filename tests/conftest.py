"""Test-wide setup: async tests and fixtures run on asyncio through anyio's pytest plugin
(``anyio_mode = "auto"`` in pyproject.toml)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"
