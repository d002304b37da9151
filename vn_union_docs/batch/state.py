"""A batch's own files in its output folder: the lock, the checkpoint, the reports being
written, and cleaning up after a killed run.

- ``.vnud-lock``: one run at a time per folder (``fcntl.flock``; released by the kernel when
  the process dies, so a killed run never leaves a stale lock). It holds who has it.
- ``.vnud-checkpoint.json``: how far the manifest and errors file are known good (rows, byte
  sizes, counts) and a fingerprint of the inputs; ``--skip-existing`` resumes from it without
  reading the documents already written (only the last chunk's files are checked).
- ``.vnud-_manifest.csv.part``, ``.vnud-_errors.csv.part``: the reports, streamed row by row
  (row order), renamed into place at the end; kept when a run stops so it can be resumed.
- ``.vnud-names.sqlite``: the file names already taken (``names.NameRegistry``).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import json
import os
import socket
import sys
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from vn_union_docs.batch.report import (
    _TMP_PREFIX,
    _TMP_SUFFIX,
    ERRORS_NAME,
    MANIFEST_NAME,
    FolderBusyError,
)
from vn_union_docs.files import csv_safe, is_regular_file, open_exclusive, write_atomic

LOCK_NAME = ".vnud-lock"
CHECKPOINT_NAME = ".vnud-checkpoint.json"
NAMES_DB = ".vnud-names.sqlite"
_PART = ".part"
_VERSION = 1

# --- the lock -----------------------------------------------------------------------------


class FolderLock:
    """An exclusive lock on an output folder, held until ``release`` or the process ends."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise ``FolderBusyError`` naming the run that has it."""
        while True:
            with contextlib.suppress(FileNotFoundError):
                if not is_regular_file(self.path):
                    os.unlink(self.path)  # a planted link or folder is never opened
            flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(
                os, "O_CLOEXEC", 0)
            fd = os.open(self.path, flags, 0o666)
            if not _try_lock(fd):
                holder = os.pread(fd, 2000, 0).decode("utf-8", "replace").strip()
                os.close(fd)
                raise FolderBusyError(
                    f"thư mục «{self.path.parent}» đang được một lần chạy khác dùng"
                    f"{' (' + holder + ')' if holder else ''}; chờ lần chạy đó xong (hoặc "
                    "dừng nó) rồi chạy lại, hoặc ghi vào thư mục khác"
                )
            try:  # the file we locked must still be the one at the path
                same = os.path.samestat(os.fstat(fd), os.lstat(self.path))
            except FileNotFoundError:
                same = False
            if not same:
                os.close(fd)
                continue
            started = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S %z")
            who = (f"tiến trình {os.getpid()} trên máy {socket.gethostname()}, bắt đầu "
                   f"{started}: {' '.join(sys.argv)[:500]}")
            os.ftruncate(fd, 0)
            os.pwrite(fd, who.encode("utf-8", "replace"), 0)
            self._fd = fd
            return

    def release(self) -> None:
        """Remove the lock file and let go."""
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            os.unlink(self.path)
        os.close(self._fd)
        self._fd = None


def _try_lock(fd: int) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


# --- cleaning up ----------------------------------------------------------------------------


def remove_temporaries(folder: Path, *, keep_resume: bool) -> None:
    """Remove what a stopped run left: documents' and PDFs' temporary files always; the
    checkpoint, names table and partial reports unless ``keep_resume``."""
    resume_files = {CHECKPOINT_NAME, NAMES_DB, NAMES_DB + "-wal", NAMES_DB + "-shm",
                    NAMES_DB + "-journal", *(f"{_TMP_PREFIX}{report}{_PART}"
                                             for report in (MANIFEST_NAME, ERRORS_NAME))}
    with os.scandir(folder) as entries:
        for entry in entries:
            name = entry.name
            if not name.startswith("."):
                continue
            if name in resume_files:
                stale = not keep_resume
            else:  # write_atomic's temporaries, and the reports' of older versions
                stale = name.endswith(_PART) or (
                    name.startswith(_TMP_PREFIX) and name.endswith(_TMP_SUFFIX))
            if stale:
                with contextlib.suppress(FileNotFoundError, IsADirectoryError):
                    os.unlink(entry.path)


# --- reports streamed to disk --------------------------------------------------------------


