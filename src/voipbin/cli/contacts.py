"""``voipbin contacts lookup TARGET``: the contact owning a phone number or an email
address. The other contact commands are the generic resource's (``cli/resources.py``)."""

from __future__ import annotations

from typing import Annotated

import typer

from voipbin.cli.resources import (
    DEFAULT_URL,
    Accesskey,
    AsJson,
    Token,
    Url,
    client_for,
    show,
)

Target = Annotated[
    str,
    typer.Argument(
        metavar="TARGET",
        help="A phone number (E.164, punctuation ignored) or an email address.",
        show_default=False,
    ),
]


def lookup(
    ctx: typer.Context,
    target: Target,
    as_json: AsJson = False,
    url: Url = DEFAULT_URL,
    accesskey: Accesskey = None,
    token: Token = None,
) -> None:
    """Show the live contact owning a phone number or an email address."""
    with client_for(ctx, url, accesskey, token) as client:
        contact = client.contacts.lookup(target)
    show(contact, as_json)


def add_contact_commands(app: typer.Typer) -> None:
    """``lookup`` in the ``contacts`` group (made by ``add_resource_commands``)."""
    group = next(g.typer_instance for g in app.registered_groups if g.name == "contacts")
    assert group is not None
    group.command("lookup")(lookup)
