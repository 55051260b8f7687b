"""``voipbin webhooks listen --port N``: a local receiver for a customer's webhook deliveries,
the counterpart of a ``webhook_uri`` pointed at this machine while developing.

Each ``POST`` (to any path) is one delivery: a ``{"type","data"}`` event. The receiver prints
``<event id> <type> <resource id>`` per delivery (``--json``: the body, one JSON line each) and
answers ``204``. With a secret (``--secret`` or ``VOIPBIN_WEBHOOK_SECRET``) it checks each
delivery with :func:`voipbin.webhooks.verify`: a verified one is printed ``VERIFIED ...``, one
that does not verify ``INVALID ...: <why>`` and is answered ``400``. Never ``2xx`` to a
delivery that does not verify: that would hide a forgery (or a stale secret) behind a success,
and a ``4xx`` is final for the sender, which is right since the same bytes will not verify on
a retry either. A body that is not a JSON event is a ``400`` too.

Standard library only (``http.server``), so it starts instantly and needs no server extras.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Annotated, Any

import typer

from voipbin.webhooks import DEFAULT_TOLERANCE, EVENT_ID, SignatureError, verify

#: Bodies larger than this are refused (413) before being read.
MAX_BODY = 1024 * 1024

Write = Callable[[str, bool], None]
"""Print one line; the flag says whether it reports a problem (stderr in JSON mode)."""


@dataclass(frozen=True)
class Outcome:
    """What the receiver answers and prints for one delivery."""

    status: int
    line: str
    problem: bool = False


@dataclass(frozen=True)
class Receiver:
    """What to do with each delivery: the decisions, without the HTTP server."""

    secret: str | None = None
    as_json: bool = False
    tolerance: float = DEFAULT_TOLERANCE

    def receive(self, body: bytes, headers: Mapping[str, str]) -> Outcome:
        event_id = next((v for k, v in headers.items() if k.lower() == EVENT_ID.lower()), "-")
        event = _event(body)
        summary = f"{event_id} {_describe(event)}"
        if self.secret:
            try:
                verify(body, headers, self.secret, tolerance=self.tolerance)
            except SignatureError as exc:
                return Outcome(400, f"INVALID {summary}: {exc}", problem=True)
        if event is None:
            return Outcome(400, f"INVALID {summary}: the body is not a JSON event", problem=True)
        if self.as_json:
            return Outcome(204, json.dumps(event, separators=(",", ":")))
        return Outcome(204, f"VERIFIED {summary}" if self.secret else summary)


def _event(body: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(body)
    except ValueError:
        return None
    if isinstance(value, dict) and isinstance(value.get("type"), str):
        return value
    return None


def _describe(event: dict[str, Any] | None) -> str:
    if event is None:
        return "- -"
    data = event.get("data")
    resource_id = data.get("id") if isinstance(data, dict) else None
    return f"{event['type']} {resource_id or '-'}"


def make_server(host: str, port: int, receiver: Receiver, write: Write) -> ThreadingHTTPServer:
    """An HTTP server answering deliveries with ``receiver`` (``port`` 0: any free one)."""
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        server_version = "voipbin-webhooks"

        def do_POST(self) -> None:
            try:
                length = int(self.headers.get("Content-Length", ""))
            except ValueError:
                self._answer(411)
                return
            if not 0 <= length <= MAX_BODY:
                self._answer(413)
                return
            body = self.rfile.read(length)
            outcome = receiver.receive(body, dict(self.headers.items()))
            with lock:
                write(outcome.line, outcome.problem)
            self._answer(outcome.status)

        def do_GET(self) -> None:
            self.send_response(405)
            self.send_header("Allow", "POST")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _answer(self, status: int) -> None:
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the receiver prints one line per delivery itself."""

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server


def _write(as_json: bool) -> Write:
    def write(line: str, problem: bool) -> None:
        stream = sys.stderr if problem and as_json else sys.stdout
        print(line, file=stream, flush=True)

    return write


app = typer.Typer(no_args_is_help=True, add_completion=False)


@app.command()
def listen(
    port: Annotated[int, typer.Option("--port", "-p", help="Port to listen on (0: any).")],
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    secret: Annotated[
        str | None,
        typer.Option(
            "--secret",
            envvar="VOIPBIN_WEBHOOK_SECRET",
            help="The customer's webhook_secret: verify each delivery with it.",
        ),
    ] = None,
    tolerance: Annotated[
        float, typer.Option("--tolerance", help="Seconds a signature's timestamp may be off.")
    ] = DEFAULT_TOLERANCE,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print each delivery's body as a JSON line.")
    ] = False,
) -> None:
    """Receive webhook deliveries locally and print them (Ctrl-C stops)."""
    receiver = Receiver(secret=secret or None, as_json=as_json, tolerance=tolerance)
    try:
        server = make_server(host, port, receiver, _write(as_json))
    except OSError as exc:
        typer.echo(f"error: cannot listen on {host}:{port}: {exc}", err=True)
        raise typer.Exit(1) from None
    bound_host, bound_port = server.server_address[:2]
    checking = "verifying signatures" if receiver.secret else "not verifying (no secret)"
    typer.echo(f"listening on http://{bound_host!s}:{bound_port}/, {checking}", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        typer.echo("stopped", err=True)
    finally:
        server.server_close()


def add_webhook_commands(root: typer.Typer) -> None:
    root.add_typer(app, name="webhooks", help="Receive and check webhook deliveries.")
