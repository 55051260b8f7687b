"""``voipbin webhooks listen``: a local receiver that verifies and prints deliveries, answers
204 to a good one and 400 to one that does not verify, and stops cleanly on Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from voipbin.cli.webhooks import MAX_BODY, Receiver, make_server
from voipbin.common.webhooks import signed_headers

CALL_ID = "3f1f0c8e-8a3b-4c57-9d2b-5b1a9a0e6c11"
EVENT = {"type": "call_hangup", "data": {"id": CALL_ID, "status": "hangup"}}
BODY = json.dumps(EVENT).encode()


def deliver(url: str, body: bytes, headers: dict[str, str]) -> int:
    return httpx.post(url, content=body, headers=headers, timeout=5).status_code


def test_listen_verifies_prints_and_stops_on_ctrl_c() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "voipbin.cli", "webhooks", "listen", "--port", "0"],
        env={**os.environ, "VOIPBIN_WEBHOOK_SECRET": "s3cret"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        banner = process.stderr.readline()
        assert "verifying signatures" in banner, banner
        url = banner.split()[2].rstrip(",")
        now = int(time.time())

        statuses = [
            deliver(url + "hooks", BODY, signed_headers(BODY, "ev-1", now, ["s3cret"])),
            deliver(url, BODY, signed_headers(BODY, "ev-2", now, ["someone-else"])),
            deliver(url, BODY, signed_headers(BODY, "ev-3", now - 3600, ["s3cret"])),
            deliver(url, BODY, {"X-VoIPBIN-Event-Id": "ev-4"}),
            httpx.get(url, timeout=5).status_code,
        ]
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()

    assert statuses == [204, 400, 400, 400, 405]
    assert process.returncode == 0, err
    lines = out.splitlines()
    assert lines[0] == f"VERIFIED ev-1 call_hangup {CALL_ID}"
    assert lines[1].startswith(f"INVALID ev-2 call_hangup {CALL_ID}: X-VoIPBIN-Signature-V2")
    assert lines[2].startswith("INVALID ev-3 call_hangup")
    assert "at most 300 s" in lines[2]
    assert lines[3].startswith("INVALID ev-4 call_hangup")
    assert "neither" in lines[3]
    assert len(lines) == 4
    assert "stopped" in err
    assert "Traceback" not in err


@contextmanager
def receiving(receiver: Receiver) -> Iterator[tuple[str, list[tuple[str, bool]]]]:
    printed: list[tuple[str, bool]] = []
    server = make_server("127.0.0.1", 0, receiver, lambda *line: printed.append(line))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", printed
    finally:
        server.shutdown()
        server.server_close()


def announce_a_body_of(length: int, url: str) -> bytes:
    """The answer to a request that says how long its body is and sends none of it."""
    port = int(url.rstrip("/").rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(f"POST / HTTP/1.1\r\nContent-Length: {length}\r\n\r\n".encode())
        return connection.recv(100)


def test_json_lines_without_a_secret_and_bodies_that_are_no_event() -> None:
    with receiving(Receiver(as_json=True)) as (url, printed):
        unsigned = deliver(url, BODY, {})
        not_json = deliver(url, b"<html>", {"X-VoIPBIN-Event-Id": "ev-9"})
        no_type = deliver(url, b'{"data": {}}', {})
        too_big = announce_a_body_of(MAX_BODY + 1, url)

    assert [unsigned, not_json, no_type] == [204, 400, 400]
    assert too_big.startswith(b"HTTP/1.0 413")
    assert printed[0] == (json.dumps(EVENT, separators=(",", ":")), False)
    assert printed[1] == ("INVALID ev-9 - -: the body is not a JSON event", True)
    assert printed[2][1] is True
    assert len(printed) == 3
