"""The runtime: calls, groupcalls and activeflows as processes driven by a carrier and the
flow engine (see DESIGN.md, "The runtime")."""
