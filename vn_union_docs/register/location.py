"""Where the register is: ``--register PATH_OR_URL``, else ``VN_UNION_DOCS_REGISTER``, else (for
``number: auto``) the default file ``default_path()``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

ENV_VAR = "VN_UNION_DOCS_REGISTER"
DEFAULT_NAME = "so-van-ban-di.sqlite"


def default_path() -> Path:
    """The default register file: ``$XDG_DATA_HOME/vn-union-docs/so-van-ban-di.sqlite``
    (``~/.local/share/…`` when unset; ``%APPDATA%\\vn-union-docs\\…`` on Windows)."""
    if sys.platform == "win32" and os.environ.get("APPDATA"):
        base = Path(os.environ["APPDATA"])
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "vn-union-docs" / DEFAULT_NAME


def resolve(option: str | None, *, needed: bool) -> str | None:
    """The register to use: the option, the environment variable, or — when ``needed`` (a
    document has ``number: auto``) — the default file; ``None`` means no register."""
    if option:
        return option
    if os.environ.get(ENV_VAR):
        return os.environ[ENV_VAR]
    return str(default_path()) if needed else None


def is_url(target: str) -> bool:
    """Whether ``target`` is a database URL rather than a file path."""
    return "://" in target


def database_url(target: str) -> str:
    """A SQLAlchemy URL: ``postgresql://`` gets the psycopg 3 driver, a path becomes SQLite."""
    if is_url(target):
        scheme, rest = target.split("://", 1)
        if scheme in ("postgres", "postgresql"):
            return f"postgresql+psycopg://{rest}"
        return target
    return f"sqlite+pysqlite:///{Path(target).expanduser().resolve()}"


def libpq_url(target: str) -> str:
    """``target`` as libpq (psql, pg_dump) reads it: ``postgresql://…`` without a driver."""
    scheme, rest = target.split("://", 1)
    return f"postgresql://{rest}" if scheme.startswith("postgres") else target


def describe(target: str) -> str:
    """``target`` for messages, without a password."""
    if not is_url(target):
        return target
    try:
        return make_url(database_url(target)).render_as_string(hide_password=True)
    except ArgumentError:
        return target.split("@")[-1]


def make_engine(target: str, *, create: bool, busy_timeout: float) -> Engine:
    """An engine for ``target``. A missing SQLite file is created only when ``create``."""
    from vn_union_docs.register.types import RegisterError

    url = database_url(target)
    if url.startswith("sqlite"):
        path = Path(url.split(":///", 1)[1])
        if path.is_dir():
            raise RegisterError(f"«{target}» là một thư mục, không phải tệp sổ đăng ký")
        if not path.exists():
            if not create:
                raise RegisterError(
                    f"không có sổ đăng ký «{target}»; kiểm tra đường dẫn, hoặc tạo sổ mới bằng "
                    "«vn-union-docs register init --register …»")
            path.parent.mkdir(parents=True, exist_ok=True)
        return create_engine(url, pool_size=1, max_overflow=4,
                             connect_args={"timeout": busy_timeout, "check_same_thread": False})
    if url.startswith("postgresql"):
        try:
            return create_engine(url, pool_size=1, max_overflow=4,
                                 connect_args={"connect_timeout": 10})
        except (ArgumentError, ImportError) as exc:
            raise RegisterError(f"địa chỉ sổ đăng ký «{describe(target)}» sai: {exc}") from None
    raise RegisterError(
        f"«{describe(target)}»: sổ đăng ký là một tệp (SQLite) hoặc địa chỉ postgresql://…")
