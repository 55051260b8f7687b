"""The README's messaging walkthrough, with the SDK: a call recorded for 61 s and its files
downloaded, SMS of two GSM-7 parts and of one UCS-2 part to each reserved number of the
simulated network, an inbound SMS answered by a flow, and the ledger's charges. Run it
against a fresh server on the virtual clock, as its super-admin:

    VOIPBIN_CLOCK=virtual VOIPBIN_BOOTSTRAP_PASSWORD=walkthrough make run
    .venv/bin/python examples/messaging_walkthrough.py http://127.0.0.1:8000 walkthrough

It acts for the super-admin's own customer (verifying it, funding it and buying a number), so
run it on a throwaway database.
"""

from __future__ import annotations

import io
import sys
import time
import wave
import zipfile
from typing import Any
from uuid import UUID

from voipbin.client import Client, FailedPrecondition

#: The simulated network's reserved SMS numbers, and one that delivers.
DELIVERS = "+15005550100"
RESERVED = ["+15005550101", "+15005550102", "+15005550103"]


def ready_to_send(client: Client) -> str:
    """Verify the customer, allow US calls, fund it and buy a number to send from; the
    number."""
    customer = client.customer.get()
    client.customers.identity_verification_status(
        customer.id, identity_verification_status="verified"
    )
    (config,) = client.outbound_configs.list().result
    client.outbound_configs.update(config.id, destination_whitelist=["US"])
    account = client.billing_account.get()
    client.billing_accounts.balance_add_force(account.id, balance=20)
    offered = client.lookup("available_numbers", country_code="US", page_size=1)
    number: str = client.numbers.create(number=offered.result[0].number).number
    return number


def recording(client: Client, source: str) -> dict[str, Any]:
    """Record an answered call for 61 s; its files' names and lengths (read from the WAV
    headers of the downloaded zip) and what the recording was billed."""
    made = client.calls.create(
        source={"type": "tel", "target": source},
        destinations=[{"type": "tel", "target": "+15005550000"}],
    )
    (call,) = made.calls
    client.simulator.advance(seconds=3)  # answered
    client.calls.recording_start(call.id, format="wav")
    client.simulator.advance(seconds=61)
    client.calls.recording_stop(call.id)
    client.calls.hangup(call.id)
    client.simulator.advance(seconds=1)  # ended, its files written
    (recorded,) = client.recordings.list(reference_id=str(call.id)).result
    files: dict[str, float] = {}
    with zipfile.ZipFile(io.BytesIO(download(client, recorded.id))) as archive:
        for name in archive.namelist():
            with wave.open(io.BytesIO(archive.read(name))) as wav:
                files[name.rsplit("_", 1)[-1]] = wav.getnframes() / wav.getframerate()
    (billed,) = client.billings.list(reference_id=str(recorded.id)).result
    return {
        "status": recorded.status,
        "files": files,
        "billed": (billed.cost_type, billed.usage_duration, billed.billable_units),
    }


def download(client: Client, recording_id: UUID) -> bytes:
    """The zip of a recording's files, once written (a job writes them just after the
    recording ends: until then the server answers 409 RECORDING_FILES_NOT_READY)."""
    for _ in range(100):
        try:
            return client.recordingfiles.download(recording_id)
        except FailedPrecondition as error:
            if error.reason != "RECORDING_FILES_NOT_READY":
                raise
            time.sleep(0.1)
    raise TimeoutError(f"the files of recording {recording_id} were not written in 10 s")


def sms(client: Client, source: str) -> dict[str, Any]:
    """161 GSM-7 characters (two parts) and a text with an emoji (UCS-2, one part), to a
    number that delivers and to each reserved one; each target's parts and how it ended."""
    destinations = [{"type": "tel", "target": t} for t in [DELIVERS, *RESERVED]]
    long = client.messages.create(
        source={"type": "tel", "target": source}, destinations=destinations, text="x" * 161
    )
    emoji = client.messages.create(
        source={"type": "tel", "target": source},
        destinations=destinations[:1],
        text="See you at 8 \N{WAVING HAND SIGN}",
    )
    client.simulator.advance(seconds=70)  # past every receipt and both timeouts
    ended = {}
    for message in (long, emoji):
        for target in client.messages.get(message.id).targets:
            key = f"{message.text[:12]} -> {target.destination.target}"
            ended[key] = (target.parts, target.status)
    return ended


def inbound_reply(client: Client, number: str) -> str:
    """Give ``number`` a flow that answers every SMS by ``message_send``; an SMS arrives; the
    reply's text."""
    flow = client.flows.create(
        name="echo",
        actions=[
            {
                "type": "message_send",
                "option": {
                    "source": {"type": "tel", "target": "${voipbin.message.destination}"},
                    "destinations": [{"type": "tel", "target": "${voipbin.message.source}"}],
                    "text": "You said: ${voipbin.message.text}",
                },
            }
        ],
    )
    (held,) = client.numbers.list(number=number).result
    client.numbers.update(held.id, message_flow_id=flow.id)
    client.simulator.messages.create(from_=DELIVERS, to=number, text="hello")
    client.simulator.advance(seconds=5)
    (reply, *_) = client.messages.list(direction="outbound").result
    text: str = reply.text
    return text


def charges(client: Client) -> list[tuple[str, str, int]]:
    """The ledger's rows, oldest first: what was paid for, and how much (micro-dollars)."""
    rows = client.billings.list(page_size=100).result
    return [(r.transaction_type, r.cost_type, r.amount_credit) for r in reversed(rows)]


def main(base_url: str, password: str) -> None:
    with Client(base_url, username="admin@localhost", password=password) as client:
        number = ready_to_send(client)
        print("recording:", recording(client, number))
        for key, (parts, status) in sms(client, number).items():
            print(f"{key}: {parts} part(s), {status}")
        print("reply:", inbound_reply(client, number))
        for row in charges(client):
            print(*row)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
