"""Rows to chunks of work: each row's file name from the ``--name`` pattern, checked
(``check_name``) and claimed in the on-disk ``NameRegistry``; a chunk carries the rows whose
name is good and the failures of the others, so results and failures stay in row order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from vn_union_docs.batch.names import NamePattern, NameRegistry, check_name
from vn_union_docs.batch.report import NAME_FIELD, BatchError, RowFailure
from vn_union_docs.batch.source import BadRow, RowSource

Rows = Callable[[], Iterator[tuple[int, Mapping[str, Any]]]]
Work = list[tuple[Any, ...]]  # (row, cells, name) and, with a register, the number


@dataclass
class ChunkMeta:
    """What the main process keeps of a chunk while workers have it."""

    last_row: int
    rows: int  # data rows in the chunk, the bad-name rows included
    # Rows failed here: a bad file name, or a cell the library cannot take (BadRow).
    name_failures: list[RowFailure] = field(default_factory=list)


def count_rows(source: Any, read: Rows) -> tuple[int, int]:
    """(data rows, last row number)."""
    if isinstance(source, RowSource):
        return source.count()
    count = last = 0
    for number, _ in read():
        count += 1
        last = max(last, number)
    return count, last


def default_width(last_row: int) -> int:
    """At least 4 digits, so names stay the same when a sheet grows past 99 rows (and
    ``--skip-existing`` keeps working)."""
    return max(4, len(str(last_row)))


def chunks(rows: Iterator[tuple[int, Mapping[str, Any]]], pattern: NamePattern, width: int,
           registry: NameRegistry | None, size: int) -> Iterator[tuple[Work, ChunkMeta]]:
    """Chunks of at most ``size`` rows with their names. ``registry`` None: names cannot
    clash (row numbers, strictly increasing)."""
    work: Work = []
    meta = ChunkMeta(0, 0)
    for number, cells in rows:
        meta.rows += 1
        meta.last_row = number
        if isinstance(cells, BadRow):  # a cell the library cannot take: the row fails
            meta.name_failures += [RowFailure(number, p.path, p.message) for p in cells.problems]
            name = None
        else:
            try:
                name = pattern.render(number, cells, width)
            except ValueError as exc:
                meta.name_failures.append(RowFailure(number, NAME_FIELD, str(exc)))
                name = None
        if name is not None:
            if pattern.pattern is None and len(name) > width + 5:
                raise BatchError("dữ liệu đã thay đổi trong lúc chạy (có thêm dòng); hãy chạy lại")
            problem = check_name(name)
            if problem is None:
                work.append((number, dict(cells), name))
            else:
                meta.name_failures.append(RowFailure(
                    number, NAME_FIELD, problem if "«" in problem else f"{problem}: «{name}»"))
        if meta.rows >= size:
            yield _claimed(work, meta, registry)
            work, meta = [], ChunkMeta(0, 0)
    if meta.rows:
        yield _claimed(work, meta, registry)


def _claimed(work: Work, meta: ChunkMeta, registry: NameRegistry | None
             ) -> tuple[Work, ChunkMeta]:
    if registry is None or not work:
        return work, meta
    clashes = registry.claim([(name, number) for number, _, name in work])
    if not clashes:
        return work, meta
    kept: Work = []
    for number, cells, name in work:
        first = clashes.get(number)
        if first is None:
            kept.append((number, cells, name))
        else:
            meta.name_failures.append(RowFailure(
                number, NAME_FIELD,
                f"tên tệp «{name}» trùng với tên của dòng {first} (không phân biệt hoa thường)"))
    meta.name_failures.sort(key=lambda f: f.row)
    return kept, meta
