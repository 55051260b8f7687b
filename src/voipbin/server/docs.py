"""Generated documentation: ``python -m voipbin.server.docs`` (``make docs``) rewrites
``docs/reasons.md`` from the reason catalog and ``docs/events.md`` from the event catalogue;
a test fails when a page is out of date."""

from __future__ import annotations

import sys
from pathlib import Path

from voipbin.common.reasons import CATALOG
from voipbin.models import events


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


def events_page() -> str:
    lines = [
        "# Events",
        "",
        "Every event a resource can go through, generated from `src/voipbin/models/events.py`",
        'by `make docs`. An event is delivered as `{"type": "<event>", "data": {...}}`,',
        "where `data` is the resource as its GET answers it, as it was when the event happened;",
        "a resource's past events are its timeline:",
        f"`GET {events.TIMELINE_PATH}` with `resource_type` one of",
        ", ".join(f"`{t}`" for t in events.TIMELINE_RESOURCES) + ".",
        "",
        "| event | resource | when |",
        "|---|---|---|",
    ]
    lines += [f"| `{e.name}` | {e.resource} | {e.description} |" for e in events.CATALOGUE]
    return "\n".join(lines) + "\n"


PAGES = {"reasons.md": reasons_page, "events.md": events_page}


def main(root: Path) -> None:
    (root / "docs").mkdir(exist_ok=True)
    for name, page in PAGES.items():
        target = root / "docs" / name
        target.write_text(page(), encoding="utf-8")
        print(f"wrote {target}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd())
