"""``voipbin contacts ...``: the generic commands, the actions on one address (its id after
the contact's), and ``lookup``."""

from __future__ import annotations

import json

from tests.cli.conftest import Cli


def test_contact_addresses_and_lookup(cli: Cli) -> None:
    created = cli(
        "contacts",
        "create",
        "--set",
        "display_name=Ada",
        "--set",
        'addresses=[{"type": "tel", "target": "+15551230001"}]',
        "--json",
    )
    assert created.exit_code == 0, created.output
    contact = json.loads(created.stdout)
    address_id = contact["addresses"][0]["id"]

    changed = cli(
        "contacts", "address-update", contact["id"], address_id, "--set", "name=mobile", "--json"
    )
    assert changed.exit_code == 0, changed.output
    assert json.loads(changed.stdout)["addresses"][0]["name"] == "mobile"

    found = cli("contacts", "lookup", "+1 (555) 123-0001", "--json")
    assert found.exit_code == 0, found.output
    assert json.loads(found.stdout)["id"] == contact["id"]

    removed = cli("contacts", "address-delete", contact["id"], address_id, "--json")
    assert removed.exit_code == 0, removed.output
    assert json.loads(removed.stdout)["addresses"] == []
    missing = cli("contacts", "lookup", "+15551230001")
    assert missing.exit_code == 1
    assert "CONTACT_PHONE_NUMBER_NOT_FOUND" in missing.output
