"""The link between messages and the flow engine, both ways:

- a flow's ``message_send`` (the ``send_message`` command) sends through the messages
  service in the step's transaction, in a savepoint: a refusal (a source that is none of the
  customer's numbers, an identity not verified, a balance that cannot pay) leaves nothing
  behind and ends the flow with an error, as upstream (``MessageSent`` with ``error``);
- a received message runs its number's ``message_flow_id`` as an activeflow of reference
  type ``message`` with the ``voipbin.message.*`` variables (upstream documents them and
  never sets them).
"""

from __future__ import annotations

import logging
from uuid import UUID

from voipbin.common.errors import ApiError
from voipbin.models.message import MessageCreate
from voipbin.server.runtime.flows import commands as c
from voipbin.server.runtime.flows import events as e
from voipbin.server.runtime.flows.runner import FlowRunner, flow_of
from voipbin.server.runtime.flows.state import FlowState
from voipbin.server.runtime.messages.service import MessageRuntime
from voipbin.server.storage.database import Executor

log = logging.getLogger("voipbin.runtime.messages")

#: The variables a received message's flow starts with.
VARIABLE_PREFIX = "voipbin.message."


class MessageFlows:
    """What messages ask of flows and flows of messages."""

    def __init__(self, messages: MessageRuntime, runner: FlowRunner) -> None:
        self.messages = messages
        self.runner = runner

    @classmethod
    def link(cls, messages: MessageRuntime, runner: FlowRunner) -> MessageFlows:
        """Carry out the flows' ``send_message`` commands with ``messages``."""
        linked = cls(messages, runner)
        runner.carry_out(c.SendMessage, linked._send)
        return linked

    async def _send(self, tx: Executor, state: FlowState, command: c.Command) -> None:
        assert isinstance(command, c.SendMessage)
        body = MessageCreate(
            source=command.source, destinations=command.destinations, text=command.text
        )
        answer: e.MessageSent
        try:
            async with tx.savepoint():
                message = await self.messages.send(tx, str(state.customer_id), body)
            answer = e.MessageSent(token=command.token, message_id=str(message.id))  # type: ignore[attr-defined]
        except ApiError as error:
            log.info("activeflow %s: message_send refused: %s", state.id, error)
            answer = e.MessageSent(token=command.token, error=f"{error.reason}: {error}")
        await self.runner.schedule(tx, str(state.id), answer, due_in=0)

    async def run_flow(
        self, tx: Executor, customer_id: str, flow_id: str, message: dict[str, str]
    ) -> None:
        """Run the customer's flow ``flow_id`` for the received ``message`` (its id,
        source, destination and text); a flow that is gone runs nothing."""
        found = await flow_of(self.runner.flows, customer_id, UUID(flow_id), tx)
        if found is None:
            log.warning("message %s: message_flow_id %s names no live flow", message["id"], flow_id)
            return
        actions, on_complete = found
        await self.runner.create(
            tx,
            customer_id=customer_id,
            actions=actions,
            reference_type="message",
            reference_id=UUID(message["id"]),
            flow_id=UUID(flow_id),
            on_complete_flow_id=on_complete,
            system_variables={VARIABLE_PREFIX + k: v for k, v in message.items()},
        )
