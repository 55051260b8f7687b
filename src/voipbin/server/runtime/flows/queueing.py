"""A call's flow in a queue (``queue_join``), as moves on its state.

While the caller waits, the queue's wait flow runs in a loop on a stack of its own (its id
is the queuecall's), marked ``free``: its moves do not count against the flow's step cap
(upstream's loop dies after about 100 moves, our fix). When an agent answers, or the caller
leaves the queue, the flow drops that stack (and whatever the wait flow pushed), stops the
media it was playing and comes back onto its ``queue_join`` action: there it holds while
the caller is served, and goes on after it once the caller is out of the queue.
"""

from __future__ import annotations

from uuid import UUID

from voipbin.models.flows.actions import ACTIONS, FINISH, FlowAction
from voipbin.models.flows.options import EMPTY
from voipbin.server.runtime.flows import commands as c
from voipbin.server.runtime.flows import stacks
from voipbin.server.runtime.flows.run import Run
from voipbin.server.runtime.flows.state import MAIN_STACK, FlowState, Waiting

#: The token a flow holding while its caller is served waits with: no event carries it.
SERVING_TOKEN = -1


def in_free_stack(state: FlowState, stack_id: UUID, max_hops: int) -> bool:
    """Whether ``stack_id`` is a free stack or one that returns to a free stack."""
    current = stack_id
    for _ in range(max_hops):
        stack = state.stacks.get(current)
        if stack is None:
            return False
        if stack.free:
            return True
        if current == MAIN_STACK or stack.return_stack_id == EMPTY:
            return False
        current = stack.return_stack_id
    return False


def push_wait_loop(run: Run, queuecall_id: UUID, actions: list[FlowAction]) -> bool:
    """Run ``actions`` next, again and again, on the free stack ``queuecall_id``; ``False``
    when the flow holds as many stacks as it may."""
    state = run.state
    if len(state.stacks) >= run.env.limits.max_stacks or queuecall_id in state.stacks:
        return False
    back = ACTIONS["empty"](id=run.env.new_id(), next_id=actions[0].id)
    stacks.push(state, queuecall_id, [*actions, back])
    state.stacks[queuecall_id].free = True
    return True


def leave_wait(run: Run, queuecall_id: UUID) -> bool:
    """Bring the flow of the queuecall ``queuecall_id`` back onto its ``queue_join`` (the
    wait flow's stacks dropped, its media stopped); ``False`` when the flow is in no such
    queuecall (another one's answer, or one it has left)."""
    state = run.state
    if state.queuecall_id == EMPTY or state.queuecall_id != queuecall_id:
        return False
    waiting = state.waiting
    loop = state.stacks.get(queuecall_id)
    if loop is not None:
        current = state.current_stack_id
        for _ in range(run.env.limits.max_stacks):
            if current == loop.id:
                break
            inner = state.stacks.pop(current, None)
            if inner is None:
                break
            current = inner.return_stack_id
        state.stacks.pop(loop.id, None)
        held = state.stacks.get(loop.return_stack_id)
        index = None if held is None else stacks.index_of(held, loop.return_action_id)
        if held is None or index is None:
            state.forward_stack_id, state.forward_action_id = state.current_stack_id, FINISH
        else:
            state.current_stack_id = held.id
            state.current_action = held.actions[index]
    if waiting is not None and waiting.kind == "media":
        run.emit(c.StopMedia(token=waiting.token))
    state.waiting = None
    if state.forward_action_id != FINISH:
        state.forward_stack_id = state.forward_action_id = EMPTY
    return True


def hold(run: Run) -> None:
    """Wait on the ``queue_join`` while the caller is served (only ``QueueLeft`` ends it)."""
    run.state.waiting = Waiting(kind="queue", token=SERVING_TOKEN)
