"""Queues and queuecalls as processes: callers wait, agents are rung and bridged."""
