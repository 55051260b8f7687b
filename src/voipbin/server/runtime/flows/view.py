"""The public face of an activeflow's state: the ``Activeflow`` resource."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from voipbin.models.activeflow import Activeflow
from voipbin.models.flows.options import EMPTY
from voipbin.server.runtime.flows.state import FlowState


def _ref(id: UUID) -> UUID | None:
    return None if id == EMPTY else id


def activeflow(
    state: FlowState,
    *,
    webhook_uri: str = "",
    webhook_method: str = "",
    tm_create: datetime,
    tm_update: datetime | None = None,
    tm_delete: datetime | None = None,
) -> Activeflow:
    """What a customer reads of ``state`` (the stacks, counters and variables stay hidden,
    as upstream)."""
    return Activeflow(
        id=state.id,
        customer_id=state.customer_id,
        flow_id=_ref(state.flow_id),
        status=state.status,
        reference_type=state.reference_type,
        reference_id=_ref(state.reference_id),
        reference_activeflow_id=_ref(state.reference_activeflow_id),
        on_complete_flow_id=_ref(state.on_complete_flow_id),
        webhook_uri=webhook_uri,
        webhook_method=webhook_method,
        current_action=state.current_action,
        forward_action_id=_ref(state.forward_action_id),
        executed_actions=list(state.executed_actions),
        tm_create=tm_create,
        tm_update=tm_update,
        tm_delete=tm_delete,
    )
