"""``voipbin events tail [--topic T ...] [--json]``: the customer's events as they happen, over
the SDK's ``client.events.subscribe`` (the websocket ``/v1.0/ws``), with the resource
commands' options and errors.

Each event is one line, ``<type> <resource id> [<status>]``, or with ``--json`` its
``{"type","data"}`` (a webhook's body) as a JSON line. A dropped connection is said on
stderr and connected again; a refused subscription ends the command with its error; Ctrl-C
stops it.
"""

from __future__ import annotations

import logging
import sys
from typing import Annotated

import msgspec
import typer

from voipbin.cli.resources import DEFAULT_URL, Accesskey, Token, Url, client_for
from voipbin.models.events import EventMessage

Topics = Annotated[
    list[str] | None,
    typer.Option(
        "--topic",
        "-t",
        metavar="TOPIC",
        help="A topic to follow, like customer_id:<id>:call (repeatable); "
        "default: every event of your customer.",
    ),
]
AsJson = Annotated[
    bool, typer.Option("--json", help="Print each event's {type, data} as a JSON line.")
]

app = typer.Typer(no_args_is_help=True, add_completion=False)


def line_of(event: EventMessage, as_json: bool) -> str:
    if as_json:
        return msgspec.json.encode(event).decode()
    status = event.data.get("status")
    words = [event.type, str(event.data.get("id") or "-"), *([str(status)] if status else [])]
    return " ".join(words)


@app.command()
def tail(
    ctx: typer.Context,
    topics: Topics = None,
    as_json: AsJson = False,
    url: Url = DEFAULT_URL,
    accesskey: Accesskey = None,
    token: Token = None,
) -> None:
    """Print events as they happen (Ctrl-C stops)."""
    from voipbin.client import EventStreamClosed

    reconnects = logging.getLogger("voipbin.client.events")
    said = logging.StreamHandler(sys.stderr)
    said.setFormatter(logging.Formatter("%(message)s"))
    reconnects.addHandler(said)
    try:
        with client_for(ctx, url, accesskey, token) as client:
            wanted = topics or [f"customer_id:{client.customer.get().id}"]
            typer.echo(f"following {', '.join(wanted)}", err=True)
            for event in client.events.subscribe(wanted):
                typer.echo(line_of(event, as_json))
    except EventStreamClosed as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        typer.echo("stopped", err=True)
    finally:
        reconnects.removeHandler(said)


def add_event_commands(root: typer.Typer) -> None:
    root.add_typer(app, name="events", help="Follow the customer's events as they happen.")
