"""Test-wide setup: async tests and fixtures run on asyncio through anyio's pytest plugin
(``anyio_mode = "auto"`` in pyproject.toml)."""

from __future__ import annotations

import hypothesis
import pytest


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


# Timing is not what these properties test; a loaded CI machine must not fail them.
hypothesis.settings.register_profile("voipbin", deadline=None, print_blob=True)
hypothesis.settings.load_profile("voipbin")
