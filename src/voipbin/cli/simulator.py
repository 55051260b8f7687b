"""``voipbin sim clock|advance|rules list|rules add|rules delete|devices|reset``: the
simulated network's control API (super-admins only), and ``voipbin sim call|dtmf|hangup``:
the far end's side of calls (``sim message|message-rules``: of SMS, in
:mod:`voipbin.cli.simulator_messages`); ``voipbin sim emails``: the local outbox; and
``voipbin timeline RESOURCE_TYPE ID``: a resource's events.
Both run through the SDK (``client.simulator``, ``client.timeline``) with the resource
commands' options, errors and output.
"""

from __future__ import annotations

from typing import Annotated

import typer

from voipbin.cli.resources import (
    DEFAULT_URL,
    Accesskey,
    All,
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
from voipbin.cli.sim_rules import add_rule_commands
from voipbin.cli.simulator_messages import add_message_commands
from voipbin.common.address import ADDRESS_TYPES, Address
from voipbin.models.events import TIMELINE, TIMELINE_RESOURCES
from voipbin.models.simulator import DevicesSet, Rule, RuleCreate

Seconds = Annotated[
    float, typer.Argument(metavar="SECONDS", help="How far to move the virtual clock.")
]
ExtensionId = Annotated[
    str, typer.Argument(metavar="EXT_ID", help="The extension's id.", show_default=False)
]
CallId = Annotated[
    str, typer.Argument(metavar="CALL_ID", help="The call's id.", show_default=False)
]
KeyDigits = Annotated[
    str, typer.Argument(metavar="DIGITS", help="The keys pressed, in order: 0-9, *, #, A-D.")
]
_ADDRESS_FORMS = "+E.164 (tel), user@domain (sip) or TYPE:TARGET"
From = Annotated[
    str, typer.Option("--from", help=f"Who calls: {_ADDRESS_FORMS}.", show_default=False)
]
To = Annotated[
    str, typer.Option("--to", help="The number called, one of ours (+E.164).", show_default=False)
]
ResourceType = Annotated[
    str,
    typer.Argument(
        metavar="RESOURCE_TYPE",
        help=f"One of: {', '.join(TIMELINE_RESOURCES)}.",
        show_default=False,
    ),
]


def address_of(text: str, option: str) -> Address:
    """The address ``text`` names: ``TYPE:TARGET``, or a bare target whose form tells its
    type (``+15551234567`` is ``tel``, ``bob@example.com`` is ``sip``). The server checks
    the target."""
    kind, sep, target = text.partition(":")
    if sep and kind in ADDRESS_TYPES:
        return Address(type=kind, target=target)
    if text.startswith("+"):
        return Address(type="tel", target=text)
    if "@" in text:
        return Address(type="sip", target=text)
    typer.echo(f"error: {option} takes {_ADDRESS_FORMS}, not {text!r}", err=True)
    raise typer.Exit(2)


def simulator_app() -> typer.Typer:
    """The ``sim`` group."""
    group = typer.Typer(no_args_is_help=True, add_completion=False)
    rules = typer.Typer(no_args_is_help=True, add_completion=False)
    group.add_typer(rules, name="rules", help="Scripted outcomes by destination.")
    add_message_commands(group)

    @group.command("clock")
    def clock(
        ctx: typer.Context,
        as_json: AsJson = False,
        url: Url = DEFAULT_URL,
        accesskey: Accesskey = None,
        token: Token = None,
    ) -> None:
        """Show the server's clock: its mode and time."""
        with client_for(ctx, url, accesskey, token) as client:
            state = client.simulator.clock()
        show(state, as_json)

    @group.command("advance")
    def advance(
        ctx: typer.Context,
        seconds: Seconds,
        as_json: AsJson = False,
        url: Url = DEFAULT_URL,
        accesskey: Accesskey = None,
        token: Token = None,
    ) -> None:
        """Move the virtual clock forward, running every job due on the way."""
        with client_for(ctx, url, accesskey, token) as client:
            state = client.simulator.advance(seconds=seconds)
        show(state, as_json)

    add_rule_commands(
        rules,
        accessor=lambda client: client.simulator.rules,
        create=RuleCreate,
        shown=Rule,
        what="rule",
        fields="type, pattern, outcome...",
    )

    @group.command("devices")
    def devices(
        ctx: typer.Context,
        extension_id: ExtensionId,
        sets: Sets = None,
        data: Data = None,
        as_json: AsJson = False,
        url: Url = DEFAULT_URL,
        accesskey: Accesskey = None,
        token: Token = None,
    ) -> None:
        """Register an extension's devices from --data, replacing its earlier ones."""
        from voipbin.cli.output import print_json, print_table
        from voipbin.models.simulator import Device

        body = body_of(DevicesSet, sets, data)
        with client_for(ctx, url, accesskey, token) as client:
            answer = client.simulator.devices(extension_id, body)
        if as_json:
            print_json(answer)
        else:
            print_table(Device, answer.devices)

    @group.command("reset")
    def reset(
        ctx: typer.Context,
        url: Url = DEFAULT_URL,
        accesskey: Accesskey = None,
        token: Token = None,
    ) -> None:
        """Forget every stored rule and device: the built-in rules alone again."""
        with client_for(ctx, url, accesskey, token) as client:
            client.simulator.reset()
        typer.echo("reset the simulated network", err=True)

    @group.command("call")
    def call(
        ctx: typer.Context,
        source: From,
        destination: To,
        as_json: AsJson = False,
        url: Url = DEFAULT_URL,
        accesskey: Accesskey = None,
        token: Token = None,
    ) -> None:
        """Call one of our numbers from the network: it runs the number's call flow."""
        caller = address_of(source, "--from")
        called = address_of(destination, "--to")
        with client_for(ctx, url, accesskey, token) as client:
            made = client.simulator.calls.create(source=caller, destination=called)
        show(made, as_json)

    @group.command("dtmf")
    def dtmf(
        ctx: typer.Context,
        call_id: CallId,
        digits: KeyDigits,
        url: Url = DEFAULT_URL,
        accesskey: Accesskey = None,
        token: Token = None,
    ) -> None:
        """The far end of an answered call presses keys."""
        with client_for(ctx, url, accesskey, token) as client:
            client.simulator.calls.dtmf(call_id, digits=digits)
        typer.echo(f"pressed {digits} on call {call_id}", err=True)

    @group.command("hangup")
    def hangup(
        ctx: typer.Context,
        call_id: CallId,
        url: Url = DEFAULT_URL,
        accesskey: Accesskey = None,
        token: Token = None,
    ) -> None:
        """The far end hangs up a call (a call already ending is left)."""
        with client_for(ctx, url, accesskey, token) as client:
            client.simulator.calls.hangup(call_id)
        typer.echo(f"the far end hung up call {call_id}", err=True)

    @group.command("emails")
    def emails(
        ctx: typer.Context,
        page_size: PageSize = None,
        page_token: PageToken = None,
        as_json: AsJson = False,
        url: Url = DEFAULT_URL,
        accesskey: Accesskey = None,
        token: Token = None,
    ) -> None:
        """List the emails the local outbox delivered, newest first."""
        from voipbin.cli.output import print_page
        from voipbin.models.simulator import DeliveredEmail

        with client_for(ctx, url, accesskey, token) as client:
            page = client.simulator.emails.list(page_size=page_size, page_token=page_token)
        print_page(DeliveredEmail, page.result, page, as_json)

    return group


def timeline_command(
    ctx: typer.Context,
    resource_type: ResourceType,
    id: Id,
    page_size: PageSize = None,
    page_token: PageToken = None,
    all_pages: All = False,
    as_json: AsJson = False,
    url: Url = DEFAULT_URL,
    accesskey: Accesskey = None,
    token: Token = None,
) -> None:
    """A resource's events, newest first: one page, or every page with --all."""
    from voipbin.cli.output import print_page, with_progress
    from voipbin.models.events import TimelineEvent

    with client_for(ctx, url, accesskey, token) as client:
        if all_pages:
            walk = client.timeline_iter(resource_type, id, page_size=page_size)
            items = list(with_progress(walk, "events"))
            page = None
        else:
            page = client.timeline(resource_type, id, page_size=page_size, page_token=page_token)
            items = page.result
    print_page(TimelineEvent, items, page, as_json)


def add_simulator_commands(app: typer.Typer) -> None:
    """``sim`` and ``timeline`` on ``app``."""
    app.add_typer(
        simulator_app(), name="sim", help="The simulated network's control API (super-admins)."
    )
    app.command("timeline", help=f"{TIMELINE.summary}.")(timeline_command)
