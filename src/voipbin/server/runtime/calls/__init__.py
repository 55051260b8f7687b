"""Calls: the state machine (:mod:`.machine`, pure rules) and the service that applies it."""
