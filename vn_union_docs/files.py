"""Writing files safely: a killed run never leaves a half-written file under a real name, and
the library never follows a symbolic link it did not create.

- ``write_atomic``: a temporary file beside the target, opened exclusively and without
  following links (``O_CREAT | O_EXCL | O_NOFOLLOW``), then a rename over the target (a
  rename replaces a link itself, never the file it points to).
- ``open_exclusive``: the same temporary-file opening for writers that stream (CSV reports).
- ``is_regular_file``: ``lstat`` says a regular file (not a link, folder or device).
- ``csv_safe``: a CSV cell that Excel would read as a formula, neutralised.
- ``DirectWriter``, ``BackgroundWriter``, ``AdaptiveWriter``: a batch's atomic writes, in
  the caller's thread, on a background thread, or whichever costs the caller less.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import queue
import stat
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

__all__ = [
    "AdaptiveWriter",
    "BackgroundWriter",
    "DirectWriter",
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
# Whether files can be opened, renamed and removed relative to a folder descriptor.
_RELATIVE = {os.open, os.unlink, os.rename} <= os.supports_dir_fd
_FOLDER = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _CLOEXEC
# Linux: a file with no name in a folder, named later by linking its /proc/self/fd entry.
_UNNAMED = getattr(os, "O_TMPFILE", 0)
_NAMED_BY_LINK = bool(_UNNAMED) and _RELATIVE and os.link in os.supports_dir_fd \
    and os.path.isdir("/proc/self/fd")
# What open(O_TMPFILE) or the link says when the file system or the mount cannot do it.
_NO_UNNAMED = {errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.EXDEV, errno.ENOENT,
               errno.EPERM}

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


def open_exclusive(path: str | os.PathLike[str], dir_fd: int | None = None) -> int:
    """Create ``path`` (relative to ``dir_fd`` when given) for writing and return its
    descriptor; fails if anything (a file, a link, a folder) is already there. Mode 0666 less
    the umask, as ``open`` gives."""
    return os.open(path, _EXCLUSIVE, 0o666, dir_fd=dir_fd)


def _create_temporary(path: str, dir_fd: int | None = None) -> tuple[int, str]:
    """A new file beside ``path``, created exclusively without following links (a planted
    link at the temporary name is never written through; ``mkstemp`` would also give mode
    0600 and colleagues could not open the documents). With ``dir_fd``, ``path`` and the
    returned name are relative to that folder."""
    while True:
        tmp = _temporary_name(path)
        try:
            return open_exclusive(tmp, dir_fd), tmp
        except FileExistsError:
            continue


def _temporary_name(path: str) -> str:
    """A fresh temporary name beside ``path``: ``.NAME.PID.N.part`` (the shape
    ``batch.state.remove_temporaries`` clears and ``DirectWriter`` names in errors)."""
    head, tail = os.path.split(path)
    return os.path.join(head, f".{tail}.{os.getpid()}.{next(_counter)}.part")


def _write_all(fd: int, data: bytes | bytearray | memoryview) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _replace_through_temporary(target: str, data: bytes | Callable[[BinaryIO], object],
                               dir_fd: int | None = None) -> None:
    """The atomic write itself: a temporary file, then a rename over ``target`` (relative
    to ``dir_fd`` when given); the temporary file is removed if anything fails."""
    fd, tmp = _create_temporary(target, dir_fd)
    try:
        if isinstance(data, bytes | bytearray | memoryview):
            _write_all(fd, data)
            os.close(fd)
        else:
            with os.fdopen(fd, "wb") as handle:
                data(handle)
        os.replace(tmp, target, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(tmp, dir_fd=dir_fd)
        raise


def _write_unnamed(name: str, data: bytes, dir_fd: int) -> bool:
    """The atomic write with an unnamed file (Linux): ``data`` goes into a file with no name
    in the folder, which is then linked as ``name``. The file appears whole or not at all,
    and a process killed before the link leaves nothing behind, not even a temporary file.
    It also costs the kernel less than a named temporary and a rename: 36 against 45 µs a
    file on this project's ext4, 65 against 160 µs soon after a large deletion. If ``name``
    is taken, the file is linked under a temporary name and renamed over it (a planted link
    is replaced, never written through). False, with nothing written, where the folder's
    file system or mount cannot make or link unnamed files."""
    try:
        fd = os.open(".", _UNNAMED | os.O_WRONLY | _CLOEXEC, 0o666, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno in _NO_UNNAMED:
            return False
        exc.filename = None  # "." says nothing: the caller names the folder
        raise
    try:
        _write_all(fd, data)
        source = f"/proc/self/fd/{fd}"
        try:
            os.link(source, name, dst_dir_fd=dir_fd, follow_symlinks=True)
        except FileExistsError:
            while True:
                tmp = _temporary_name(name)
                try:
                    os.link(source, tmp, dst_dir_fd=dir_fd, follow_symlinks=True)
                    break
                except FileExistsError:
                    continue
            try:
                os.replace(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp, dir_fd=dir_fd)
                raise
        except OSError as exc:
            if exc.errno in _NO_UNNAMED - {errno.ENOENT}:
                return False
            if exc.errno == errno.ENOENT and not os.path.exists(source):  # no /proc here
                return False
            raise
    finally:
        os.close(fd)
    return True


def write_atomic(
    path: str | Path, data: bytes | Callable[[BinaryIO], object], *, make_parents: bool = True
) -> Path:
    """Write ``data`` (bytes, or a function writing to a binary file) to ``path`` through a
    temporary file in the same folder and a rename. ``make_parents=False`` skips creating
    the folder (a batch creates it once)."""
    target = os.fspath(path)
    if make_parents:
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    _replace_through_temporary(target, data)
    return Path(target)


class DirectWriter:
    """Atomic writes in the caller's thread, each file when it is given (``BackgroundWriter``'s
    interface). Files are named relative to their folder's descriptor, opened once per folder,
    so the kernel does not walk the whole path per call; errors still name whole paths."""

    def __init__(self) -> None:
        self._folders: dict[str, int] = {}  # folder → descriptor
        self._unnamed = _NAMED_BY_LINK  # unnamed files, until a folder cannot make them

    def put(self, path: str, data: bytes) -> None:
        """Write ``data`` to ``path`` now (the folder must exist)."""
        if not _RELATIVE:  # no *at() calls (Windows): whole paths
            _replace_through_temporary(path, data)
            return
        folder, name = os.path.split(path)
        try:
            fd = self._folder(folder)
            if self._unnamed and _write_unnamed(name, data, fd):
                return
            self._unnamed = False
            _replace_through_temporary(name, data, fd)
        except OSError as exc:
            for attribute in ("filename", "filename2"):  # the names relative to the folder
                given = getattr(exc, attribute)
                if given == name or (isinstance(given, str) and given.startswith(f".{name}.")
                                     and given.endswith(".part") and os.sep not in given):
                    setattr(exc, attribute, os.path.join(folder, given))
            if exc.filename is None:
                exc.filename = path
            raise

    def _folder(self, folder: str) -> int:
        fd = self._folders.get(folder)
        if fd is None:
            fd = self._folders[folder] = os.open(folder or ".", _FOLDER)
        return fd

    def mark(self) -> Callable[[], None]:
        """Every file is written already: nothing to wait for."""
        return self.wait

    def wait(self) -> None:
        """Nothing is pending."""

    def close(self) -> None:
        """Close the folders' descriptors."""
        for fd in self._folders.values():
            os.close(fd)
        self._folders.clear()

    def __enter__(self) -> DirectWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class BackgroundWriter:
    """Writes files atomically on one background thread, in the order they are queued.

    Creating a file is mostly kernel work that releases the GIL, so a batch renders the next
    document while the previous one is written. ``wait()`` returns once every queued file is
    in place and raises the first write error; after an error the files queued behind it are
    not written. At most ``depth`` documents wait in memory.

    The thread holds the GIL as little as it can: every hand-over between the threads costs
    the renderer time. It writes through a ``DirectWriter`` of its own (folder descriptors),
    and its bookkeeping is two ``SimpleQueue`` calls (C code) per file: ``depth`` tokens go
    round between the renderer and the writer, so ``put`` blocks while ``depth`` files wait;
    ``mark`` (and ``wait``) queue an event the thread sets when it reaches it.
    """

    def __init__(self, depth: int = 32) -> None:
        self._queue: queue.SimpleQueue[tuple[str, bytes] | threading.Event | None] = \
            queue.SimpleQueue()
        self._tokens: queue.SimpleQueue[None] = queue.SimpleQueue()
        for _ in range(depth):
            self._tokens.put(None)
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        self._direct = DirectWriter()  # used by the thread only

    def put(self, path: str, data: bytes) -> None:
        """Queue ``data`` for ``path`` (the folder must exist); blocks while ``depth`` files
        wait."""
        if self._error is not None:
            raise self._error
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="vn-union-docs-writer",
                                            daemon=True)
            self._thread.start()
        self._tokens.get()
        self._queue.put((path, data))

    def _run(self) -> None:
        get, give_back, write = self._queue.get, self._tokens.put, self._direct.put
        while (item := get()) is not None:
            if isinstance(item, threading.Event):  # a mark: every file before it is written
                item.set()
                continue
            try:
                if self._error is None:
                    write(*item)
            except BaseException as exc:  # reported by wait() in the caller's thread
                self._error = exc
            give_back(None)

    def mark(self) -> Callable[[], None]:
        """A function that blocks until every file queued so far is written and raises the
        first write error; files queued later are not waited for (so the thread keeps
        writing while the caller renders the next ones)."""
        if self._thread is None:
            return self._raise_error
        passed = threading.Event()
        self._queue.put(passed)

        def written() -> None:
            passed.wait()
            self._raise_error()

        return written

    def _raise_error(self) -> None:
        if self._error is not None:
            raise self._error

    def wait(self) -> None:
        """Block until every queued file is written; raise the first write error."""
        self.mark()()

    def close(self) -> None:
        """Finish the queued files and stop the thread (errors are left to ``wait``)."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
        self._direct.close()

    def __enter__(self) -> BackgroundWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AdaptiveWriter:
    """Atomic writes in the caller's thread while the disk answers quickly, on a background
    thread while it is slow (``BackgroundWriter``'s interface).

    A file handed to a thread costs the renderer 0.12–0.21 ms on this project's 2-core
    machine, whatever the disk: each of the thread's four system calls must take the GIL
    back from it. Writing the file itself costs the renderer what the kernel takes: 15–50 µs
    on tmpfs or a quiet ext4, but 250–500 µs on an ext4 that has just deleted many files, and
    milliseconds on a network share. So the writer writes directly, timing each ``window``
    of files; above ``slow_s`` a file it moves to the thread. From there it tries writing
    directly again after ``retry`` files, twice as many after each try that was still slow
    (the thread's files written first: a thread at work would make the try look slow).
    It changes only in ``mark()`` (a chunk's end): what ``mark`` waits for covers both.
    """

    slow_s = 120e-6
    window = 32
    retry = 1024
    retry_max = 65536

    def __init__(self, depth: int = 32) -> None:
        self._direct = DirectWriter()
        self._background = BackgroundWriter(depth)
        self._threaded = False
        self._spent = 0.0  # seconds spent writing directly in this window
        self._files = 0  # files in this window (direct) or since the move (threaded)
        self._retry = self.retry
        self._trying = False  # this direct window follows a slow one

    @property
    def threaded(self) -> bool:
        """Whether files go to the background thread now."""
        return self._threaded

    def put(self, path: str, data: bytes) -> None:
        """Write ``data`` to ``path``, now or on the thread (the folder must exist)."""
        self._files += 1
        if self._threaded:
            self._background.put(path, data)
            return
        self._background._raise_error()  # nothing is written after a file that failed
        start = time.perf_counter()
        self._direct.put(path, data)
        self._spent += time.perf_counter() - start

    def mark(self) -> Callable[[], None]:
        """A function that blocks until every file given so far is written and raises the
        first write error; then, every ``window`` files, the choice of thread or not."""
        written = self._background.mark()
        if self._threaded:
            if self._files >= self._retry:  # try writing directly again
                with contextlib.suppress(Exception):  # drained first, so the direct window
                    written()  # is timed alone (an error is raised again by written())
                self._threaded, self._trying = False, True
                self._files, self._spent = 0, 0.0
        elif self._files >= self.window:
            if self._spent / self._files > self.slow_s:
                self._threaded = True
                self._retry = min(self._retry * 2, self.retry_max) if self._trying \
                    else self.retry
            self._trying = False
            self._files, self._spent = 0, 0.0
        return written

    def wait(self) -> None:
        """Block until every file given so far is written; raise the first write error."""
        self.mark()()

    def close(self) -> None:
        """Finish the queued files, stop the thread, close the folders."""
        self._background.close()
        self._direct.close()

    def __enter__(self) -> AdaptiveWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
