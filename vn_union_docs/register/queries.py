"""Reading the register: entries, series, closed years, the audit trail (``Register``'s
read-only half; the transactions come from ``Register._tx``)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy import Connection, select

from vn_union_docs.register import schema
from vn_union_docs.register.facts import format_number
from vn_union_docs.register.types import Entry, RegisterError


class RegisterQueries:
    """The read-only commands of ``Register``."""

    where: str
    _tx: Callable[[], AbstractContextManager[Connection]]

    def find(self, number: int, symbol: str, year: int, kind: str | None = None) -> Entry:
        """The entry ``number/symbol`` of ``year``; raises ``RegisterError`` if unknown or
        ambiguous (the same number in a secret series: give ``kind``)."""
        found = [entry for entry in self.entries(year=year, number=number)
                 if entry.symbol.upper() == symbol.upper() and kind in (None, entry.kind)]
        if not found:
            raise RegisterError(
                f"sổ «{self.where}» không có số {format_number(number, symbol)} năm {year}")
        if len(found) > 1:
            kinds = ", ".join(entry.kind for entry in found)
            raise RegisterError(f"số {format_number(number, symbol)} năm {year} có trong nhiều "
                                f"hệ thống số ({kinds}); chọn một bằng --series")
        return found[0]

    def closed_years(self) -> list[int]:
        """Years closed with ``close_year``."""
        with self._tx() as conn:
            return [r.year for r in conn.execute(select(schema.closed_years.c.year)
                                                 .order_by(schema.closed_years.c.year))]

    def entries(self, *, year: int | None = None, number: int | None = None,
                issuer_code: str | None = None) -> list[Entry]:
        """Entries in register order (issuer, year, series, number)."""
        s, e = schema.series, schema.entries
        query = select(s.c.issuer_code, s.c.year, s.c.kind, e).join(s, e.c.series_id == s.c.id)
        if year is not None:
            query = query.where(s.c.year == year)
        if number is not None:
            query = query.where(e.c.number == number)
        if issuer_code is not None:
            query = query.where(s.c.issuer_code == issuer_code)
        query = query.order_by(s.c.issuer_code, s.c.year, s.c.kind, e.c.number)
        with self._tx() as conn:
            rows = conn.execute(query).mappings().all()
        return [Entry(
            id=r["id"], issuer_code=r["issuer_code"], year=r["year"], kind=r["kind"],
            number=r["number"], symbol=r["symbol"], state=r["state"], doc_key=r["doc_key"],
            doc_date=r["doc_date"], doc_type=r["doc_type"], subject=r["subject"],
            signer=r["signer"], recipients=r["recipients"], archive=r["archive"],
            copies=r["copies"], file_name=r["file_name"], sha256=r["sha256"], note=r["note"],
            updated_at=r["updated_at"]) for r in rows]

    def series_list(self, year: int | None = None) -> list[dict[str, Any]]:
        """The series (issuer, year, kind, first and next number)."""
        s = schema.series
        query = select(s).order_by(s.c.issuer_code, s.c.year, s.c.kind)
        if year is not None:
            query = query.where(s.c.year == year)
        with self._tx() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def audit_trail(self, year: int | None = None) -> list[dict[str, Any]]:
        """The audit rows, oldest first."""
        a = schema.audit
        query = select(a).order_by(a.c.id)
        if year is not None:
            query = query.where((a.c.year == year) | a.c.year.is_(None))
        with self._tx() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]
