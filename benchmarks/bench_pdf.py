"""Benchmark: PDF conversion with our converter against one ``soffice`` call per file.

Run ``python benchmarks/bench_pdf.py [N_DOCS] [JOBS]``. Generates N 2-page Vietnamese
documents (Times New Roman 14 pt) with python-docx, converts them all with
:func:`vn_union_docs.rendering.pdf.convert_to_pdf` (many files per call, ``JOBS`` LibreOffice
processes, fresh profiles included in the time), and times the naive way, one
``soffice --convert-to pdf`` process per file, on a subset (10 files, warm profile), scaled
per document.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

from vn_union_docs.errors import LibreOfficeError
from vn_union_docs.rendering.pdf import INSTALL_HELP, convert_to_pdf, find_soffice

PER_FILE_SAMPLE = 10

BODY = (
    "Thực hiện Kế hoạch số 12/KH-LĐLĐ ngày 07/3/2024 của Liên đoàn Lao động quận về tổ chức "
    "phong trào thi đua “Lao động giỏi, Lao động sáng tạo”, Ban Chấp hành Công đoàn cơ sở "
    "đề nghị các tổ công đoàn tổng hợp số sáng kiến, số đoàn viên tham gia và kết quả đạt được, "
    "gửi về Văn phòng trước ngày 30 hằng tháng."
)


def make_doc(path: Path, index: int) -> None:
    """A 2-page công văn-like document: PAGE field in the header, different first page."""
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(14)
    section = doc.sections[0]
    section.page_width, section.page_height = 7560310, 10692130  # A4
    section.different_first_page_header_footer = True
    par = section.header.paragraphs[0]
    for kind in ("begin", "instr", "end"):
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = " PAGE "
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        par.add_run()._r.append(el)
    doc.add_paragraph(f"CÔNG ĐOÀN CƠ SỞ SỐ {index + 1:03d}").runs[0].bold = True
    doc.add_paragraph(f"Số: {index + 1}/CV-CĐCS")
    for i in range(10):
        doc.add_paragraph(f"{i + 1}. {BODY}")
    doc.save(str(path))


def _soffice_version(soffice: str) -> str:
    try:
        out = subprocess.run(
            [soffice, "--version"], capture_output=True, text=True, timeout=60, check=False
        )
        return out.stdout.strip().split("\n")[0]
    except (OSError, subprocess.SubprocessError):
        return "?"


def run(n_docs: int = 200, jobs: int = 2, per_file_sample: int = PER_FILE_SAMPLE) -> dict[str, Any]:
    """Time both ways and return the figures (seconds, ms/doc, docs/s, ratio)."""
    soffice = find_soffice()
    if soffice is None:
        raise LibreOfficeError(INSTALL_HELP)
    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as tmp_name:
        tmp = Path(tmp_name)
        src = tmp / "docx"
        src.mkdir()
        docs = [src / f"cv_{i:04d}.docx" for i in range(n_docs)]
        for i, path in enumerate(docs):
            make_doc(path, i)

        # Ours: everything, profiles created from scratch inside the timed region.
        start = time.perf_counter()
        pdfs = convert_to_pdf(docs, tmp / "ours", jobs=jobs)
        ours = time.perf_counter() - start
        assert all(p.is_file() for p in pdfs)

        # Naive: one process per file, with a profile already initialised (untimed warm-up).
        profile = f"-env:UserInstallation={(tmp / 'profile').as_uri()}"
        base = [soffice, profile, "--headless", "--convert-to", "pdf", "--outdir"]
        subprocess.run([*base, str(tmp / "warm"), str(docs[0])], capture_output=True, check=True)
        sample = docs[:per_file_sample]
        start = time.perf_counter()
        for path in sample:
            subprocess.run([*base, str(tmp / "naive"), str(path)], capture_output=True, check=True)
        naive = time.perf_counter() - start
        assert len(list((tmp / "naive").iterdir())) == len(sample)

    ours_ms = ours / n_docs * 1000
    naive_ms = naive / len(sample) * 1000
    return {
        "n_docs": n_docs,
        "jobs": jobs,
        "ours_s": ours,
        "ours_ms_per_doc": ours_ms,
        "ours_docs_per_s": n_docs / ours,
        "per_file_sample": len(sample),
        "per_file_s": naive,
        "per_file_ms_per_doc": naive_ms,
        "per_file_docs_per_s": 1000 / naive_ms,
        "per_file_est_s": naive_ms * n_docs / 1000,
        "ratio": naive_ms / ours_ms,
        "soffice": _soffice_version(soffice),
        "cpus": os.cpu_count(),
        "machine": f"{platform.system()} {platform.machine()}, Python {platform.python_version()}",
    }


def main(argv: list[str] | None = None) -> None:
    """Print the comparison table."""
    args = sys.argv[1:] if argv is None else argv
    n_docs = int(args[0]) if args else 200
    jobs = int(args[1]) if len(args) > 1 else 2
    r = run(n_docs, jobs)
    print(f"PDF conversion of {r['n_docs']} two-page documents — {r['soffice']}")
    print(f"machine: {r['machine']}, {r['cpus']} CPUs")
    print()
    print(f"{'method':<46} {'seconds':>9} {'ms/doc':>8} {'docs/s':>8}")
    label = f"convert_to_pdf (jobs={r['jobs']}, chunks of many files)"
    print(
        f"{label:<46} {r['ours_s']:>9.1f} {r['ours_ms_per_doc']:>8.0f} {r['ours_docs_per_s']:>8.1f}"
    )
    label = "one soffice call per file (estimated*)"
    print(
        f"{label:<46} {r['per_file_est_s']:>9.1f} {r['per_file_ms_per_doc']:>8.0f}"
        f" {r['per_file_docs_per_s']:>8.1f}"
    )
    print()
    print(f"ratio: {r['ratio']:.1f}× faster")
    print(
        f"* measured on {r['per_file_sample']} files ({r['per_file_s']:.1f} s, warm profile) "
        f"and scaled per document to {r['n_docs']}."
    )


if __name__ == "__main__":
    main()
