"""Writing files safely: a killed run never leaves a half-written file under a real name, and
the library never follows a symbolic link it did not create.

- ``write_atomic``: a temporary file beside the target, opened exclusively and without
  following links (``O_CREAT | O_EXCL | O_NOFOLLOW``), then a rename over the target (a
  rename replaces a link itself, never the file it points to).
- ``open_exclusive``: the same temporary-file opening for writers that stream (CSV reports).
- ``is_regular_file``: ``lstat`` says a regular file (not a link, folder or device).
- ``csv_safe``: a CSV cell that Excel would read as a formula, neutralised.
- ``BackgroundWriter``: atomic writes on a background thread.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import queue
import stat
import threading
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

__all__ = [
    "BackgroundWriter",
    "csv_safe",
    "is_regular_file",
    "open_exclusive",
    "write_atomic",
]

_counter = itertools.count()
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_BINARY = getattr(os, "O_BINARY", 0)
_EXCLUSIVE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC | _BINARY

# Cells Excel and LibreOffice read as a formula or a command (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> object:
    """``value`` for a CSV cell: text starting with ``= + - @``, a tab or a carriage return
    gets a leading ``'`` so a spreadsheet shows it as text instead of running it; numbers
    and other text are unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def is_regular_file(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` itself (not what a link points to) is a regular file."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def open_exclusive(path: str | os.PathLike[str]) -> int:
    """Create ``path`` for writing and return its descriptor; fails if anything (a file, a
    link, a folder) is already there. Mode 0666 less the umask, as ``open`` gives."""
    return os.open(path, _EXCLUSIVE, 0o666)


def _create_temporary(path: str) -> tuple[int, str]:
    """A new file beside ``path``, created exclusively without following links (a planted
    link at the temporary name is never written through; ``mkstemp`` would also give mode
    0600 and colleagues could not open the documents)."""
    head, tail = os.path.split(path)
    pid = os.getpid()
    while True:
        tmp = os.path.join(head, f".{tail}.{pid}.{next(_counter)}.part")
        try:
            return open_exclusive(tmp), tmp
        except FileExistsError:
            continue


def write_atomic(
    path: str | Path, data: bytes | Callable[[BinaryIO], object], *, make_parents: bool = True
) -> Path:
    """Write ``data`` (bytes, or a function writing to a binary file) to ``path`` through a
    temporary file in the same folder and a rename. ``make_parents=False`` skips creating
    the folder (a batch creates it once)."""
    target = os.fspath(path)
    if make_parents:
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _create_temporary(target)
    try:
        if isinstance(data, bytes | bytearray | memoryview):
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.close(fd)
        else:
            with os.fdopen(fd, "wb") as handle:
                data(handle)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return Path(target)


class BackgroundWriter:
    """Writes files atomically on one background thread, in the order they are queued.

    Creating a file is mostly kernel work that releases the GIL, so a batch renders the next
    document while the previous one is written. ``wait()`` returns once every queued file is
    in place and raises the first write error; after an error the files queued behind it are
    not written. At most ``depth`` documents wait in memory.
    """

    def __init__(self, depth: int = 32) -> None:
        # A SimpleQueue (C code, no lock to take per item) and two counters: the producer
        # counts what it queued, the writer what it finished; each writes only its own.
        self._queue: queue.SimpleQueue[tuple[str, bytes] | None] = queue.SimpleQueue()
        self._depth = depth
        self._queued = 0
        self._done = 0
        self._finished = threading.Condition()
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None

    def put(self, path: str, data: bytes) -> None:
        """Queue ``data`` for ``path`` (the folder must exist); blocks while ``depth`` files
        wait."""
        if self._error is not None:
            raise self._error
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="vn-union-docs-writer",
                                            daemon=True)
            self._thread.start()
        if self._queued - self._done >= self._depth:
            with self._finished:
                self._finished.wait_for(lambda: self._queued - self._done < self._depth)
        self._queued += 1
        self._queue.put((path, data))

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            try:
                if self._error is None:
                    write_atomic(item[0], item[1], make_parents=False)
            except BaseException as exc:  # reported by wait() in the caller's thread
                self._error = exc
            finally:
                with self._finished:
                    self._done += 1
                    self._finished.notify_all()

    def wait(self) -> None:
        """Block until every queued file is written; raise the first write error."""
        with self._finished:
            self._finished.wait_for(lambda: self._done >= self._queued)
        if self._error is not None:
            raise self._error

    def close(self) -> None:
        """Finish the queued files and stop the thread (errors are left to ``wait``)."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None

    def __enter__(self) -> BackgroundWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
