"""A recording's files on disk, under the data directory (``VOIPBIN_DATA_DIR``)::

    <data_dir>/recordings/<recording_id>/<recording_name>_in.wav
    <data_dir>/recordings/<recording_id>/<recording_name>_out.wav

Each is a WAV of 8 kHz, 16-bit mono PCM lasting exactly what was recorded (``tm_start`` to
``tm_end``, to the sample). The simulated network carries no audio, so both hold silence.
A file is written under a temporary name and renamed into place, so a reader (another
process on the same mounted directory) sees a whole file or none. Everything here blocks:
callers run it in a worker thread (:func:`asyncio.to_thread`), never on the event loop and
never inside a database transaction.
"""

from __future__ import annotations

import io
import os
import shutil
import uuid
import wave
import zipfile
from pathlib import Path
from typing import IO

SAMPLE_RATE = 8000
SAMPLE_WIDTH = 2
CHANNELS = 1
#: Silence is written this many frames at a time (one second).
_CHUNK = SAMPLE_RATE
_SILENCE = b"\x00" * (_CHUNK * SAMPLE_WIDTH * CHANNELS)


def frames_for(seconds: float) -> int:
    """The samples of ``seconds`` of audio (rounded to the nearest one)."""
    return max(round(seconds * SAMPLE_RATE), 0)


class RecordingFiles:
    """The recordings' part of the data directory."""

    def __init__(self, data_dir: str | os.PathLike[str]) -> None:
        self.root = Path(data_dir) / "recordings"

    def directory(self, recording_id: str) -> Path:
        return self.root / recording_id

    def paths(self, recording_id: str, filenames: list[str]) -> list[Path]:
        return [self.directory(recording_id) / name for name in filenames]

    def complete(self, recording_id: str, filenames: list[str]) -> bool:
        """Whether every file of the recording is in place."""
        return bool(filenames) and all(p.is_file() for p in self.paths(recording_id, filenames))

    def write(self, recording_id: str, filenames: list[str], seconds: float) -> None:
        """Write each file as ``seconds`` of silence (a file in place is left as it is)."""
        directory = self.directory(recording_id)
        directory.mkdir(parents=True, exist_ok=True)
        for path in self.paths(recording_id, filenames):
            if not path.is_file():
                _write_silence(path, frames_for(seconds))

    def remove(self, recording_id: str) -> None:
        """Delete the recording's files (nothing there is fine)."""
        shutil.rmtree(self.directory(recording_id), ignore_errors=True)

    def zip(self, recording_id: str, filenames: list[str]) -> bytes | None:
        """The files in one zip; ``None`` when one is missing."""
        buffer = io.BytesIO()
        return buffer.getvalue() if self.zip_into(recording_id, filenames, buffer) else None

    def zip_into(self, recording_id: str, filenames: list[str], out: IO[bytes]) -> bool:
        """Write the files' zip to ``out`` (the same bytes every time while the files stay
        as they are); ``False`` when one is missing."""
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path in self.paths(recording_id, filenames):
                try:
                    archive.write(path, arcname=path.name)
                except FileNotFoundError:
                    return False
        return True


def _write_silence(path: Path, frames: int) -> None:
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex}.partial")
    with wave.open(str(partial), "wb") as out:
        out.setnchannels(CHANNELS)
        out.setsampwidth(SAMPLE_WIDTH)
        out.setframerate(SAMPLE_RATE)
        out.setnframes(frames)
        left = frames
        while left > 0:
            n = min(left, _CHUNK)
            out.writeframesraw(_SILENCE[: n * SAMPLE_WIDTH * CHANNELS])
            left -= n
    os.replace(partial, path)
