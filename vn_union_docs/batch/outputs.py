"""Files a batch writes besides documents: the manifest, the errors file, PDFs and print bundles.
"""

from __future__ import annotations

import csv
import os
import time
from pathlib import Path

from vn_union_docs.batch.report import (
    _TMP_PREFIX,
    _TMP_SUFFIX,
    ERRORS_NAME,
    BatchReport,
    RowFailure,
)
from vn_union_docs.errors import VnUnionDocsError

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
    from vn_union_docs.rendering.pdf import convert_to_pdf

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
    from vn_union_docs.rendering.bundle import bundle_docx, bundle_pdf

    try:
        if bundle.suffix.lower() == ".pdf":
            if report.pdfs:
                report.bundle = bundle_pdf(report.pdfs, bundle)
        else:
            report.bundle = bundle_docx(documents, bundle)
    except (VnUnionDocsError, OSError, ValueError) as error:
        report.errors.append(f"không tạo được tệp gộp «{bundle}»: {error}")
