"""The SDK's public surface, pinned: a change to it is a deliberate change to this test."""

from __future__ import annotations

import voipbin.client
from voipbin.client import AsyncClient, Client
from voipbin.models import OWN_ROUTES, RESOURCES


def test_the_public_names_are_pinned() -> None:
    assert voipbin.client.__all__ == [
        "AlreadyExists",
        "ApiError",
        "AsyncClient",
        "AsyncOwn",
        "AsyncResource",
        "BadGateway",
        "Client",
        "ETagCache",
        "EventStreamClosed",
        "FailedPrecondition",
        "FieldError",
        "Internal",
        "InvalidArgument",
        "MethodNotAllowed",
        "NotFound",
        "Own",
        "Page",
        "PayloadTooLarge",
        "PaymentRequired",
        "PermissionDenied",
        "Reconnect",
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


def test_every_own_route_has_an_accessor_with_its_actions() -> None:
    with Client("http://testserver", accesskey="vb_test") as sync:
        clients: list[Client | AsyncClient] = [sync, AsyncClient("http://x", accesskey="vb_x")]
    for client in clients:
        assert set(client.own_routes) == {route.name for route in OWN_ROUTES}
        for route in OWN_ROUTES:
            accessor = getattr(client, route.name)
            assert accessor.route is route
            for action in route.actions:
                assert callable(getattr(accessor, action.name))
                assert action.name in dir(accessor)
            assert route.name in dir(client)


def test_no_declared_name_hides_a_client_attribute() -> None:
    # A resource or own route named like a method (``login``) would be unreachable.
    declared = {spec.plural for spec in RESOURCES} | {route.name for route in OWN_ROUTES}
    for shell in (Client, AsyncClient):
        assert not declared & set(dir(shell))
