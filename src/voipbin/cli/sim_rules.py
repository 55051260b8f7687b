"""The ``list``, ``add`` and ``delete`` commands of a set of simulator rules (``voipbin sim
rules``, ``voipbin sim message-rules``): the sets differ only in their SDK accessor, their
body and what they are called."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
import typer

from voipbin.cli.resources import (
    DEFAULT_URL,
    Accesskey,
    AsJson,
    Data,
    Id,
    Sets,
    Token,
    Url,
    body_of,
    client_for,
    show,
)
from voipbin.client import Client


def add_rule_commands(
    rules: typer.Typer,
    *,
    accessor: Callable[[Client], Any],
    create: type[msgspec.Struct],
    shown: type[msgspec.Struct],
    what: str,
    fields: str,
) -> None:
    """``list``, ``add`` and ``delete`` on ``rules``, through ``accessor(client)`` (which
    has ``list()``, ``create(body)`` and ``delete(id)``); ``what`` names a rule in messages,
    ``fields`` the fields ``add`` takes."""

    @rules.command("list")
    def list_rules(
        ctx: typer.Context,
        as_json: AsJson = False,
        url: Url = DEFAULT_URL,
        accesskey: Accesskey = None,
        token: Token = None,
    ) -> None:
        from voipbin.cli.output import print_json, print_table

        with client_for(ctx, url, accesskey, token) as client:
            items = accessor(client).list()
        if as_json:
            print_json(items)
        else:
            print_table(shown, items)

    list_rules.__doc__ = f"List the stored {what}s, earliest first."

    @rules.command("add")
    def add_rule(
        ctx: typer.Context,
        sets: Sets = None,
        data: Data = None,
        as_json: AsJson = False,
        url: Url = DEFAULT_URL,
        accesskey: Accesskey = None,
        token: Token = None,
    ) -> None:
        body = body_of(create, sets, data)
        with client_for(ctx, url, accesskey, token) as client:
            rule = accessor(client).create(body)
        show(rule, as_json)

    add_rule.__doc__ = f"Store a {what} from --set fields ({fields}) or a --data body."

    @rules.command("delete")
    def delete_rule(
        ctx: typer.Context,
        id: Id,
        url: Url = DEFAULT_URL,
        accesskey: Accesskey = None,
        token: Token = None,
    ) -> None:
        with client_for(ctx, url, accesskey, token) as client:
            accessor(client).delete(id)
        typer.echo(f"deleted {what} {id}", err=True)

    delete_rule.__doc__ = f"Delete a {what}."
