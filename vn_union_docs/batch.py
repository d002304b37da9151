"""Batch generation: one .docx per row of a spreadsheet (or of any rows a program passes).

>>> from vn_union_docs.batch import generate
>>> from vn_union_docs.datasource import read_rows
>>> report = generate("examples/batch/cong_van_cdcs.yaml",
...                   read_rows("examples/batch/cdcs.csv"), "out/cdcs",
...                   name="{{ ma_cdcs }}-{{ ten_cdcs }}")   # doctest: +SKIP

How it works, and why:

1. **Names first.** The rows are read once to compute every file name from the ``name``
   pattern and to check it (no path separator, no ``..``, no character Windows refuses, no
   reserved name, no repeat ignoring case). Only the names are kept, never the rows.
2. **Strict check** (``strict=True``): every row is validated through the models first;
   nothing is written if any row is bad.
3. **Documents.** The rows are read again and sent in small chunks to ``jobs`` worker
   processes, each of which compiles the spec (and, through ``render_docx``, the template)
   once. A worker validates the row, renders it and hands the bytes to its writer thread,
   which writes the file atomically (temporary file in the same directory, then
   ``os.replace``) while the next row renders; a chunk's results (name and sha256) are
   returned once all its files are in place. Results come back in row order, so the output
   (files and ``_manifest.csv``) is the same whatever ``jobs`` is. At most a few chunks are
   in flight: memory stays flat.
4. PDFs and the print bundle, when asked for.

A bad row never stops the batch: it is reported (row as the spreadsheet shows it, the column
or spec field, the reason) in ``BatchReport.failed`` and ``DIR/_errors.csv``.
"""

from __future__ import annotations

import csv
import hashlib
import math
import multiprocessing
import os
import time
import unicodedata
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import TemplateError as JinjaTemplateError
from jinja2 import meta

from vn_union_docs.datasource import RowSource
from vn_union_docs.errors import Problem, SpecError, TemplateError, VnUnionDocsError
from vn_union_docs.files import BackgroundWriter
from vn_union_docs.jinja import file_name_environment
from vn_union_docs.spec import SpecTemplate

__all__ = [
    "ERRORS_NAME",
    "MANIFEST_NAME",
    "BatchError",
    "BatchReport",
    "NamePattern",
    "RowFailure",
    "check_name",
    "generate",
]

MANIFEST_NAME = "_manifest.csv"
ERRORS_NAME = "_errors.csv"
NAME_FIELD = "--name"
_TMP_PREFIX = ".vnud-"
_TMP_SUFFIX = ".tmp"
_MAX_NAME_BYTES = 200  # leaves room under the 255-byte limit of common file systems
_WINDOWS_FORBIDDEN = ':*?"<>|'
_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{i}" for p in ("COM", "LPT") for i in range(10)}

RowsArg = (
    RowSource
    | Sequence[Mapping[str, Any]]
    | Iterable[Mapping[str, Any] | tuple[int, Mapping[str, Any]]]
    | Callable[[], Iterable[Mapping[str, Any] | tuple[int, Mapping[str, Any]]]]
)


class BatchError(VnUnionDocsError):
    """The batch cannot start: a bad name pattern, output path or option (a usage error)."""


@dataclass(frozen=True)
class RowFailure:
    """One problem with one row: ``row`` as the spreadsheet shows it (header = row 1),
    ``field`` the column or spec key (``--name`` for the file name), ``message`` the reason."""

    row: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"dòng {self.row}" + (f", {self.field}" if self.field else "")
        return f"{where}: {self.message}"


