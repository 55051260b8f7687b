"""The SDK's public surface, pinned: a change to it is a deliberate change to this test."""

from __future__ import annotations

import voipbin.client
from voipbin.client import AsyncClient, Client
from voipbin.models import RESOURCES


def test_the_public_names_are_pinned() -> None:
    assert voipbin.client.__all__ == [
        "AlreadyExists",
        "ApiError",
        "AsyncClient",
        "AsyncResource",
        "BadGateway",
        "Client",
        "ETagCache",
        "FailedPrecondition",
        "FieldError",
        "Internal",
        "InvalidArgument",
        "MethodNotAllowed",
        "NotFound",
        "Page",
        "PayloadTooLarge",
        "PaymentRequired",
        "PermissionDenied",
        "Resource",
        "ResourceExhausted",
        "RetryPolicy",
        "Unauthenticated",
        "Unavailable",
        "Unprocessable",
    ]
    assert all(hasattr(voipbin.client, name) for name in voipbin.client.__all__)


def test_every_declared_resource_has_an_accessor_with_its_actions() -> None:
    with Client("http://testserver", accesskey="vb_test") as sync:
        clients: list[Client | AsyncClient] = [sync, AsyncClient("http://x", accesskey="vb_x")]
    for client in clients:
        assert set(client.resources) == {spec.plural for spec in RESOURCES}
        for spec in RESOURCES:
            accessor = getattr(client, spec.plural)
            assert accessor.spec is spec
            for action in spec.actions:
                assert callable(getattr(accessor, action.name))
                assert action.name in dir(accessor)
            assert spec.plural in dir(client)
