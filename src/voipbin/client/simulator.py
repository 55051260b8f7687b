"""The simulator's control API (super-admins only): ``client.simulator.clock()``,
``advance(seconds=...)``, ``rules.create(...)``/``list()``/``delete(id)``,
``devices(extension_id, devices=[...])`` and ``reset()``; and the far end's side of calls:
``calls.create(source=..., destination=...)`` (an inbound call to one of our numbers),
``calls.dtmf(call_id, digits=...)`` and ``calls.hangup(call_id)``; the SMS side:
``messages.create(from_=..., to=..., text=...)`` and ``message_rules``
(:mod:`voipbin.client.simulator_messages`); and the local outbox: ``emails.list(...)`` (the
emails delivered with no SMTP server).

The paths and bodies are ``voipbin.models.simulator``'s, the server's own; the calls are
exchanges like every other (credentials, idempotency keys, retries and errors from the core),
and the two accessors only run them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from voipbin.client.calls import Body, Id, encode_body
from voipbin.client.core import ClientCore
from voipbin.client.exchange import Exchange, Request
from voipbin.client.resources import AsyncRunner, Runner
from voipbin.client.simulator_messages import (
    AsyncMessageRules,
    AsyncMessages,
    MessageRules,
    Messages,
    SimulatorMessageCalls,
)
from voipbin.common.pagination import Page
from voipbin.models.call import Call
from voipbin.models.simulator import (
    ADVANCE_PATH,
    CALL_DTMF_PATH,
    CALL_HANGUP_PATH,
    CALLS_PATH,
    CLOCK_PATH,
    DEVICES_PATH,
    EMAILS_PATH,
    RESET_PATH,
    RULE_PATH,
    RULES_PATH,
    ClockAdvance,
    ClockState,
    DeliveredEmail,
    Devices,
    DevicesSet,
    InboundCall,
    KeyPress,
    Rule,
    RuleCreate,
    RuleList,
)
from voipbin.models.wire import decode_wire, decode_wire_page

_JSON = {"Content-Type": "application/json"}


def _with_id(path: str, id: Id) -> str:
    return path.format(id=quote(str(id), safe=""))


class SimulatorCalls:
    """Every call of the control API, as exchanges for a shell to run."""

    def __init__(self, core: ClientCore) -> None:
        self.core = core

    def _post(self, path: str, content: bytes) -> Request:
        return Request("POST", path, body=content, headers=_JSON)

    def clock(self) -> Exchange[ClockState]:
        response = yield from self.core.call(Request("GET", CLOCK_PATH))
        return decode_wire(ClockState, response.content)

    def advance(self, body: Body | None, fields: Mapping[str, Any]) -> Exchange[ClockState]:
        content = encode_body(ClockAdvance, body, fields)
        response = yield from self.core.call(self._post(ADVANCE_PATH, content))
        return decode_wire(ClockState, response.content)

    def add_rule(self, body: Body | None, fields: Mapping[str, Any]) -> Exchange[Rule]:
        content = encode_body(RuleCreate, body, fields)
        response = yield from self.core.call(self._post(RULES_PATH, content))
        return decode_wire(Rule, response.content)

    def rules(self) -> Exchange[list[Rule]]:
        response = yield from self.core.call(Request("GET", RULES_PATH))
        return decode_wire(RuleList, response.content).result

    def delete_rule(self, id: Id) -> Exchange[None]:
        yield from self.core.call(Request("DELETE", _with_id(RULE_PATH, id)))

    def devices(
        self, extension_id: Id, body: Body | None, fields: Mapping[str, Any]
    ) -> Exchange[Devices]:
        content = encode_body(DevicesSet, body, fields)
        response = yield from self.core.call(
            self._post(_with_id(DEVICES_PATH, extension_id), content)
        )
        return decode_wire(Devices, response.content)

    def reset(self) -> Exchange[None]:
        yield from self.core.call(self._post(RESET_PATH, b"{}"))

    def inbound_call(self, body: Body | None, fields: Mapping[str, Any]) -> Exchange[Call]:
        content = encode_body(InboundCall, body, fields)
        response = yield from self.core.call(self._post(CALLS_PATH, content))
        return decode_wire(Call, response.content)

    def press_keys(
        self, call_id: Id, body: Body | None, fields: Mapping[str, Any]
    ) -> Exchange[None]:
        content = encode_body(KeyPress, body, fields)
        yield from self.core.call(self._post(_with_id(CALL_DTMF_PATH, call_id), content))

    def hang_up(self, call_id: Id) -> Exchange[None]:
        yield from self.core.call(self._post(_with_id(CALL_HANGUP_PATH, call_id), b"{}"))

    def delivered_emails(self, params: Mapping[str, Any]) -> Exchange[Page[DeliveredEmail]]:
        query = tuple((k, str(v)) for k, v in params.items() if v is not None)
        response = yield from self.core.call(Request("GET", EMAILS_PATH, params=query))
        return decode_wire_page(DeliveredEmail, response.content)


class Emails:
    """``client.simulator.emails``: the local outbox."""

    def __init__(self, calls: SimulatorCalls, run: Runner) -> None:
        self._calls = calls
        self._run = run

    def list(self, **params: Any) -> Page[DeliveredEmail]:
        """A page of the emails delivered to the local outbox, newest first (``page_size``,
        ``page_token``, ``customer_id``, ``email_id``)."""
        return self._run(self._calls.delivered_emails(params))


class AsyncEmails:
    """``client.simulator.emails`` on an :class:`~voipbin.client.AsyncClient`."""

    def __init__(self, calls: SimulatorCalls, run: AsyncRunner) -> None:
        self._calls = calls
        self._run = run

    async def list(self, **params: Any) -> Page[DeliveredEmail]:
        """A page of the emails delivered to the local outbox, newest first (``page_size``,
        ``page_token``, ``customer_id``, ``email_id``)."""
        return await self._run(self._calls.delivered_emails(params))


class Rules:
    """``client.simulator.rules``: the scripted outcomes by destination."""

    def __init__(self, calls: SimulatorCalls, run: Runner) -> None:
        self._calls = calls
        self._run = run

    def create(self, body: Body | None = None, /, **fields: Any) -> Rule:
        """Store a rule (a ``RuleCreate``, or its fields: ``type``, ``pattern``, the
        script); later rules win over earlier and built-in ones."""
        return self._run(self._calls.add_rule(body, fields))

    def list(self) -> list[Rule]:
        """The stored rules, earliest first."""
        return self._run(self._calls.rules())

    def delete(self, id: Id) -> None:
        self._run(self._calls.delete_rule(id))


class AsyncRules:
    """``client.simulator.rules`` on an :class:`~voipbin.client.AsyncClient`."""

    def __init__(self, calls: SimulatorCalls, run: AsyncRunner) -> None:
        self._calls = calls
        self._run = run

    async def create(self, body: Body | None = None, /, **fields: Any) -> Rule:
        """Store a rule (a ``RuleCreate``, or its fields: ``type``, ``pattern``, the
        script); later rules win over earlier and built-in ones."""
        return await self._run(self._calls.add_rule(body, fields))

    async def list(self) -> list[Rule]:
        """The stored rules, earliest first."""
        return await self._run(self._calls.rules())

    async def delete(self, id: Id) -> None:
        await self._run(self._calls.delete_rule(id))


class Calls:
    """``client.simulator.calls``: what the far end of a call does."""

    def __init__(self, calls: SimulatorCalls, run: Runner) -> None:
        self._calls = calls
        self._run = run

    def create(self, body: Body | None = None, /, **fields: Any) -> Call:
        """A call from the network (``source``) to one of our numbers (``destination``, a
        ``tel`` address), running the number's call flow (``NotFound`` for no live number)."""
        return self._run(self._calls.inbound_call(body, fields))

    def dtmf(self, call_id: Id, body: Body | None = None, /, **fields: Any) -> None:
        """The far end of an answered call presses ``digits`` (``FailedPrecondition``
        before the answer or once the call is ending)."""
        self._run(self._calls.press_keys(call_id, body, fields))

    def hangup(self, call_id: Id) -> None:
        """The far end hangs up (normal clearing); a call already ending is left."""
        self._run(self._calls.hang_up(call_id))


