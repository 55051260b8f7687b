"""Entry points for ASGI servers.

``voipbin serve`` runs granian on :func:`app_from_env`; any other ASGI server can run it too:
``uvicorn --factory voipbin.server.asgi:app_from_env``.
"""

from __future__ import annotations

import os

from starlette.applications import Starlette

from voipbin.server.app import create_app
from voipbin.server.settings import Settings


def app_from_env() -> Starlette:
    """The app for the ``VOIPBIN_*`` variables of this process."""
    return create_app(Settings.from_env(os.environ))
