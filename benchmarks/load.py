"""Load generators: what they report, and choosing one (wrk when installed, else Python)."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from typing import Literal, Protocol

import msgspec

Choice = Literal["auto", "wrk", "python"]


class LoadResult(msgspec.Struct, frozen=True, kw_only=True):
    """What one timed run of a load generator saw."""

    requests: int
    """Complete responses, of any status."""
    seconds: float
    errors: int = 0
    """Connection errors and timeouts."""
    non_2xx: int = 0
    p50_ms: float | None = None
    p99_ms: float | None = None

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    @property
    def clean(self) -> bool:
        """Whether every request got a 2xx answer (otherwise the throughput means little)."""
        return self.errors == 0 and self.non_2xx == 0 and self.requests > 0


class LoadGenerator(Protocol):
    name: str

    def run(
        self, url: str, headers: Mapping[str, str], seconds: int, concurrency: int
    ) -> LoadResult:
        """Keep ``concurrency`` keep-alive connections busy with GET ``url`` for ``seconds``."""
        ...


def choose(choice: Choice) -> LoadGenerator:
    """wrk if asked for or (with ``auto``) if it is on PATH; the Python generator otherwise."""
    from benchmarks.pyload import PythonLoad
    from benchmarks.wrk import Wrk

    executable = shutil.which("wrk")
    if choice == "wrk":
        if executable is None:
            raise SystemExit("--load-generator wrk: wrk is not on PATH (apt-get install wrk)")
        return Wrk(executable)
    if choice == "auto" and executable is not None:
        return Wrk(executable)
    return PythonLoad()