class AsyncCalls:
    """``client.simulator.calls`` on an :class:`~voipbin.client.AsyncClient`."""

    def __init__(self, calls: SimulatorCalls, run: AsyncRunner) -> None:
        self._calls = calls
        self._run = run

    async def create(self, body: Body | None = None, /, **fields: Any) -> Call:
        """A call from the network (``source``) to one of our numbers (``destination``, a
        ``tel`` address), running the number's call flow (``NotFound`` for no live number)."""
        return await self._run(self._calls.inbound_call(body, fields))

    async def dtmf(self, call_id: Id, body: Body | None = None, /, **fields: Any) -> None:
        """The far end of an answered call presses ``digits`` (``FailedPrecondition``
        before the answer or once the call is ending)."""
        await self._run(self._calls.press_keys(call_id, body, fields))

    async def hangup(self, call_id: Id) -> None:
        """The far end hangs up (normal clearing); a call already ending is left."""
        await self._run(self._calls.hang_up(call_id))


class Simulator:
    """``client.simulator``: the simulated network's control API (super-admins only)."""

    def __init__(self, core: ClientCore, run: Runner) -> None:
        self._calls = SimulatorCalls(core)
        self._run = run
        self.rules = Rules(self._calls, run)
        self.calls = Calls(self._calls, run)
        self.emails = Emails(self._calls, run)
        sms = SimulatorMessageCalls(core)
        self.messages = Messages(sms, run)
        self.message_rules = MessageRules(sms, run)

    def clock(self) -> ClockState:
        """The server's clock: its mode and time."""
        return self._run(self._calls.clock())

    def advance(self, body: Body | None = None, /, **fields: Any) -> ClockState:
        """Move the virtual clock ``seconds`` forward, running every job due on the way
        (``FailedPrecondition`` on a real clock)."""
        return self._run(self._calls.advance(body, fields))

    def devices(self, extension_id: Id, body: Body | None = None, /, **fields: Any) -> Devices:
        """Register the extension's ``devices`` (scripts), replacing the ones it had."""
        return self._run(self._calls.devices(extension_id, body, fields))

    def reset(self) -> None:
        """Forget every stored rule and device: the built-in rules alone again."""
        self._run(self._calls.reset())


