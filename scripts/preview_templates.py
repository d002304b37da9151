"""Render the default templates with a sample context, to look at them as a user would.

Writes, into the directory given on the command line, one .docx per template and variant
(``cong_van.docx``, ``cong_van-recipients-urgent.docx``, …), and with ``--pdf`` also a PDF
and a PNG of pages 1 and 2 of each (LibreOffice ``soffice`` and poppler ``pdftoppm``)::

    python scripts/preview_templates.py out/preview --pdf

The templates are read from ``templates/`` (or ``--templates DIR``); the context follows the
TEMPLATE CONTEXT table in ``docs/architecture.md``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from docxtpl import DocxTemplate

REPO = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = REPO / "templates"
DOC_TYPES = ("cong_van", "van_ban")
"""The two plain frames (Mẫu 1.5 and 1.4) previewed with the sample body; the other forms
are looked at through their examples (examples/*.yaml, ``vn-union-docs render``)."""

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


class SampleBody:
    """Body WordprocessingML that docxtpl inserts unescaped (``__html__``) via ``{{p body }}``."""

    def __init__(self, paragraphs: list[tuple[str, str]]) -> None:
        self.xml = "".join(
            f'<w:p xmlns:w="{W_NS}"><w:pPr><w:pStyle w:val="{style}"/></w:pPr>'
            f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'
            for style, text in paragraphs
        )

    def __html__(self) -> str:
        return self.xml

    def __str__(self) -> str:
        return self.xml


BODY_TEXT = (
    "Thực hiện sự chỉ đạo của Liên đoàn Lao động tỉnh Thái Bình, ngày 12/01/2022, Công đoàn "
    "ngành Y tế đã ban hành Kế hoạch số 17/KH-CĐYT thực hiện Chương trình “01 triệu sáng kiến - "
    "nỗ lực vượt khó, sáng tạo, quyết tâm chiến thắng đại dịch Covid-19” do Tổng Liên đoàn Lao "
    "động Việt Nam phát động (sau đây gọi tắt là Chương trình). Đến ngày 23/02/2023, toàn ngành "
    "có 493/779 sáng kiến, bằng 63,3% so với chỉ tiêu giao toàn Chương trình."
)


def sample_body() -> SampleBody:
    """About two pages of body paragraphs in the body styles (& < > included on purpose)."""
    paragraphs: list[tuple[str, str]] = [("VBBody", BODY_TEXT)]
    paragraphs.append(("VBHeading1", "I. MỤC ĐÍCH, YÊU CẦU"))
    paragraphs.append(("VBHeading2", "1. Mục đích"))
    for i in range(1, 4):
        paragraphs.append(("VBBody", f"{i}. " + BODY_TEXT))
        paragraphs.append(("VBDash", "- Đoàn viên, người lao động khối doanh nghiệp có sáng kiến "
                                     "& đề tài được công nhận <và> áp dụng tại doanh nghiệp."))
        paragraphs.append(("VBPlus", "+ Cán bộ, công chức, viên chức có sáng kiến, đề tài."))
    paragraphs.append(("VBHeading3", "a) Điểm thứ nhất"))
    paragraphs.extend(("VBBody", BODY_TEXT) for _ in range(2))
    paragraphs.append(("VBBody", "Nhận được văn bản này, đề nghị các Công đoàn cơ sở nghiêm túc "
                                 "triển khai thực hiện./."))
    return SampleBody(paragraphs)


def sample_context(
    doc_type: str, *, recipients: bool = False, urgent: bool = False, kinh_gui: bool = True
) -> dict[str, Any]:
    """The sample context of the brief.

    ``recipients`` gives several recipients (a dash list), ``urgent`` urgency and secrecy
    marks, ``kinh_gui=False`` no Kính gửi at all (optional on kế hoạch and thông báo).
    """
    type_name = {"cong_van": "", "van_ban": "KẾ HOẠCH"}[doc_type]
    subject = ("tiếp tục triển khai Chương trình “01 triệu sáng kiến - nỗ lực vượt khó, sáng tạo, "
               "quyết tâm chiến thắng đại dịch Covid-19”")
    code = {"cong_van": "CĐYT", "van_ban": "KH-CĐYT"}[doc_type]
    one = "Các Công đoàn cơ sở trực thuộc" if kinh_gui else ""
    many = ["- Các Công đoàn cơ sở trực thuộc;", "- Ban Nữ công Công đoàn ngành;",
            "- Ủy ban Kiểm tra Công đoàn ngành."]
    return {
        "doc_type": "ke_hoach" if doc_type == "van_ban" else doc_type,
        "type_name": type_name,
        "parent": "LĐLĐ TỈNH THÁI BÌNH",
        "issuer": "CÔNG ĐOÀN NGÀNH Y TẾ",
        "number_line": f"Số: 58/{code}",
        "place_date": "Thái Bình, ngày 23 tháng 02 năm 2023",
        "subject": subject[0].upper() + subject[1:],
        "subject_line": "V/v " + subject if doc_type == "cong_van" else subject,
        "urgency": "THƯỢNG KHẨN" if urgent else "",
        "urgency_level": "thuong_khan" if urgent else "",
        "secrecy": "MẬT" if urgent else "",
        "recipient_line": "" if recipients else one,
        "recipients": many if recipients and kinh_gui else [],
        "body": sample_body(),
        "signature_capacity": ["TM. BAN THƯỜNG VỤ"],
        "signature_title": "CHỦ TỊCH",
        "signature_name": "Đào Văn Truyền",
        "distribution": ["- Như trên;", "- LĐLĐ tỉnh (để b/c);", "- Lưu: VT, VP CĐN."],
        "issuers": [{"parent": "LĐLĐ TỈNH THÁI BÌNH", "name": "CÔNG ĐOÀN NGÀNH Y TẾ"}],
        "joint": False,
        "signature_rows": [],
        "signature_table": "",
        "appendices": [],
        "appendix_xml": "",
    }


VARIANTS: dict[str, dict[str, bool]] = {
    "": {},
    "-recipients-urgent": {"recipients": True, "urgent": True},
    "-no-kinh-gui": {"kinh_gui": False},
}


def render(template: Path, context: dict[str, Any], out: Path) -> Path:
    """Render ``template`` with docxtpl (autoescape on) into ``out``."""
    doc = DocxTemplate(str(template))
    doc.render(context, autoescape=True)
    doc.save(str(out))
    return out


def to_pdf_and_png(docx_files: list[Path], out_dir: Path) -> None:
    """Convert to PDF with LibreOffice and pages 1-2 to PNG with pdftoppm."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        print("soffice not found: no PDF", file=sys.stderr)
        return
    subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(out_dir),
                    *map(str, docx_files)], check=True, capture_output=True, timeout=300)
    if shutil.which("pdftoppm") is None:
        return
    for docx_file in docx_files:
        pdf = out_dir / (docx_file.stem + ".pdf")
        subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "2", str(pdf),
                        str(out_dir / docx_file.stem)], check=True)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="directory to write the previews to")
    parser.add_argument("--templates", type=Path, default=TEMPLATES_DIR)
    parser.add_argument("--pdf", action="store_true", help="also make PDFs and PNGs")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    written = []
    for doc_type in DOC_TYPES:
        for suffix, options in VARIANTS.items():
            out = args.out / f"{doc_type}{suffix}.docx"
            render(args.templates / f"{doc_type}.docx", sample_context(doc_type, **options), out)
            written.append(out)
            print(f"wrote {out}")
    if args.pdf:
        to_pdf_and_png(written, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
