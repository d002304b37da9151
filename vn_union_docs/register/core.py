"""The register of outgoing documents (sổ đăng ký văn bản đi) on a real database.

Why SQLAlchemy Core: one code path for SQLite (the default, one file) and PostgreSQL (by URL,
psycopg 3), portable DDL, and dialect-specific ``INSERT … ON CONFLICT`` where it matters,
without an ORM's session state between processes.

Numbers without gaps or duplicates under concurrency (NĐ 30/2020, Điều 15):

* SQLite: every transaction starts with ``BEGIN IMMEDIATE`` (one writer at a time, readers
  never block in WAL mode); a waiting writer retries for up to ``BUSY_TIMEOUT`` seconds.
* PostgreSQL: the series row is locked with ``SELECT … FOR UPDATE`` (series locked in sorted
  order, so two batches never deadlock); the next number lives on that row.

A number is ``reserved`` first (with the document's key: the absolute path of its file), then
``issued`` once the file is written (with the file name and its sha256). A run killed in
between leaves a reservation that the next run for the same file reuses; nothing is lost and
nothing is used twice.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, and_, bindparam, event, func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, SQLAlchemyError

from vn_union_docs.register import schema
from vn_union_docs.register.facts import DocumentFacts, format_number
from vn_union_docs.register.location import describe, is_url, make_engine
from vn_union_docs.register.queries import RegisterQueries
from vn_union_docs.register.types import (
    ARTICLE,
    Allocation,
    Entry,
    Refusal,
    RegisterError,
    actor,
    now,
)

__all__ = ["Allocation", "Entry", "Refusal", "Register", "RegisterError"]

BUSY_TIMEOUT = 60.0


@dataclass
class _Request:
    facts: DocumentFacts
    key: str | None
    existing_only: bool = False
    result: Allocation | Refusal | None = field(default=None)


@dataclass
class _Held:
    """A number allocated earlier in the same ``reserve`` call for the same key."""

    number: int
    request: _Request

    @property
    def id(self) -> int:
        result = self.request.result
        return result.entry_id if isinstance(result, Allocation) else 0


class Register(RegisterQueries):
    """A register at ``target`` (a file path or a database URL).

    ``create=True`` makes a new register when the file or database is empty (rendering with
    ``number: auto``); otherwise an empty target is an error. Use as a context manager or call
    ``close()``.
    """

    def __init__(self, target: str, *, create: bool = False, numbering: str = "single") -> None:
        self.target = target
        self.where = describe(target)
        self.engine: Engine = make_engine(target, create=create, busy_timeout=BUSY_TIMEOUT)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_connect)
            event.listen(self.engine, "begin", _sqlite_begin)
        self._actor = actor()
        self._lock_file: int | None = None
        if self.is_sqlite and os.name == "posix" and not is_url(target):
            lock_path = Path(target).expanduser().resolve().with_name(
                Path(target).name + ".lock")
            self._lock_file = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o666)
        self._pending: list[dict[str, Any]] | None = None
        self._inserts: list[tuple[dict[str, Any], _Request]] = []
        self.numbering = self._open(create, numbering)

    # --- opening ----------------------------------------------------------------------------

    def _open(self, create: bool, numbering: str) -> str:
        with self._tx() as conn:
            if not self.is_sqlite:  # two first users creating the tables at once
                conn.execute(text("SELECT pg_advisory_xact_lock(2020300015)"))
            state, version = schema.inspect_state(conn)
            if state == schema.SchemaState.FOREIGN:
                raise RegisterError(
                    f"«{self.where}» không phải sổ đăng ký văn bản đi của vn-union-docs (cơ sở dữ "
                    "liệu có bảng khác); chọn tệp khác hoặc một cơ sở dữ liệu trống")
            if state == schema.SchemaState.EMPTY:
                if not create:
                    raise RegisterError(
                        f"«{self.where}» chưa có sổ đăng ký; tạo bằng «vn-union-docs register "
                        "init --register …» hoặc khi tạo văn bản có «number: auto»")
                schema.create(conn, numbering)
                self._audit(conn, "init", None, None, None, None, {"numbering": numbering})
            else:
                try:
                    schema.migrate(conn, version or 0)
                except ValueError as exc:
                    raise RegisterError(f"«{self.where}»: {exc}") from None
            value = conn.execute(select(schema.meta.c.value)
                                 .where(schema.meta.c.key == "numbering")).scalar()
        return str(value or "single")

    @property
    def actor(self) -> str:
        """Who this register records as acting (``user@host``)."""
        return self._actor

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()
        if self._lock_file is not None:
            os.close(self._lock_file)
            self._lock_file = None

    def __enter__(self) -> Register:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        """One transaction; database failures become a ``RegisterError`` naming the target."""
        with self._writer_turn(), self.connection() as conn, conn.begin():
            yield conn

    @contextmanager
    def _writer_turn(self) -> Iterator[None]:
        """SQLite: wait for the other processes' transactions on an ``flock`` of a lock file
        beside the register. SQLite's own busy handler polls with sleeps of up to 100 ms, so
        eight clerks spend most of their time asleep while the register is free; a blocking
        ``flock`` wakes the next one at once. Correctness does not depend on it (``BEGIN
        IMMEDIATE`` does that); without ``fcntl`` (Windows) the busy handler is used alone."""
        if self._lock_file is None:
            yield
            return
        import fcntl

        fcntl.flock(self._lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)

    @contextmanager
    def connection(self, *, autocommit: bool = False) -> Iterator[Connection]:
        """A connection (each statement its own transaction with ``autocommit``); database
        failures become a ``RegisterError`` naming the target."""
        try:
            with self.engine.connect() as conn:
                if autocommit:
                    conn = conn.execution_options(isolation_level="AUTOCOMMIT")
                yield conn
        except RegisterError:
            raise
        except OperationalError as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            if "not a database" in reason or "file is encrypted" in reason:
                raise RegisterError(
                    f"«{self.where}» không phải sổ đăng ký (không phải tệp cơ sở dữ liệu SQLite)"
                ) from None
            raise RegisterError(
                f"không dùng được sổ đăng ký «{self.where}»: {reason}. Kiểm tra đường dẫn hoặc "
                "địa chỉ máy chủ, tên đăng nhập, mật khẩu") from None
        except IntegrityError:
            raise  # decided by the caller (postgres.allocate_fast)
        except (DBAPIError, SQLAlchemyError) as exc:
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            if "not a database" in reason:
                raise RegisterError(
                    f"«{self.where}» không phải sổ đăng ký (không phải tệp cơ sở dữ liệu SQLite)"
                ) from None
            raise RegisterError(f"sổ đăng ký «{self.where}» báo lỗi: {reason}") from None

    def _audit(self, conn: Connection, action: str, issuer: str | None, year: int | None,
               kind: str | None, number: int | None, detail: dict[str, Any]) -> None:
        row = {
            "at": now(), "actor": self._actor, "action": action, "issuer_code": issuer,
            "year": year, "kind": kind, "number": number,
            "detail": json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str)}
        if self._pending is not None:  # inside reserve(): written together at its end
            self._pending.append(row)
        else:
            conn.execute(_INSERT_AUDIT, row)

    # --- settings ---------------------------------------------------------------------------

    def set_setting(self, key: str, value: str) -> None:
        """Set a register setting (``organisation``; ``numbering`` while no number exists)."""
        with self._tx() as conn:
            if key == "numbering":
                if value not in ("single", "per_type"):
                    raise RegisterError("cách đánh số phải là «single» hoặc «per-type»")
                used = conn.execute(select(func.count()).select_from(schema.entries)).scalar()
                if used:
                    raise RegisterError(
                        "sổ đã có số; không đổi cách đánh số giữa chừng (mỗi năm một hệ thống "
                        "số, NĐ 30/2020, Điều 15.1); hãy dùng một sổ mới cho năm sau")
            old = conn.execute(select(schema.meta.c.value)
                               .where(schema.meta.c.key == key)).scalar()
            if old is None:
                conn.execute(schema.meta.insert().values(key=key, value=value))
            else:
                conn.execute(schema.meta.update().where(schema.meta.c.key == key)
                             .values(value=value))
            self._audit(conn, "setting", None, None, None, None,
                        {"key": key, "old": old, "new": value})
        if key == "numbering":
            self.numbering = value

    def setting(self, key: str) -> str | None:
        """A register setting, or ``None``."""
        with self._tx() as conn:
            value = conn.execute(select(schema.meta.c.value)
                                 .where(schema.meta.c.key == key)).scalar()
        return None if value is None else str(value)

    # --- series -----------------------------------------------------------------------------

    def _closed(self, conn: Connection, year: int) -> bool:
        return conn.execute(select(schema.closed_years.c.year)
                            .where(schema.closed_years.c.year == year)).first() is not None

    def _lock_series(self, conn: Connection, issuer: str, year: int, kind: str,
                     issuer_name: str | None, issuer_parent: str | None = None) -> Any:
        """The series row, created if new, locked until the transaction ends; raises
        ``RegisterError`` when its year is closed."""
        s = schema.series
        where = and_(s.c.issuer_code == issuer, s.c.year == year, s.c.kind == kind)
        row = conn.execute(select(s).where(where).with_for_update()).first()
        if row is None:
            if self._closed(conn, year):
                raise _closed_error(year)
            if self.is_sqlite:
                from sqlalchemy.dialects.sqlite import insert
            else:
                from sqlalchemy.dialects.postgresql import insert  # type: ignore[assignment]
            conn.execute(insert(s).values(
                issuer_code=issuer, year=year, kind=kind, issuer_name=issuer_name,
                issuer_parent=issuer_parent, first_number=1, next_number=1, closed=False,
            ).on_conflict_do_nothing(index_elements=["issuer_code", "year", "kind"]))
            row = conn.execute(select(s).where(where).with_for_update()).one()
        if row.closed:
            raise _closed_error(year)
        return row

    # --- allocating -------------------------------------------------------------------------

    def allocate(self, facts: DocumentFacts, key: str | None = None) -> Allocation:
        """Give ``facts`` a number (``number: auto``) or record its manual number, as
        ``reserved``; raises ``RegisterError`` when refused. See ``reserve``."""
        if not self.is_sqlite and facts.number is None:
            from vn_union_docs.register.postgres import allocate_fast

            fast = allocate_fast(self, facts, key, _columns(facts))
            if fast is not None:
                return fast
        result = self.reserve([(facts, key, False)])[0]
        if isinstance(result, Refusal):
            raise RegisterError(result.message)
        return result

    def reserve(self, items: Sequence[tuple[DocumentFacts, str | None, bool]],
                ) -> list[Allocation | Refusal]:
        """Allocate or record numbers for many documents in one transaction, in order.

        Each item is ``(facts, key, existing_only)``. ``key`` identifies the document (its
        file): a document whose key already holds a number in its series gets that number back
        (a re-render, or a run resumed after a kill). ``existing_only``: only look the key up,
        never allocate (a file already written). A refused item (number held by another
        document, cancelled, not in the register) is a ``Refusal`` and allocates nothing;
        a closed year raises ``RegisterError`` for the whole call.
        """
        requests = [_Request(f, k, e) for f, k, e in items]
        with self._tx() as conn:
            series_rows: dict[tuple[str, int, str], Any] = {}
            keys = sorted({(r.facts.issuer_code, r.facts.year, r.facts.kind(self.numbering))
                           for r in requests})
            for issuer, year, kind in keys:
                first = next(r.facts for r in requests
                             if (r.facts.issuer_code, r.facts.year) == (issuer, year))
                series_rows[(issuer, year, kind)] = self._lock_series(
                    conn, issuer, year, kind, first.issuer_name, first.issuer_parent)
            state = {k: {"next": row.next_number, "last": row.last_date, "id": row.id,
                         "held": self._held(conn, row.id, [
                             r.key for r in requests if r.key is not None and
                             (r.facts.issuer_code, r.facts.year,
                              r.facts.kind(self.numbering)) == k])}
                     for k, row in series_rows.items()}
            self._pending, self._inserts = [], []
            try:
                for request in requests:
                    facts = request.facts
                    skey = (facts.issuer_code, facts.year, facts.kind(self.numbering))
                    request.result = self._one(conn, request, skey, state[skey])
                self._flush(conn)
                if self._pending:
                    conn.execute(_INSERT_AUDIT, self._pending)
            finally:
                self._pending, self._inserts = None, []
            for skey, values in state.items():
                row = series_rows[skey]
                if values["next"] != row.next_number or values["last"] != row.last_date:
                    conn.execute(_UPDATE_SERIES, {"sid": row.id, "next_number": values["next"],
                                                  "last_date": values["last"]})
        return [r.result for r in requests if r.result is not None]

    @staticmethod
    def _held(conn: Connection, series_id: int, keys: list[str]) -> dict[str, Any]:
        """The entries (not cancelled) that ``keys`` hold in a series, by key."""
        e = schema.entries
        held: dict[str, Any] = {}
        for start in range(0, len(keys), 500):
            rows = conn.execute(select(e.c.id, e.c.number, e.c.doc_key).where(and_(
                e.c.series_id == series_id, e.c.doc_key.in_(keys[start:start + 500]),
                e.c.state != "cancelled")).order_by(e.c.number))
            held.update({row.doc_key: row for row in rows})  # the highest number wins
        return held

    def _flush(self, conn: Connection) -> None:
        """Insert the entries allocated so far in this ``reserve`` (one statement)."""
        if not self._inserts:
            return
        ids = conn.execute(
            _INSERT_ENTRY.returning(schema.entries.c.id, sort_by_parameter_order=True),
            [params for params, _ in self._inserts]).scalars().all()
        for entry_id, (_, request) in zip(ids, self._inserts, strict=True):
            assert isinstance(request.result, Allocation)
            request.result = dataclasses.replace(request.result, entry_id=int(entry_id))
        self._inserts = []

    def _one(self, conn: Connection, request: _Request, skey: tuple[str, int, str],
             series: dict[str, Any]) -> Allocation | Refusal:
        facts = request.facts
        e = schema.entries
        held = series["held"].get(request.key) if request.key is not None else None
        if isinstance(held, _Held):
            self._flush(conn)  # its entry gets its id
        if held is not None and (facts.number is None or facts.number == held.number):
            conn.execute(_UPDATE_ENTRY, {"eid": held.id, **_columns(facts), "updated_at": now()})
            self._audit(conn, "rerender", *skey, held.number, {"key": request.key})
            return Allocation(held.id, held.number, facts.symbol, facts.year, skey[2], reused=True)
        if request.existing_only:
            return Refusal(
                "tệp đã có nhưng sổ đăng ký không có số cho nó; xóa tệp để cấp số mới, hoặc chạy "
                "lại không có --skip-existing")
        warnings = []
        if series["last"] is not None and facts.date < series["last"]:
            warnings.append(
                f"văn bản ngày {facts.date:%d/%m/%Y} sớm hơn văn bản đã cấp số ngày "
                f"{series['last']:%d/%m/%Y} trong cùng sổ ({ARTICLE}.1: số cấp theo trình tự "
                "thời gian ban hành)")
        if facts.number is None:
            number = series["next"]
        else:
            number = facts.number
            self._flush(conn)  # the numbers allocated earlier in this call are seen too
            other = conn.execute(select(e).where(and_(
                e.c.series_id == series["id"], e.c.number == number))).first()
            if other is not None:
                if other.state == "cancelled":
                    return Refusal(f"số {format_number(number, other.symbol)} năm {facts.year} "
                                   f"đã hủy ({other.note or 'không ghi lý do'}); số đã hủy "
                                   f"không dùng lại ({ARTICLE})")
                if other.symbol.upper() != facts.symbol.upper() or (
                        request.key and other.doc_key and other.doc_key != request.key
                        and other.subject != facts.subject):
                    holder = other.file_name or other.doc_key or "?"
                    return Refusal(
                        f"số {format_number(number, facts.symbol)} năm {facts.year} đã cấp cho "
                        f"văn bản khác: {format_number(number, other.symbol)} «{other.subject}» "
                        f"(tệp {holder}); số và ký hiệu là duy nhất trong năm ({ARTICLE}.1). "
                        f"Dùng «number: auto» hoặc số tiếp theo {series['next']:02d}")
                conn.execute(e.update().where(e.c.id == other.id).values(
                    **_columns(facts), updated_at=now(),
                    # the key moves to this number unless it holds another one (unique index)
                    doc_key=other.doc_key if held is not None else request.key or other.doc_key))
                self._audit(conn, "rerender", *skey, number, {"key": request.key})
                return Allocation(other.id, number, facts.symbol, facts.year, skey[2],
                                  reused=True, warnings=tuple(warnings))
            if number > series["next"]:
                return Refusal(
                    f"số {number:02d} vượt số tiếp theo của sổ ({series['next']:02d}): sẽ để "
                    f"trống các số ở giữa ({ARTICLE}.1: số cấp liên tiếp). Dùng «number: auto», "
                    "hoặc «register set-next» khi chuyển từ sổ giấy sang")
        stamp = now()
        self._inserts.append(({
            "series_id": series["id"], "number": number, "state": "reserved",
            "doc_key": request.key, "created_at": stamp, "updated_at": stamp, **_columns(facts),
        }, request))
        if request.key is not None:
            series["held"][request.key] = _Held(number, request)
        if number >= series["next"]:
            series["next"] = number + 1
        if series["last"] is None or facts.date > series["last"]:
            series["last"] = facts.date
        self._audit(conn, "allocate" if facts.number is None else "record", *skey, number,
                    {"key": request.key, "symbol": facts.symbol})
        # The entry's id is set by _flush, once the entries of this call are inserted.
        return Allocation(0, number, facts.symbol, facts.year, skey[2], warnings=tuple(warnings))

    def mark_issued(self, items: Sequence[tuple[int, str, str]]) -> None:
        """Record that the files are written: ``(entry_id, file name, sha256)`` each."""
        if not items:
            return
        with self._tx() as conn:
            stamp = now()
            conn.execute(_ISSUE, [
                {"eid": entry_id, "state": "issued", "file_name": file_name, "sha256": sha256,
                 "updated_at": stamp} for entry_id, file_name, sha256 in items])
            if len(items) == 1:
                self._audit(conn, "issue", None, None, None, None,
                            {"entry": items[0][0], "file": items[0][1], "sha256": items[0][2]})
            else:
                self._audit(conn, "issue", None, None, None, None,
                            {"entries": [i[0] for i in items]})

    # --- the văn thư's commands ---------------------------------------------------------------

    def cancel(self, number: int, symbol: str, year: int, reason: str,
               kind: str | None = None) -> Entry:
        """Mark a number cancelled (never reused); raises ``RegisterError`` if unknown."""
        if not reason.strip():
            raise RegisterError("cần ghi lý do hủy số (--reason)")
        entry = self.find(number, symbol, year, kind)
        if entry.state == "cancelled":
            raise RegisterError(f"số {entry.text} năm {year} đã hủy từ trước")
        e = schema.entries
        with self._tx() as conn:
            conn.execute(e.update().where(e.c.id == entry.id).values(
                state="cancelled", note=reason.strip(), updated_at=now()))
            self._audit(conn, "cancel", entry.issuer_code, year, entry.kind, number,
                        {"reason": reason.strip(), "was": entry.state, "file": entry.file_name})
        return self.find(number, symbol, year, kind)

    def set_next(self, issuer_code: str, year: int, next_number: int, kind: str = "chung",
                 issuer_name: str | None = None, issuer_parent: str | None = None) -> None:
        """Start a series at ``next_number`` (continuing a paper book mid-year). Only before
        the series has any number in the register: later, a jump would leave a gap."""
        if not 1 <= next_number <= 99_999:
            raise RegisterError("số tiếp theo phải từ 1 đến 99999")
        with self._tx() as conn:
            row = self._lock_series(conn, issuer_code, year, kind, issuer_name, issuer_parent)
            used = conn.execute(select(func.count()).select_from(schema.entries).where(
                schema.entries.c.series_id == row.id)).scalar()
            if used:
                raise RegisterError(
                    f"sổ {issuer_code} năm {year} ({kind}) đã có {used} số trong sổ điện tử; "
                    f"chỉ đặt số tiếp theo trước khi cấp số đầu tiên. Số bỏ qua phải được hủy "
                    f"(register cancel), không để trống ({ARTICLE})")
            conn.execute(schema.series.update().where(schema.series.c.id == row.id)
                         .values(first_number=next_number, next_number=next_number))
            self._audit(conn, "set-next", issuer_code, year, kind, next_number,
                        {"old": row.next_number})

    def close_year(self, year: int) -> int:
        """Close ``year``: no new number in it afterwards. Returns how many numbers it holds."""
        with self._tx() as conn:
            if self._closed(conn, year):
                raise RegisterError(f"năm {year} đã khóa sổ từ trước")
            s = schema.series
            rows = conn.execute(select(s.c.id).where(s.c.year == year).order_by(
                s.c.issuer_code, s.c.kind).with_for_update()).all()
            reserved = conn.execute(select(func.count()).select_from(schema.entries).where(and_(
                schema.entries.c.series_id.in_([r.id for r in rows]),
                schema.entries.c.state == "reserved"))).scalar() if rows else 0
            if reserved:
                raise RegisterError(
                    f"năm {year} còn {reserved} số đã cấp nhưng chưa có tệp (reserved); tạo lại "
                    "các văn bản đó hoặc hủy số (register cancel) rồi khóa sổ")
            conn.execute(s.update().where(s.c.year == year).values(closed=True))
            conn.execute(schema.closed_years.insert().values(
                year=year, closed_at=now(), closed_by=self._actor))
            count = conn.execute(select(func.count()).select_from(schema.entries).where(
                schema.entries.c.series_id.in_([r.id for r in rows]))).scalar() if rows else 0
            self._audit(conn, "close", None, year, None, None, {"entries": count})
        return int(count or 0)

    def backup(self, path: str | Path) -> Path:
        """A consistent copy of the live register at ``path`` (see ``backup.backup``)."""
        from vn_union_docs.register.backup import backup

        target = backup(self, path)
        with self._tx() as conn:
            self._audit(conn, "backup", None, None, None, None, {"file": str(target)})
        return target

# Statements built once (SQLAlchemy caches their compiled form).
_INSERT_AUDIT = schema.audit.insert()
_INSERT_ENTRY = schema.entries.insert()
_UPDATE_SERIES = schema.series.update().where(schema.series.c.id == bindparam("sid"))
_UPDATE_ENTRY = schema.entries.update().where(schema.entries.c.id == bindparam("eid"))
_ISSUE = schema.entries.update().where(and_(
    schema.entries.c.id == bindparam("eid"), schema.entries.c.state != "cancelled"))


def _closed_error(year: int) -> RegisterError:
    return RegisterError(
        f"năm {year} đã khóa sổ (register close); không cấp thêm số cho năm đó. Kiểm tra ngày "
        f"văn bản ({ARTICLE}: số cấp trong năm ban hành)")


def _columns(facts: DocumentFacts) -> dict[str, Any]:
    return {
        "symbol": facts.symbol, "doc_date": facts.date, "doc_type": facts.doc_type,
        "type_name": facts.type_and_subject[: -len(facts.subject) - 1] if facts.subject else "",
        "subject": facts.subject, "signer": facts.signer, "recipients": facts.recipients,
        "archive": facts.archive, "copies": facts.copies,
    }


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Transactions are begun by hand (below); WAL: readers never wait for the writer.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
    cursor.execute("PRAGMA journal_mode = WAL")
    # NORMAL in WAL mode: a commit survives a killed process (what the kill test checks);
    # a power cut may lose the last commits, as it may lose the last files written (neither
    # is fsynced), and FULL costs an fsync (~7 ms here) per number.
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    # IMMEDIATE takes the write lock at once: two allocations never read the same next number.
    conn.exec_driver_sql("BEGIN IMMEDIATE")