class AsyncSimulator:
    """``client.simulator`` on an :class:`~voipbin.client.AsyncClient`."""

    def __init__(self, core: ClientCore, run: AsyncRunner) -> None:
        self._calls = SimulatorCalls(core)
        self._run = run
        self.rules = AsyncRules(self._calls, run)
        self.calls = AsyncCalls(self._calls, run)
        self.emails = AsyncEmails(self._calls, run)
        sms = SimulatorMessageCalls(core)
        self.messages = AsyncMessages(sms, run)
        self.message_rules = AsyncMessageRules(sms, run)

    async def clock(self) -> ClockState:
        """The server's clock: its mode and time."""
        return await self._run(self._calls.clock())

    async def advance(self, body: Body | None = None, /, **fields: Any) -> ClockState:
        """Move the virtual clock ``seconds`` forward, running every job due on the way
        (``FailedPrecondition`` on a real clock)."""
        return await self._run(self._calls.advance(body, fields))

    async def devices(
        self, extension_id: Id, body: Body | None = None, /, **fields: Any
    ) -> Devices:
        """Register the extension's ``devices`` (scripts), replacing the ones it had."""
        return await self._run(self._calls.devices(extension_id, body, fields))

    async def reset(self) -> None:
        """Forget every stored rule and device: the built-in rules alone again."""
        await self._run(self._calls.reset())
