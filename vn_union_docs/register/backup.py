"""A consistent copy of a live register (``register backup FILE``).

SQLite: the online backup API, a snapshot taken while other clerks keep allocating; the copy is
itself a register file. PostgreSQL: ``pg_dump --format=custom`` (one snapshot transaction),
restored with ``pg_restore -d URL FILE``; needs ``pg_dump`` on the PATH. Either way the copy is
written to a temporary file beside ``path`` and renamed into place.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from vn_union_docs.register.location import libpq_url
from vn_union_docs.register.types import RegisterError

if TYPE_CHECKING:
    from vn_union_docs.register.core import Register


def backup(register: Register, path: str | Path) -> Path:
    """Copy ``register`` to ``path`` (atomically); raises ``RegisterError``."""
    target = Path(path)
    if target.is_dir():
        raise RegisterError(f"«{target}» là một thư mục; cho tên tệp sao lưu")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        if register.is_sqlite:
            _sqlite(register, tmp)
        else:
            _postgresql(register, tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def _sqlite(register: Register, tmp: Path) -> None:
    destination = sqlite3.connect(tmp)
    try:
        source = register.engine.raw_connection()
        try:
            source.driver_connection.backup(destination)  # type: ignore[union-attr]
        finally:
            source.close()
    except sqlite3.Error as exc:
        raise RegisterError(f"không sao lưu được sổ «{register.where}»: {exc}") from None
    finally:
        destination.close()


def _postgresql(register: Register, tmp: Path) -> None:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise RegisterError(
            "sao lưu sổ trên PostgreSQL cần chương trình pg_dump (apt-get install "
            "postgresql-client)")
    done = subprocess.run(
        [pg_dump, "--format=custom", "--no-owner", f"--file={tmp}", libpq_url(register.target)],
        capture_output=True, text=True, timeout=3600, check=False)
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["?"])[-1]
        raise RegisterError(f"pg_dump không sao lưu được sổ «{register.where}»: {reason}")
