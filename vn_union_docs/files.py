"""Writing files safely: a killed run never leaves a half-written file under a real name."""

from __future__ import annotations

import contextlib
import itertools
import os
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


def write_atomic(path: str | Path, data: bytes | Callable[[BinaryIO], object]) -> Path:
    """Write ``data`` (bytes, or a function writing to a binary file) to ``path`` through a
    temporary file in the same folder and a rename."""
    path = Path(path)
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
