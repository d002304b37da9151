"""The register's tables (SQLAlchemy Core), its schema version and the migration hook.

One schema for SQLite and PostgreSQL. Every table name starts with ``vnud_`` so that a register
can live in a database shared with other applications. ``vnud_meta`` holds the schema version;
``migrate`` brings an older register up to ``SCHEMA_VERSION`` step by step (``MIGRATIONS``)
and refuses a register written by a newer release.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    inspect,
    select,
    text,
)

SCHEMA_VERSION = 1
APPLICATION = "vn-union-docs register"

metadata = MetaData()

meta = Table(
    "vnud_meta", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)
"""Settings: ``application``, ``schema_version``, ``numbering`` (``single`` | ``per_type``)."""

series = Table(
    "vnud_series", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("issuer_code", String(64), nullable=False),
    Column("year", Integer, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("issuer_name", Text),
    Column("issuer_parent", Text),
    Column("first_number", Integer, nullable=False),
    Column("next_number", Integer, nullable=False),
    Column("last_date", Date),
    Column("closed", Boolean, nullable=False, default=False),
    UniqueConstraint("issuer_code", "year", "kind", name="vnud_series_key"),
)
"""One numbering series (NĐ 30/2020, Điều 15): an issuer's numbers of one year and kind
(``chung`` for all types, a type name when numbered per type, ``mat`` for secret documents).
``first_number`` is where the electronic register starts (after a paper book); ``closed`` is
set on every series of a closed year (also listed in ``vnud_closed_years``)."""

entries = Table(
    "vnud_entries", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("series_id", Integer, ForeignKey("vnud_series.id"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("symbol", Text, nullable=False),
    Column("state", String(16), nullable=False),
    Column("doc_key", Text),
    Column("doc_date", Date),
    Column("doc_type", String(32)),
    Column("type_name", Text),
    Column("subject", Text),
    Column("signer", Text),
    Column("recipients", Text),
    Column("archive", Text),
    Column("copies", Integer),
    Column("file_name", Text),
    Column("sha256", String(64)),
    Column("note", Text),
    Column("created_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
    UniqueConstraint("series_id", "number", name="vnud_entries_number"),
    # One live number per document (file) in a series.
    Index("vnud_entries_key", "series_id", "doc_key", unique=True,
          sqlite_where=text("state <> 'cancelled' AND doc_key IS NOT NULL"),
          postgresql_where=text("state <> 'cancelled' AND doc_key IS NOT NULL")),
)
"""One number of a series: ``reserved`` (allocated, file not yet written), ``issued`` (file
written, its sha256 recorded) or ``cancelled`` (never reused, NĐ 30/2020 Điều 15)."""

closed_years = Table(
    "vnud_closed_years", metadata,
    Column("year", Integer, primary_key=True),
    Column("closed_at", String(32), nullable=False),
    Column("closed_by", Text, nullable=False),
)

audit = Table(
    "vnud_audit", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", String(32), nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", String(32), nullable=False),
    Column("issuer_code", String(64)),
    Column("year", Integer),
    Column("kind", String(32)),
    Column("number", Integer),
    Column("detail", Text),
)
"""Who allocated, recorded, changed or cancelled what, and when (Phụ lục VI)."""

Migration = Callable[[Connection], None]
MIGRATIONS: dict[int, Migration] = {}
"""``MIGRATIONS[n]`` upgrades a register from schema version ``n`` to ``n + 1``."""


class SchemaState:
    """What a database holds: nothing, a register (with its version), or something else."""

    EMPTY = "empty"
    REGISTER = "register"
    FOREIGN = "foreign"


def inspect_state(conn: Connection) -> tuple[str, int | None]:
    """``(state, version)`` of the database behind ``conn``."""
    names = set(inspect(conn).get_table_names())
    if meta.name not in names:
        return (SchemaState.EMPTY if not names else SchemaState.FOREIGN), None
    rows: dict[str, str] = {row.key: row.value
                            for row in conn.execute(select(meta.c.key, meta.c.value))}
    if rows.get("application") != APPLICATION or not str(rows.get("schema_version", "")).isdigit():
        return SchemaState.FOREIGN, None
    return SchemaState.REGISTER, int(rows["schema_version"])


def create(conn: Connection, numbering: str = "single") -> None:
    """Create every table in an empty database and stamp the current schema version."""
    metadata.create_all(conn)
    conn.execute(meta.insert(), [
        {"key": "application", "value": APPLICATION},
        {"key": "schema_version", "value": str(SCHEMA_VERSION)},
        {"key": "numbering", "value": numbering},
    ])


def migrate(conn: Connection, version: int) -> int:
    """Upgrade from ``version`` to ``SCHEMA_VERSION``; return the version reached.

    Raises ``ValueError`` when the register is newer than this release or a step is missing.
    """
    if version > SCHEMA_VERSION:
        raise ValueError(
            f"sổ đăng ký có phiên bản lược đồ {version}, mới hơn phiên bản {SCHEMA_VERSION} mà "
            "vn-union-docs này hiểu; hãy cập nhật vn-union-docs")
    while version < SCHEMA_VERSION:
        step = MIGRATIONS.get(version)
        if step is None:
            raise ValueError(f"không có bước nâng cấp sổ đăng ký từ phiên bản {version}")
        step(conn)
        version += 1
        conn.execute(meta.update().where(meta.c.key == "schema_version")
                     .values(value=str(version)))
    return version
