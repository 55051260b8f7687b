"""``voipbin <resource> list|get|create|update|delete|<action>``, for every resource in
``voipbin.models.RESOURCES``, and ``voipbin <own route> get|update|<action>`` for every own
route in ``voipbin.models.OWN_ROUTES`` (``voipbin customer get``): one set of commands
written once, registered per declaration.

The commands use the SDK (``voipbin.client``) and print with rich; both are imported when a
command runs, so ``voipbin serve`` does not pay for them.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, get_args

import msgspec
import typer

from voipbin.models.base import Action, ResourceSpec
from voipbin.models.lookup import Lookup
from voipbin.models.own import OwnRoute
from voipbin.models.registry import LOOKUPS, OWN_ROUTES, RESOURCES

if TYPE_CHECKING:
    from voipbin.client import Client

DEFAULT_URL = "http://127.0.0.1:8000"

Url = Annotated[str, typer.Option("--url", envvar="VOIPBIN_URL", help="The API's base URL.")]
Accesskey = Annotated[
    str | None,
    typer.Option("--accesskey", envvar="VOIPBIN_ACCESSKEY", help="An access key (vb_...)."),
]
Token = Annotated[
    str | None, typer.Option("--token", envvar="VOIPBIN_TOKEN", help="A JWT from /auth/login.")
]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON (the wire form), not a table.")]
Id = Annotated[str, typer.Argument(metavar="ID", help="The resource's id.", show_default=False)]
ItemId = Annotated[
    str,
    typer.Argument(
        metavar="ITEM", help="The id of the item (an address_id, a tag_id).", show_default=False
    ),
]
Sets = Annotated[
    list[str] | None,
    typer.Option("--set", "-s", metavar="NAME=VALUE", help="A field of the body (repeatable)."),
]
Data = Annotated[
    str | None, typer.Option("--data", "-d", help="The whole body as JSON ('-' reads stdin).")
]
Filters = Annotated[
    list[str] | None,
    typer.Option("--filter", "-f", metavar="NAME=VALUE", help="A list filter (repeatable)."),
]
PageSize = Annotated[
    int | None, typer.Option("--page-size", min=1, help="Items per page, 1-100 (more lists 100).")
]
PageToken = Annotated[str | None, typer.Option("--page-token", help="List from this time back.")]
All = Annotated[bool, typer.Option("--all", help="Walk every page (progress on stderr).")]


def add_resource_commands(app: typer.Typer) -> None:
    """A command group per resource and per own route on ``app``, and a command per
    lookup."""
    for spec in RESOURCES:
        app.add_typer(
            resource_app(spec), name=spec.plural.replace("_", "-"), help=spec.summary or None
        )
    for route in OWN_ROUTES:
        help = f"{route.summary}: {route.path}."
        app.add_typer(own_app(route), name=route.name.replace("_", "-"), help=help)
    for lookup in LOOKUPS:
        parameters = ", ".join(f.encode_name for f in msgspec.structs.fields(lookup.query))
        app.command(
            lookup.name.replace("_", "-"),
            help=f"{lookup.summary}. Parameters, as -f NAME=VALUE: {parameters}.",
        )(lookup_command(lookup))


def lookup_command(lookup: Lookup) -> Any:
    """``voipbin <lookup> -f NAME=VALUE ...``: the lookup's ``result`` as a table or JSON."""

    def run(
        ctx: typer.Context,
        filters: Filters = None,
        as_json: AsJson = False,
        url: Url = DEFAULT_URL,
        accesskey: Accesskey = None,
        token: Token = None,
    ) -> None:
        from voipbin.cli.output import print_json, print_table

        wanted = _pairs(filters, "--filter")
        with client_for(ctx, url, accesskey, token) as client:
            try:
                answer = client.lookup(lookup.name, **wanted)
            except TypeError as exc:
                _fail(str(exc), 2)
        if as_json:
            print_json(answer)
        else:
            (item,) = get_args(msgspec.structs.fields(lookup.answer)[0].type)
            print_table(item, answer.result)

    return run


def _fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


@contextmanager
def client_for(
    ctx: typer.Context, url: str, accesskey: str | None, token: str | None
) -> Iterator[Client]:
    """A client for the command, and errors printed as the API reported them.

    Whoever runs the app may pass more ``Client`` options (``transport``, ``retry``,
    ``sleep``) as the click context object: tests reach the app in-process that way.
    """
    import httpx

    from voipbin.client import ApiError, Client

    options: dict[str, Any] = ctx.obj if isinstance(ctx.obj, dict) else {}
    if accesskey is None and token is None:
        _fail("give --accesskey (or VOIPBIN_ACCESSKEY) or --token (or VOIPBIN_TOKEN)", 2)
    if accesskey is not None and token is not None:
        _fail("give --accesskey or --token, not both", 2)
    try:
        with Client(url, accesskey=accesskey, token=token, **options) as client:
            yield client
    except ApiError as error:
        lines = [f"error: {error.reason} ({error.http_status} {error.status}): {error.message}"]
        lines += [f"  {detail}" for detail in _details(error)]
        lines.append(f"request id: {error.request_id or '-'}")
        typer.echo("\n".join(lines), err=True)
        raise typer.Exit(1) from None
    except httpx.HTTPError as exc:
        _fail(f"cannot reach {url}: {exc}")


