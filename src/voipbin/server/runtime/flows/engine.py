"""The flow engine's step: ``step(state, event, env) -> Step(state, commands)``, pure.

The runtime loads an activeflow's state, applies an event, stores the new state and carries
out the commands, in one transaction. A step runs actions until one waits for the outside
world or the flow ends:

- each cursor move fills the action's ``${}`` templates, records the previous action in
  ``executed_actions`` and counts toward :attr:`Limits.max_moves`;
- an action whose media its reference cannot give (a call action for an ``api``
  activeflow, ``block`` for a call) is skipped, as upstream does, with ``not_executed``;
- so is a type this engine does not run yet, and an action whose option is invalid once
  its templates are filled in;
- an action that cannot run (a jump to nowhere, a failed ``fetch``...) ends the flow with
  ``flow_ended`` reason ``error``, as upstream does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import msgspec

from voipbin.common.errors import InvalidArgument
from voipbin.models.flows.actions import ACTION_TYPES, ACTIONS, FINISH, Actions, FlowAction
from voipbin.models.flows.check import check_actions, check_filled_addresses
from voipbin.models.flows.options import EMPTY, ConfbridgeJoinOption, FetchFlowOption
from voipbin.server.runtime.flows import commands as c
from voipbin.server.runtime.flows import events as e
from voipbin.server.runtime.flows import queueing
from voipbin.server.runtime.flows.actions import HANDLERS
from voipbin.server.runtime.flows.conditions import digits_done
from voipbin.server.runtime.flows.run import Env, Fatal, Run
from voipbin.server.runtime.flows.stacks import next_position
from voipbin.server.runtime.flows.state import PROVIDED_MEDIA, FlowState, decode, encode, marker
from voipbin.server.runtime.flows.variables import DIGITS, substitute_all


@dataclass(frozen=True)
class Step:
    state: FlowState
    commands: list[c.AnyCommand]


def action_type(action: FlowAction) -> str:
    tag = type(action).__struct_config__.tag
    assert isinstance(tag, str)
    return tag


def fill(action: FlowAction, variables: dict[str, str]) -> FlowAction:
    """``action`` with the templates of its option filled in; ``msgspec.ValidationError``
    or ``InvalidArgument`` when the result breaks the option's rules (an address that is
    none once filled in)."""
    option: msgspec.Struct = action.option  # type: ignore[attr-defined]
    data = msgspec.to_builtins(option)
    filled = substitute_all(data, variables)
    if filled == data:
        return action
    checked = check_filled_addresses(msgspec.convert(filled, type(option)), "option")
    return msgspec.structs.replace(action, option=checked)


def step(state: FlowState, event: e.AnyEvent, env: Env) -> Step:
    """The state after ``event`` and the commands it gives; ``state`` is left unchanged."""
    if state.status == "ended":
        return Step(state, [])
    run = Run(decode(encode(state)), env)
    if not _apply(run, event):
        return Step(state, [])
    return Step(run.state, run.commands)


def _apply(run: Run, event: e.AnyEvent) -> bool:
    """Apply ``event``; ``False`` when it changes nothing."""
    s = run.state
    if isinstance(event, e.Started):
        if s.execute_count or s.waiting is not None:
            return False
        _advance(run)
    elif isinstance(event, e.CallHungUp):
        run.end("call_hangup")
    elif isinstance(event, e.StopRequested):
        run.end("stopped")
    elif isinstance(event, e.QueueWaiting):
        return _queue_waiting(run, event)
    elif isinstance(event, e.QueueServing):
        if not queueing.leave_wait(run, event.queuecall_id):
            return False
        queueing.hold(run)
    elif isinstance(event, e.QueueLeft):
        if not queueing.leave_wait(run, event.queuecall_id):
            return False
        s.queuecall_id = EMPTY
        _advance(run)
    elif isinstance(event, e.DigitsReceived):
        for digit in event.digits:
            if s.status == "running":
                _digit(run, digit)
    else:
        return _answer(run, event)
    return True


def _answer(run: Run, event: e.AnyEvent) -> bool:
    waiting = run.state.waiting
    token = getattr(event, "token", None)
    if waiting is None or token != waiting.token:
        return False
    kind = waiting.kind
    if isinstance(event, e.TimerFired | e.ActionFinished):
        if kind not in ("media", "digits", "connect", "webhook", "conference"):
            return False
    elif isinstance(event, e.AmdDetected):
        if kind != "amd":
            return False
        if event.result == "machine" and _option(run).machine_handle == "hangup":
            run.emit(c.Hangup(reason="amd"))
            run.end("hangup")
            return True
    elif isinstance(event, e.FetchAnswered):
        if kind != "fetch":
            return False
        return _guarded(run, lambda: run.push(_fetched(event, run)))
    elif isinstance(event, e.FlowLoaded):
        if kind != "flow":
            return False
        return _guarded(run, lambda: run.push(_loaded(event)))
    elif isinstance(event, e.ConferenceJoining):
        if kind != "conference":
            return False
        if event.error:
            run.end("error", f"conference_join: {event.error}")
            return True
        if event.conferencecall_id == EMPTY:  # nothing to join: the flow moves on
            _resume(run)
            return True
        stack = conference_stack(event, run.env.new_id)
        return _guarded(run, lambda: run.push(stack, stack_id=event.conferencecall_id))
    elif isinstance(event, e.Continued) and kind != "block":
        return False
    elif isinstance(event, e.MessageSent):
        if kind != "message":
            return False
        if event.error:
            run.end("error", f"message_send: {event.error}")
            return True
    _resume(run)
    return True


def _queue_waiting(run: Run, event: e.QueueWaiting) -> bool:
    s = run.state
    waiting = s.waiting
    if (
        waiting is None
        or waiting.kind != "queue"
        or waiting.token != event.token
        or s.queuecall_id != event.queuecall_id
    ):
        return False
    if event.error:
        run.end("error", f"queue_join: {event.error}")
        return True
    s.variables.update(event.variables)
    if not event.actions:
        return True  # no wait flow: the caller waits in silence
    if not queueing.push_wait_loop(run, event.queuecall_id, event.actions):
        run.end("error", f"queue_join: more than {run.env.limits.max_stacks} stacks")
        return True
    _resume(run)
    return True


def _guarded(run: Run, act: Any) -> bool:
    try:
        act()
    except Fatal as error:
        run.end("error", str(error))
        return True
    _resume(run)
    return True


def _option(run: Run) -> Any:
    return run.state.current_action.option  # type: ignore[attr-defined]


def _fetched(event: e.FetchAnswered, run: Run) -> list[FlowAction]:
    if event.status != 200:
        raise Fatal(f"fetch answered {event.status or 'nothing'}")
    try:
        actions = msgspec.json.decode(event.body, type=Actions)
    except (msgspec.DecodeError, msgspec.ValidationError) as error:
        raise Fatal(f"fetch answered no list of actions: {error}") from None
    given = [
        a if a.id != EMPTY else msgspec.structs.replace(a, id=run.env.new_id()) for a in actions
    ]
    try:
        checked, _ = check_actions(given, "fetched")
    except InvalidArgument as error:
        raise Fatal(f"fetch answered invalid actions: {_why(error)}") from None
    return checked


def _why(error: Exception) -> str:
    if isinstance(error, InvalidArgument):
        fields = [d for d in error.details if not isinstance(d, dict)]
        return "; ".join(f"{d.field} {d.description}" for d in fields) or str(error)
    return f"option: {error}"


def conference_stack(event: e.ConferenceJoining, new_id: Callable[[], UUID]) -> list[FlowAction]:
    """What a participant runs (upstream's pushed stack, §6.2): the conference's pre-flow,
    the room until it leaves, then its post-flow (reached only while the call is up: a
    hangup ends the flow first)."""
    room = ACTIONS["confbridge_join"](
        id=new_id(), option=ConfbridgeJoinOption(confbridge_id=event.conferencecall_id)
    )
    before = [_fetch_flow(event.pre_flow_id, new_id)] if event.pre_flow_id != EMPTY else []
    after = [_fetch_flow(event.post_flow_id, new_id)] if event.post_flow_id != EMPTY else []
    return [*before, room, *after]


def _fetch_flow(flow_id: UUID, new_id: Callable[[], UUID]) -> FlowAction:
    return ACTIONS["fetch_flow"](id=new_id(), option=FetchFlowOption(flow_id=flow_id))


def _loaded(event: e.FlowLoaded) -> list[FlowAction]:
    if event.actions is None:
        raise Fatal("fetch_flow.flow_id names no flow of the customer")
    return event.actions


def _resume(run: Run) -> None:
    run.state.waiting = None
    _advance(run)


def _digit(run: Run, digit: str) -> None:
    s = run.state
    waiting = s.waiting
    if waiting is not None and waiting.kind == "digits":
        s.variables[DIGITS] = s.variables.get(DIGITS, "") + digit
        if digits_done(_option(run), s.variables[DIGITS]):
            _resume(run)
        return
    s.variables[DIGITS] = digit
    if (
        waiting is not None
        and waiting.kind == "media"
        and action_type(s.current_action) == "talk"
        and _option(run).digits_handle == "next"
    ):
        run.emit(c.StopMedia(token=waiting.token))
        _resume(run)


def _advance(run: Run) -> None:
    """Move the cursor and run actions until one waits or the flow ends."""
    s = run.state
    limits = run.env.limits
    spun = 0  # free moves in this step: a wait flow that never waits spins here
    while s.status == "running" and s.waiting is None:
        position = next_position(s, limits.max_stacks)
        # Free stacks exist only while the flow waits in a queue: other flows skip the walk.
        free = (
            s.queuecall_id != EMPTY
            and position is not None
            and queueing.in_free_stack(s, position[0], limits.max_stacks)
        )
        if free:
            spun += 1
            if spun > limits.max_moves:
                run.end(
                    "error",
                    f"the queue's wait flow ran {limits.max_moves} actions and waited for none",
                )
                return
            s.free_moves += 1
        else:
            if s.execute_count - s.free_moves > limits.max_moves:
                run.end("error", f"the flow moved its cursor more than {limits.max_moves} times")
                return
            s.executed_actions.append(s.current_action)
        s.execute_count += 1
        s.forward_stack_id = s.forward_action_id = EMPTY
        if position is None:
            s.current_action = marker(FINISH)
            run.end("finished")
            return
        s.current_stack_id, run.raw = position
        _run_action(run, run.raw)


def _run_action(run: Run, raw: FlowAction) -> None:
    s = run.state
    name = action_type(raw)
    try:
        action = fill(raw, s.variables)
    except (msgspec.ValidationError, InvalidArgument) as error:
        s.current_action = raw
        run.emit(c.NotExecuted(action_id=raw.id, action_type=name, reason=_why(error)))
        return
    s.current_action = action
    media = ACTION_TYPES[name].media
    if media and media != PROVIDED_MEDIA.get(s.reference_type, ""):
        reason = "needs a call" if media == "rtc" else "cannot run for a call"
        run.emit(c.NotExecuted(action_id=raw.id, action_type=name, reason=reason))
        return
    handler = HANDLERS.get(name)
    if handler is None:
        run.emit(c.NotExecuted(action_id=raw.id, action_type=name, reason="not implemented"))
        return
    try:
        handler(run, action.option)  # type: ignore[attr-defined]
    except Fatal as error:
        run.end("error", f"{name}: {error}")
