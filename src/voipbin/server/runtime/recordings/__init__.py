"""Recordings: a call's audio recorded on the (simulated) network, its files, its links."""
