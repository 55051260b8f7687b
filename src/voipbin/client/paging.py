"""Walking a list page by page (CONVENTIONS.md §4).

A walk stops on an empty ``next_page_token`` (this server's last page), on an empty page
(VoIPBIN sends a token on its last page too), and on a token it has already followed (a
server that would otherwise send it round in circles).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol


class Paged(Protocol):
    """A page of any list: a ``Page``, or a lookup's page (a ``TimelinePage``)."""

    @property
    def result(self) -> Sequence[Any]: ...

    @property
    def next_page_token(self) -> str: ...


class Pager:
    """Which page to ask for next. ``token`` is ``None`` once the walk is over."""

    def __init__(self, page_token: str | None = None) -> None:
        self.token: str | None = page_token or ""
        self._seen: set[str] = {page_token} if page_token else set()

    @property
    def done(self) -> bool:
        return self.token is None

    def advance(self, page: Paged) -> None:
        """Take in the page just read."""
        token = page.next_page_token
        if not page.result or not token or token in self._seen:
            self.token = None
            return
        self._seen.add(token)
        self.token = token
