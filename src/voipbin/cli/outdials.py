"""``voipbin outdials targets|target-add|targets-add|target-get|target-delete``: an
outdial's targets. The other outdial commands are the generic resource's
(``cli/resources.py``)."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer

from voipbin.cli.resources import (
    DEFAULT_URL,
    Accesskey,
    AsJson,
    Data,
    Id,
    PageSize,
    PageToken,
    Sets,
    Token,
    Url,
    body_of,
    client_for,
    show,
)
from voipbin.models.outdial import OutdialTarget, OutdialTargetCreate
from voipbin.models.wire import to_wire

TargetId = Annotated[
    str, typer.Argument(metavar="TARGET", help="The target's id.", show_default=False)
]
Status = Annotated[str | None, typer.Option("--status", help="idle, progressing or done.")]
Items = Annotated[
    str,
    typer.Argument(
        metavar="JSON", help="A JSON list of targets ('-' reads stdin).", show_default=False
    ),
]


def targets(
    ctx: typer.Context,
    id: Id,
    status: Status = None,
    page_size: PageSize = None,
    page_token: PageToken = None,
    as_json: AsJson = False,
    url: Url = DEFAULT_URL,
    accesskey: Accesskey = None,
    token: Token = None,
) -> None:
    """List a page of the outdial's targets, newest first."""
    from voipbin.cli.output import print_page

    with client_for(ctx, url, accesskey, token) as client:
        page = client.outdials.targets(
            id, status=status, page_size=page_size, page_token=page_token
        )
    print_page(OutdialTarget, page.result, page, as_json)


def target_add(
    ctx: typer.Context,
    id: Id,
    sets: Sets = None,
    data: Data = None,
    as_json: AsJson = False,
    url: Url = DEFAULT_URL,
    accesskey: Accesskey = None,
    token: Token = None,
) -> None:
    """Add a target (--set 'destination_0={"type":"tel","target":"+1555..."}')."""
    body = body_of(OutdialTargetCreate, sets, data)
    with client_for(ctx, url, accesskey, token) as client:
        show(client.outdials.add_target(id, body), as_json)


def targets_add(
    ctx: typer.Context,
    id: Id,
    items: Items,
    url: Url = DEFAULT_URL,
    accesskey: Accesskey = None,
    token: Token = None,
) -> None:
    """Add up to 1,000 targets from a JSON list; prints each item's result, in order, and
    exits 1 when any item failed."""
    text = sys.stdin.read() if items == "-" else items
    try:
        body: Any = json.loads(text)
    except ValueError as exc:
        typer.echo(f"error: the targets are not JSON: {exc}", err=True)
        raise typer.Exit(2) from None
    if not isinstance(body, list):
        typer.echo("error: the targets must be a JSON list", err=True)
        raise typer.Exit(2)
    with client_for(ctx, url, accesskey, token) as client:
        results = client.outdials.add_targets(id, body)
    shown = [
        {"status": r.status, "target": to_wire(r.target)}
        if r.target is not None
        else {"status": r.status, "error": r.error}
        for r in results
    ]
    typer.echo(json.dumps({"result": shown}, indent=2))
    if any(r.status != 201 for r in results):
        raise typer.Exit(1)


def target_get(
    ctx: typer.Context,
    id: Id,
    target_id: TargetId,
    as_json: AsJson = False,
    url: Url = DEFAULT_URL,
    accesskey: Accesskey = None,
    token: Token = None,
) -> None:
    """Show one target of the outdial."""
    with client_for(ctx, url, accesskey, token) as client:
        show(client.outdials.get_target(id, target_id), as_json)


def target_delete(
    ctx: typer.Context,
    id: Id,
    target_id: TargetId,
    url: Url = DEFAULT_URL,
    accesskey: Accesskey = None,
    token: Token = None,
) -> None:
    """Delete one target of the outdial."""
    with client_for(ctx, url, accesskey, token) as client:
        client.outdials.delete_target(id, target_id)


def add_outdial_commands(app: typer.Typer) -> None:
    """The target commands in the ``outdials`` group (made by ``add_resource_commands``)."""
    group = next(g.typer_instance for g in app.registered_groups if g.name == "outdials")
    assert group is not None
    group.command("targets")(targets)
    group.command("target-add")(target_add)
    group.command("targets-add")(targets_add)
    group.command("target-get")(target_get)
    group.command("target-delete")(target_delete)
