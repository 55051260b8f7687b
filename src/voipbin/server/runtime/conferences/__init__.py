"""Conferences and their participants as processes (``server/runtime/conferences/``)."""