def _details(error: Any) -> list[str]:
    out = []
    for detail in error.details_as_dicts():
        if set(detail) == {"field", "description"}:
            out.append(f"{detail['field']}: {detail['description']}")
        else:
            out.append(", ".join(f"{k}: {v}" for k, v in detail.items()))
    return out


def _pairs(items: list[str] | None, option: str) -> dict[str, str]:
    pairs = {}
    for item in items or ():
        name, sep, value = item.partition("=")
        if not sep or not name:
            _fail(f"{option} takes NAME=VALUE, not {item!r}", 2)
        pairs[name.strip()] = value
    return pairs


def body_of(kind: type[msgspec.Struct] | None, sets: list[str] | None, data: str | None) -> Any:
    """The body from ``--data`` (sent as given) or ``--set`` (checked against ``kind``)."""
    from voipbin.cli.output import is_scalar

    if data is not None:
        if sets:
            _fail("give --data or --set, not both", 2)
        text = sys.stdin.read() if data == "-" else data
        try:
            body = json.loads(text)
        except ValueError as exc:
            _fail(f"--data is not JSON: {exc}", 2)
        if not isinstance(body, dict):
            _fail("--data must be a JSON object", 2)
        return body
    values: dict[str, Any] = _pairs(sets, "--set")
    if kind is None:
        if values:
            _fail("this command takes no fields", 2)
        return None
    fields = {f.name: f for f in msgspec.structs.fields(kind)}
    for name, text in values.items():
        if name not in fields:
            _fail(f"no field {name!r}; the fields are: {', '.join(fields)}", 2)
        if not is_scalar(fields[name].type):
            try:
                values[name] = json.loads(text)
            except ValueError:
                _fail(f'{name} takes JSON, like ["a"]', 2)
    try:
        return msgspec.convert(values, kind, strict=False)
    except msgspec.ValidationError as exc:
        _fail(str(exc), 2)


def show(item: Any, as_json: bool) -> None:
    from voipbin.cli.output import print_item, print_json

    if as_json:
        print_json(item)
    else:
        print_item(item)


def resource_app(spec: ResourceSpec[Any]) -> typer.Typer:
    """The commands of one resource."""
    group = typer.Typer(no_args_is_help=True, add_completion=False)
    verbs = spec.verbs

    def accessor(client: Client) -> Any:
        return client.resource(spec)

    if "list" in verbs:

        @group.command("list")
        def list_(
            ctx: typer.Context,
            filters: Filters = None,
            page_size: PageSize = None,
            page_token: PageToken = None,
            all_pages: All = False,
            as_json: AsJson = False,
            url: Url = DEFAULT_URL,
            accesskey: Accesskey = None,
            token: Token = None,
        ) -> None:
            """List newest first: one page, or every page with --all."""
            from voipbin.cli.output import print_page, with_progress

            wanted = _pairs(filters, "--filter")
            with client_for(ctx, url, accesskey, token) as client:
                resource = accessor(client)
                try:
                    if all_pages:
                        walk = resource.iter(page_size=page_size, page_token=page_token, **wanted)
                        items = list(with_progress(walk, spec.plural))
                        page = None
                    else:
                        page = resource.list(page_size=page_size, page_token=page_token, **wanted)
                        items = page.result
                except TypeError as exc:
                    _fail(str(exc), 2)
            print_page(spec.model, items, page, as_json)

    if "get" in verbs:

        @group.command("get")
        def get(
            ctx: typer.Context,
            id: Id,
            as_json: AsJson = False,
            url: Url = DEFAULT_URL,
            accesskey: Accesskey = None,
            token: Token = None,
        ) -> None:
            """Show one."""
            with client_for(ctx, url, accesskey, token) as client:
                item = accessor(client).get(id)
            show(item, as_json)

    if "create" in verbs:

        @group.command("create")
        def create(
            ctx: typer.Context,
            sets: Sets = None,
            data: Data = None,
            as_json: AsJson = False,
            url: Url = DEFAULT_URL,
            accesskey: Accesskey = None,
            token: Token = None,
        ) -> None:
            """Create one from --set fields or a --data body."""
            body = body_of(spec.create, sets, data)
            with client_for(ctx, url, accesskey, token) as client:
                item = accessor(client).create(body)
            show(item, as_json)

    if "update" in verbs:

        @group.command("update")
        def update(
            ctx: typer.Context,
            id: Id,
            sets: Sets = None,
            data: Data = None,
            as_json: AsJson = False,
            url: Url = DEFAULT_URL,
            accesskey: Accesskey = None,
            token: Token = None,
        ) -> None:
            """Change the fields given; the others keep their values."""
            body = body_of(spec.update, sets, data)
            with client_for(ctx, url, accesskey, token) as client:
                item = accessor(client).update(id, body)
            show(item, as_json)

    if "delete" in verbs:

        @group.command("delete")
        def delete(
            ctx: typer.Context,
            id: Id,
            url: Url = DEFAULT_URL,
            accesskey: Accesskey = None,
            token: Token = None,
        ) -> None:
            """Delete one (it stays readable, with tm_delete set)."""
            with client_for(ctx, url, accesskey, token) as client:
                accessor(client).delete(id)
            typer.echo(f"deleted {spec.title} {id}", err=True)

    for action in spec.actions:
        _add_action(group, spec, action)
        if action.undo:
            _add_action(group, spec, action, undo=True)
    return group


