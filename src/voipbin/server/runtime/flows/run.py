"""One step in progress: the state being changed, the commands it gives, and the moves an
action handler may make (jump, push, wait, end)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal
from uuid import UUID, uuid4

from voipbin.models.flows.actions import FINISH, FlowAction
from voipbin.models.flows.options import EMPTY
from voipbin.server.runtime.flows import stacks
from voipbin.server.runtime.flows.commands import AnyCommand, EndReason, FlowEnded
from voipbin.server.runtime.flows.state import (
    FlowState,
    Limits,
    Waiting,
    WaitKind,
    next_on_complete,
)


@dataclass(frozen=True)
class Env:
    """What a step may read of the world: the time, the call, fresh ids, the limits."""

    now: datetime
    """Aware; ``condition_datetime`` reads it in UTC."""
    call_status: str = ""
    """The status of the activeflow's call (``condition_call_status``)."""
    new_id: Callable[[], UUID] = uuid4
    """Ids for pushed stacks and for fetched actions that have none."""
    limits: Limits = field(default_factory=Limits)


class Fatal(Exception):
    """An action that cannot run: the activeflow ends with an error (as upstream)."""


#: What an action handler did: move on, wait for an event, or end the flow.
Outcome = Literal["next", "wait", "end"]


@dataclass
class Run:
    state: FlowState
    env: Env
    raw: FlowAction | None = None
    """The current action as its stack holds it (before ``${}`` filling)."""
    commands: list[AnyCommand] = field(default_factory=list)

    def emit(self, command: AnyCommand) -> None:
        self.commands.append(command)

    @property
    def token(self) -> int:
        """The token of a command given by the current action."""
        return self.state.execute_count

    def wait(self, kind: WaitKind) -> Outcome:
        self.state.waiting = Waiting(kind=kind, token=self.token)
        return "wait"

    def jump(self, target: UUID, what: str) -> Outcome:
        """Go to ``target`` next; :class:`Fatal` when it names no reachable action."""
        if target == EMPTY:
            raise Fatal(f"{what} is not set")
        s = self.state
        found = stacks.lookup(s, s.current_stack_id, target, self.env.limits.max_stacks)
        if found is None:
            raise Fatal(f"{what} {target} names no action")
        s.forward_stack_id, s.forward_action_id = found[0], found[1].id
        return "next"

    def finish(self) -> Outcome:
        """End the flow at the next move (the ``stop`` action)."""
        self.state.forward_stack_id = self.state.current_stack_id
        self.state.forward_action_id = FINISH
        return "next"

    def push(self, actions: list[FlowAction], stack_id: UUID | None = None) -> None:
        """Run ``actions`` next as a new stack (``stack_id``: a service's own id, as
        upstream names a conference participant's stack; by default a fresh one)."""
        if len(self.state.stacks) >= self.env.limits.max_stacks:
            raise Fatal(f"more than {self.env.limits.max_stacks} stacks")
        stack_id = stack_id or self.env.new_id()
        if stack_id in self.state.stacks:
            raise Fatal(f"stack {stack_id} exists already")
        stacks.push(self.state, stack_id, actions)

    def end(self, reason: EndReason, detail: str = "") -> Outcome:
        s = self.state
        s.status = "ended"
        s.waiting = None
        s.end_reason = reason
        s.end_detail = detail
        self.emit(
            FlowEnded(
                reason=reason,
                detail=detail,
                hangup_call=s.reference_type == "call" and reason not in ("hangup", "call_hangup"),
                on_complete_flow_id=next_on_complete(s),
            )
        )
        return "end"
