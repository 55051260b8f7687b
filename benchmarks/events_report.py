"""The events benchmark's printed result: one line per backend, then what went wrong."""

from __future__ import annotations

from collections.abc import Sequence

from benchmarks.events import EventsResult


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def details(results: Sequence[EventsResult]) -> str:
    header = (
        f"{'backend':<9} {'procs':>5} {'clients':>7} {'calls/s':>7} {'written/s':>9} "
        f"{'delivered/s':>11} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'drain s':>7} "
        f"{'written':>8} {'delivered':>9} {'lost':>5} {'dups':>5} {'order':>5} {'retried':>7} "
        f"{'dead':>5}"
    )
    lines = [header, "-" * len(header)]
    for r in results:
        lines.append(
            f"{r.backend:<9} {r.processes:>5} {r.clients:>7} {r.calls.per_second:>7,.1f} "
            f"{r.written_per_second:>9,.1f} {r.delivered_per_second:>11,.1f} "
            f"{_ms(r.p50_ms):>7} {_ms(r.p99_ms):>7} {_ms(r.max_ms):>7} "
            f"{r.drain_seconds:>7.1f} {r.written:>8,} {r.delivered:>9,} {r.lost:>5} "
            f"{r.duplicates:>5} {r.order_violations:>5} {r.retried:>7} "
            f"{r.deliveries.get('failed', 0):>5}" + ("" if r.clean else "  INVALID")
        )
    return "\n".join(lines)


def problems(results: Sequence[EventsResult]) -> list[str]:
    """Why a line is ``INVALID``, and the calls clients' first failures."""
    found: list[str] = []
    for r in results:
        if r.lost:
            found.append(f"{r.backend:<9} events: {r.lost:,} written but never delivered")
        if r.order_violations:
            found.append(
                f"{r.backend:<9} events: {r.order_violations:,} arrived after a later event "
                "of their resource"
            )
        if r.unknown:
            found.append(
                f"{r.backend:<9} events: {r.unknown:,} requests the outbox does not explain"
            )
        if not r.drained:
            found.append(
                f"{r.backend:<9} events: deliveries still pending {r.drain_seconds:.0f}s after "
                f"the run (by status: {r.deliveries})"
            )
        if not r.calls.clean:
            found.append(f"{r.backend:<9} events: the calls saw failures")
        found.extend(f"{r.backend:<9} events' calls: {problem}" for problem in r.calls.problems)
    return found


def met(results: Sequence[EventsResult]) -> bool:
    """Every event of every run arrived, in order per resource."""
    return all(r.clean for r in results)
