"""An email's attachments: each names a recording of the email's customer, and the send
attaches that recording's files as upstream's email service does: one zip per recording,
``<recording id>.zip`` (``application/zip``), holding its ``<recording_name>_in.wav`` and
``_out.wav`` (the zip ``GET /v1.0/recordingfiles/{id}`` downloads).

- Made: every attachment must name a live recording of the customer (the API's ``422``
  naming ``attachments[i].reference_id``; a flow's ``email_send`` makes nothing).
- Waiting: a recording still running, or ended with its files not written yet, holds the
  send back: the send job looks again every :data:`RECHECK_SECONDS`, for at most
  :data:`WAIT` from the first time it found one not ready; then it goes without it.
- Size: the attached files together are at most :data:`MAX_ATTACHED_BYTES` (base64 makes
  them a third larger, under the 25 MB most mail servers take); a recording whose zip would
  pass it is left out, and those after it that still fit are attached.

What became of each attachment (``attached``, ``too_large``, ``not_ready``, ``not_found``:
deleted meanwhile) is logged and shown in the simulator's local outbox. Reading and zipping
files blocks: :func:`build` runs in a worker thread, outside every transaction.
"""

from __future__ import annotations

import asyncio
import hashlib
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from voipbin.common.errors import Unprocessable
from voipbin.models.flows.options import Attachment
from voipbin.server.runtime.emails.smtp import Part
from voipbin.server.runtime.recordings.files import RecordingFiles
from voipbin.server.runtime.recordings.rows import RecordingRows
from voipbin.server.storage.database import Executor

#: The attached files' total size, in bytes.
MAX_ATTACHED_BYTES = 15 * 1024 * 1024
#: How long after an email is made its send waits for its recordings' files.
WAIT = timedelta(hours=1)
#: How often a waiting send looks again.
RECHECK_SECONDS = 30.0
CONTENT_TYPE = "application/zip"

State = Literal["ready", "pending", "not_found"]


@dataclass(frozen=True, slots=True)
class Found:
    """An attachment's recording, as the send found it."""

    attachment: Attachment
    state: State
    filenames: tuple[str, ...] = ()

    @property
    def recording_id(self) -> str:
        return str(self.attachment.reference_id)


@dataclass(frozen=True, slots=True)
class Prepared:
    """What a send carries, and what became of each attachment (the local outbox's
    ``attachments``, in the email's order)."""

    parts: tuple[Part, ...]
    report: tuple[dict[str, Any], ...]


class Attachments:
    """Finds emails' recordings and makes their files into parts."""

    def __init__(
        self, rows: RecordingRows, files: RecordingFiles, limit: int = MAX_ATTACHED_BYTES
    ) -> None:
        self.rows = rows
        self.files = files
        self.limit = limit
        """The attached files' total size, in bytes."""

    async def check(
        self, executor: Executor | None, customer_id: str, attachments: list[Attachment], field: str
    ) -> None:
        """A ``422`` naming ``<field>[i].reference_id`` for the first attachment that is no
        live recording of ``customer_id``."""
        for i, attachment in enumerate(attachments):
            recording = await self.rows.get(str(attachment.reference_id), executor)
            if recording is None or recording.deleted or recording.customer_id != customer_id:
                raise Unprocessable.field(
                    f"{field}[{i}].reference_id", "is not a live recording of the customer"
                )

    async def find(
        self, executor: Executor, customer_id: str, attachments: list[Attachment]
    ) -> list[Found]:
        """Each attachment's recording: ``ready`` (ended, its files written), ``pending``
        (still running, or its files not written yet) or ``not_found``."""
        found: list[Found] = []
        for attachment in attachments:
            recording = await self.rows.get(str(attachment.reference_id), executor)
            if recording is None or recording.deleted or recording.customer_id != customer_id:
                found.append(Found(attachment, "not_found"))
                continue
            names = recording.filenames
            ready = recording.status == "ended" and await asyncio.to_thread(
                self.files.complete, recording.id, names
            )
            found.append(Found(attachment, "ready" if ready else "pending", tuple(names)))
        return found

    def build(self, found: list[Found]) -> Prepared:
        """The parts of the ``ready`` recordings that fit, in order (blocking)."""
        parts: list[Part] = []
        report: list[dict[str, Any]] = []
        room = self.limit
        for item in found:
            filename = f"{item.recording_id}.zip"
            entry: dict[str, Any] = {
                "reference_type": item.attachment.reference_type,
                "reference_id": item.recording_id,
                "status": "not_ready" if item.state == "pending" else item.state,
                "filename": filename,
                "content_type": CONTENT_TYPE,
                "size": 0,
                "sha256": "",
            }
            report.append(entry)
            if item.state != "ready":
                continue
            data = self._zip(item, room)
            if data is None:  # a file went meanwhile: the recording was deleted
                entry["status"] = "not_found"
                continue
            size, digest, content = data
            entry.update(size=size, sha256=digest)
            if content is None:
                entry["status"] = "too_large"
                continue
            entry["status"] = "attached"
            parts.append(Part(filename, CONTENT_TYPE, content))
            room -= size
        return Prepared(tuple(parts), tuple(report))

    def _zip(self, item: Found, room: int) -> tuple[int, str, bytes | None] | None:
        """The recording's zip: its size, its SHA-256 and its bytes (``None`` when larger
        than ``room``); ``None`` when a file is missing. Written to a temporary file first,
        so a zip too large is never held in memory."""
        with tempfile.TemporaryFile() as spool:
            if not self.files.zip_into(item.recording_id, list(item.filenames), spool):
                return None
            size = spool.tell()
            spool.seek(0)
            digest = hashlib.sha256()
            while chunk := spool.read(1 << 20):
                digest.update(chunk)
            if size > room:
                return size, digest.hexdigest(), None
            spool.seek(0)
            return size, digest.hexdigest(), spool.read()
