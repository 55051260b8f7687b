"""``voipbin groupcalls``: the declared resource and its hangup action."""

from __future__ import annotations

from tests.cli.conftest import Cli


def test_list_and_hang_up_a_groupcall(cli: Cli) -> None:
    with cli.client() as client:
        created = client.groupcalls.create(
            source={"type": "sip", "target": "me@example.com"},
            destinations=[{"type": "sip", "target": "noanswer@sim.invalid"}],
        )
    listed = cli("groupcalls", "list", "--json")
    assert listed.exit_code == 0, listed.output
    assert str(created.id) in listed.stdout

    hung = cli("groupcalls", "hangup", str(created.id), "--json")
    assert hung.exit_code == 0, hung.output
    assert '"hangingup"' in hung.stdout or '"hangup"' in hung.stdout