@dataclass
class BatchReport:
    """What a batch did. File names are relative to ``out_dir``, in row order."""

    out_dir: Path
    total: int = 0
    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[RowFailure] = field(default_factory=list)
    pdfs: list[Path] = field(default_factory=list)
    bundle: Path | None = None
    manifest: Path | None = None
    errors_file: Path | None = None
    errors: list[str] = field(default_factory=list)  # problems not tied to a row (PDF)
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when every row was produced and nothing else went wrong."""
        return not self.failed and not self.errors

    @property
    def failed_rows(self) -> list[int]:
        """The distinct row numbers that failed, sorted."""
        return sorted({failure.row for failure in self.failed})

    @property
    def docs_per_second(self) -> float:
        """Documents written per second of the whole run."""
        return len(self.written) / self.seconds if self.seconds > 0 else 0.0

    @property
    def written_paths(self) -> list[Path]:
        """Full paths of the written files."""
        return [self.out_dir / name for name in self.written]


# --- file names ------------------------------------------------------------------------------


def check_name(name: str) -> str | None:
    """Return why ``name`` (a file name, ``.docx`` included) cannot be used, or ``None``.

    Refused: empty, a path separator or ``..`` (the file would leave the output folder), a
    leading dot, a character Windows refuses (``:*?"<>|``) or a control character, a name
    Windows reserves (``CON``, ``NUL``, ``COM1`` …), more than 200 bytes.
    """
    stem = name[:-5] if name.lower().endswith(".docx") else name
    if not stem.strip():
        return "tên tệp rỗng (kiểm tra các cột dùng trong --name)"
    for sep in ("/", "\\"):
        if sep in name:
            return f"tên tệp chứa «{sep}»: tệp sẽ nằm ngoài thư mục kết quả"
    if ".." in name:
        return "tên tệp chứa «..»: tệp có thể nằm ngoài thư mục kết quả"
    if name.startswith("."):
        return "tên tệp bắt đầu bằng dấu chấm (tệp ẩn)"
    bad = sorted({ch for ch in name if ch in _WINDOWS_FORBIDDEN}, key=name.index)
    if bad:
        shown = " ".join(f"«{ch}»" for ch in bad)
        return f"tên tệp chứa ký tự Windows không cho phép: {shown}"
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        return "tên tệp chứa ký tự điều khiển"
    if stem.split(".")[0].strip().upper() in _RESERVED:
        return f"«{stem}» là tên Windows dành riêng cho thiết bị, không dùng làm tên tệp"
    if len(name.encode("utf-8")) > _MAX_NAME_BYTES:
        return f"tên tệp quá dài (tối đa {_MAX_NAME_BYTES} byte)"
    return None


class NamePattern:
    """A Jinja pattern over a row that gives its file name (``.docx`` appended).

    ``None`` means the row number, zero-padded to at least four digits (``0002``).
    Columns are variables (``{{ ma_cdcs }}-{{ ten_cdcs }}``), so is ``row`` (the row
    number, unless a column has that name); the ``vi`` filters work. Raises ``BatchError``
    for a syntax error.
    """

    def __init__(self, pattern: str | None) -> None:
        self.pattern = pattern
        self.variables: set[str] = set()
        self._template = None
        if pattern is None:
            return
        env = file_name_environment()
        try:
            self.variables = meta.find_undeclared_variables(env.parse(pattern))
            self._template = env.from_string(pattern)
        except JinjaTemplateError as exc:
            raise BatchError(f"mẫu tên tệp --name sai cú pháp: {exc}") from None

    def check_columns(self, columns: Iterable[str]) -> None:
        """Raise ``BatchError`` when the pattern uses a variable that is not a column."""
        missing = sorted(self.variables - set(columns) - {"row"})
        if missing:
            names = ", ".join(f"«{m}»" for m in missing)
            listed = ", ".join(columns)
            raise BatchError(
                f"mẫu tên tệp --name dùng {names} nhưng dữ liệu không có cột đó "
                f"(các cột: {listed})"
            )

    def render(self, row: int, cells: Mapping[str, Any], width: int) -> str:
        """The file name of one row (NFC, surrounding spaces removed, ``.docx`` appended);
        raises ``ValueError`` with a clerk-readable message when it cannot be computed."""
        if self._template is None:
            text = str(row).zfill(width)
        else:
            try:
                text = self._template.render({"row": row, **cells})
            except Exception as exc:  # a row's value broke the pattern (undefined, filter)
                from vn_union_docs.spec import _jinja_message

                raise ValueError(_jinja_message(exc)) from None
        text = unicodedata.normalize("NFC", text).strip()
        return text if text.lower().endswith(".docx") else f"{text}.docx"


# --- rows ------------------------------------------------------------------------------------


def _row_factory(rows: RowsArg) -> Callable[[], Iterator[tuple[int, Mapping[str, Any]]]]:
    """A callable giving a fresh iterator of ``(row_number, cells)`` for every read."""
    if isinstance(rows, RowSource):
        return lambda: iter(rows)
    if callable(rows):
        return lambda: _numbered(rows())  # type: ignore[operator]
    if isinstance(rows, Iterator):  # one-shot: keep the (small) dicts
        rows = list(rows)
    return lambda: _numbered(rows)  # type: ignore[arg-type]


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
                 template: str | None, out_dir: str, skip_existing: bool) -> None:
        self.spec = SpecTemplate(spec, source=source, base_dir=base_dir)
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
        for row, cells, name in chunk:
            try:
                self.spec.document({"row": row, **cells}, row=row)
            except SpecError as error:
                results.append(("fail", row, self.failures(row, error), None))
            else:
                results.append(("ok", row, name, None))
        return results

    def render_document(self, doc: Any) -> bytes:
        """``render_docx(doc, template=…)`` with the template looked up once per batch."""
        from vn_union_docs.render import get_compiled, render_compiled, template_for

        key = (doc.type, doc.template)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = get_compiled(template_for(doc, self.template))
        return render_compiled(compiled, doc)

    def render(self, chunk: list[tuple[int, dict[str, Any], str]]) -> list[_Result]:
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

    def _render(self, chunk: list[tuple[int, dict[str, Any], str]], writer: BackgroundWriter,
                ) -> list[_Result]:
        results: list[_Result] = []
        for row, cells, name in chunk:
            path = os.path.join(self.out_dir, name)
            if self.skip_existing and os.path.exists(path):
                with open(path, "rb") as handle:
                    digest = hashlib.file_digest(handle, "sha256").hexdigest()
                results.append(("skip", row, name, digest))
                continue
            try:
                doc = self.spec.document({"row": row, **cells}, row=row)
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


def _run_chunk(mode: str, chunk: list[tuple[int, dict[str, Any], str]]) -> list[_Result]:
    assert _WORKER is not None
    return _WORKER.check(chunk) if mode == "check" else _WORKER.render(chunk)


# --- driving the workers -------------------------------------------------------------------


def _chunks(read: Callable[[], Iterator[tuple[int, Mapping[str, Any]]]], plan: _Plan,
            size: int) -> Iterator[list[tuple[int, dict[str, Any], str]]]:
    """Read the rows again and pair them with their names, in chunks; bad names left out."""
    chunk: list[tuple[int, dict[str, Any], str]] = []
    count = 0
    for index, (number, cells) in enumerate(read()):
        if index >= len(plan.rows) or plan.rows[index] != number:
            raise BatchError("dữ liệu đã thay đổi giữa hai lần đọc; hãy chạy lại")
        count += 1
        name = plan.names[index]
        if name is None:
            continue
        chunk.append((number, dict(cells), name))
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


# --- reports ---------------------------------------------------------------------------------


class _CsvOut:
    """A CSV report written to a temporary name and renamed into place when complete."""

    def __init__(self, path: Path, header: list[str]) -> None:
        self.path = path
        self.tmp = path.with_name(f"{_TMP_PREFIX}{path.name}{_TMP_SUFFIX}")
        self.handle = self.tmp.open("w", encoding="utf-8-sig", newline="")
        self.writer = csv.writer(self.handle)
        self.writer.writerow(header)

    def row(self, *values: object) -> None:
        self.writer.writerow(values)

    def commit(self) -> Path:
        self.handle.close()
        os.replace(self.tmp, self.path)
        return self.path

    def discard(self) -> None:
        self.handle.close()
        self.tmp.unlink(missing_ok=True)


def _write_errors(out: Path, failures: list[RowFailure]) -> Path:
    report = _CsvOut(out / ERRORS_NAME, ["row", "field", "message"])
    for failure in failures:
        report.row(failure.row, failure.field, failure.message)
    return report.commit()


# --- the public entry point ------------------------------------------------------------------


def _spec_args(spec: SpecTemplate | Mapping[str, Any] | str | Path) -> tuple[Any, Any, Any]:
    """Compile the spec here (a bad spec fails now) and give what a worker needs to
    compile it again."""
    template = spec if isinstance(spec, SpecTemplate) else SpecTemplate(spec)
    return (template.raw, template.source, template.base_dir)


def generate(
    spec: SpecTemplate | Mapping[str, Any] | str | Path,
    rows: RowsArg,
    out_dir: str | Path,
    *,
    name: str | None = None,
    template: str | Path | None = None,
    jobs: int | None = None,
    pdf: bool = False,
    pdfa: bool = False,
    bundle: str | Path | None = None,
    strict: bool = False,
    skip_existing: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
) -> BatchReport:
    """Render one .docx per row into ``out_dir``; see the module docstring.

    ``spec``: a spec file, dict or ``SpecTemplate`` whose fields may hold placeholders
    filled from the row. ``rows``: a ``RowSource`` (``datasource.read_rows``), a sequence
    of mappings, or a callable returning a fresh iterator (of mappings, numbered from 1, or
    of ``(row_number, mapping)`` pairs). ``name``: the file-name pattern (default: the row
    number). ``jobs``: worker processes (default: the number of cores). ``pdf``/``pdfa``:
    also a PDF per document (LibreOffice). ``bundle``: also one print file (``.docx`` or
    ``.pdf``; a PDF bundle implies the PDFs). ``strict``: write nothing if any row is bad.
    ``skip_existing``: keep files already there (resume a killed run). ``on_progress``:
    called as ``on_progress(done_rows, total_rows)``.

    Raises ``SpecError`` when the spec itself is invalid, ``BatchError`` for a bad option or
    name pattern, ``LibreOfficeError`` when PDFs are asked for and LibreOffice is missing.
    Bad rows do not raise: they are in ``BatchReport.failed`` and ``DIR/_errors.csv``.
    """
    started = time.perf_counter()
    out = Path(out_dir)
    jobs = (os.cpu_count() or 1) if jobs is None else jobs
    if jobs < 1:
        raise BatchError("--jobs phải là số nguyên dương")
    bundle_path = Path(bundle) if bundle is not None else None
    if bundle_path is not None and bundle_path.suffix.lower() not in (".docx", ".pdf"):
        raise BatchError("tệp gộp --bundle phải có đuôi .docx hoặc .pdf")
    need_pdf = pdf or pdfa or (bundle_path is not None and bundle_path.suffix.lower() == ".pdf")
    if need_pdf:
        from vn_union_docs.errors import LibreOfficeError
        from vn_union_docs.pdf import INSTALL_HELP, find_soffice

        if find_soffice() is None:  # say so now, before anything is written
            raise LibreOfficeError(INSTALL_HELP)
    if out.exists() and not out.is_dir():
        raise BatchError(f"«{out}» đã có và không phải là thư mục")
    template_arg = str(template) if template is not None else None
    if template_arg is not None and not Path(template_arg).is_file():
        raise BatchError(f"không tìm thấy mẫu văn bản «{template_arg}»")

    spec_args = _spec_args(spec)
    pattern = NamePattern(name)
    if isinstance(rows, RowSource) and rows.kind in ("csv", "xlsx"):
        pattern.check_columns(rows.columns)
        SpecTemplate(spec_args[0], source=spec_args[1],
                     base_dir=spec_args[2]).check_columns(rows.columns)
    read = _row_factory(rows)
    report = BatchReport(out_dir=out)

    # Pass 1: names.
    plan = _plan(read, pattern)
    report.total = total = len(plan.rows)
    if total == 0:
        raise SpecError(problems=[Problem(
            "", "dữ liệu không có dòng nào (chỉ có dòng tiêu đề, hoặc danh sách rỗng)")])
    failures = list(plan.failures)
    timings = report.timings
    timings["names"] = time.perf_counter() - started

    jobs = max(1, min(jobs, total))
    size = max(1, min(64, math.ceil(total / (jobs * 4))))
    worker_args = (*spec_args, template_arg, str(out), skip_existing)
    done = 0

    def progress(count: int) -> None:
        nonlocal done
        done += count
        if on_progress is not None:
            on_progress(done, total)

    # Pass 2 (strict): validate every row before writing anything.
    if strict:
        mark = time.perf_counter()
        for results in _run("check", _chunks(read, plan, size), worker_args, jobs):
            for kind, row, payload, _ in results:
                if kind == "fail":
                    failures.extend(RowFailure(row, f, m) for f, m in payload)
        timings["check"] = time.perf_counter() - mark
        if failures:
            out.mkdir(parents=True, exist_ok=True)
            report.failed = sorted(failures, key=lambda f: f.row)
            report.errors_file = _write_errors(out, report.failed)
            report.seconds = time.perf_counter() - started
            return report

    # Pass 3: documents.
    mark = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    _remove_temporaries(out)  # left by a killed run
    progress(len(plan.failures))
    manifest = _CsvOut(out / MANIFEST_NAME, ["file", "row", "sha256"])
    try:
        cursor = 0  # results come in row order: find each row's name in the plan
        for results in _run("render", _chunks(read, plan, size), worker_args, jobs):
            for kind, row, payload, digest in results:
                while plan.names[cursor] is None or plan.rows[cursor] != row:
                    cursor += 1
                name = plan.names[cursor]  # the plan's string, not a copy: memory
                cursor += 1
                if kind == "fail":
                    failures.extend(RowFailure(row, f, m) for f, m in payload)
                    continue
                (report.written if kind == "ok" else report.skipped).append(name)
                manifest.row(name, row, digest)
            progress(len(results))
    except BaseException:
        manifest.discard()
        _remove_temporaries(out)  # of files the stopped workers were writing
        raise
    report.manifest = manifest.commit()
    timings["render"] = time.perf_counter() - mark
    del plan

    report.failed = sorted(failures, key=lambda f: f.row)
    errors_path = out / ERRORS_NAME
    if report.failed:
        report.errors_file = _write_errors(out, report.failed)
    else:
        errors_path.unlink(missing_ok=True)  # from an earlier run

    documents = _in_row_order(out, report) if need_pdf or bundle_path is not None else []
    if need_pdf and documents:
        _make_pdfs(report, documents, out, pdfa=pdfa, jobs=jobs, skip_existing=skip_existing)
    if bundle_path is not None and documents:
        mark = time.perf_counter()
        _make_bundle(report, documents, bundle_path)
        timings["bundle"] = time.perf_counter() - mark
    report.seconds = time.perf_counter() - started
    return report


def _remove_temporaries(out: Path) -> None:
    """Remove temporary files in ``out``: the reports' and ``files.write_atomic``'s."""
    for stale in [*out.glob(f"{_TMP_PREFIX}*{_TMP_SUFFIX}"), *out.glob(".*.docx.*.part")]:
        stale.unlink(missing_ok=True)


def _in_row_order(out: Path, report: BatchReport) -> list[Path]:
    """Written and skipped documents in manifest (row) order."""
    if report.manifest is None:
        return []
    with report.manifest.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        return [out / line[0] for line in reader if line]


def _make_pdfs(report: BatchReport, documents: list[Path], out: Path, *, pdfa: bool,
               jobs: int, skip_existing: bool) -> None:
    from vn_union_docs.errors import LibreOfficeError
    from vn_union_docs.pdf import convert_to_pdf

    mark = time.perf_counter()
    todo = documents
    if skip_existing:
        todo = [
            p for p in documents
            if not (p.with_suffix(".pdf").exists()
                    and p.with_suffix(".pdf").stat().st_mtime >= p.stat().st_mtime)
        ]
    try:
        if todo:
            convert_to_pdf(todo, out, pdfa=pdfa, jobs=jobs)
    except LibreOfficeError as error:
        report.errors.append(str(error))
    report.pdfs = [p.with_suffix(".pdf") for p in documents if p.with_suffix(".pdf").exists()]
    report.timings["pdf"] = time.perf_counter() - mark


def _make_bundle(report: BatchReport, documents: list[Path], bundle: Path) -> None:
    from vn_union_docs.pdf import bundle_docx, bundle_pdf

    try:
        if bundle.suffix.lower() == ".pdf":
            if report.pdfs:
                report.bundle = bundle_pdf(report.pdfs, bundle)
        else:
            report.bundle = bundle_docx(documents, bundle)
    except (VnUnionDocsError, OSError, ValueError) as error:
        report.errors.append(f"không tạo được tệp gộp «{bundle}»: {error}")
