"""The runtime: calls, groupcalls and the flow engine, run by the server itself on a carrier
(the simulated one by default). See DESIGN.md, "The runtime"."""