def _add_action(
    group: typer.Typer, spec: ResourceSpec[Any], action: Action, undo: bool = False
) -> None:
    """The command of ``action``; with ``undo``, of its undo, named ``un<action>``
    (``voipbin calls unhold``). An action on an item takes the item's id after the
    resource's (``voipbin contacts address-delete ID ITEM``)."""
    name = f"un{action.name}" if undo else action.name
    summary = action.undo if undo else action.summary

    def perform(ctx: typer.Context, args: tuple[str, ...], body: Any, options: Any) -> None:
        as_json, url, accesskey, token = options
        with client_for(ctx, url, accesskey, token) as client:
            item = getattr(client.resource(spec), action.name)(*args, body, undo=undo)
        if item is not None:
            show(item, as_json)

    command = group.command(name.replace("_", "-"), help=summary or None)
    if action.item:

        @command
        def run_item(
            ctx: typer.Context,
            id: Id,
            item: ItemId,
            sets: Sets = None,
            data: Data = None,
            as_json: AsJson = False,
            url: Url = DEFAULT_URL,
            accesskey: Accesskey = None,
            token: Token = None,
        ) -> None:
            body = body_of(action.body, sets, data)
            perform(ctx, (id, item), body, (as_json, url, accesskey, token))

        return

    @command
    def run(
        ctx: typer.Context,
        id: Id,
        sets: Sets = None,
        data: Data = None,
        as_json: AsJson = False,
        url: Url = DEFAULT_URL,
        accesskey: Accesskey = None,
        token: Token = None,
    ) -> None:
        body = body_of(action.body, sets, data)
        perform(ctx, (id,), body, (as_json, url, accesskey, token))


def own_app(route: OwnRoute) -> typer.Typer:
    """The commands of one own route: ``get``, ``update`` when writable, its actions."""
    group = typer.Typer(no_args_is_help=True, add_completion=False)

    @group.command("get")
    def get(
        ctx: typer.Context,
        as_json: AsJson = False,
        url: Url = DEFAULT_URL,
        accesskey: Accesskey = None,
        token: Token = None,
    ) -> None:
        """Show it."""
        with client_for(ctx, url, accesskey, token) as client:
            item = client.own_routes[route.name].get()
        show(item, as_json)

    if route.update is not None:

        @group.command("update")
        def update(
            ctx: typer.Context,
            sets: Sets = None,
            data: Data = None,
            as_json: AsJson = False,
            url: Url = DEFAULT_URL,
            accesskey: Accesskey = None,
            token: Token = None,
        ) -> None:
            """Change the fields given; the others keep their values."""
            body = body_of(route.update, sets, data)
            with client_for(ctx, url, accesskey, token) as client:
                item = client.own_routes[route.name].update(body)
            show(item, as_json)

    for action in route.actions:
        _add_own_action(group, route, action)
    return group


def _add_own_action(group: typer.Typer, route: OwnRoute, action: Action) -> None:
    @group.command(action.name.replace("_", "-"), help=action.summary or None)
    def run(
        ctx: typer.Context,
        sets: Sets = None,
        data: Data = None,
        as_json: AsJson = False,
        url: Url = DEFAULT_URL,
        accesskey: Accesskey = None,
        token: Token = None,
    ) -> None:
        body = body_of(action.body, sets, data)
        with client_for(ctx, url, accesskey, token) as client:
            item = getattr(client.own_routes[route.name], action.name)(body)
        if item is not None:
            show(item, as_json)
