"""Flows and the action catalogue they are written in."""

from voipbin.models.flows.actions import (
    ACTION_TYPES,
    ACTIONS,
    CATALOGUE,
    MAX_ACTIONS,
    RESERVED_IDS,
    ActionBase,
    ActionType,
    CallOption,
)
from voipbin.models.flows.flow import FLOWS, Flow, FlowCreate, FlowUpdate

__all__ = [
    "ACTIONS",
    "ACTION_TYPES",
    "CATALOGUE",
    "FLOWS",
    "MAX_ACTIONS",
    "RESERVED_IDS",
    "ActionBase",
    "ActionType",
    "CallOption",
    "Flow",
    "FlowCreate",
    "FlowUpdate",
]
