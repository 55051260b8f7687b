"""The README's calls walkthrough, with the SDK: an IVR on a virtual number answering an
inbound call, each reserved number of the simulated network called, and a groupcall over an
agent's three addresses. Run it against a server on the virtual clock, as its super-admin:

    VOIPBIN_CLOCK=virtual VOIPBIN_BOOTSTRAP_PASSWORD=walkthrough make run
    .venv/bin/python examples/calls_walkthrough.py http://127.0.0.1:8000 walkthrough

It acts for the super-admin's own customer (verifying it, funding it and buying numbers), so
run it on a throwaway database.
"""

from __future__ import annotations

import sys
from typing import Any

from voipbin.client import Client

IVR_NUMBER = "+899001007919"
CALLER = {"type": "tel", "target": "+15005550000"}
#: The simulated network's reserved numbers (docs/simulator.md).
RESERVED = [f"+1500555000{i}" for i in range(8)]


def ivr(client: Client) -> dict[str, Any]:
    """An inbound call to a virtual number whose flow answers, asks, reads a key and hangs
    up; the call, what it was billed and its timeline."""
    support = "9a1f5c2e-8d6b-4f3a-9c1d-2b7e4a6f8d01"
    sales = "9a1f5c2e-8d6b-4f3a-9c1d-2b7e4a6f8d02"
    flow = client.flows.create(
        name="IVR",
        actions=[
            {"type": "answer"},
            {"type": "talk", "option": {"text": "Press 1 for sales, 2 for support."}},
            {"type": "digits_receive", "option": {"duration": 10000, "length": 1}},
            {
                "type": "branch",
                "option": {"default_target_id": sales, "target_ids": {"2": support}},
            },
            {"id": sales, "type": "talk", "option": {"text": "Sales is closed."}},
            {"type": "hangup"},
            {"id": support, "type": "talk", "option": {"text": "Connecting you to support."}},
            {"type": "hangup"},
        ],
    )
    client.numbers.create(number=IVR_NUMBER, call_flow_id=flow.id)
    call = client.simulator.calls.create(
        source=CALLER, destination={"type": "tel", "target": IVR_NUMBER}
    )
    client.simulator.advance(seconds=6)  # answered, the question asked (4.95 s)
    client.simulator.calls.dtmf(call.id, digits="2")
    client.simulator.advance(seconds=10)  # "Connecting you to support.", then the hangup
    ended = client.calls.get(call.id)
    (billed,) = client.billings.list(reference_id=str(call.id)).result
    timeline = client.timeline("calls", call.id, page_size=50)
    return {
        "status": ended.status,
        "hangup_by": ended.hangup_by,
        "hangup_reason": ended.hangup_reason,
        "billed": (billed.cost_type, billed.usage_duration, billed.billable_units),
        "events": [e.event_type for e in reversed(timeline.result)],
    }


def ready_to_call(client: Client) -> str:
    """Verify the customer, allow US destinations, fund it, buy a number to call from; the
    number."""
    customer = client.customer.get()
    client.customers.identity_verification_status(
        customer.id, identity_verification_status="verified"
    )
    (config,) = client.outbound_configs.list().result
    client.outbound_configs.update(config.id, destination_whitelist=["US"])
    account = client.billing_account.get()
    client.billing_accounts.balance_add_force(account.id, balance=20)
    offered = client.lookup("available_numbers", country_code="US", page_size=1)
    number: str = client.numbers.create(number=offered.result[0].number).number
    return number


def reserved_numbers(client: Client, source: str) -> dict[str, tuple[str, str, str]]:
    """Call every reserved number at once, 70 s on: each call's status, hangup_by and
    hangup_reason (those that answered and stay up are still ``progressing``)."""
    made = client.calls.create(
        source={"type": "tel", "target": source},
        destinations=[{"type": "tel", "target": target} for target in RESERVED],
    )
    client.simulator.advance(seconds=70)
    outcomes = {}
    for call in made.calls:
        now = client.calls.get(call.id)
        outcomes[now.destination.target] = (now.status, now.hangup_by, now.hangup_reason)
        if now.status == "progressing":
            client.calls.hangup(call.id)
    client.simulator.advance(seconds=0)
    return outcomes


def groupcall(client: Client, source: str) -> dict[str, Any]:
    """Ring an agent's three addresses at once: one never answers, one is busy, one answers;
    the groupcall and its legs."""
    agent = client.agents.create(
        username="sales@example.com",
        password="walkthrough-sales",
        addresses=[{"type": "tel", "target": target} for target in RESERVED[2::-1]],
    )
    made = client.calls.create(
        source={"type": "tel", "target": source},
        destinations=[{"type": "agent", "target": str(agent.id)}],
    )
    (ringing,) = made.groupcalls
    client.simulator.advance(seconds=5)  # busy at 2 s, answered at 3 s: the third is cancelled
    group = client.groupcalls.get(ringing.id)
    legs = {}
    for call_id in ringing.call_ids:
        leg = client.calls.get(call_id)
        legs[leg.destination.target] = (leg.status, leg.hangup_by, leg.hangup_reason)
    return {"answered": str(group.answer_call_id), "status": group.status, "legs": legs}


def main(base_url: str, password: str) -> None:
    with Client(base_url, username="admin@localhost", password=password) as client:
        print("IVR:", ivr(client))
        source = ready_to_call(client)
        for target, outcome in reserved_numbers(client, source).items():
            print(target, *outcome)
        print("groupcall:", groupcall(client, source))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
