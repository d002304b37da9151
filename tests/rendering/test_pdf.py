"""PDF conversion and print bundles, with the real LibreOffice (skipped when it is absent)."""

from __future__ import annotations

import re
import sys
import time
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from pypdf import PdfReader

from vn_union_docs.errors import LibreOfficeError
from vn_union_docs.rendering import pdf as pdfmod
from vn_union_docs.rendering import soffice as soffice_mod
from vn_union_docs.rendering.bundle import bundle_docx, bundle_pdf
from vn_union_docs.rendering.pdf import PdfConverter, convert_to_pdf, find_soffice

SOFFICE = find_soffice()
SKIP_REASON = (
    "LibreOffice (soffice) is not installed: apt-get install -y "
    "--no-install-recommends libreoffice-writer-nogui fonts-liberation2"
)
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason=SKIP_REASON)

PARAGRAPHS = 25  # 2 A4 pages at 14 pt


def make_docx(path: Path, title: str) -> Path:
    """A 2-page document: PAGE field in the header, different first page."""
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(14)
    section = doc.sections[0]
    section.page_width, section.page_height = 7560310, 10692130  # A4 in EMU
    section.different_first_page_header_footer = True
    header_p = section.header.paragraphs[0]
    for kind, text in (("begin", None), (None, " PAGE "), ("end", None)):
        run = header_p.add_run()
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)
    doc.add_paragraph(title)
    for i in range(PARAGRAPHS):
        doc.add_paragraph(
            f"Đoạn {i + 1} của {title}: Ban Chấp hành Công đoàn cơ sở triển khai kế hoạch "
            "thi đua năm 2024 tới toàn thể đoàn viên, người lao động."
        )
    doc.save(str(path))
    return path


def page_texts(path: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(str(path)).pages]


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Path], list[Path]]:
    """Three .docx files (one with a Vietnamese name) converted in a single soffice call."""
    if SOFFICE is None:
        pytest.skip(SKIP_REASON)
    src = tmp_path_factory.mktemp("src")
    names = ["cong_van_01", "công_văn_số_02", "cong_van_03"]
    docs = [make_docx(src / f"{n}.docx", f"VĂN BẢN {i + 1}") for i, n in enumerate(names)]
    out = tmp_path_factory.mktemp("pdf")
    progress: list[Path] = []
    with PdfConverter(timeout=60, chunk_size=10) as conv:
        pdfs = conv.convert(docs, out, on_progress=progress.append)
    assert progress == pdfs  # reported one by one, in order
    return docs, pdfs


@needs_soffice
def test_one_call_converts_many_files(converted: tuple[list[Path], list[Path]]) -> None:
    docs, pdfs = converted
    assert [p.name for p in pdfs] == [d.stem + ".pdf" for d in docs]
    out_dir = pdfs[0].parent
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(p.name for p in pdfs)  # no temp
    for i, pdf in enumerate(pdfs):
        texts = page_texts(pdf)
        assert len(texts) == 2
        assert texts[0].startswith(f"VĂN BẢN {i + 1}")
        assert f"Đoạn 1 của VĂN BẢN {i + 1}: Ban Chấp hành Công đoàn" in texts[0]
        # Different first page: no number on page 1, "2" in the header of page 2.
        assert texts[1].splitlines()[0].strip() == "2"


@needs_soffice
def test_parallel_jobs_and_pdfa(tmp_path: Path) -> None:
    docs = [make_docx(tmp_path / f"d{i}.docx", f"VĂN BẢN {i}") for i in range(4)]
    pdfs = convert_to_pdf(docs, tmp_path / "out", jobs=2, pdfa=True, timeout=60)
    assert [p.name for p in pdfs] == [f"d{i}.pdf" for i in range(4)]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [p.name for p in pdfs]
    for i, pdf in enumerate(pdfs):
        reader = PdfReader(str(pdf))
        assert (reader.pages[0].extract_text() or "").startswith(f"VĂN BẢN {i}")
        xmp = reader.xmp_metadata
        assert xmp is not None
        raw = xmp.stream.get_data().decode("utf-8", "replace")
        assert re.search(r"<pdfaid:part>2</pdfaid:part>", raw)
        assert re.search(r"<pdfaid:conformance>B</pdfaid:conformance>", raw)


