"""One number on PostgreSQL in one statement, so the series row is locked for microseconds.

The general path (``Register.reserve``) locks the series row with ``SELECT … FOR UPDATE`` and
keeps it locked for the few round trips of its transaction: right for a batch chunk, slow for
many clerks allocating one number each (every round trip is waited for by all the others). For
a single ``number: auto`` whose key holds no number yet, this module runs one autocommit
statement: ``UPDATE`` the series row (the lock; ``next_number`` advanced), ``INSERT`` the entry
and its audit row from what the ``UPDATE`` returned. It is atomic: the number and its entry
exist together or not at all. Anything else (a new series, a key already numbered, a closed
year, the same file numbered by two clerks at the very same moment — refused by the unique
index on the key) is left to the general path, which decides under its lock.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from sqlalchemy import and_, select, text
from sqlalchemy.exc import IntegrityError

from vn_union_docs.register import schema
from vn_union_docs.register.facts import DocumentFacts
from vn_union_docs.register.types import ARTICLE, Allocation, now

if TYPE_CHECKING:
    from vn_union_docs.register.core import Register

_ALLOCATE = text("""
WITH s AS (
    UPDATE vnud_series
       SET next_number = next_number + 1,
           last_date = GREATEST(COALESCE(last_date, CAST(:doc_date AS DATE)),
                                CAST(:doc_date AS DATE))
     WHERE id = :sid AND NOT closed
 RETURNING id, next_number - 1 AS number, last_date
), e AS (
    INSERT INTO vnud_entries (series_id, number, symbol, state, doc_key, doc_date, doc_type,
                              type_name, subject, signer, recipients, archive, copies,
                              created_at, updated_at)
    SELECT s.id, s.number, :symbol, 'reserved', :doc_key, CAST(:doc_date AS DATE), :doc_type,
           :type_name, :subject, :signer, :recipients, :archive, :copies, :at, :at
      FROM s
 RETURNING id, number
), a AS (
    INSERT INTO vnud_audit (at, actor, action, issuer_code, year, kind, number, detail)
    SELECT :at, :actor, 'allocate', :issuer, :year, :kind, e.number, :detail FROM e
)
SELECT e.id, e.number, s.last_date FROM e, s
""")


def allocate_fast(register: Register, facts: DocumentFacts, key: str | None,
                  columns: dict[str, object]) -> Allocation | None:
    """The new number for ``facts`` (``number: auto``), or ``None`` when the general path
    must decide (see the module docstring)."""
    s, e = schema.series, schema.entries
    kind = facts.kind(register.numbering)
    with register.connection(autocommit=True) as conn:
        sid = conn.execute(select(s.c.id).where(and_(
            s.c.issuer_code == facts.issuer_code, s.c.year == facts.year,
            s.c.kind == kind))).scalar()
        if sid is None:
            return None
        if key is not None and conn.execute(select(e.c.id).where(and_(
                e.c.series_id == sid, e.c.doc_key == key, e.c.state != "cancelled"))).first():
            return None
        stamp = now()
        try:
            row = conn.execute(_ALLOCATE, {
                **columns, "sid": sid, "doc_key": key, "at": stamp, "actor": register.actor,
                "issuer": facts.issuer_code, "year": facts.year, "kind": kind,
                "detail": json.dumps({"key": key, "symbol": facts.symbol}, ensure_ascii=False,
                                     sort_keys=True)}).first()
        except IntegrityError:
            return None
    if row is None:
        return None
    warnings: tuple[str, ...] = ()
    if row.last_date > facts.date:
        warnings = (f"văn bản ngày {facts.date:%d/%m/%Y} sớm hơn văn bản đã cấp số ngày "
                    f"{row.last_date:%d/%m/%Y} trong cùng sổ ({ARTICLE}.1: số cấp theo trình tự "
                    "thời gian ban hành)",)
    return Allocation(int(row.id), int(row.number), facts.symbol, facts.year, kind,
                      warnings=warnings)
