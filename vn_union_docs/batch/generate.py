"""``generate``: the batch's public entry point.

Memory stays flat whatever the row count: rows are streamed from the source, file names are
checked against an on-disk table (``names.NameRegistry``), the manifest and the errors file
are written row by row, and the report keeps counts (``BatchReport`` reads the files back on
demand). A checkpoint (``state.Checkpoint``) records how far the reports are good, so
``skip_existing`` resumes a stopped run from there without reading the files already written.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from vn_union_docs.batch.names import NamePattern, NameRegistry
from vn_union_docs.batch.outputs import DEFAULT_BUNDLE_SIZE, make_bundles, make_pdfs
from vn_union_docs.batch.plan import ChunkMeta, Work, chunks, count_rows, default_width
from vn_union_docs.batch.report import (
    ERRORS_NAME,
    MANIFEST_NAME,
    BatchError,
    BatchReport,
    RowFailure,
    RowsArg,
)
from vn_union_docs.batch.source import RowSource
from vn_union_docs.batch.state import (
    NAMES_DB,
    Checkpoint,
    CsvStream,
    FolderLock,
    file_identity,
    fingerprint,
    part_path,
    remove_temporaries,
    report_source,
    tail_lines,
    verify_tail,
)
from vn_union_docs.batch.workers import _Result, _row_factory, _run
from vn_union_docs.documents.spec import SpecTemplate
from vn_union_docs.errors import Problem, SpecError

_MANIFEST_HEADER = ["file", "row", "sha256"]
_ERRORS_HEADER = ["row", "field", "message"]
_SAVE_EVERY = 0.5  # seconds between checkpoints


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
    bundle_size: int = DEFAULT_BUNDLE_SIZE,
    strict: bool = False,
    skip_existing: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
    register: Any = None,
    on_bundle: Callable[[int, int], None] | None = None,
) -> BatchReport:
    """Render one .docx per row into ``out_dir``; see the module docstring.

    ``spec``: a spec file, dict or ``SpecTemplate`` whose fields may hold placeholders
    filled from the row. ``rows``: a ``RowSource`` (``source.read_rows``), a sequence
    of mappings, or a callable returning a fresh iterator (of mappings, numbered from 1, or
    of ``(row_number, mapping)`` pairs). ``name``: the file-name pattern (default: the row
    number). ``jobs``: worker processes (default: the number of cores). ``pdf``/``pdfa``:
    also a PDF per document (LibreOffice). ``bundle``: also print files (``.docx`` or
    ``.pdf``; a PDF bundle implies the PDFs) of at most ``bundle_size`` documents each
    (``NAME-001.docx`` … when there are several). ``strict``: write nothing if any row is
    bad. ``skip_existing``: keep files already there (resume a stopped run; from its
    checkpoint when the inputs are the same data file, else by looking at each file).
    ``on_progress``: called as ``on_progress(done_rows, total_rows)``; ``on_bundle`` as
    ``on_bundle(done_files, total_files)`` before the first print bundle and after each one
    (bundling comes after the documents and takes minutes for a big run). ``register``: a
    register path, URL or ``Register`` that numbers and records the documents (else
    ``VN_UNION_DOCS_REGISTER``, else the default file when the spec has ``number: auto``; see
    ``vn_union_docs.register.batch``).

    One run at a time per folder: a second raises ``FolderBusyError`` naming the first.
    Raises ``SpecError`` when the spec itself is invalid, ``BatchError`` for a bad option or
    name pattern, ``LibreOfficeError`` when PDFs are asked for and LibreOffice is missing.
    Bad rows do not raise: they are counted in the report and listed in ``DIR/_errors.csv``.
    """
    started = time.perf_counter()
    out = Path(out_dir)
    jobs = (os.cpu_count() or 1) if jobs is None else jobs
    if jobs < 1:
        raise BatchError("--jobs phải là số nguyên dương")
    if bundle_size < 1:
        raise BatchError("--bundle-size phải là số nguyên dương")
    bundle_path = Path(bundle) if bundle is not None else None
    if bundle_path is not None and bundle_path.suffix.lower() not in (".docx", ".pdf"):
        raise BatchError("tệp gộp --bundle phải có đuôi .docx hoặc .pdf")
    need_pdf = pdf or pdfa or (bundle_path is not None and bundle_path.suffix.lower() == ".pdf")
    if need_pdf:
        from vn_union_docs.errors import LibreOfficeError
        from vn_union_docs.rendering.pdf import INSTALL_HELP, find_soffice

        if find_soffice() is None:  # say so now, before anything is written
            raise LibreOfficeError(INSTALL_HELP)
    if out.is_symlink() or (out.exists() and not out.is_dir()):
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

    out.mkdir(parents=True, exist_ok=True)
    lock = FolderLock(out)
    lock.acquire()
    numbering = None
    try:
        numbering = _numbering(register, spec_args[0], out, skip_existing)
        report = _Batch(spec_args, rows, out, pattern, template_arg, jobs, skip_existing,
                        on_progress, numbering).run(strict)
        if report.errors_file is None or not strict:
            if need_pdf and report.written_count + report.skipped_count:
                make_pdfs(report, pdfa=pdfa, jobs=jobs, skip_existing=skip_existing)
            if bundle_path is not None and report.written_count + report.skipped_count:
                make_bundles(report, bundle_path, bundle_size, on_bundle)
        if numbering is not None:
            report.numbers = numbering.texts()
            report.warnings = numbering.warnings
            report.register = numbering.register.where
    finally:
        if numbering is not None and (register is None or isinstance(register, str | Path)):
            numbering.close()  # a Register the caller passed stays open for the caller
        lock.release()
    report.seconds = time.perf_counter() - started
    return report


def _numbering(register: Any, raw_spec: Mapping[str, Any], out: Path,
               skip_existing: bool) -> Any:
    """The register hook (``vn_union_docs.register.batch``), or ``None`` without a register."""
    if register is None and str(raw_spec.get("number", "")).strip().casefold() != "auto" \
            and not os.environ.get("VN_UNION_DOCS_REGISTER"):
        return None  # no register: the register package (and SQLAlchemy) is not even loaded
    from vn_union_docs.register.batch import BatchNumbering

    return BatchNumbering.open(register, raw_spec, out, skip_existing)


class _Batch:
    """One run of ``generate`` while the folder is locked."""

    def __init__(self, spec_args: tuple[Any, Any, Any], rows: RowsArg, out: Path,
                 pattern: NamePattern, template: str | None, jobs: int, skip_existing: bool,
                 on_progress: Callable[[int, int], None] | None, numbering: Any = None) -> None:
        if isinstance(rows, RowSource):  # a bad cell fails its row, not the batch
            rows = rows.reporting_bad_cells()
        self.rows = rows
        self.read = _row_factory(rows)
        self.out = out
        self.pattern = pattern
        self.jobs = jobs
        self.skip_existing = skip_existing
        self.on_progress = on_progress
        self.numbering = numbering  # a register's BatchNumbering, or None
        self.refused: dict[int, tuple[str, str]] = {}  # rows the register refused to number
        self.worker_args = (*spec_args, template, str(out), skip_existing,
                            numbering is not None)
        self.report = BatchReport(out_dir=out)
        source = rows if isinstance(rows, RowSource) else None
        self.resumable = source is not None  # rows from Python cannot be fingerprinted
        self.fingerprint = fingerprint([
            spec_args[0], spec_args[1], str(spec_args[2]), file_identity(template),
            pattern.pattern, file_identity(source.path) if source else None,
            source.sheet if source else None,
        ])

    # -- resume -----------------------------------------------------------------------------

    def _checkpoint(self, strict: bool) -> Checkpoint | None:
        """The checkpoint to resume from, its reports ready to continue, or None."""
        if not (self.skip_existing and self.resumable):
            return None
        found = Checkpoint.load(self.out, self.fingerprint)
        if found is None or (strict and found.error_lines):
            return None  # strict: rows done before had errors, so nothing may be written
        sources = {}
        for report, size, lines in ((MANIFEST_NAME, found.manifest_bytes, found.manifest_lines),
                                    (ERRORS_NAME, found.errors_bytes, found.error_lines)):
            if lines:
                source = report_source(self.out, report, size)
                if source is None:
                    return None
                sources[report] = source
        if found.manifest_lines:  # the last chunk's files are there, as recorded
            tail = tail_lines(sources[MANIFEST_NAME], found.manifest_bytes, 64)
            if not verify_tail(self.out, tail):
                return None
        for report, source in sources.items():  # a finished report is continued: moved back
            if source.name == report:
                os.replace(source, part_path(self.out, report))
        return found

    # -- the run --------------------------------------------------------------------------

    def run(self, strict: bool) -> BatchReport:
        report, out = self.report, self.out
        checkpoint = self._checkpoint(strict)
        remove_temporaries(out, keep_resume=checkpoint is not None)
        mark = time.perf_counter()
        if checkpoint is None:
            total, last = count_rows(self.rows, self.read)
            if total == 0:
                raise SpecError(problems=[Problem(
                    "", "dữ liệu không có dòng nào (chỉ có dòng tiêu đề, hoặc danh sách rỗng)")])
            checkpoint = Checkpoint(self.fingerprint, total, default_width(last))
            fresh = True
        else:
            fresh = False
        report.timings["count"] = time.perf_counter() - mark
        report.total = checkpoint.total
        jobs = max(1, min(self.jobs, checkpoint.total))
        size = max(1, min(64, math.ceil(checkpoint.total / (jobs * 4))))
        unique = self.pattern.pattern is None and isinstance(self.rows, RowSource)
        registry = None if unique else NameRegistry(out / NAMES_DB)
        finished = False  # else an interrupted run keeps the names to resume with
        try:
            if registry is not None and not fresh:
                registry.forget_after(checkpoint.row)
            if (strict or self.numbering is not None) and not self._check(
                    checkpoint, registry, jobs, size, strict):
                finished = True  # strict and a bad row: nothing is written, no names kept
                return report
            self._documents(checkpoint, fresh, registry, jobs, size)
            finished = True
        finally:
            if registry is not None:
                registry.close(remove=finished or not self.resumable)
        return report

    def _rows_after(self, row: int, done: int = 0, total: int = -1,
                    ) -> Iterator[tuple[int, Mapping[str, Any]]]:
        if done == total:  # a finished run of the same data: nothing to read
            return iter(())
        if isinstance(self.rows, RowSource):
            return self.rows.iter_after(row)
        return ((n, cells) for n, cells in self.read() if n > row)

    def _check(self, checkpoint: Checkpoint, registry: NameRegistry | None, jobs: int,
               size: int, strict: bool) -> bool:
        """Validate every row before writing anything (strict mode, or a register that
        numbers the valid rows in row order: strict, only once every row is valid). False
        (and the errors file) when strict and a row is bad."""
        mark = time.perf_counter()
        errors = CsvStream(self.out, ERRORS_NAME, _ERRORS_HEADER) if strict else None
        numbering = self.numbering
        valid: list[Any] = []  # strict with a register: numbered once all rows are valid
        work = chunks(self._rows_after(checkpoint.row), self.pattern, checkpoint.width,
                      registry, size)
        bad_rows = 0
        for results, meta in _run("check", work, self.worker_args, jobs):
            for kind, row, payload in _in_order(results, meta):
                if kind == "fail" and errors is not None:
                    bad_rows += 1
                    for field, message in payload:
                        errors.row(row, field, message)
            if numbering is not None and errors is None:
                for row, field, message in numbering.reserve(results):
                    self.refused[row] = (field, message)
            elif numbering is not None:
                valid.extend(r for r in results if r[0] == "ok")
        if numbering is not None and errors is not None and not errors.lines:
            for row, field, message in numbering.reserve(valid):
                bad_rows += 1
                errors.row(row, field, message)
        del valid
        self.report.timings["check"] = time.perf_counter() - mark
        if errors is None:
            return True
        if errors.lines:
            self.report.errors_file = errors.commit()
            self.report.failure_count = errors.lines
            self.report.failed_row_count = bad_rows
            return False
        errors.close()
        errors.part.unlink()
        return True

    def _with_numbers(self, work: Iterator[tuple[Work, ChunkMeta]],
                      ) -> Iterator[tuple[Work, ChunkMeta]]:
        """With a register, each row gets its number; a row the register refused becomes a
        failure; an invalid row goes without one (the worker reports why, as without a
        register)."""
        numbering = self.numbering
        if numbering is None:
            yield from work
            return
        for rows, meta in work:
            kept: Work = []
            for row, cells, name in rows:
                number = numbering.number_for(row)
                if number is not None:
                    kept.append((row, cells, name, number))
                elif row in self.refused:
                    meta.name_failures.append(RowFailure(row, *self.refused.pop(row)))
                else:
                    kept.append((row, cells, name))
            meta.name_failures.sort(key=lambda f: f.row)
            yield kept, meta

    def _documents(self, cp: Checkpoint, fresh: bool, registry: NameRegistry | None,
                   jobs: int, size: int) -> None:
        report, out = self.report, self.out
        mark = time.perf_counter()
        manifest = CsvStream(out, MANIFEST_NAME, _MANIFEST_HEADER,
                             resume_bytes=None if fresh or not cp.manifest_lines
                             else cp.manifest_bytes)
        errors = CsvStream(out, ERRORS_NAME, _ERRORS_HEADER,
                           resume_bytes=None if fresh or not cp.error_lines else cp.errors_bytes)
        manifest.lines, errors.lines = cp.manifest_lines, cp.error_lines
        if not fresh:
            report.resumed_rows = cp.done
            report.skipped_count = cp.manifest_lines
            if cp.manifest_lines:
                report.skip_runs.append((0, cp.manifest_lines))
        cp.complete = False
        failed_rows = cp.failed_rows
        self._progress(cp.done, cp.total)
        rows = self._rows_after(cp.row, cp.done, cp.total)
        runner = _run("render", self._with_numbers(
            chunks(rows, self.pattern, cp.width, registry, size)), self.worker_args, jobs)
        saved = time.monotonic()
        try:
            for results, meta in runner:
                if self.numbering is not None:
                    self.numbering.issued(results)  # the register records each file
                for kind, row, payload in _in_order(results, meta):
                    if kind == "fail":
                        failed_rows += 1
                        for field, message in payload:
                            errors.row(row, field, message)
                        continue
                    name, digest = payload
                    if kind == "ok":
                        report.written_count += 1
                    else:
                        _extend_runs(report.skip_runs, manifest.lines)
                        report.skipped_count += 1
                    manifest.row(name, row, digest)
                cp.row, cp.done = meta.last_row, cp.done + meta.rows
                cp.manifest_bytes, cp.manifest_lines = manifest.size(), manifest.lines
                cp.errors_bytes, cp.error_lines = errors.size(), errors.lines
                cp.failed_rows = failed_rows
                self._progress(cp.done, cp.total)
                if time.monotonic() - saved >= _SAVE_EVERY:
                    if registry is not None:
                        registry.commit()  # the names of every row the checkpoint covers
                    cp.save(out)
                    saved = time.monotonic()
        except BaseException:
            runner.close()  # stops the workers
            manifest.close()
            errors.close()
            if self.resumable:
                if registry is not None:
                    registry.commit()
                cp.save(out)  # --skip-existing resumes from here
            # the files the workers were writing (and, without a checkpoint, the reports)
            remove_temporaries(out, keep_resume=self.resumable)
            raise
        report.failure_count, report.failed_row_count = errors.lines, failed_rows
        report.manifest = manifest.commit()
        if errors.lines:
            report.errors_file = errors.commit()
        else:
            errors.close()
            errors.part.unlink()
            (out / ERRORS_NAME).unlink(missing_ok=True)  # from an earlier run
        cp.complete = True
        cp.save(out)
        report.timings["render"] = time.perf_counter() - mark

    def _progress(self, done: int, total: int) -> None:
        if self.on_progress is not None:
            self.on_progress(done, total)


def _extend_runs(runs: list[tuple[int, int]], index: int) -> None:
    if runs and runs[-1][1] == index:
        runs[-1] = (runs[-1][0], index + 1)
    else:
        runs.append((index, index + 1))


def _in_order(results: list[_Result], meta: ChunkMeta) -> Iterator[tuple[str, int, Any]]:
    """A chunk's results and its name failures, merged in row order:
    ``("ok" | "skip", row, (name, digest))`` or ``("fail", row, [(field, message)])``."""
    failures: list[RowFailure] = meta.name_failures
    index = 0
    for kind, row, payload, digest in results:
        while index < len(failures) and failures[index].row < row:
            failure = failures[index]
            index += 1
            yield "fail", failure.row, [(failure.field, failure.message)]
        if kind == "fail":
            yield "fail", row, payload
        else:
            yield kind, row, (payload, digest)
    for failure in failures[index:]:
        yield "fail", failure.row, [(failure.field, failure.message)]