FAKE_SOFFICE = """#!{python}
# Stands in for soffice: logs each call; hangs on files whose name contains "hang".
import pathlib, sys, time
args = sys.argv[1:]
at = args.index("--outdir")
out, files = pathlib.Path(args[at + 1]), args[at + 2:]
with open({log!r}, "a") as log:
    log.write(" ".join(pathlib.Path(f).stem for f in files) + "\\n")
for f in files:
    target = out / (pathlib.Path(f).stem + ".pdf")
    print(f"convert {{f}} -> {{target}} using filter : pdf", flush=True)
    target.write_bytes(b"%PDF-1.4 half")
    if "hang" in f:
        time.sleep(60)
    target.write_bytes(b"%PDF-1.4 done\\n%%EOF\\n")
"""


def fake_soffice(tmp_path: Path) -> tuple[str, Path]:
    log = tmp_path / "calls.log"
    script = tmp_path / "fake-soffice"
    script.write_text(FAKE_SOFFICE.format(python=sys.executable, log=str(log)))
    script.chmod(0o755)
    return str(script), log


posix_only = pytest.mark.skipif(sys.platform == "win32", reason="fake soffice is a script")


@posix_only
def test_hung_file_is_killed_retried_once_then_reported(tmp_path: Path) -> None:
    exe, log = fake_soffice(tmp_path)
    docs = []
    for name in ("a", "b_hang", "c"):
        docs.append(tmp_path / f"{name}.docx")
        docs[-1].write_bytes(b"x")
    out = tmp_path / "out"
    started = time.monotonic()
    with pytest.raises(LibreOfficeError) as info:
        convert_to_pdf(docs, out, soffice=exe, timeout=0.5)
    assert time.monotonic() - started < 10  # the sleeping process group was killed
    message = str(info.value)
    assert "b_hang.docx" in message and "treo" in message and "thử lại 1 lần" in message
    assert "a.docx" not in message and "c.docx" not in message
    # Call 1 hangs on b (a done); call 2 retries b and c, hangs on b; call 3 finishes c.
    assert log.read_text().splitlines() == ["a b_hang c", "b_hang c", "c"]
    # Atomic output: complete PDFs only, no half file, no temporary directory left.
    assert sorted(p.name for p in out.iterdir()) == ["a.pdf", "c.pdf"]
    assert (out / "a.pdf").read_bytes().endswith(b"%%EOF\n")


@posix_only
def test_pdfa_without_pdfa_mark_is_an_error(tmp_path: Path) -> None:
    exe, _ = fake_soffice(tmp_path)  # writes plain PDFs, like LibreOffice < 7.4 would
    doc = tmp_path / "a.docx"
    doc.write_bytes(b"x")
    with pytest.raises(LibreOfficeError, match="PDF/A"):
        convert_to_pdf([doc], tmp_path / "out", soffice=exe, pdfa=True, timeout=30)
    assert list((tmp_path / "out").iterdir()) == []


@posix_only
@pytest.mark.parametrize("names", [("a", "b_hang"), ("b_hang", "a")])
def test_error_in_one_worker_stops_the_others(tmp_path: Path, names: tuple[str, str]) -> None:
    # Both orders: the failing worker may be the first or the second one submitted.
    exe, _ = fake_soffice(tmp_path)
    docs = [tmp_path / f"{name}.docx" for name in names]
    for doc in docs:
        doc.write_bytes(b"x")

    def on_progress(path: Path) -> None:
        raise RuntimeError(f"stop after {path.name}")

    started = time.monotonic()
    with pytest.raises(RuntimeError, match=r"stop after a\.pdf"):
        convert_to_pdf(
            docs, tmp_path / "out", soffice=exe, jobs=2, timeout=30, on_progress=on_progress
        )
    assert time.monotonic() - started < 10  # the hanging worker was killed, not awaited
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.pdf"]


BREAKS_ITS_PROFILE = """#!{python}
# Stands in for a soffice killed while writing its profile: a start leaves a half-written
# profile file, then hangs while {hang} exists; a start on such a profile fails.
import pathlib, sys, time, urllib.parse, urllib.request
args = sys.argv[1:]
profile = pathlib.Path(urllib.request.url2pathname(urllib.parse.urlparse(
    args[0].split("=", 1)[1]).path))
at = args.index("--outdir")
out, files = pathlib.Path(args[at + 1]), args[at + 2:]
marker = profile / "registrymodifications.xcu"
if marker.exists():
    sys.exit(1)
marker.write_text("<half")
while pathlib.Path({hang!r}).exists():
    time.sleep(0.05)
for f in files:
    target = out / (pathlib.Path(f).stem + ".pdf")
    print(f"convert {{f}} -> {{target}} using filter : pdf", flush=True)
    target.write_bytes(b"%PDF-1.4 done\\n%%EOF\\n")
"""


