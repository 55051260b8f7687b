"""The simulator's SMS side (super-admins only): ``client.simulator.messages.create(from_=...,
to=..., text=...)`` (an SMS from the network to one of our numbers) and
``client.simulator.message_rules.create(...)``/``list()``/``delete(id)`` (what happens to
messages sent to numbers matching a pattern).

The paths and bodies are ``voipbin.models.simulator_messages``'s, the server's own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from voipbin.client.calls import Body, Id, encode_body
from voipbin.client.core import ClientCore
from voipbin.client.exchange import Exchange, Request
from voipbin.client.resources import AsyncRunner, Runner
from voipbin.models.message import Message
from voipbin.models.simulator_messages import (
    MESSAGE_RULE_PATH,
    MESSAGE_RULES_PATH,
    MESSAGES_PATH,
    InboundMessage,
    MessageRule,
    MessageRuleCreate,
    MessageRuleList,
)
from voipbin.models.wire import decode_wire

_JSON = {"Content-Type": "application/json"}


class SimulatorMessageCalls:
    """The SMS side's calls, as exchanges for a shell to run."""

    def __init__(self, core: ClientCore) -> None:
        self.core = core

    def inbound(self, body: Body | None, fields: Mapping[str, Any]) -> Exchange[Message]:
        content = encode_body(InboundMessage, body, fields)
        response = yield from self.core.call(
            Request("POST", MESSAGES_PATH, body=content, headers=_JSON)
        )
        return decode_wire(Message, response.content)

    def add_rule(self, body: Body | None, fields: Mapping[str, Any]) -> Exchange[MessageRule]:
        content = encode_body(MessageRuleCreate, body, fields)
        response = yield from self.core.call(
            Request("POST", MESSAGE_RULES_PATH, body=content, headers=_JSON)
        )
        return decode_wire(MessageRule, response.content)

    def rules(self) -> Exchange[list[MessageRule]]:
        response = yield from self.core.call(Request("GET", MESSAGE_RULES_PATH))
        return decode_wire(MessageRuleList, response.content).result

    def delete_rule(self, id: Id) -> Exchange[None]:
        path = MESSAGE_RULE_PATH.format(id=quote(str(id), safe=""))
        yield from self.core.call(Request("DELETE", path))


class Messages:
    """``client.simulator.messages``: SMS from the network."""

    def __init__(self, calls: SimulatorMessageCalls, run: Runner) -> None:
        self._calls = calls
        self._run = run

    def create(self, body: Body | None = None, /, **fields: Any) -> Message:
        """An SMS from ``from_`` to one of our numbers (``to``), running the number's
        message flow (``NotFound`` for no live number)."""
        return self._run(self._calls.inbound(body, fields))


class AsyncMessages:
    """``client.simulator.messages`` on an :class:`~voipbin.client.AsyncClient`."""

    def __init__(self, calls: SimulatorMessageCalls, run: AsyncRunner) -> None:
        self._calls = calls
        self._run = run

    async def create(self, body: Body | None = None, /, **fields: Any) -> Message:
        """An SMS from ``from_`` to one of our numbers (``to``), running the number's
        message flow (``NotFound`` for no live number)."""
        return await self._run(self._calls.inbound(body, fields))


class MessageRules:
    """``client.simulator.message_rules``: what happens to SMS sent to matching numbers."""

    def __init__(self, calls: SimulatorMessageCalls, run: Runner) -> None:
        self._calls = calls
        self._run = run

    def create(self, body: Body | None = None, /, **fields: Any) -> MessageRule:
        """Store a rule (``pattern``, ``outcome``, ``sent_after``, ``outcome_after``);
        later rules win over earlier and built-in ones."""
        return self._run(self._calls.add_rule(body, fields))

    def list(self) -> list[MessageRule]:
        """The stored rules, earliest first."""
        return self._run(self._calls.rules())

    def delete(self, id: Id) -> None:
        self._run(self._calls.delete_rule(id))


class AsyncMessageRules:
    """``client.simulator.message_rules`` on an :class:`~voipbin.client.AsyncClient`."""

    def __init__(self, calls: SimulatorMessageCalls, run: AsyncRunner) -> None:
        self._calls = calls
        self._run = run

    async def create(self, body: Body | None = None, /, **fields: Any) -> MessageRule:
        """Store a rule (``pattern``, ``outcome``, ``sent_after``, ``outcome_after``);
        later rules win over earlier and built-in ones."""
        return await self._run(self._calls.add_rule(body, fields))

    async def list(self) -> list[MessageRule]:
        """The stored rules, earliest first."""
        return await self._run(self._calls.rules())

    async def delete(self, id: Id) -> None:
        await self._run(self._calls.delete_rule(id))
