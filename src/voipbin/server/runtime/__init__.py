"""The runtime: calls, groupcalls, the flow engine and their events (DESIGN.md "The
runtime")."""
