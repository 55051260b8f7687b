"""Conditional GETs: single resources revalidated with ``If-None-Match`` (CONVENTIONS.md §10).

The cache keeps the last answer with an ``ETag`` for each single-resource URL. A later GET of
that URL sends the tag; a ``304`` means the kept answer is still current and is used as if
it had just arrived. Every GET is revalidated, so nothing served from the cache is stale.
"""

from __future__ import annotations

from collections import OrderedDict

from voipbin.client.exchange import Request, Response


def _key(request: Request) -> tuple[str, tuple[tuple[str, str], ...]]:
    return request.path, request.params


class ETagCache:
    """The most recently used ``max_entries`` answers by URL."""

    def __init__(self, max_entries: int = 1024) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple[str, tuple[tuple[str, str], ...]], tuple[str, Response]]
        self._entries = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def prepare(self, request: Request) -> Request:
        """``request`` with ``If-None-Match`` when an answer to it is kept."""
        entry = self._entries.get(_key(request))
        if entry is None:
            return request
        return request.with_headers({"If-None-Match": entry[0]})

    def resolve(self, request: Request, response: Response) -> Response:
        """The answer to use: the kept one on a ``304``; otherwise ``response``, kept when it
        is a ``200`` with an ``ETag`` (and anything kept for the URL dropped when not)."""
        key = _key(request)
        if response.status == 304:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                return entry[1]
            return response
        etag = response.headers.get("etag")
        if response.status == 200 and etag:
            self._entries[key] = (etag, response)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        else:
            self._entries.pop(key, None)
        return response
