"""``voipbin outdials ...``: the generic commands and the target commands (one added, a list
added answered per item, a page, one shown, one deleted)."""

from __future__ import annotations

import json

from tests.cli.conftest import Cli

TEL = '{"type": "tel", "target": "+15551230000"}'


def test_outdial_targets(cli: Cli) -> None:
    created = cli("outdials", "create", "--set", "name=q1", "--json")
    assert created.exit_code == 0, created.output
    outdial_id = json.loads(created.stdout)["id"]

    added = cli("outdials", "target-add", outdial_id, "--set", f"destination_0={TEL}", "--json")
    assert added.exit_code == 0, added.output
    target_id = json.loads(added.stdout)["id"]

    items = json.dumps([{"name": "b", "destination_0": json.loads(TEL)}, {"destination_0": {}}])
    bulk = cli("outdials", "targets-add", outdial_id, items)
    assert bulk.exit_code == 1, bulk.output
    assert [r["status"] for r in json.loads(bulk.stdout)["result"]] == [201, 400]

    page = cli("outdials", "targets", outdial_id, "--status", "idle", "--json")
    assert page.exit_code == 0, page.output
    assert len(json.loads(page.stdout)["result"]) == 2
    first = cli("outdials", "targets", outdial_id, "--page-size", "1")
    assert first.exit_code == 0, first.output
    assert "next page: --page-token" in first.stderr

    shown = cli("outdials", "target-get", outdial_id, target_id, "--json")
    assert json.loads(shown.stdout)["destination_0"]["target"] == "+15551230000"
    assert cli("outdials", "target-delete", outdial_id, target_id).exit_code == 0
    missing = cli("outdials", "target-get", outdial_id, "d9d32881-12fd-4b19-a6b2-6d5b6b6acf76")
    assert missing.exit_code == 1
    assert "OUTDIAL_TARGET_NOT_FOUND" in missing.output