@posix_only
def test_a_profile_broken_by_a_killed_soffice_is_replaced(tmp_path: Path) -> None:
    hang = tmp_path / "hang"
    script = tmp_path / "fake-soffice"
    script.write_text(BREAKS_ITS_PROFILE.format(python=sys.executable, hang=str(hang)))
    script.chmod(0o755)
    doc = tmp_path / "a.docx"
    doc.write_bytes(b"x")
    with PdfConverter(soffice=str(script), timeout=0.5) as conv:
        hang.touch()
        with pytest.raises(LibreOfficeError, match="treo"):
            conv.convert([doc], tmp_path / "out")
        hang.unlink()
        # Without a fresh profile every later start would fail on the half-written file.
        (pdf,) = conv.convert([doc], tmp_path / "out")
    assert pdf.read_bytes() == b"%PDF-1.4 done\n%%EOF\n"


@posix_only
def test_command_hanging_at_start_times_out(tmp_path: Path) -> None:
    script = tmp_path / "sleepy"
    script.write_text("#!/bin/sh\necho started >> " + str(tmp_path / "log") + "\nsleep 60\n")
    script.chmod(0o755)
    doc = tmp_path / "x.docx"
    doc.write_bytes(b"x")
    started = time.monotonic()
    with pytest.raises(LibreOfficeError, match=r"x\.docx: LibreOffice treo quá 0\.3 giây"):
        convert_to_pdf([doc], tmp_path / "out", soffice=str(script), timeout=0.3)
    assert time.monotonic() - started < 8
    assert (tmp_path / "log").read_text().count("started") == 2  # retried once
    assert list((tmp_path / "out").iterdir()) == []


@needs_soffice
def test_real_soffice_killed_then_profile_still_works(tmp_path: Path) -> None:
    doc = make_docx(tmp_path / "k.docx", "VĂN BẢN K")
    with PdfConverter(timeout=0.05) as conv:
        with pytest.raises(LibreOfficeError, match=r"k\.docx"):
            conv.convert([doc], tmp_path / "out")
        assert list((tmp_path / "out").iterdir()) == []
        conv.timeout = 60
        (pdf,) = conv.convert([doc], tmp_path / "out")
    assert page_texts(pdf)[0].startswith("VĂN BẢN K")


def test_missing_soffice_says_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv(pdfmod.SOFFICE_ENV, raising=False)
    monkeypatch.setattr(soffice_mod, "COMMON_LOCATIONS", ())
    assert find_soffice() is None
    doc = tmp_path / "a.docx"
    doc.write_bytes(b"x")
    with pytest.raises(LibreOfficeError) as info:
        convert_to_pdf([doc], tmp_path / "out")
    message = str(info.value)
    assert "Không tìm thấy LibreOffice" in message
    assert (
        "apt-get install -y --no-install-recommends libreoffice-writer-nogui fonts-liberation2"
        in message
    )
    assert "libreoffice.org" in message and "PATH" in message
    with pytest.raises(LibreOfficeError):
        PdfConverter()


@posix_only
def test_env_variable_names_soffice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    exe = tmp_path / "my-soffice"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    monkeypatch.setenv(pdfmod.SOFFICE_ENV, str(exe))
    assert find_soffice() == str(exe)