class CsvStream:
    """A CSV report written row by row to ``.vnud-NAME.part`` and renamed to ``NAME`` at the
    end. Every cell goes through ``files.csv_safe``; UTF-8 with BOM (Excel reads the
    Vietnamese). ``resume`` continues a partial file cut back to a known good size."""

    def __init__(self, folder: Path, name: str, header: list[str], *,
                 resume_bytes: int | None = None) -> None:
        self.final = folder / name
        self.part = part_path(folder, name)
        self.lines = 0
        if resume_bytes is None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.part)
            fd = open_exclusive(self.part)
            self._raw = os.fdopen(fd, "wb")
            self._raw.write("\ufeff".encode())
            self._start()
            self._writer.writerow(header)
        else:
            if not is_regular_file(self.part):
                raise FileNotFoundError(self.part)
            fd = os.open(self.part, os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0))
            os.ftruncate(fd, resume_bytes)
            os.lseek(fd, resume_bytes, os.SEEK_SET)
            self._raw = os.fdopen(fd, "wb")
            self._start()

    def _start(self) -> None:
        self._text = io.TextIOWrapper(self._raw, encoding="utf-8", newline="",
                                      write_through=True)
        self._writer = csv.writer(self._text)

    def row(self, *values: object) -> None:
        self._writer.writerow([csv_safe(v) for v in values])
        self.lines += 1

    def size(self) -> int:
        """Bytes written so far (flushed)."""
        self._text.flush()
        self._raw.flush()
        return self._raw.tell()

    def close(self) -> None:
        if not self._text.closed:
            self._text.close()

    def commit(self) -> Path:
        """Close and rename into place."""
        self.close()
        os.replace(self.part, self.final)
        return self.final


def report_source(folder: Path, name: str, size: int) -> Path | None:
    """Where a report with at least ``size`` good bytes is: the partial ``.vnud-NAME.part``
    of a stopped run, else the finished ``NAME``; None when neither is there."""
    for path in (part_path(folder, name), folder / name):
        if is_regular_file(path) and path.stat().st_size >= size:
            return path
    return None


def part_path(folder: Path, name: str) -> Path:
    """The name a report has while it is being written."""
    return folder / f"{_TMP_PREFIX}{name}{_PART}"


# --- the checkpoint -------------------------------------------------------------------------


@dataclass
class Checkpoint:
    """How far a run got: every row up to ``row`` is in the manifest or the errors file."""

    fingerprint: str
    total: int
    width: int
    row: int = 0
    done: int = 0  # rows accounted for (documents + failed rows)
    manifest_bytes: int = 0
    manifest_lines: int = 0
    errors_bytes: int = 0
    error_lines: int = 0
    failed_rows: int = 0
    complete: bool = False
    version: int = _VERSION

    def save(self, folder: Path) -> None:
        write_atomic(folder / CHECKPOINT_NAME,
                     json.dumps(asdict(self), sort_keys=True).encode(), make_parents=False)

    @classmethod
    def load(cls, folder: Path, fingerprint: str) -> Checkpoint | None:
        """The folder's checkpoint if it was made from the same inputs, else None."""
        path = folder / CHECKPOINT_NAME
        if not is_regular_file(path):
            return None
        try:
            data = json.loads(path.read_bytes()[:100_000])
            found = cls(**data)
        except (ValueError, TypeError, OSError):
            return None
        if found.version != _VERSION or found.fingerprint != fingerprint:
            return None
        return found


def fingerprint(parts: Iterable[Any]) -> str:
    """A digest of what decides the output: spec, template, name pattern, data file."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(json.dumps(part, sort_keys=True, default=str,
                                 ensure_ascii=False).encode())
        digest.update(b"\0")
    return digest.hexdigest()


def file_identity(path: str | Path | None) -> list[Any] | None:
    """Path, size and modification time of a file (None when there is none)."""
    if path is None:
        return None
    with contextlib.suppress(OSError):
        info = os.stat(path)
        return [str(Path(path).resolve()), info.st_size, info.st_mtime_ns]
    return [str(path)]


def tail_lines(path: Path, size: int, count: int) -> list[list[str]]:
    """The last ``count`` CSV records of the first ``size`` bytes of ``path`` (names hold no
    line breaks: ``check_name`` refuses them)."""
    with path.open("rb") as handle:
        start = max(0, size - 512 * count - 4096)
        handle.seek(start)
        block = handle.read(size - start)
    lines = block.decode("utf-8", "replace").splitlines()
    if start > 0:
        lines = lines[1:]  # probably cut
    records = [r for r in csv.reader(lines[-count - 1:]) if r]
    return records[-count:]


def verify_tail(folder: Path, records: list[list[str]]) -> bool:
    """The files of the last manifest records are regular files with the recorded digest."""
    for record in records:
        if len(record) < 3 or record[0] == "file":
            continue
        path = folder / record[0]
        if not is_regular_file(path):
            return False
        with path.open("rb") as handle:
            if hashlib.file_digest(handle, "sha256").hexdigest() != record[2]:
                return False
    return True
