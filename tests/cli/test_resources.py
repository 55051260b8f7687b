"""``voipbin <resource> ...`` through the typer app, against the real app in-process."""

from __future__ import annotations

import json
import uuid

from typer.testing import CliRunner

from tests.cli.conftest import Cli
from voipbin.cli.main import app
from voipbin.client import RetryPolicy
from voipbin.models import RESOURCES


def test_every_resource_has_its_commands() -> None:
    runner = CliRunner()
    for spec in RESOURCES:
        # Command names hyphenate the path segment: outbound_configs -> outbound-configs.
        result = runner.invoke(app, [spec.plural.replace("_", "-"), "--help"])
        assert result.exit_code == 0, result.output
        for verb in sorted(spec.verbs):
            assert verb in result.output
        for action in spec.actions:
            assert action.name.replace("_", "-") in result.output


def test_create_with_set_then_list_as_a_table(cli: Cli) -> None:
    created = cli("tags", "create", "--set", "name=vip", "--set", "detail=top", "--json")
    assert created.exit_code == 0, created.output
    tag = json.loads(created.stdout)
    assert (tag["name"], tag["detail"]) == ("vip", "top")

    listed = cli("tags", "list")

    assert listed.exit_code == 0, listed.output
    assert "vip" in listed.stdout
    assert tag["id"] in listed.stdout.replace("\n", "").replace(" ", "")
    assert "name" in listed.stdout  # the header


def test_list_json_is_the_page_in_wire_form(cli: Cli) -> None:
    with cli.client() as client:
        ids = [str(client.tags.create(name=f"t{i}").id) for i in range(3)]

    result = cli("tags", "list", "--json", "--page-size", "2")

    assert result.exit_code == 0, result.output
    page = json.loads(result.stdout)
    assert [t["id"] for t in page["result"]] == ids[::-1][:2]
    assert page["next_page_token"]
    assert page["result"][0]["tm_delete"] == "9999-01-01 00:00:00.000000"
    table = cli("tags", "list", "--page-size", "2")
    assert f"--page-token '{page['next_page_token']}'" in table.stderr


def test_list_all_walks_every_page(cli: Cli) -> None:
    with cli.client() as client:
        ids = {str(client.tags.create(name=f"t{i}").id) for i in range(12)}

    result = cli("tags", "list", "--all", "--page-size", "5", "--json")

    assert result.exit_code == 0, result.output
    walked = [t["id"] for t in json.loads(result.stdout)["result"]]
    assert sorted(walked) == sorted(ids)


def test_list_filters(cli: Cli) -> None:
    with cli.client() as client:
        kept = client.tags.create(name="kept")
        gone = client.tags.create(name="gone")
        client.tags.delete(gone.id)

    live = cli("tags", "list", "--json")
    deleted = cli("tags", "list", "--json", "--filter", "deleted=true")

    assert [t["id"] for t in json.loads(live.stdout)["result"]] == [str(kept.id)]
    assert [t["id"] for t in json.loads(deleted.stdout)["result"]] == [str(gone.id)]


def test_get_update_and_delete(cli: Cli) -> None:
    with cli.client() as client:
        tag = client.tags.create(name="before")

    shown = cli("tags", "get", str(tag.id))
    assert shown.exit_code == 0, shown.output
    assert "before" in shown.stdout

    updated = cli("tags", "update", str(tag.id), "--data", '{"name": "after"}', "--json")
    assert updated.exit_code == 0, updated.output
    assert json.loads(updated.stdout)["name"] == "after"

    deleted = cli("tags", "delete", str(tag.id))
    assert deleted.exit_code == 0, deleted.output
    with cli.client() as client:
        assert client.tags.get(tag.id).tm_delete is not None


def test_fields_are_converted_to_their_types_and_actions_run(cli: Cli) -> None:
    created = cli(
        "agents",
        "create",
        "--set",
        "username=ann@example.com",
        "--set",
        "password=agent-password",
        "--set",
        "permission=32",
        "--set",
        'addresses=[{"type": "tel", "target": "+15551234567"}]',
        "--json",
    )
    assert created.exit_code == 0, created.output
    agent = json.loads(created.stdout)
    assert agent["permission"] == 32
    assert agent["addresses"][0]["target"] == "+15551234567"

    changed = cli("agents", "status", agent["id"], "--set", "status=available", "--json")

    assert changed.exit_code == 0, changed.output
    assert json.loads(changed.stdout)["status"] == "available"


