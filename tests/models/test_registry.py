"""The registry of declarations: every name the SDK and the CLI reach is given once."""

from __future__ import annotations

import pytest

from voipbin.models.customer import CUSTOMERS
from voipbin.models.own import OwnRoute
from voipbin.models.registry import (
    ACCESSOR_NAMES,
    LOOKUPS,
    OWN_ROUTES,
    RESOURCES,
    accessor_names,
)
from voipbin.models.tag import TAGS


def test_every_resource_own_route_and_lookup_has_its_own_name() -> None:
    assert len(set(ACCESSOR_NAMES)) == len(RESOURCES) + len(OWN_ROUTES) + len(LOOKUPS)
    assert {"customer", "me", "outbound_config"} <= set(ACCESSOR_NAMES)


def test_an_own_route_named_like_a_resource_is_refused() -> None:
    clash = OwnRoute("tags", "/v1.0/tag", TAGS, False, "A clash")

    with pytest.raises(ValueError, match="declared more than once: tags"):
        accessor_names(RESOURCES, (*OWN_ROUTES, clash), LOOKUPS)
    with pytest.raises(ValueError, match="customer"):
        accessor_names((), (*OWN_ROUTES, OWN_ROUTES[0]), ())


def test_an_own_route_answers_its_resources_own_view_and_acts_only_when_writable() -> None:
    customer = OwnRoute("customer", "/v1.0/customer", CUSTOMERS, True, "Own")
    read_only = OwnRoute("customer", "/v1.0/customer", CUSTOMERS, False, "Own")

    assert customer.model is CUSTOMERS.own
    assert customer.update is CUSTOMERS.update
    assert [a.name for a in customer.actions] == ["metadata", "webhook_secret_rotate"]
    assert (read_only.update, read_only.actions) == (None, ())
    assert OwnRoute("tag", "/v1.0/tag", TAGS, True, "Own").model is TAGS.model
