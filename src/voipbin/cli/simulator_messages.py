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
    Token,
    Url,
    client_for,
    show,
)
from voipbin.cli.sim_rules import add_rule_commands
from voipbin.models.simulator_messages import MessageRule, MessageRuleCreate

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

    add_rule_commands(
        rules,
        accessor=lambda client: client.simulator.message_rules,
        create=MessageRuleCreate,
        shown=MessageRule,
        what="message rule",
        fields="pattern, outcome...",
    )
