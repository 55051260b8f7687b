"""CPU time used by a server's process group, read from /proc (Linux only).

Throughput on a shared two-core machine moves with whatever else runs; the CPU time a server
spends per request moves much less, so the report gives both.
"""

from __future__ import annotations

import os
from pathlib import Path

_PROC = Path("/proc")


def group_cpu_seconds(group: int) -> float | None:
    """User + system CPU seconds of the live processes in process group ``group`` (threads
    included), or ``None`` where /proc cannot tell."""
    members = group_stats(group)
    if members is None:
        return None
    # fields[0] is field 3 (state): utime is field 14, stime 15.
    ticks = sum(int(fields[11]) + int(fields[12]) for fields in members.values())
    return ticks / os.sysconf("SC_CLK_TCK")


def group_stats(group: int) -> dict[int, list[str]] | None:
    """The /proc/<pid>/stat fields after the command name (from field 3, the state) of the
    live processes in process group ``group``, by pid; ``None`` without /proc."""
    if not _PROC.is_dir():
        return None
    found: dict[int, list[str]] = {}
    for entry in _PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
        except OSError:  # the process ended meanwhile
            continue
        # The command name (field 2) may hold spaces; the fields after it do not.
        fields = text[text.rindex(")") + 2 :].split()
        # fields[0] is field 3 (state): pgrp is field 5.
        if int(fields[2]) == group:
            found[int(entry.name)] = fields
    return found
