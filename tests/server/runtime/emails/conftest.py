"""A tiny SMTP server for the emails' tests: it answers as scripted and keeps each message."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest


@dataclass
class SmtpServer:
    """A tiny SMTP server: answers each RCPT with the next scripted code (250 when none)."""

    port: int = 0
    rcpt_codes: list[int] = field(default_factory=list)
    messages: list[bytes] = field(default_factory=list)

    async def session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        async def say(line: str) -> None:
            writer.write(line.encode() + b"\r\n")
            await writer.drain()

        await say("220 test ESMTP")
        while line := await reader.readline():
            verb = line.decode().strip().split(" ")[0].split(":")[0].upper()
            if verb in ("EHLO", "HELO"):
                await say("250 test")
            elif verb == "RCPT":
                code = self.rcpt_codes.pop(0) if self.rcpt_codes else 250
                await say(f"{code} {'ok' if code == 250 else 'no'}")
            elif verb == "DATA":
                await say("354 go on")
                self.messages.append(await reader.readuntil(b"\r\n.\r\n"))
                await say("250 queued")
            elif verb == "QUIT":
                await say("221 bye")
                break
            else:  # MAIL, RSET, NOOP
                await say("250 ok")
        writer.close()


@pytest.fixture
async def smtp_server() -> AsyncIterator[SmtpServer]:
    server = SmtpServer()
    listening = await asyncio.start_server(server.session, "127.0.0.1", 0)
    server.port = listening.sockets[0].getsockname()[1]
    async with listening:
        yield server
