"""Generated documentation: ``python -m voipbin.server.docs`` (``make docs``) rewrites
``docs/reasons.md`` from the reason catalog; a test fails when the page is out of date."""

from __future__ import annotations

import sys
from pathlib import Path

from voipbin.common.reasons import CATALOG


def reasons_page() -> str:
    lines = [
        "# Error reasons",
        "",
        "Every `reason` an error envelope can carry, generated from",
        "`src/voipbin/common/reasons.py` by `make docs`. The catalog is append-only.",
        "",
        "| reason | HTTP | status | message |",
        "|---|---|---|---|",
    ]
    lines += [f"| `{r.name}` | {r.http} | `{r.status}` | {r.message} |" for r in CATALOG]
    return "\n".join(lines) + "\n"


def main(root: Path) -> None:
    target = root / "docs" / "reasons.md"
    target.parent.mkdir(exist_ok=True)
    target.write_text(reasons_page(), encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd())
