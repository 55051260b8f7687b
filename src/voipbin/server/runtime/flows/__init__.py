"""The flow engine, pure: an activeflow's execution state and the step that moves it.

``step(state, event, env)`` gives the new state and the commands for the runtime (answer,
talk for N seconds, collect digits, fetch a URL, hang up...); the runtime stores the state,
carries out the commands and reports back with events. No I/O happens here.
"""

from voipbin.server.runtime.flows.engine import Step, step
from voipbin.server.runtime.flows.run import Env
from voipbin.server.runtime.flows.state import (
    MAIN_STACK,
    MAX_COMPLETE_HOPS,
    FlowState,
    Limits,
    chain,
    decode,
    encode,
    new_state,
)

__all__ = [
    "MAIN_STACK",
    "MAX_COMPLETE_HOPS",
    "Env",
    "FlowState",
    "Limits",
    "Step",
    "chain",
    "decode",
    "encode",
    "new_state",
    "step",
]
