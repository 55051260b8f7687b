"""Building flows and driving the engine in tests."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import count
from typing import Any
from uuid import UUID

import msgspec

from voipbin.models.flows.actions import ACTION_TYPES, ACTIONS, FlowAction
from voipbin.models.flows.options import EMPTY
from voipbin.server.runtime.flows import Env, FlowState, Step, new_state, step
from voipbin.server.runtime.flows import events as e
from voipbin.server.runtime.flows.commands import AnyCommand
from voipbin.server.runtime.flows.engine import action_type

#: A Wednesday, 10:30 UTC.
NOW = datetime(2026, 3, 4, 10, 30, tzinfo=UTC)
ACTIVEFLOW_ID = UUID(int=0xAF)
CUSTOMER_ID = UUID(int=0xC0)
FLOW_ID = UUID(int=0xF0)
CALL_ID = UUID(int=0xCA)


def uid(n: int) -> UUID:
    """A readable action id."""
    return UUID(int=0x1000 + n)


_ids: Iterator[int] = count(1)


def act(type: str, n: int | None = None, next_id: UUID = EMPTY, **option: Any) -> FlowAction:
    """An action of ``type``, with the id ``uid(n)`` (a fresh one when ``n`` is left out) and
    ``option`` given by its wire names (``async``...)."""
    opt = msgspec.convert(option, ACTION_TYPES[type].option)
    id = uid(n) if n is not None else UUID(int=0x9000_0000 + next(_ids))
    return ACTIONS[type](id=id, next_id=next_id, option=opt)


def env(**kw: Any) -> Env:
    """An environment at :data:`NOW` whose new ids never repeat within the tests."""
    kw.setdefault("now", NOW)
    return Env(new_id=lambda: UUID(int=0x5000_0000 + next(_ids)), **kw)


def state(
    actions: list[FlowAction],
    reference_type: Any = "call",
    variables: dict[str, str] | None = None,
    **kw: Any,
) -> FlowState:
    return new_state(
        id=ACTIVEFLOW_ID,
        customer_id=CUSTOMER_ID,
        flow_id=FLOW_ID,
        actions=actions,
        reference_type=reference_type,
        reference_id=CALL_ID if reference_type == "call" else EMPTY,
        variables=variables,
        **kw,
    )


def start(actions: list[FlowAction], the_env: Env | None = None, **kw: Any) -> Step:
    return step(state(actions, **kw), e.Started(), the_env or env())


def tags(commands: list[AnyCommand]) -> list[str]:
    return [str(type(c).__struct_config__.tag) for c in commands]


def on(s: FlowState) -> str:
    """The type of the current action (``finish`` at the end)."""
    if s.current_action.id == UUID(int=2):
        return "finish"
    return action_type(s.current_action)


def token(s: FlowState) -> int:
    assert s.waiting is not None, "the flow is not waiting"
    return s.waiting.token


def fire(r: Step, the_env: Env | None = None) -> Step:
    """The timer of the waiting action fires."""
    return step(r.state, e.TimerFired(token=token(r.state)), the_env or env())
