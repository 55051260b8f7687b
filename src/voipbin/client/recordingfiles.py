"""``client.recordingfiles.download(recording_id)``: the zip of a recording's two WAVs, as
bytes.

``GET /v1.0/recordingfiles/{id}`` answers ``307`` to a signed, expiring link, which the
resource declarations cannot express (they describe JSON answers); this accessor asks for
the link, then downloads it (both through the core: retries and errors as every call). The
link is on the same server (a path), so the shells send it to the client's base URL.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlsplit

from voipbin.client.calls import Id
from voipbin.client.core import ClientCore
from voipbin.client.exchange import Exchange, Request
from voipbin.client.resources import AsyncRunner, Runner
from voipbin.common.errors import Internal
from voipbin.models.recording import RECORDINGFILES_PATH


def download(core: ClientCore, recording_id: Id) -> Exchange[bytes]:
    """The exchange of a download: the link, then the zip."""
    path = RECORDINGFILES_PATH.format(id=quote(str(recording_id), safe=""))
    answer = yield from core.call(Request("GET", path))
    location = answer.headers.get("location", "")
    if answer.status != 307 or not location:
        raise Internal(message=f"GET {path} answered {answer.status}, not a 307 with a link")
    link = urlsplit(location)
    params = tuple(parse_qsl(link.query, keep_blank_values=True))
    response = yield from core.call(Request("GET", link.path, params=params))
    return response.content


class RecordingFiles:
    """``client.recordingfiles`` on a :class:`~voipbin.client.Client`."""

    def __init__(self, core: ClientCore, run: Runner) -> None:
        self._core = core
        self._run = run

    def download(self, recording_id: Id) -> bytes:
        """The zip of the recording's files (``<name>_in.wav``, ``<name>_out.wav``)."""
        return self._run(download(self._core, recording_id))


class AsyncRecordingFiles:
    """``client.recordingfiles`` on an :class:`~voipbin.client.AsyncClient`."""

    def __init__(self, core: ClientCore, run: AsyncRunner) -> None:
        self._core = core
        self._run = run

    async def download(self, recording_id: Id) -> bytes:
        """The zip of the recording's files (``<name>_in.wav``, ``<name>_out.wav``)."""
        return await self._run(download(self._core, recording_id))
