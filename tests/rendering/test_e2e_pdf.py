"""End to end, as a user would: render every example, convert to PDF with LibreOffice, read the
PDF's text (pdftotext) and its page count."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from vn_union_docs import load_document, render_docx
from vn_union_docs.rendering.pdf import convert_to_pdf, find_soffice

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))

pytestmark = [
    pytest.mark.skipif(find_soffice() is None, reason=(
        "LibreOffice (soffice) is not installed: apt-get install -y --no-install-recommends "
        "libreoffice-writer-nogui fonts-liberation2")),
    pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None,
                       reason="poppler-utils (pdftotext, pdfinfo) is not installed"),
]

# Page counts with LibreOffice and Liberation Serif (metric-compatible with Times New Roman).
PAGES = {
    "112-ldld-phu-yen-cong-van": 3,
    "12-tb-cdyt-thong-bao": 2,
    "222-kh-cdyt-ke-hoach": 6,
    "256-ldld-thu-duc-cong-van": 2,
    "58-cdyt-cong-van": 2,
    "cdtttt-giai-doan-2-cong-van": 2,
    "du-thao-cong-van-thang-cong-nhan": 1,
    "bien-ban-hop-btv": 1,
    "cong-dien-mua-lu": 1,
    "giay-gioi-thieu": 1,
    "giay-moi-hoi-nghi": 1,
    "giay-nghi-phep": 1,
    "qd-khen-thuong": 2,
    "tb-lien-tich-dhxd-cdt": 1,
    "bc-tong-ket-nhiem-ky": 2,
    "kh-phu-luc-ngang": 2,
    "tb-khong-so-cdcs": 1,
    "hoa-hiep-thong-bao-hoi-thi-atvsld": 1,
    "krong-bong-cong-van-thang-cong-nhan": 2,
    "nguyen-binh-khiem-ke-hoach-95-nam-cdvn": 2,
}
# Page 2 of these is an appendix's first page: numbering restarts, page 1 shows none.
APPENDIX_FROM_PAGE_2 = {"kh-phu-luc-ngang", "qd-khen-thuong"}


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("e2e")
    docs = []
    for path in EXAMPLES:
        render_docx(load_document(path), out / f"{path.stem}.docx")
        docs.append(out / f"{path.stem}.docx")
    return {pdf.stem: pdf for pdf in convert_to_pdf(docs, out)}


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def page_count(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                          check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]


def test_every_example_has_a_pdf(pdfs: dict[str, Path]) -> None:
    assert set(pdfs) == {path.stem for path in EXAMPLES}
    assert set(PAGES) == set(pdfs), "add the new example's page count to PAGES"


@pytest.mark.parametrize("stem", sorted(PAGES))
def test_pdf_text_and_pages(pdfs: dict[str, Path], stem: str) -> None:
    text = pdf_text(pdfs[stem])
    assert page_count(pdfs[stem]) == PAGES[stem]
    flat = re.sub(r"\s+", " ", text)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in flat
    assert "Độc lập - Tự do - Hạnh phúc" in flat
    assert "Nơi nhận:" in flat
    assert "./." in flat
    first_page = text.split("\f")[0]
    assert not re.search(r"^\s*1\s*$", first_page, re.M), "page 1 must not show a number"
    if PAGES[stem] > 1 and stem not in APPENDIX_FROM_PAGE_2:
        second = text.split("\f")[1].strip().splitlines()[0].strip()
        assert second == "2", f"page 2 must start with its number, got {second!r}"


def test_seed_figures_in_pdfs(pdfs: dict[str, Path]) -> None:
    def flat(stem: str) -> str:
        return re.sub(r"\s+", " ", pdf_text(pdfs[stem]))

    assert "493/779 sáng kiến và bằng 63,3%" in flat("58-cdyt-cong-van")
    assert "Số: 58/CĐYT" in flat("58-cdyt-cong-van")
    assert "Thái Bình, ngày 23 tháng 02 năm 2023" in flat("58-cdyt-cong-van")
    assert "45,97%" in flat("256-ldld-thu-duc-cong-van")
    kh = flat("222-kh-cdyt-ke-hoach")
    assert "VI. TỔ CHỨC THỰC HIỆN" in kh and "3030" not in kh
