"""``voipbin calls``: an action's undo is its own command, ``un<action>``."""

from __future__ import annotations

from tests.cli.conftest import Cli


def test_hold_and_unhold_a_call(cli: Cli) -> None:
    with cli.client() as client:
        created = client.calls.create(
            source={"type": "sip", "target": "me@example.com"},
            destinations=[{"type": "sip", "target": "answer@sim.invalid"}],
        )
    call_id = str(created.calls[0].id)

    for command in ("hold", "unhold", "mute", "unmute"):
        result = cli("calls", command, call_id)
        assert result.exit_code == 0, result.output
        assert result.stdout == ""

    hung = cli("calls", "hangup", call_id, "--json")
    assert hung.exit_code == 0, hung.output
    assert '"status"' in hung.stdout

    missing = cli("calls", "unhangup", call_id)
    assert missing.exit_code != 0
