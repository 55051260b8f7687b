"""The runtime: calls, groupcalls and flows as processes driven by a carrier and the clock
(DESIGN.md "The runtime")."""
