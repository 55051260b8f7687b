"""The ``webhook_send`` flow action, carried out by webhook deliveries: a delivery of the
action's raw ``data`` to its ``uri`` (no ``{"type", "data"}`` envelope: upstream's), in the
lane of that uri and the activeflow, signed with the customer's secret. With ``sync`` the
flow waits for the first attempt's outcome, fed back as ``ActionFinished``."""

from __future__ import annotations

from voipbin.server.runtime.flows import commands as c
from voipbin.server.runtime.flows import events as e
from voipbin.server.runtime.flows.runner import FlowRunner
from voipbin.server.runtime.flows.state import FlowState
from voipbin.server.runtime.webhooks.service import Webhooks
from voipbin.server.storage.database import Executor


def link(webhooks: Webhooks, runner: FlowRunner) -> None:
    """Carry out ``webhook_send`` with ``webhooks``, answering ``sync`` ones to ``runner``."""

    async def send(executor: Executor, state: FlowState, command: c.Command) -> None:
        assert isinstance(command, c.WebhookSend)
        id = str(state.id)
        await webhooks.create(
            executor,
            customer_id=str(state.customer_id),
            event_type="webhook_send",
            reference_type="activeflow",
            reference_id=id,
            target="webhook_send",
            uri=command.uri,
            method=command.method,
            body=command.data,
            activeflow_id=id,
            content_type=command.content_type,
            flow_token=command.token,
        )

    async def answer(executor: Executor, activeflow_id: str, token: int) -> None:
        await runner.schedule(executor, activeflow_id, e.ActionFinished(token=token), due_in=0)

    runner.carry_out(c.WebhookSend, send)
    webhooks.answer = answer
