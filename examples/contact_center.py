"""The README's contact center walkthrough, with the SDK: three agents whose phones the
simulator answers at different times, a queue with a wait flow that talks, five inbound calls
to a number whose flow joins the queue, two callers giving up. Run it against a server on the
virtual clock, as its super-admin:

    VOIPBIN_CLOCK=virtual VOIPBIN_BOOTSTRAP_PASSWORD=walkthrough make run
    .venv/bin/python examples/contact_center.py http://127.0.0.1:8000 walkthrough

It acts for the super-admin's own customer (funding it and making a number), so run it on a
throwaway database.
"""

from __future__ import annotations

import sys
from typing import Any

from voipbin.client import Client

QUEUE_NUMBER = "+899001007922"
CALLER = {"type": "tel", "target": "+15005550000"}
#: Each agent's phone: seconds to answer, seconds it talks before hanging up.
PHONES = {"ann": (2, 20), "bob": (3, 40), "cleo": (15, 30)}


def staff(client: Client) -> dict[str, str]:
    """Three available agents, each with one SIP phone scripted to answer after its time
    and hang up after its talk; their ids by name."""
    account = client.billing_account.get()
    client.billing_accounts.balance_add_force(account.id, balance=20)  # calls cost money
    agents = {}
    for name, (answer, talk) in PHONES.items():
        client.simulator.rules.create(
            type="sip",
            pattern=rf"{name}@agents\.example",
            answer_after=answer,
            hangup_after=talk,
        )
        agent = client.agents.create(
            username=f"{name}@example.com",
            password=f"walkthrough-{name}",
            addresses=[{"type": "sip", "target": f"{name}@agents.example"}],
        )
        client.agents.status(agent.id, status="available")
        agents[name] = str(agent.id)
    return agents


def open_queue(client: Client) -> str:
    """A queue whose callers hear a message in a loop, and a number whose calls join it and
    hear "Goodbye." once out of it; the queue's id."""
    hold = client.flows.create(
        name="hold",
        actions=[{"type": "talk", "option": {"text": "All our agents are busy. Please hold."}}],
    )
    queue = client.queues.create(
        name="support", routing_method="longest_idle", wait_flow_id=hold.id
    )
    welcome = client.flows.create(
        name="support line",
        actions=[
            {"type": "answer"},
            {"type": "queue_join", "option": {"queue_id": str(queue.id)}},
            {"type": "talk", "option": {"text": "Goodbye."}},
            {"type": "hangup"},
        ],
    )
    client.numbers.create(number=QUEUE_NUMBER, call_flow_id=welcome.id)
    return str(queue.id)


def rush_hour(client: Client, queue_id: str, agents: dict[str, str]) -> dict[str, Any]:
    """Five calls a second apart; the third caller gives up while Cleo's phone rings, the
    fifth while waiting; the queue, its callers and the agents 80 s on."""
    calls = []
    for _ in range(5):
        destination = {"type": "tel", "target": QUEUE_NUMBER}
        calls.append(client.simulator.calls.create(source=CALLER, destination=destination))
        client.simulator.advance(seconds=1)
    # 5 s: Ann and Bob talk with the first two; Cleo rings for the third; two wait.
    client.simulator.advance(seconds=3)  # 8 s: the third caller gives up
    client.simulator.calls.hangup(calls[2].id)
    client.simulator.advance(seconds=10)  # 18 s: Cleo answers nobody, is rung for the 4th
    line = [client.queuecalls.get(_queuecall(client, c.id)["id"]) for c in calls[3:]]
    client.simulator.advance(seconds=2)  # 20 s: the fifth gives up
    client.simulator.calls.hangup(calls[4].id)
    client.simulator.advance(seconds=60)  # 80 s: every service is over
    names = {agent_id: name for name, agent_id in agents.items()}
    queue = client.queues.get(queue_id)
    callers = []
    for call in calls:
        queuecall = client.queuecalls.get(_queuecall(client, call.id)["id"])
        agent = names.get(str(queuecall.service_agent_id), "")
        callers.append((queuecall.status, agent if queuecall.status == "done" else ""))
    return {
        "at_18s": [(q.status, names.get(str(q.service_agent_id), ""), q.position) for q in line],
        "callers": callers,
        "counts": (
            queue.total_incoming_count,
            queue.total_serviced_count,
            queue.total_abandoned_count,
        ),
        "lists": (queue.wait_queuecall_ids, queue.service_queuecall_ids),
        "agents": {name: client.agents.get(id).status for name, id in agents.items()},
    }


def _queuecall(client: Client, call_id: Any) -> dict[str, Any]:
    (queuecall,) = client.queuecalls.list(reference_id=str(call_id)).result
    return {"id": str(queuecall.id)}


def main(base_url: str, password: str) -> None:
    with Client(base_url, username="admin@localhost", password=password) as client:
        agents = staff(client)
        queue_id = open_queue(client)
        for key, value in rush_hour(client, queue_id, agents).items():
            print(key, value)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