def test_duplicate_output_names_are_refused(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    a, b = tmp_path / "x" / "Same.docx", tmp_path / "y" / "same.docx"
    a.write_bytes(b"x")
    b.write_bytes(b"x")
    with pytest.raises(ValueError, match="cùng một tên PDF"):
        convert_to_pdf([a, b], tmp_path / "out", soffice=sys.executable)


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@needs_soffice
@pytest.mark.parametrize("chunk_size", [50, 2])  # one level, and chunks composed again
def test_bundle_docx_restarts_numbering(
    tmp_path: Path, converted: tuple[list[Path], list[Path]], chunk_size: int
) -> None:
    docs, pdfs = converted
    bundle = bundle_docx(iter(docs), tmp_path / "in" / "tat_ca.docx", chunk_size=chunk_size)
    assert sorted(p.name for p in bundle.parent.iterdir()) == ["tat_ca.docx"]
    with zipfile.ZipFile(bundle) as z:
        xml = z.read("word/document.xml").decode("utf-8")
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    sect_prs = re.findall(r"<w:sectPr\b.*?</w:sectPr>", xml, flags=re.S)
    assert len(sect_prs) == len(docs)  # one section per document
    for sect in sect_prs:
        assert '<w:pgNumType w:start="1"/>' in sect
        assert "<w:titlePg/>" in sect  # first page of each document without a number
        assert 'w:val="continuous"' not in sect  # each starts a new page
    # Deterministic bytes.
    again = bundle_docx(docs, tmp_path / "again.docx", chunk_size=chunk_size)
    assert again.read_bytes() == bundle.read_bytes()

    if chunk_size != 2:
        return
    (bundle_pdf_path,) = convert_to_pdf([bundle], tmp_path / "pdf", timeout=60)
    texts = page_texts(bundle_pdf_path)
    expected = [len(PdfReader(str(p)).pages) for p in pdfs]
    assert len(texts) == sum(expected)
    at = 0
    for i, n in enumerate(expected):
        assert texts[at].startswith(f"VĂN BẢN {i + 1}")  # a new page for each document
        for k in range(2, n + 1):
            assert texts[at + k - 1].splitlines()[0].strip() == str(k)  # restarts at 1
        at += n


@needs_soffice
def test_bundle_pdf_pages_add_up(tmp_path: Path, converted: tuple[list[Path], list[Path]]) -> None:
    _, pdfs = converted
    out = bundle_pdf(iter(pdfs), tmp_path / "tat_ca.pdf")
    texts = page_texts(out)
    counts = [len(PdfReader(str(p)).pages) for p in pdfs]
    assert len(texts) == sum(counts)
    assert texts[0].startswith("VĂN BẢN 1") and texts[counts[0]].startswith("VĂN BẢN 2")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tat_ca.pdf"]


def test_bundles_refuse_empty_input(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        bundle_docx([], tmp_path / "a.docx")
    with pytest.raises(ValueError):
        bundle_pdf([], tmp_path / "a.pdf")


def test_bundle_composer_writes_docxcomposes_bytes(tmp_path: Path) -> None:
    # The composer that skips add_styles for documents of one template (3x faster bundles)
    # against docxcompose's own Composer: documents of one template, then a mix of templates
    # (where add_styles runs and adds the other template's styles).
    from vn_union_docs import load_document, render_docx
    from vn_union_docs.rendering.bundle import _compose
    from vn_union_docs.rendering.docxzip import normalize_zip

    examples = Path(__file__).resolve().parents[2] / "examples"
    same = []
    for i in range(4):
        same.append(tmp_path / f"cv{i}.docx")
        render_docx(load_document(examples / "58-cdyt-cong-van.yaml"), same[-1])
    other = tmp_path / "qd.docx"
    render_docx(load_document(examples / "qd-khen-thuong.yaml"), other)
    own = Document()  # a style the master does not have: add_styles must copy it over
    own.styles.add_style("Kiểu riêng", WD_STYLE_TYPE.PARAGRAPH)
    own.add_paragraph("Đoạn có kiểu riêng.", style="Kiểu riêng")
    own.save(str(tmp_path / "own.docx"))
    mixed = [same[0], other, same[1], tmp_path / "own.docx",
             make_docx(tmp_path / "plain.docx", "VĂN BẢN 1")]
    for name, paths in (("same", same), ("mixed", mixed)):
        _compose(paths, tmp_path / f"{name}-fast.docx")
        _compose(paths, tmp_path / f"{name}-ref.docx", reference=True)
        fast = normalize_zip((tmp_path / f"{name}-fast.docx").read_bytes())
        reference = normalize_zip((tmp_path / f"{name}-ref.docx").read_bytes())
        assert fast == reference, name
    assert b"Ki\xe1\xbb\x83u ri\xc3\xaang" in zipfile.ZipFile(tmp_path / "mixed-fast.docx").read(
        "word/styles.xml")
