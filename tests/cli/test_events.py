"""``voipbin events tail``: events as lines (or JSON lines) as they come, the customer's own
topic by default, a dropped connection said on stderr and mended, a refused topic an error."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tests.cli.conftest import Cli
from tests.events_server import DROP, event, event_server
from voipbin.cli.main import app

RINGING = event("call_ringing", "call-1", status="ringing")
HANGUP = event("call_hangup", "call-1", status="hangup")
REFUSED = (1008, "topic not allowed")


def test_tail_follows_the_customer_across_a_drop_until_the_topic_is_refused(cli: Cli) -> None:
    customer_id = cli.client().customer.get().id
    with event_server([RINGING, DROP], [HANGUP, REFUSED]) as server:
        result = CliRunner().invoke(
            app,
            ["events", "tail"],
            env={"VOIPBIN_URL": server.url, "VOIPBIN_ACCESSKEY": cli.accesskey},
            obj={"transport": cli.served.transport, "sleep": lambda seconds: None},
        )

    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines() == [
        "call_ringing call-1 ringing",
        "call_hangup call-1 hangup",
    ]
    assert [s.subscribe["topics"] for s in server.seen] == [[f"customer_id:{customer_id}"]] * 2
    assert "connecting again" in result.stderr
    last = result.stderr.splitlines()[-1]
    assert last == "error: the server closed the event stream: topic not allowed"


def test_tail_json_lines_of_the_topics_given() -> None:
    topics = ["customer_id:6a3b59b4-4e0e-4c8f-8b8a-1f6a1fbd2f11:call", "agent_id:x"]
    with event_server([RINGING, HANGUP, REFUSED]) as server:
        result = CliRunner().invoke(
            app,
            ["events", "tail", "--json", "-t", topics[0], "--topic", topics[1]],
            env={"VOIPBIN_URL": server.url, "VOIPBIN_ACCESSKEY": "vb_" + "k" * 32},
        )

    assert [json.loads(line) for line in result.stdout.splitlines()] == [RINGING, HANGUP]
    assert server.seen[0].subscribe == {"type": "subscribe", "topics": topics}
    assert f"following {', '.join(topics)}" in result.stderr
