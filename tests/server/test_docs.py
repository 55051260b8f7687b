"""The generated and hand-written docs agree with the code."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

from voipbin.common import errors
from voipbin.common.reasons import REASONS
from voipbin.server.docs import events_page, reasons_page
from voipbin.server.settings import SETTINGS_DOC, Settings

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "src" / "voipbin"
ERROR_NAMES = {cls.__name__ for cls in errors.ERROR_CLASSES} | {"ApiError"}


def test_the_reasons_page_is_generated_from_the_catalog() -> None:
    page = (ROOT / "docs" / "reasons.md").read_text(encoding="utf-8")

    assert page == reasons_page(), "docs/reasons.md is stale: run `make docs`"


def test_the_events_page_is_generated_from_the_catalogue() -> None:
    page = (ROOT / "docs" / "events.md").read_text(encoding="utf-8")

    assert page == events_page(), "docs/events.md is stale: run `make docs`"


def test_every_reason_the_code_raises_is_in_the_catalog() -> None:
    raised: set[tuple[str, str]] = set()
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            owner = func.value if isinstance(func, ast.Attribute) else None
            if name == "field" and isinstance(owner, ast.Name) and owner.id in ERROR_NAMES:
                args = node.args[2:3]  # InvalidArgument.field(field, description, reason)
            elif name in ERROR_NAMES:
                args = node.args[:1]
            else:
                continue
            for arg in args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    raised.add((arg.value, f"{path.relative_to(ROOT)}:{node.lineno}"))

    assert raised, "the scan found no raised reasons at all"
    unknown = sorted(where for reason, where in raised if reason not in REASONS)
    assert unknown == []


def test_the_readme_documents_every_setting() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = {s.env for s in SETTINGS_DOC}
    fields = {f"VOIPBIN_{f.name.upper()}" for f in dataclasses.fields(Settings)}

    assert documented == fields
    missing = sorted(env for env in documented if f"`{env}`" not in readme)
    assert missing == []
