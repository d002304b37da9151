"""Writing files safely: a killed run never leaves a half-written file under a real name."""

from __future__ import annotations

import contextlib
import itertools
import os
import queue
import threading
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

_counter = itertools.count()


def _create_temporary(path: Path) -> tuple[int, str]:
    """A new file beside ``path``, created with mode 0666 less the umask (as ``open`` does;
    ``mkstemp`` would give 0600 and colleagues could not open the documents)."""
    while True:
        tmp = str(path.parent / f".{path.name}.{os.getpid()}.{next(_counter)}.part")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), tmp
        except FileExistsError:
            continue


def write_atomic(
    path: str | Path, data: bytes | Callable[[BinaryIO], object], *, make_parents: bool = True
) -> Path:
    """Write ``data`` (bytes, or a function writing to a binary file) to ``path`` through a
    temporary file in the same folder and a rename. ``make_parents=False`` skips creating
    the folder (a batch creates it once)."""
    path = Path(path)
    if make_parents:
        path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _create_temporary(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            if isinstance(data, bytes | bytearray | memoryview):
                handle.write(data)
            else:
                data(handle)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


class BackgroundWriter:
    """Writes files atomically on one background thread, in the order they are queued.

    Creating a file is mostly kernel work that releases the GIL, so a batch renders the next
    document while the previous one is written. ``wait()`` returns once every queued file is
    in place and raises the first write error; after an error the files queued behind it are
    not written. At most ``depth`` documents wait in memory.
    """

    def __init__(self, depth: int = 32) -> None:
        self._queue: queue.Queue[tuple[str, bytes] | None] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None

    def put(self, path: str, data: bytes) -> None:
        """Queue ``data`` for ``path`` (the folder must exist); blocks while the queue is full."""
        if self._error is not None:
            raise self._error
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="vn-union-docs-writer",
                                            daemon=True)
            self._thread.start()
        self._queue.put((path, data))

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if item is None:
                    return
                if self._error is None:
                    write_atomic(item[0], item[1], make_parents=False)
            except BaseException as exc:  # reported by wait() in the caller's thread
                self._error = exc
            finally:
                self._queue.task_done()

    def wait(self) -> None:
        """Block until every queued file is written; raise the first write error."""
        self._queue.join()
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
