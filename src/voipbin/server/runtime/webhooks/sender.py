"""One webhook attempt over HTTP: the SSRF guard, the address pinned, the limits.

- Only ``http`` and ``https``. The host is resolved once per attempt; unless private targets
  are allowed (``VOIPBIN_WEBHOOK_ALLOW_PRIVATE``, local development), a host any of whose
  addresses is not a public one (private, loopback, link-local, shared, reserved,
  documentation, multicast; IPv4-mapped forms included) is refused. The request goes to the
  address that was checked (the ``Host`` header and the TLS server name are the URL's host,
  the certificate is checked against it), so a second DNS answer cannot point it elsewhere.
- Redirects are followed by hand, at most 3, each target checked again; 301, 302 and 303
  turn into a GET without a body, as Go's client (upstream's) does.
- The whole attempt, redirects included, has the timeout (10 s); at most 64 KB of the
  answer's body are read, then the connection is closed.
- A fresh client per attempt: no connection pooled by address is reused for another host.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from collections.abc import Callable, Mapping
from datetime import datetime

import httpx

from voipbin.server.runtime.webhooks.policy import Outcome, retry_after

#: The most redirects followed.
MAX_REDIRECTS = 3
#: The most of an answer's body read.
MAX_BODY_BYTES = 64 * 1024
REDIRECTS = frozenset({301, 302, 303, 307, 308})
USER_AGENT = "VoIPBIN-Webhooks/1.0"

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class Refused(Exception):
    """A target the guard refuses (final: retrying changes nothing)."""


class Unreachable(Exception):
    """A host that does not resolve now (retried)."""


def is_public(address: Address) -> bool:
    """Whether ``address`` is a public unicast one (what a webhook may go to)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


class Sender:
    """Sends attempts (one instance per app)."""

    def __init__(self, *, allow_private: bool = False, timeout: float = 10.0) -> None:
        self.allow_private = allow_private
        self.timeout = timeout
        # Made once: loading the CA bundle takes tens of milliseconds, too long per attempt.
        self._tls = httpx.create_ssl_context()

    async def send(
        self, uri: str, method: str, body: bytes, headers: Mapping[str, str], now: datetime
    ) -> Outcome:
        """Send ``body`` to ``uri``; the outcome (never raises). ``now`` reads a
        ``Retry-After`` date."""
        started = time.monotonic()

        def took() -> int:
            return int((time.monotonic() - started) * 1000)

        try:
            async with asyncio.timeout(self.timeout):
                return await self._send(uri, method, body, headers, now, took)
        except TimeoutError:
            return Outcome(0, took(), f"no answer within {self.timeout:g} s")
        except Refused as refused:
            return Outcome(0, took(), str(refused), final=True)
        except Unreachable as error:
            return Outcome(0, took(), str(error))
        except httpx.HTTPError as error:
            return Outcome(0, took(), f"{type(error).__name__}: {error}".rstrip(": "))
        except OSError as error:
            return Outcome(0, took(), f"{type(error).__name__}: {error}")

    async def _send(
        self,
        uri: str,
        method: str,
        body: bytes,
        headers: Mapping[str, str],
        now: datetime,
        took: Callable[[], int],
    ) -> Outcome:
        try:
            url = httpx.URL(uri)
        except (httpx.InvalidURL, ValueError) as error:
            raise Refused(f"the URI is not valid: {error}") from None
        for hop in range(MAX_REDIRECTS + 1):
            target, extensions, host_header = await self._pin(url)
            sent = {**headers, "Host": host_header, "User-Agent": USER_AGENT}
            async with (
                httpx.AsyncClient(
                    follow_redirects=False, timeout=self.timeout, verify=self._tls
                ) as client,
                client.stream(
                    method, target, content=body or None, headers=sent, extensions=extensions
                ) as response,
            ):
                code = response.status_code
                location = response.headers.get("location")
                if code in REDIRECTS and location:
                    if hop == MAX_REDIRECTS:
                        return Outcome(
                            code,
                            took(),
                            f"more than {MAX_REDIRECTS} redirects",
                            final=True,
                        )
                    url = url.join(location)
                    if code in (301, 302, 303) and method != "HEAD":
                        method, body = "GET", b""
                    continue
                read = 0
                async for chunk in response.aiter_raw():
                    read += len(chunk)
                    if read >= MAX_BODY_BYTES:
                        break
                why = "" if 200 <= code < 400 else f"the endpoint answered {code}"
                wait = retry_after(response.headers.get("retry-after"), now)
                return Outcome(code, took(), why, retry_after=wait)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _pin(self, url: httpx.URL) -> tuple[httpx.URL, dict[str, object], str]:
        """The URL to connect to (the host replaced by the checked address), the request's
        extensions (the TLS server name) and its ``Host`` header."""
        if url.scheme not in ("http", "https"):
            raise Refused(f"only http and https targets are allowed, not {url.scheme!r}")
        host = url.host
        if not host:
            raise Refused("the URI has no host")
        port = url.port or (443 if url.scheme == "https" else 80)
        addresses = await _resolve(host, port)
        if not self.allow_private:
            for address in addresses:
                if not is_public(address):
                    raise Refused(
                        f"{host} is {address}, not a public address: refused (private "
                        "targets need VOIPBIN_WEBHOOK_ALLOW_PRIVATE=true)"
                    )
        address = addresses[0]
        extensions: dict[str, object] = {}
        literal = _literal(host) is not None
        if url.scheme == "https" and not literal:
            extensions["sni_hostname"] = host
        host_header = url.netloc.decode("ascii")
        return url.copy_with(host=str(address)), extensions, host_header


def _literal(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


async def _resolve(host: str, port: int) -> list[Address]:
    """Every address of ``host`` (once, for this attempt), in the resolver's order."""
    literal = _literal(host)
    if literal is not None:
        return [literal]
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise Unreachable(f"{host} does not resolve: {error}") from None
    found: list[Address] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if address not in found:
            found.append(address)
    if not found:
        raise Unreachable(f"{host} has no address")
    return found
