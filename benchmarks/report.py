"""The printed result: one line per server run, then one verdict line per backend (the median
throughput of each server, and the median of the rounds' ratios)."""

from __future__ import annotations

from collections.abc import Sequence

from benchmarks.tags_list import Comparison, Run

BUDGET = 0.80
"""DESIGN.md: the list page keeps at least 80% of the bare handler's throughput."""
UNSTEADY = 0.10
"""Rounds whose ratios differ by more than this many points say more about the machine."""


def verdict(comparison: Comparison) -> str:
    if not comparison.clean:
        return "INVALID (errors or non-2xx answers)"
    return "OK" if comparison.ratio >= BUDGET else "MISSED"


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _us(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1e6:,.0f}"


def _row(backend: str, server: str, round_number: int, run: Run) -> str:
    load = run.load
    return (
        f"{backend:<9} {server:<8} {round_number:>5} {load.requests_per_second:>9,.0f} "
        f"{_ms(load.p50_ms):>8} {_ms(load.p99_ms):>8} {_us(run.cpu_per_request):>11} "
        f"{load.requests:>9,} {load.non_2xx:>8} {load.errors:>7}"
    )


def details(comparisons: Sequence[Comparison]) -> str:
    header = (
        f"{'backend':<9} {'server':<8} {'round':>5} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'cpu us/req':>11} {'requests':>9} {'non-2xx':>8} {'errors':>7}"
    )
    lines = [header, "-" * len(header)]
    for c in comparisons:
        for number, r in enumerate(c.rounds, 1):
            lines.append(_row(c.backend, "voipbin", number, r.voipbin))
            lines.append(_row(c.backend, "bare", number, r.bare))
    return "\n".join(lines)


def summary(comparison: Comparison) -> str:
    c = comparison
    line = (
        f"{c.backend:<9} voipbin {c.voipbin.requests_per_second:>7,.0f} req/s  "
        f"bare {c.bare.requests_per_second:>7,.0f} req/s  ratio {c.ratio:6.1%}  "
        f"budget {BUDGET:.0%} {verdict(c)}"
    )
    if c.cpu_ratio is not None:
        line += f"  (cpu ratio {c.cpu_ratio:.1%})"
    if len(c.rounds) > 1:
        ratios = [r.ratio for r in c.rounds]
        line += "  (rounds: " + " ".join(f"{r:.1%}" for r in ratios) + ")"
        if max(ratios) - min(ratios) > UNSTEADY:
            line += "  UNSTEADY: the machine was busy; rerun when it is quiet"
    if not c.same_body:
        line += "  (WARNING: the two servers' bodies differ)"
    return line


def budget_met(comparisons: Sequence[Comparison]) -> bool:
    return all(verdict(c) == "OK" for c in comparisons)
