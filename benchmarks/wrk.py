"""wrk as the load generator: one thread (the machine has two cores and the server needs one),
``--latency`` for percentiles, its summary parsed into a ``LoadResult``."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Mapping

from benchmarks.load import LoadResult

_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
_UNIT_S = {"us": 0.000001, "ms": 0.001, "s": 1.0, "m": 60.0}
_TOTAL = re.compile(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m)\b", re.MULTILINE)
_PERCENTILE = re.compile(r"^\s*(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m)\s*$", re.MULTILINE)
_SOCKET = re.compile(
    r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", re.MULTILINE
)
_NON_2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")
_TIMEOUT_MARGIN = 30


class Wrk:
    name = "wrk"

    def __init__(self, executable: str) -> None:
        self.executable = executable

    def run(
        self, url: str, headers: Mapping[str, str], seconds: int, concurrency: int
    ) -> LoadResult:
        command = [
            self.executable,
            "--threads",
            "1",
            "--connections",
            str(concurrency),
            "--duration",
            f"{seconds}s",
            "--timeout",
            "5s",
            "--latency",
        ]
        for name, value in headers.items():
            command += ["--header", f"{name}: {value}"]
        command.append(url)
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=seconds + _TIMEOUT_MARGIN,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
        return parse_wrk(done.stdout)


def parse_wrk(output: str) -> LoadResult:
    """The figures of a ``wrk --latency`` summary."""
    total = _TOTAL.search(output)
    if total is None:
        raise ValueError(f"no request count in wrk output:\n{output}")
    percentiles = {
        m.group(1): float(m.group(2)) * _UNIT_MS[m.group(3)] for m in _PERCENTILE.finditer(output)
    }
    socket = _SOCKET.search(output)
    non_2xx = _NON_2XX.search(output)
    return LoadResult(
        requests=int(total.group(1)),
        seconds=float(total.group(2)) * _UNIT_S[total.group(3)],
        errors=sum(int(n) for n in socket.groups()) if socket else 0,
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        p50_ms=percentiles.get("50"),
        p99_ms=percentiles.get("99"),
    )
