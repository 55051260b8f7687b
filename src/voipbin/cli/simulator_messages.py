"""``voipbin sim message --from --to --text``: an SMS from the network to one of our numbers;
``voipbin sim message-rules list|add|delete``: what happens to SMS sent to numbers matching
a pattern. Through the SDK (``client.simulator.messages``, ``.message_rules``)."""

from __future__ import annotations

from typing import Annotated

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
from voipbin.models.simulator_messages import MessageRuleCreate

From = Annotated[
    str, typer.Option("--from", help="Who sends: a number (+E.164).", show_default=False)
]
To = Annotated[
    str, typer.Option("--to", help="The number sent to, one of ours (+E.164).", show_default=False)
]
Text = Annotated[str, typer.Option("--text", help="The message's text.", show_default=False)]


def add_message_commands(group: typer.Typer) -> None:
    """``message`` and ``message-rules`` on the ``sim`` group."""
    rules = typer.Typer(no_args_is_help=True, add_completion=False)
    group.add_typer(rules, name="message-rules", help="Scripted SMS outcomes by number.")

    @group.command("message")
    def message(
        ctx: typer.Context,
        source: From,
        destination: To,
        text: Text,
        as_json: AsJson = False,
        url: Url = DEFAULT_URL,
        accesskey: Accesskey = None,
        token: Token = None,
    ) -> None:
        """Send an SMS to one of our numbers from the network: it runs the number's
        message flow."""
        with client_for(ctx, url, accesskey, token) as client:
            made = client.simulator.messages.create(from_=source, to=destination, text=text)
        show(made, as_json)

    @rules.command("list")
    def list_rules(
        ctx: typer.Context,
        as_json: AsJson = False,
        url: Url = DEFAULT_URL,
        accesskey: Accesskey = None,
        token: Token = None,
    ) -> None:
        """List the stored SMS rules, earliest first."""
        from voipbin.cli.output import print_json, print_table
        from voipbin.models.simulator_messages import MessageRule

        with client_for(ctx, url, accesskey, token) as client:
            items = client.simulator.message_rules.list()
        if as_json:
            print_json(items)
        else:
            print_table(MessageRule, items)

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
        """Store an SMS rule from --set fields (pattern, outcome...) or a --data body."""
        body = body_of(MessageRuleCreate, sets, data)
        with client_for(ctx, url, accesskey, token) as client:
            rule = client.simulator.message_rules.create(body)
        show(rule, as_json)

    @rules.command("delete")
    def delete_rule(
        ctx: typer.Context,
        id: Id,
        url: Url = DEFAULT_URL,
        accesskey: Accesskey = None,
        token: Token = None,
    ) -> None:
        """Delete an SMS rule."""
        with client_for(ctx, url, accesskey, token) as client:
            client.simulator.message_rules.delete(id)
        typer.echo(f"deleted message rule {id}", err=True)
