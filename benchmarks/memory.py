"""Resident memory of a server's worker, read from /proc (Linux only)."""

from __future__ import annotations

from pathlib import Path

from benchmarks.cpu import group_stats

_PROC = Path("/proc")


def worker_rss_bytes(group: int) -> int | None:
    """``VmRSS`` of the processes of group ``group`` other than its leader (granian's main
    process): the worker that serves the app. ``None`` where /proc cannot tell."""
    members = group_stats(group)
    if not members:
        return None
    total = 0
    for pid in members:
        if pid == group:
            continue
        try:
            status = (_PROC / str(pid) / "status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) * 1024  # given in kB
    return total
