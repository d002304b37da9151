"""The work of each row (fill, validate, render, write) in worker processes, fed in chunks.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vn_union_docs.batch.names import NamePattern, check_name
from vn_union_docs.batch.report import NAME_FIELD, BatchError, RowFailure, RowsArg
from vn_union_docs.batch.source import RowSource
from vn_union_docs.documents.spec import SpecTemplate
from vn_union_docs.errors import Problem, SpecError, TemplateError
from vn_union_docs.files import BackgroundWriter

# --- rows ------------------------------------------------------------------------------------


def _row_factory(rows: RowsArg) -> Callable[[], Iterator[tuple[int, Mapping[str, Any]]]]:
    """A callable giving a fresh iterator of ``(row_number, cells)`` for every read."""
    if isinstance(rows, RowSource):
        source = rows
        return lambda: iter(source)
    if callable(rows):
        make = rows
        return lambda: _numbered(make())
    items = list(rows) if isinstance(rows, Iterator) else rows  # one-shot: keep the dicts
    return lambda: _numbered(items)


def _numbered(items: Iterable[Any]) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """Rows given as mappings are numbered from 1; ``(row, mapping)`` pairs keep theirs."""
    for index, item in enumerate(items, start=1):
        if isinstance(item, Mapping):
            yield index, item
        elif (
            isinstance(item, tuple)
            and len(item) == 2
            and isinstance(item[0], int)
            and isinstance(item[1], Mapping)
        ):
            yield item
        else:
            raise BatchError(
                f"phần tử thứ {index} của rows không phải là một bảng {{cột: giá trị}}: "
                f"{type(item).__name__}"
            )


@dataclass
class _Plan:
    """Pass 1: every row's file name (``None`` if the name is bad), and the row numbers."""

    rows: array = field(default_factory=lambda: array("q"))
    names: list[str | None] = field(default_factory=list)
    failures: list[RowFailure] = field(default_factory=list)


def _plan(read: Callable[[], Iterator[tuple[int, Mapping[str, Any]]]],
          pattern: NamePattern) -> _Plan:
    plan = _Plan()
    if pattern.pattern is None:
        for number, _ in read():
            plan.rows.append(number)
        # At least 4 digits, so names stay the same when a sheet grows past 99 rows
        # (and --skip-existing keeps working).
        width = max(4, len(str(max(plan.rows, default=1))))
        plan.names = [str(n).zfill(width) + ".docx" for n in plan.rows]
    else:
        for number, cells in read():
            plan.rows.append(number)
            try:
                plan.names.append(pattern.render(number, cells, 0))
            except ValueError as exc:
                plan.names.append(None)
                plan.failures.append(RowFailure(number, NAME_FIELD, str(exc)))
    seen: dict[str, int] = {}
    for index, name in enumerate(plan.names):
        if name is None:
            continue
        number = plan.rows[index]
        problem = check_name(name)
        if problem is None:
            key = name.casefold()
            first = seen.setdefault(key, number)
            if first != number:
                problem = (
                    f"tên tệp «{name}» trùng với tên của dòng {first} "
                    "(không phân biệt hoa thường)"
                )
        if problem is not None:
            plan.names[index] = None
            plan.failures.append(RowFailure(number, NAME_FIELD, f"{problem}: «{name}»"
                                            if "«" not in problem else problem))
    return plan


# --- the work of one row (in a worker process, or in this one for jobs=1) ---------------------

_Result = tuple[str, int, Any, Any]  # (kind, row, name | failures, sha256 | None)


