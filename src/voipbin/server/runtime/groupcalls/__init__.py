"""Groupcalls: the rules of ringing several legs (:mod:`.machine`, pure) and their service."""
