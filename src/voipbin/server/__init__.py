"""The API server: ``create_app(settings)`` returns the ASGI application."""

from voipbin.server.app import create_app
from voipbin.server.settings import Settings

__all__ = ["Settings", "create_app"]