class _Worker:
    """Compiles the spec once; validates, renders and writes rows."""

    def __init__(self, spec: Mapping[str, Any], source: str | None, base_dir: Path | None,
                 template: str | None, out_dir: str, skip_existing: bool,
                 numbered: bool = False) -> None:
        self.spec = SpecTemplate(spec, source=source, base_dir=base_dir)
        self.numbered = numbered  # a register numbers the rows: check() returns their facts
        # A spec field filled by one variable ("number: '{{ so }}'") is reported as that column.
        self.columns = {f.path: f.single for f in self.spec.fields if f.single}
        self.template = template
        self.out_dir = out_dir
        self.skip_existing = skip_existing
        self._compiled: dict[tuple[str, str | None], Any] = {}
        self._writer: BackgroundWriter | None = None

    def failures(self, row: int, error: SpecError) -> list[tuple[str, str]]:
        found = []
        for problem in error.problems or [Problem("", str(error))]:
            column = self.columns.get(problem.path)
            if column:
                found.append((column, f"{problem.message} (trường {problem.path})"))
            else:
                found.append((problem.path, problem.message))
        return found

    def check(self, chunk: list[tuple[int, dict[str, Any], str]]) -> list[_Result]:
        results: list[_Result] = []
        if self.numbered:
            from vn_union_docs.register.facts import facts_from_document
        for row, cells, name in chunk:
            try:
                doc = self.spec.document({"row": row, **cells}, row=row)
                facts = facts_from_document(doc) if self.numbered else None
            except SpecError as error:
                results.append(("fail", row, self.failures(row, error), None))
            except ValueError as error:  # cannot be numbered (vn_union_docs.register)
                results.append(("fail", row, [("number", str(error))], None))
            else:
                results.append(("ok", row, name, facts))
        return results

    def render_document(self, doc: Any) -> bytes:
        """``render_docx(doc, template=…)`` with the template looked up once per batch."""
        from vn_union_docs.rendering.render import get_compiled, render_compiled, template_for

        key = (doc.type, doc.template)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = get_compiled(template_for(doc, self.template))
        return render_compiled(compiled, doc)

    def render(self, chunk: list[tuple[Any, ...]]) -> list[_Result]:
        """Render and write the chunk's rows; every file is in place when this returns."""
        if self._writer is None:
            self._writer = BackgroundWriter()
        try:
            results = self._render(chunk, self._writer)
        finally:
            self._writer.wait()  # a write error stops the batch, as a render error would
        return results

    def close(self) -> None:
        """Stop the writer thread (after the files queued so far are written)."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def _render(self, chunk: list[tuple[Any, ...]], writer: BackgroundWriter,
                ) -> list[_Result]:
        results: list[_Result] = []
        for row, cells, name, *numbered in chunk:  # (row, cells, name[, register number])
            path = os.path.join(self.out_dir, name)
            if self.skip_existing and os.path.exists(path):
                with open(path, "rb") as handle:
                    digest = hashlib.file_digest(handle, "sha256").hexdigest()
                results.append(("skip", row, name, digest))
                continue
            try:
                doc = self.spec.document({"row": row, **cells}, row=row)
                if numbered:
                    doc.number = numbered[0]
                data = self.render_document(doc)
            except SpecError as error:
                results.append(("fail", row, self.failures(row, error), None))
                continue
            except TemplateError:
                raise  # the template is broken for every row: stop the batch
            except Exception as error:  # one odd row must not stop a long batch
                message = f"không tạo được văn bản: {type(error).__name__}: {error}"
                results.append(("fail", row, [("", message)], None))
                continue
            writer.put(path, data)  # temporary file in the same folder, then a rename
            results.append(("ok", row, name, hashlib.sha256(data).hexdigest()))
        return results


_WORKER: _Worker | None = None


def _init_worker(*args: Any) -> None:
    global _WORKER
    _WORKER = _Worker(*args)


def _run_chunk(mode: str, chunk: list[tuple[Any, ...]]) -> list[_Result]:
    assert _WORKER is not None
    return _WORKER.check(chunk) if mode == "check" else _WORKER.render(chunk)


# --- driving the workers -------------------------------------------------------------------


def _chunks(read: Callable[[], Iterator[tuple[int, Mapping[str, Any]]]], plan: _Plan,
            size: int, numbering: Any = None) -> Iterator[list[tuple[Any, ...]]]:
    """Read the rows again and pair them with their names, in chunks; bad names left out.
    With a register (``numbering``), each row also gets its number; rows without one left out."""
    chunk: list[tuple[Any, ...]] = []
    count = 0
    for index, (number, cells) in enumerate(read()):
        if index >= len(plan.rows) or plan.rows[index] != number:
            raise BatchError("dữ liệu đã thay đổi giữa hai lần đọc; hãy chạy lại")
        count += 1
        name = plan.names[index]
        if name is None:
            continue
        if numbering is None:
            chunk.append((number, dict(cells), name))
        else:
            allocated = numbering.number_for(number)
            if allocated is None:
                continue
            chunk.append((number, dict(cells), name, allocated))
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if count != len(plan.rows):
        raise BatchError("dữ liệu đã thay đổi giữa hai lần đọc; hãy chạy lại")
    if chunk:
        yield chunk


def _run(mode: str, chunks: Iterator[list[Any]], worker_args: tuple[Any, ...], jobs: int,
         ) -> Iterator[list[_Result]]:
    """Results of every chunk, in order; at most a few chunks in flight per worker."""
    if jobs == 1:
        worker = _Worker(*worker_args)
        try:
            for chunk in chunks:
                yield worker.check(chunk) if mode == "check" else worker.render(chunk)
        finally:
            worker.close()
        return
    with multiprocessing.get_context().Pool(jobs, _init_worker, worker_args) as pool:
        pending: deque[Any] = deque()
        for chunk in chunks:
            pending.append(pool.apply_async(_run_chunk, (mode, chunk)))
            if len(pending) >= jobs * 3:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


