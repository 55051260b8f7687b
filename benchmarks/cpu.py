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
    if not _PROC.is_dir():
        return None
    ticks = 0
    for entry in _PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
        except OSError:  # the process ended meanwhile
            continue
        # The command name (field 2) may hold spaces; the fields after it do not.
        fields = text[text.rindex(")") + 2 :].split()
        # fields[0] is field 3 (state): pgrp is field 5, utime 14, stime 15.
        if int(fields[2]) == group:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")
