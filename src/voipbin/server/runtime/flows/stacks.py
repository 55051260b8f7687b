"""Moving through an activeflow's stacks, as upstream does.

- The action after another is its ``next_id`` when set, else the next one of its stack; at
  the end of a stack the flow returns to the action that pushed it and continues after that
  one (the spent stack is dropped); at the end of the main stack, or when an id names no
  action, the flow is finished.
- A target (``goto``, ``branch``, a condition's ``false_target_id``, ``next_id``) is looked
  up in the current stack, then in the stacks it returns to, outward; never in inner or
  sibling stacks. Jumping out of a stack drops the stacks left behind.
"""

from __future__ import annotations

from uuid import UUID

from voipbin.models.flows.actions import FINISH, START, FlowAction
from voipbin.models.flows.options import EMPTY
from voipbin.server.runtime.flows.state import MAIN_STACK, FlowState, Stack

#: Where the cursor goes: a stack and an action in it, or ``None`` for the end of the flow.
Position = tuple[UUID, FlowAction] | None


def index_of(stack: Stack, action_id: UUID) -> int | None:
    for i, action in enumerate(stack.actions):
        if action.id == action_id:
            return i
    return None


def lookup(state: FlowState, stack_id: UUID, target: UUID, max_hops: int) -> Position:
    """``target`` in ``stack_id`` or the stacks it returns to; the inner stacks passed on the
    way are dropped."""
    passed: list[UUID] = []
    current: UUID = stack_id
    for _ in range(max_hops):
        stack = state.stacks.get(current)
        if stack is None:
            return None
        i = index_of(stack, target)
        if i is not None:
            for spent in passed:
                state.stacks.pop(spent, None)
            return current, stack.actions[i]
        if current == MAIN_STACK or stack.return_stack_id == EMPTY:
            return None
        passed.append(current)
        current = stack.return_stack_id
    return None


def after(state: FlowState, stack_id: UUID, action_id: UUID, max_hops: int) -> Position:
    """The position after ``action_id`` of ``stack_id``."""
    for _ in range(max_hops):
        stack = state.stacks.get(stack_id)
        if stack is None:
            return None
        if action_id == START:
            return (stack_id, stack.actions[0]) if stack.actions else None
        i = index_of(stack, action_id)
        if i is None:
            return None
        action = stack.actions[i]
        if action.next_id != EMPTY:
            return lookup(state, stack_id, action.next_id, max_hops)
        if i + 1 < len(stack.actions):
            return stack_id, stack.actions[i + 1]
        if stack_id == MAIN_STACK:
            return None
        del state.stacks[stack_id]
        stack_id, action_id = stack.return_stack_id, stack.return_action_id
    return None


def next_position(state: FlowState, max_hops: int) -> Position:
    """Where the next move goes: the pending jump, else the action after the current one."""
    if state.forward_action_id == FINISH:
        return None
    if state.forward_action_id != EMPTY:
        stack = state.stacks.get(state.forward_stack_id)
        i = None if stack is None else index_of(stack, state.forward_action_id)
        if stack is None or i is None:
            return None
        return stack.id, stack.actions[i]
    return after(state, state.current_stack_id, state.current_action.id, max_hops)


def push(state: FlowState, stack_id: UUID, actions: list[FlowAction]) -> None:
    """Run ``actions`` next, as a new stack returning after the current action."""
    if not actions:
        return
    state.stacks[stack_id] = Stack(
        id=stack_id,
        actions=list(actions),
        return_stack_id=state.current_stack_id,
        return_action_id=state.current_action.id,
    )
    state.forward_stack_id = stack_id
    state.forward_action_id = actions[0].id
