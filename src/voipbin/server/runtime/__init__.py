"""The runtime: calls, flows, messages and events as processes over time (DESIGN.md "The
runtime"). ``clock`` is the one source of time; ``jobs`` are its durable timers."""
