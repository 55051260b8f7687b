"""``voipbin billing-account ...``, ``voipbin billing-accounts ...`` and ``voipbin billings``:
billing through the command line, against the real app in-process."""

from __future__ import annotations

import json

import httpx
from typer.testing import Result

from tests.cli.conftest import Cli
from tests.inprocess import BASE_URL
from tests.server.conftest import ADMIN_PASSWORD, ADMIN_USERNAME
from voipbin.cli.main import app


def as_super_admin(cli: Cli, *args: str) -> Result:
    """``voipbin <args>`` with the super-admin's login token (the access key of ``cli`` acts
    as its customer's admin, who may not force balances)."""
    with httpx.Client(transport=cli.served.transport, base_url=BASE_URL) as http:
        login = http.post(
            "/auth/login", json={"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD}
        )
    return cli.runner.invoke(
        app,
        list(args),
        env={"VOIPBIN_URL": BASE_URL, "VOIPBIN_TOKEN": login.json()["token"]},
        obj={"transport": cli.served.transport},
    )


def test_the_own_account_and_a_forced_change_and_the_ledger(cli: Cli) -> None:
    shown = cli("billing-account", "get", "--json")
    assert shown.exit_code == 0, shown.output
    account = json.loads(shown.stdout)

    added = as_super_admin(
        cli, "billing-accounts", "balance-add-force", account["id"], "--set", "balance=1.5"
    )
    named = cli("billing-account", "update", "--set", "name=Main", "--json")
    ledger = cli("billings", "list", "--json", "-f", "transaction_type=adjustment")

    assert added.exit_code == 0, added.output
    assert named.exit_code == 0, named.output
    assert json.loads(named.stdout)["balance_credit"] == 1_500_000
    assert json.loads(named.stdout)["name"] == "Main"
    assert ledger.exit_code == 0, ledger.output
    rows = json.loads(ledger.stdout)["result"]
    assert [row["amount_credit"] for row in rows] == [1_500_000]


def test_forcing_is_for_super_admins_and_a_negative_amount_is_a_clear_error(cli: Cli) -> None:
    account = json.loads(cli("billing-account", "get", "--json").stdout)
    path = ("billing-accounts", "balance-subtract-force", account["id"])

    denied = cli(*path, "-s", "balance=2")
    refused = as_super_admin(cli, *path, "-s", "balance=-2")

    assert denied.exit_code != 0
    assert "PERMISSION_DENIED" in denied.stderr
    assert refused.exit_code != 0
    assert "balance" in refused.stderr
    assert "non-negative" in refused.stderr
    assert "Traceback" not in refused.stderr + denied.stderr
