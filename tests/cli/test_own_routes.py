"""``voipbin customer|me|outbound-config ...``: the caller's own routes through the typer
app, against the real app in-process."""

from __future__ import annotations

import json

import httpx
from typer.testing import CliRunner

from tests.cli.conftest import Cli
from tests.inprocess import BASE_URL
from tests.server.conftest import ADMIN_PASSWORD, ADMIN_USERNAME
from voipbin.cli.main import app
from voipbin.models import OWN_ROUTES


def test_every_own_route_has_its_commands_and_is_listed() -> None:
    runner = CliRunner()
    listed = runner.invoke(app, ["--help"])
    for route in OWN_ROUTES:
        group = route.name.replace("_", "-")
        assert group in listed.output
        result = runner.invoke(app, [group, "--help"])
        assert result.exit_code == 0, result.output
        assert "get" in result.output
        assert ("update" in result.output) == (route.update is not None)
        for action in route.actions:
            assert action.name.replace("_", "-") in result.output


def test_customer_get_shows_the_webhook_secret(cli: Cli) -> None:
    with cli.client() as client:
        secret = client.customer.get().webhook_secret

    as_json = cli("customer", "get", "--json")
    table = cli("customer", "get")

    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.stdout)["webhook_secret"] == secret
    assert table.exit_code == 0, table.output
    assert "webhook_secret" in table.stdout


def test_customer_update_metadata_and_rotate(cli: Cli) -> None:
    updated = cli("customer", "update", "--set", "name=Renamed", "--json")
    flagged = cli("customer", "metadata", "--set", "rtp_debug=true", "--json")
    before = json.loads(cli("customer", "get", "--json").stdout)["webhook_secret"]
    rotated = cli("customer", "webhook-secret-rotate", "--json")

    assert updated.exit_code == 0, updated.output
    assert json.loads(updated.stdout)["name"] == "Renamed"
    assert flagged.exit_code == 0, flagged.output
    assert json.loads(flagged.stdout)["metadata"]["rtp_debug"] is True
    assert rotated.exit_code == 0, rotated.output
    assert json.loads(rotated.stdout)["webhook_secret"] not in ("", before)
    with cli.client() as client:
        customer = client.customer.get()
    assert (customer.name, customer.metadata.rtp_debug) == ("Renamed", True)


def test_a_field_the_body_does_not_have_is_refused_before_sending(cli: Cli) -> None:
    unknown = cli("customer", "update", "--set", "nmae=typo")
    no_fields = cli("customer", "webhook-secret-rotate", "--set", "secret=mine")

    assert unknown.exit_code == 2
    assert "no field 'nmae'" in unknown.stderr
    assert no_fields.exit_code == 2
    assert "takes no fields" in no_fields.stderr


def test_outbound_config_get_and_update(cli: Cli) -> None:
    updated = cli("outbound-config", "update", "--data", '{"destination_whitelist": ["US"]}')
    shown = cli("outbound-config", "get", "--json")

    assert updated.exit_code == 0, updated.output
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["destination_whitelist"] == ["US"]


def test_me_is_the_agent_of_a_token_and_a_404_for_an_access_key(cli: Cli) -> None:
    keyed = cli("me", "get")
    login = cli.served.transport.handle_request(
        httpx.Request(
            "POST",
            f"{BASE_URL}/auth/login",
            json={"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD},
        )
    )
    token = json.loads(login.content)["token"]
    agent = cli.runner.invoke(
        app,
        ["me", "get", "--json"],
        env={"VOIPBIN_URL": BASE_URL, "VOIPBIN_TOKEN": token},
        obj={"transport": cli.served.transport},
    )

    assert keyed.exit_code == 1
    assert "AGENT_NOT_FOUND" in keyed.stderr
    assert agent.exit_code == 0, agent.output
    assert json.loads(agent.stdout)["username"] == ADMIN_USERNAME