def test_a_404_prints_reason_message_and_request_id_and_fails(cli: Cli) -> None:
    result = cli("tags", "get", str(uuid.uuid4()))

    assert result.exit_code == 1
    assert result.stdout == ""
    assert "TAG_NOT_FOUND" in result.stderr
    assert "The tag was not found." in result.stderr
    assert "request id: req_" in result.stderr


def test_a_bad_field_prints_the_field_the_server_named(cli: Cli) -> None:
    result = cli("tags", "create", "--data", '{"name": ""}')

    assert result.exit_code == 1
    assert "INVALID_ARGUMENT" in result.stderr
    assert "name:" in result.stderr


def test_a_field_the_body_does_not_have_is_a_usage_error(cli: Cli) -> None:
    result = cli("tags", "create", "--set", "colour=red")

    assert result.exit_code == 2
    assert "no field 'colour'" in result.stderr


def test_a_missing_required_field_is_a_usage_error(cli: Cli) -> None:
    result = cli("tags", "create", "--set", "detail=x")

    assert result.exit_code == 2
    assert "name" in result.stderr


def test_an_unknown_filter_is_a_usage_error(cli: Cli) -> None:
    result = cli("tags", "list", "--filter", "colour=red")

    assert result.exit_code == 2
    assert "no filter colour" in result.stderr


def test_without_credentials_the_command_says_what_to_give() -> None:
    result = CliRunner().invoke(app, ["tags", "list"], env={"VOIPBIN_ACCESSKEY": None})

    assert result.exit_code == 2
    assert "--accesskey" in result.stderr


def test_a_bad_access_key_is_an_authentication_error(cli: Cli) -> None:
    result = cli("tags", "list", "--accesskey", "vb_not-a-key")

    assert result.exit_code == 1
    assert "INVALID_CREDENTIALS" in result.stderr


def test_a_server_that_cannot_be_reached_is_a_clear_error() -> None:
    result = CliRunner().invoke(
        app,
        ["tags", "list", "--url", "http://127.0.0.1:9", "--accesskey", "vb_x"],
        obj={"retry": RetryPolicy(max_attempts=1)},
    )

    assert result.exit_code == 1
    assert "cannot reach http://127.0.0.1:9" in result.stderr


def test_flows_are_created_from_json_actions_and_listed(cli: Cli) -> None:
    actions = [{"type": "talk", "option": {"text": "Hello"}}, {"type": "hangup"}]
    created = cli(
        "flows", "create", "--set", "name=ivr", "--set", f"actions={json.dumps(actions)}", "--json"
    )
    assert created.exit_code == 0, created.output
    flow = json.loads(created.stdout)
    assert [a["type"] for a in flow["actions"]] == ["talk", "hangup"]

    listed = cli("flows", "list")
    assert listed.exit_code == 0, listed.output
    assert "ivr" in listed.stdout

    bad = cli("flows", "create", "--data", '{"actions": [{"type": "dance"}]}')
    assert bad.exit_code != 0
    assert "INVALID_ACTION_TYPE" in bad.output
    assert "actions[0].type" in bad.output


def test_available_numbers_is_a_command(cli: Cli) -> None:
    table = cli("available-numbers", "-f", "country_code=US", "-f", "page_size=2")
    assert table.exit_code == 0, table.output
    assert "+1" in table.stdout
    assert "number" in table.stdout  # the header

    result = cli("available-numbers", "-f", "type=virtual", "-f", "page_size=3", "--json")
    assert result.exit_code == 0, result.output
    numbers = [n["number"] for n in json.loads(result.stdout)["result"]]
    assert len(numbers) == 3
    assert all(n.startswith("+899") for n in numbers)

    bad = cli("available-numbers", "-f", "colour=red")
    assert bad.exit_code == 2
    assert "no parameter colour" in bad.stderr
