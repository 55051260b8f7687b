"""The routes of recordings' files:

- ``GET /v1.0/recordingfiles/{id}`` (the id is a recording's; whoever may read the recording)
  -> ``307`` to a signed, expiring link (``Location``; the body is the link as a JSON
  string, as upstream's); ``404 RECORDING_NOT_FOUND`` for a deleted recording,
  ``409 RECORDING_FILES_NOT_READY`` before it has ended or while its files are written;
- ``GET /files/recordings/{id}.zip?expires=...&signature=...`` (no credentials: the link is
  them) -> ``200`` the zip of its two WAVs; ``403 RECORDING_FILE_LINK_INVALID`` for a link
  altered or expired, ``404 RECORDING_NOT_FOUND`` once the recording is deleted,
  ``409 RECORDING_FILES_NOT_READY`` for a file missing.
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from voipbin.common.errors import FailedPrecondition, InvalidArgument, NotFound
from voipbin.common.ids import canonical_id
from voipbin.models.recording import RECORDINGFILES_PATH
from voipbin.server.auth.credentials import Authenticator
from voipbin.server.http import (
    Endpoint,
    check_parameters,
    json_response,
    no_parameters,
    path_id,
    query_params,
)
from voipbin.server.resources.service import ResourceService
from voipbin.server.runtime.recordings.links import DOWNLOAD_PATH, Links
from voipbin.server.runtime.recordings.service import RecordingRuntime

_NOT_READY = "The recording's files are being written; try again in a moment."


def recording_file_routes(
    auth: Authenticator,
    service: ResourceService[Any],
    recordings: RecordingRuntime,
    links: Links,
) -> list[Route]:
    """The link route (behind the recordings' read rules) and the download route."""
    clock = recordings.jobs.clock
    files = recordings.files

    async def redirect(request: Request) -> Response:
        principal = await auth.authenticate(request)
        no_parameters(request)
        # The recordings' rules: a bad id is a 400, another customer's recording a 404.
        await service.get(principal, request.path_params["id"])
        recording = await recordings.rows.get(canonical_id(request.path_params["id"]))
        if recording is None or recording.deleted:
            raise NotFound("RECORDING_NOT_FOUND")
        if recording.status != "ended":
            raise FailedPrecondition(
                "RECORDING_FILES_NOT_READY",
                f"The recording is {recording.status}: its files are written when it ends.",
            )
        names = recording.filenames
        if not await asyncio.to_thread(files.complete, recording.id, names):
            raise FailedPrecondition("RECORDING_FILES_NOT_READY", _NOT_READY)
        link = await links.link(recording.id, clock.now())
        return json_response(link, 307, headers={"Location": link})

    async def download(request: Request) -> Response:
        params = query_params(request.scope)
        check_parameters(params, ("expires", "signature"))
        for name in ("expires", "signature"):
            if name not in params:
                raise InvalidArgument.field(
                    name, "is part of the link", "MISSING_REQUEST_PARAMETER"
                )
        recording_id = path_id(request.path_params["id"])
        await links.check(recording_id, params["expires"], params["signature"], clock.now())
        recording = await recordings.rows.get(recording_id)
        if recording is None or recording.deleted:
            raise NotFound("RECORDING_NOT_FOUND")
        archive = await asyncio.to_thread(files.zip, recording.id, recording.filenames)
        if archive is None:
            raise FailedPrecondition("RECORDING_FILES_NOT_READY", _NOT_READY)
        disposition = f'attachment; filename="{recording.recording_name}.zip"'
        return Response(
            archive,
            200,
            headers={"Content-Disposition": disposition},
            media_type="application/zip",
        )

    return [
        Route(RECORDINGFILES_PATH, Endpoint(redirect), methods=["GET"]),
        Route(DOWNLOAD_PATH, Endpoint(download), methods=["GET"]),
    ]
