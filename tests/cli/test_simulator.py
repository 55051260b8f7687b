"""``voipbin sim ...`` (the simulated network's control API) and ``voipbin timeline``
through the typer app, against the real app in-process."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner, Result

from tests.cli.conftest import Cli
from tests.inprocess import BASE_URL, Served, serving
from tests.server.conftest import ADMIN_PASSWORD, ADMIN_USERNAME
from voipbin.cli.main import app
from voipbin.common.timestamps import parse_timestamp


@dataclass
class Admin:
    """``voipbin`` run as the super-admin (with a token), against a virtual clock."""

    served: Served
    token: str
    runner: CliRunner

    def __call__(self, *args: str) -> Result:
        return self.runner.invoke(
            app,
            list(args),
            env={"VOIPBIN_URL": BASE_URL, "VOIPBIN_TOKEN": self.token},
            obj={"transport": self.served.transport},
        )


@pytest.fixture
def admin(sqlite_url: str) -> Iterator[Admin]:
    with serving(sqlite_url, clock="virtual") as served:
        login = served.transport.handle_request(
            httpx.Request(
                "POST",
                f"{BASE_URL}/auth/login",
                json={"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD},
            )
        )
        yield Admin(served, json.loads(login.content)["token"], CliRunner())


def _json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_sim_clock_and_advance(admin: Admin) -> None:
    before = _json(admin("sim", "clock", "--json"))
    after = _json(admin("sim", "advance", "90", "--json"))
    table = admin("sim", "clock")

    assert before["mode"] == after["mode"] == "virtual"
    moved = parse_timestamp(after["now"]) - parse_timestamp(before["now"])
    assert moved == timedelta(seconds=90)
    assert table.exit_code == 0, table.output
    assert "virtual" in table.stdout
    assert after["now"] in table.stdout


def test_sim_rules_add_list_delete(admin: Admin) -> None:
    added = _json(
        admin("sim", "rules", "add", "-s", "type=tel", "-s", r"pattern=\+1555.*", "-s",
              "outcome=busy", "-s", "outcome_after=1.5", "--json")
    )  # fmt: skip
    assert (added["outcome"], added["outcome_after"]) == ("busy", 1.5)

    listed = _json(admin("sim", "rules", "list", "--json"))
    assert [rule["id"] for rule in listed["result"]] == [added["id"]]
    table = admin("sim", "rules", "list")
    assert added["id"] in table.stdout
    assert "busy" in table.stdout

    deleted = admin("sim", "rules", "delete", added["id"])
    assert deleted.exit_code == 0, deleted.output
    again = admin("sim", "rules", "delete", added["id"])
    assert again.exit_code == 1
    assert "NOT_FOUND" in again.stderr


def test_sim_rules_add_reports_what_does_not_fit(admin: Admin) -> None:
    unknown = admin("sim", "rules", "add", "-s", "colour=red")
    refused = admin(
        "sim", "rules", "add", "-s", "type=tel", "-s", "pattern=.*", "-s", "outcome=busy",
        "-s", "hangup_after=3",
    )  # fmt: skip

    assert unknown.exit_code == 2
    assert "no field 'colour'" in unknown.stderr
    assert refused.exit_code == 1
    assert "hangup_after" in refused.stderr


def test_sim_devices_and_reset(admin: Admin) -> None:
    extension = _json(
        admin("extensions", "create", "-s", "extension=2001", "-s", "password=phone-secret-1",
              "--json")
    )  # fmt: skip
    body = json.dumps({"devices": [{"outcome": "busy"}, {"answer_after": 2}]})

    devices = _json(admin("sim", "devices", extension["id"], "--data", body, "--json"))
    table = admin("sim", "devices", extension["id"], "--data", body)

    assert devices["extension_id"] == extension["id"]
    assert [d["outcome"] for d in devices["devices"]] == ["busy", "answer"]
    assert table.exit_code == 0, table.output
    assert "busy" in table.stdout
    admin("sim", "rules", "add", "-s", "type=tel", "-s", "pattern=.*")
    reset = admin("sim", "reset")
    assert reset.exit_code == 0, reset.output
    listed = _json(admin("sim", "rules", "list", "--json"))
    assert listed["result"] == []


def test_sim_call_dtmf_and_hangup_play_the_far_end(admin: Admin) -> None:
    ivr = json.dumps(
        {
            "name": "ivr",
            "actions": [
                {"type": "answer"},
                {"type": "digits_receive", "option": {"duration": 60000, "length": 10}},
            ],
        }
    )
    flow = _json(admin("flows", "create", "--data", ivr, "--json"))

    async def our_number() -> None:
        numbers = admin.served.app.state.voipbin.services["number"].repository
        await numbers.insert(
            {"customer_id": flow["customer_id"], "number": "+14155550100", "type": "normal",
             "status": "active", "call_flow_id": flow["id"]}
        )  # fmt: skip

    admin.served.portal.call(our_number)

    nowhere = admin("sim", "call", "--from", "+15005550000", "--to", "+14155550199")
    unreadable = admin("sim", "call", "--from", "alice", "--to", "+14155550100")
    call = _json(admin("sim", "call", "--from", "+15005550000", "--to", "+14155550100", "--json"))
    table = admin("sim", "call", "--from", "sip:alice@example.com", "--to", "+14155550100")
    admin("sim", "advance", "0")
    pressed = admin("sim", "dtmf", call["id"], "12")
    hung_up = admin("sim", "hangup", call["id"])
    admin("sim", "advance", "0")
    ended = _json(admin("calls", "get", call["id"], "--json"))
    late = admin("sim", "dtmf", call["id"], "1")

    assert nowhere.exit_code == 1
    assert "NUMBER_NOT_FOUND" in nowhere.stderr
    assert unreadable.exit_code == 2
    assert "--from takes" in unreadable.stderr
    assert (call["direction"], call["source"]["type"]) == ("incoming", "tel")
    assert table.exit_code == 0, table.output
    assert "alice@example.com" in table.stdout
    assert pressed.exit_code == 0, pressed.output
    assert "pressed 12" in pressed.stderr
    assert hung_up.exit_code == 0, hung_up.output
    assert (ended["status"], ended["hangup_by"]) == ("hangup", "remote")
    assert late.exit_code == 1
    assert "CALL_ALREADY_HANGUP" in late.stderr


def test_sim_is_refused_to_a_customers_access_key(cli: Cli) -> None:
    result = cli("sim", "clock")

    assert result.exit_code == 1
    assert "PERMISSION_DENIED (403 PERMISSION_DENIED)" in result.stderr


def test_timeline_pages_and_walks(admin: Admin) -> None:
    flow = _json(admin("flows", "create", "-s", "name=f", "--json"))
    types = ("flow_created", "flow_updated", "flow_deleted")

    async def emit() -> None:
        state = admin.served.app.state.voipbin
        for type in types[1:]:  # its flow_created is the server's own
            async with state.db.transaction() as tx:
                await state.outbox.emit(tx, flow["customer_id"], type, "flow", flow["id"], {})

    admin.served.portal.call(emit)

    page = admin("timeline", "flows", flow["id"], "--page-size", "2", "--json")
    walked = _json(admin("timeline", "flows", flow["id"], "--page-size", "2", "--all", "--json"))
    table = admin("timeline", "flows", flow["id"])

    first = _json(page)
    assert [e["event_type"] for e in first["result"]] == ["flow_deleted", "flow_updated"]
    assert first["next_page_token"] != ""
    assert [e["event_type"] for e in walked["result"]] == list(reversed(types))
    assert table.exit_code == 0, table.output
    assert all(type in table.stdout for type in types)


def test_timeline_of_an_unknown_type_is_an_error(admin: Admin) -> None:
    result = admin("timeline", "tags", "6f1c9a43-4d2f-4a42-9d38-5a8f1b2e8c11")

    assert result.exit_code == 1
    assert "ROUTE_NOT_FOUND" in result.stderr


def test_the_rules_of_docs_simulator_md_are_stored_as_written(admin: Admin) -> None:
    busy = _json(
        admin("sim", "rules", "add", "--set", "type=tel", "--set", r"pattern=\+4930.*",
              "--set", "outcome=busy", "--set", "ring_after=1", "--set", "outcome_after=4",
              "--json")
    )  # fmt: skip
    ivr = _json(
        admin("sim", "rules", "add", "--json", "--data",
              '{"type": "sip", "pattern": "ivr@test\\\\.example", "ring_after": null,'
              ' "answer_after": 0, "hangup_after": 30,'
              ' "dtmf": [{"at": 2, "digits": "1"}, {"at": 5, "digits": "2#"}]}')
    )  # fmt: skip

    assert (busy["pattern"], busy["ring_after"], busy["outcome_after"]) == (r"\+4930.*", 1.0, 4.0)
    assert ivr["pattern"] == r"ivr@test\.example"
    assert (ivr["ring_after"], ivr["hangup_after"]) == (None, 30.0)
    assert [press["digits"] for press in ivr["dtmf"]] == ["1", "2#"]


def test_sim_message_and_message_rules(admin: Admin) -> None:
    flow = _json(admin("flows", "create", "--set", "name=f", "--json"))

    async def our_number() -> None:
        numbers = admin.served.app.state.voipbin.services["number"].repository
        await numbers.insert(
            {"customer_id": flow["customer_id"], "number": "+14155550100", "type": "normal",
             "status": "active"}
        )  # fmt: skip

    admin.served.portal.call(our_number)
    nowhere = admin("sim", "message", "--from", "+15005550000", "--to", "+14155550199",
                    "--text", "hi")  # fmt: skip
    received = _json(
        admin("sim", "message", "--from", "+15005550000", "--to", "+14155550100",
              "--text", "hi", "--json")
    )  # fmt: skip
    rule = _json(
        admin("sim", "message-rules", "add", "--set", r"pattern=\+1555.*", "--set",
              "outcome=dlr_timeout", "--json")
    )  # fmt: skip
    listed = _json(admin("sim", "message-rules", "list", "--json"))
    deleted = admin("sim", "message-rules", "delete", rule["id"])

    assert nowhere.exit_code == 1
    assert "NUMBER_NOT_FOUND" in nowhere.stderr
    assert (received["direction"], received["targets"][0]["status"]) == ("inbound", "received")
    assert (rule["outcome"], rule["sent_after"], rule["outcome_after"]) == (
        "dlr_timeout",
        1.0,
        None,
    )
    assert [r["id"] for r in listed["result"]] == [rule["id"]]
    assert deleted.exit_code == 0, deleted.output
