"""Sending an email through an SMTP server (``VOIPBIN_SMTP_URL``), with the standard library.

``smtp://user:password@host:587?starttls=true&from=service@example.com`` (``smtps://`` for TLS
from the first byte; the port defaults to 25, or 465 for ``smtps``; ``timeout`` is the seconds
each network operation may take, 30 by default). :func:`send` blocks: the runtime runs it in a
thread, outside every transaction. It says how the attempt ended as a
:data:`~voipbin.server.runtime.emails.machine.Report`.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

from voipbin.common.address import is_email
from voipbin.server.runtime.emails.machine import Report

#: Who an email is from when the transport names no one.
DEFAULT_SENDER = "noreply@voipbin.localhost"
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


@dataclass(frozen=True, slots=True)
class SmtpServer:
    """Where and how emails are sent."""

    host: str
    port: int
    username: str = ""
    password: str = ""
    implicit_tls: bool = False
    starttls: bool = False
    sender: str = DEFAULT_SENDER
    timeout: float = 30.0


@dataclass(frozen=True, slots=True)
class Part:
    """A file a message carries."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Letter:
    """What is sent."""

    sender: str
    recipients: tuple[str, ...]
    subject: str
    content: str
    message_id: str
    """The email's id, as the ``Message-ID`` header's local part."""
    parts: tuple[Part, ...] = ()
    """Files attached after the text (the message is then ``multipart/mixed``)."""


def parse_smtp_url(url: str) -> SmtpServer:
    """The server ``url`` names; a ``ValueError`` saying what is wrong."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError(f"the scheme is smtp or smtps, not {parts.scheme!r}")
    if not parts.hostname:
        raise ValueError("no host")
    implicit = parts.scheme == "smtps"
    try:
        port = parts.port or (465 if implicit else 25)
    except ValueError:
        raise ValueError("the port is not a number from 1 to 65535") from None
    query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    unknown = set(query) - {"starttls", "from", "timeout"}
    if unknown:
        raise ValueError(f"unknown parameters {sorted(unknown)} (known: starttls, from, timeout)")
    starttls = query.get("starttls", "false").lower()
    if starttls not in (*_TRUE, *_FALSE):
        raise ValueError(f"starttls is true or false, not {starttls!r}")
    username = unquote(parts.username or "")
    sender = query.get("from") or (username if is_email(username) else DEFAULT_SENDER)
    if not is_email(sender):
        raise ValueError(f"from is not an email address: {sender!r}")
    try:
        timeout = float(query.get("timeout", "30"))
    except ValueError:
        raise ValueError("timeout is a number of seconds") from None
    if not 0 < timeout <= 600:
        raise ValueError("timeout is above 0 and at most 600 seconds")
    return SmtpServer(
        host=parts.hostname,
        port=port,
        username=username,
        password=unquote(parts.password or ""),
        implicit_tls=implicit,
        starttls=starttls in _TRUE,
        sender=sender,
        timeout=timeout,
    )


def message(letter: Letter) -> EmailMessage:
    """The MIME message of ``letter``: plain text (UTF-8), then each of its parts as an
    attachment (base64, with its file name)."""
    mail = EmailMessage()
    mail["From"] = letter.sender
    mail["To"] = ", ".join(letter.recipients)
    mail["Subject"] = letter.subject
    domain = letter.sender.rpartition("@")[2]
    mail["Message-ID"] = f"<{letter.message_id}@{domain}>"
    mail.set_content(letter.content)
    for part in letter.parts:
        maintype, _, subtype = part.content_type.partition("/")
        mail.add_attachment(part.data, maintype=maintype, subtype=subtype, filename=part.filename)
    return mail


def send(server: SmtpServer, letter: Letter) -> tuple[Report, str]:
    """Send ``letter`` (blocking); how it ended and a line saying why."""
    try:
        if server.implicit_tls:
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                server.host,
                server.port,
                timeout=server.timeout,
                context=ssl.create_default_context(),
            )
        else:
            client = smtplib.SMTP(server.host, server.port, timeout=server.timeout)
        with client:
            if server.starttls:
                client.starttls(context=ssl.create_default_context())
            if server.username:
                client.login(server.username, server.password)
            refused = client.send_message(
                message(letter), from_addr=letter.sender, to_addrs=list(letter.recipients)
            )
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        return _by_codes(codes, f"every recipient was refused: {error.recipients}")
    except smtplib.SMTPAuthenticationError as error:
        # The server's settings are ours to fix: retried, never a bounce of the email.
        return "temporary", f"authentication failed: {error.smtp_code} {error.smtp_error!r}"
    except smtplib.SMTPResponseException as error:
        return _by_codes([error.smtp_code], f"{error.smtp_code} {error.smtp_error!r}")
    except (OSError, smtplib.SMTPException) as error:
        return "temporary", f"{type(error).__name__}: {error}"
    if refused:
        return "delivered", f"accepted; refused for {sorted(refused)}"
    return "delivered", "accepted"


def _by_codes(codes: list[int], why: str) -> tuple[Report, str]:
    """``permanent`` when every answer was a 5xx, else ``temporary``."""
    if codes and all(500 <= code < 600 for code in codes):
        return "permanent", why
    return "temporary", why
