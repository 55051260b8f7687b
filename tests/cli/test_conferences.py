"""``voipbin conferences`` and ``voipbin conferencecalls``: the declared resources and the
recording actions."""

from __future__ import annotations

from tests.cli.conftest import Cli


def test_list_and_delete_a_conference_and_its_recording_stop_refused(cli: Cli) -> None:
    with cli.client() as client:
        created = client.conferences.create(name="standup")
    listed = cli("conferences", "list", "--json")
    assert listed.exit_code == 0, listed.output
    assert str(created.id) in listed.stdout

    refused = cli("conferences", "recording-stop", str(created.id), "--json")
    assert refused.exit_code != 0
    assert "RECORDING_NOT_ACTIVE" in refused.output
    participants = cli("conferencecalls", "list", "--json")
    assert participants.exit_code == 0, participants.output
    deleted = cli("conferences", "delete", str(created.id))
    assert deleted.exit_code == 0, deleted.output
