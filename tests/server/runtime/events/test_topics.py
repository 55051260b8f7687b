"""Which events a topic matches: a prefix of an event's published topics at a ``:``, ``*``
for any one segment, ids in any accepted form."""

from __future__ import annotations

import pytest

from voipbin.server.runtime.events.topics import parse_topic, published_topics

CUSTOMER = "5e1a0000-0000-4000-8000-000000000001"
OWNER = "5e1a0000-0000-4000-8000-000000000002"
CALL = "5e1a0000-0000-4000-8000-000000000003"
PUBLISHED = list(published_topics(CUSTOMER, OWNER, "call", "call_hangup", CALL))


@pytest.mark.parametrize(
    ("topic", "matches"),
    [
        (f"customer_id:{CUSTOMER}", True),
        (f"customer_id:{CUSTOMER.upper()}:call", True),
        (f"customer_id:{CUSTOMER}:*", True),
        (f"customer_id:{CUSTOMER}:call:*", True),
        (f"customer_id:{CUSTOMER}:call:{CALL}", True),
        (f"customer_id:{CUSTOMER}:call:call_hangup", True),
        (f"customer_id:{CUSTOMER}:call:call_hangup:{CALL}", True),
        (f"agent_id:{OWNER}:call", True),
        (f"customer_id:{CUSTOMER}:call:call_created", False),
        (f"customer_id:{CUSTOMER}:call:{OWNER}", False),
        (f"customer_id:{CUSTOMER}:groupcall", False),
        (f"customer_id:{OWNER}", False),
        (f"agent_id:{CUSTOMER}", False),
    ],
)
def test_a_topic_matches_the_events_it_names(topic: str, matches: bool) -> None:
    parsed = parse_topic(topic)
    assert any(parsed.matches(p) for p in PUBLISHED) is matches


def test_an_event_without_an_owner_has_no_agent_topics() -> None:
    published = list(published_topics(CUSTOMER, "", "call", "call_hangup", CALL))
    assert {p[0] for p in published} == {"customer_id"}
