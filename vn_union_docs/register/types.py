"""The register's value types and its error (no database code here)."""

from __future__ import annotations

import datetime as dt
import getpass
import os
import socket
from dataclasses import dataclass

from vn_union_docs.errors import VnUnionDocsError
from vn_union_docs.register.facts import format_number

ARTICLE = "NĐ 30/2020, Điều 15"


class RegisterError(VnUnionDocsError):
    """The register cannot do what was asked: not a register, unreachable, closed year, a
    number held by another document, an unknown number."""


@dataclass(frozen=True)
class Allocation:
    """A number given to (or recorded for) a document."""

    entry_id: int
    number: int
    symbol: str
    year: int
    kind: str
    reused: bool = False
    warnings: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """``05/CĐKCN``."""
        return format_number(self.number, self.symbol)


@dataclass
class Refusal:
    """Why one document of a batch gets no number (the others go on)."""

    message: str


@dataclass(frozen=True)
class Entry:
    """One row of the register, as listed and printed."""

    id: int
    issuer_code: str
    year: int
    kind: str
    number: int
    symbol: str
    state: str
    doc_key: str | None
    doc_date: dt.date | None
    doc_type: str | None
    subject: str | None
    signer: str | None
    recipients: str | None
    archive: str | None
    copies: int | None
    file_name: str | None
    sha256: str | None
    note: str | None
    updated_at: str

    @property
    def text(self) -> str:
        """``05/CĐKCN``."""
        return format_number(self.number, self.symbol)


def now() -> str:
    """The time now, UTC, ISO 8601 to the second (the audit trail's clock)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def actor() -> str:
    """Who is acting, for the audit trail: ``VN_UNION_DOCS_USER`` or the login, and the host."""
    user = os.environ.get("VN_UNION_DOCS_USER")
    if not user:
        try:
            user = getpass.getuser()
        except (OSError, KeyError):
            user = "?"
    return f"{user}@{socket.gethostname()}"
