"""The runtime: calls, groupcalls and activeflows as processes driven by a carrier and the
flow engine, and their events (DESIGN.md "The runtime")."""
