"""Credentials: an access key, a JWT, or a username and password (CONVENTIONS.md §8).

Keys and tokens are sent as ``Authorization: Bearer``, which keeps them out of URLs and logs.
A username and password are exchanged for a token through ``POST /auth/login`` before the
first call, and once more when the server says the token is no longer valid (it expired, or
the agent's password changed).
"""

from __future__ import annotations

import msgspec

from voipbin.client.exchange import Request, Response

LOGIN_PATH = "/auth/login"


class _Login(msgspec.Struct):
    token: str


class Credentials:
    """Who the client is. Exactly one of the three forms is given."""

    def __init__(
        self,
        *,
        accesskey: str | None = None,
        token: str | None = None,
        username: str | None = None,
        password: str | None = None,
    ) -> None:
        given = [accesskey is not None, token is not None, username is not None]
        if sum(given) != 1:
            raise ValueError("give one of accesskey, token, or username and password")
        if (username is None) != (password is None):
            raise ValueError("a username needs a password, and a password a username")
        self._username = username
        self._password = password
        self._token = accesskey if accesskey is not None else token

    @property
    def can_login(self) -> bool:
        """Whether a new token can be had (a username and password were given)."""
        return self._username is not None

    @property
    def needs_login(self) -> bool:
        return self._token is None

    def header(self) -> dict[str, str]:
        """The ``Authorization`` header to send, if there is a token yet."""
        return {} if self._token is None else {"Authorization": f"Bearer {self._token}"}

    def login_request(self) -> Request:
        body = msgspec.json.encode({"username": self._username, "password": self._password})
        return Request("POST", LOGIN_PATH, body=body, headers={"Content-Type": "application/json"})

    def accept_login(self, response: Response) -> None:
        """Keep the token a successful login answered with."""
        self._token = msgspec.json.decode(response.content, type=_Login).token

    def forget(self) -> None:
        """Drop a token the server refused, so the next call logs in again."""
        if self.can_login:
            self._token = None
