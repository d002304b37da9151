"""The electronic công văn 58/CĐYT, signed as NĐ 30/2020 prescribes, from scratch.

1. a throw-away PKI (leader, organisation) and the two images (``signature.png`` blue,
   ``seal.png`` red, both transparent; regenerated here byte for byte);
2. ``58-cdyt-du-thao.yaml`` rendered to PDF/A with number and date blank (Điều 15.3);
3. the leader signs (``--role signer``), the văn thư numbers it 58, dates it and signs as
   the organisation (``--role organisation``, the seal 36 mm);
4. a separate appendix signed as an attachment (``--role attachment --reference 58/CĐYT``);
5. both files verified (pyHanko's validator through ``verify_pdf``) and their pages written
   as PNG (``pdftoppm -r 60``) to look at.

Usage: ``python examples/signing/make_example.py [OUT_DIR]`` (default ``out/signing``).
``58-cdyt-du-thao.pdf`` beside this script is step 2's PDF, kept for the README's snippet.
Needs LibreOffice and poppler-utils.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _appendix(path: Path) -> None:
    """An appendix in its own file (Phụ lục III of NĐ 30/2020's layout, simplified)."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    style = doc.styles["Normal"]
    style.font.name, style.font.size = "Times New Roman", Pt(14)

    def centred(text: str, *, bold: bool = False, italic: bool = False) -> None:
        paragraph = doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(text)
        run.bold, run.italic = bold, italic

    centred("Phụ lục", bold=True)
    centred("TIẾN ĐỘ CHƯƠNG TRÌNH “01 TRIỆU SÁNG KIẾN” THEO ĐƠN VỊ", bold=True)
    centred("(Kèm theo Công văn số 58/CĐYT của Ban Thường vụ Công đoàn ngành Y tế)",
            italic=True)
    rows = [("TT", "Công đoàn cơ sở", "Sáng kiến", "Chỉ tiêu"),
            ("1", "Bệnh viện Đa khoa tỉnh", "112", "150"),
            ("2", "Bệnh viện Nhi", "64", "90"),
            ("3", "Trung tâm Kiểm soát bệnh tật", "41", "60"),
            ("4", "Bệnh viện Y học cổ truyền", "38", "55")]
    table = doc.add_table(rows=len(rows), cols=4)
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            cell = table.cell(r, c)
            cell.text = value
            if r == 0:
                cell.paragraphs[0].runs[0].bold = True
    doc.save(str(path))


def main(out: Path) -> None:
    logging.disable(logging.WARNING)
    from vn_union_docs import load_document, render_docx
    from vn_union_docs.rendering.pdf import convert_to_pdf
    from vn_union_docs.signing import demo, load_pkcs12, sign_pdf, signature_findings

    out.mkdir(parents=True, exist_ok=True)
    demo.signature_png(HERE / "signature.png")
    demo.seal_png(HERE / "seal.png")
    pki = demo.make_pki()
    password = "demo"
    for name in ("signer", "organisation"):
        (out / f"{name}.p12").write_bytes(pki.certs[name].pkcs12(password, pki.ca.cert))
    (out / "demo-ca.pem").write_bytes(pki.ca.cert_pem())

    render_docx(load_document(HERE / "58-cdyt-du-thao.yaml"), out / "58-cdyt-du-thao.docx")
    _appendix(out / "58-cdyt-phu-luc.docx")
    convert_to_pdf([out / "58-cdyt-du-thao.docx", out / "58-cdyt-phu-luc.docx"], out,
                   pdfa=True)

    with load_pkcs12(out / "signer.p12", password) as leader:
        sign_pdf(out / "58-cdyt-du-thao.pdf", out / "58-cdyt-lanh-dao-ky.pdf", role="signer",
                 key=leader, image=HERE / "signature.png")
    with load_pkcs12(out / "organisation.p12", password) as office:
        issued = sign_pdf(out / "58-cdyt-lanh-dao-ky.pdf", out / "58-cdyt.pdf",
                          role="organisation", key=office, image=HERE / "seal.png",
                          seal_mm=36, number=58)
        sign_pdf(out / "58-cdyt-phu-luc.pdf", out / "58-cdyt-phu-luc-ky.pdf",
                 role="attachment", key=office, reference="58/CĐYT")
    print(f"Số {issued.number}, ký lúc {issued.signed_at.isoformat()}")

    from vn_union_docs.signing import load_trust_roots

    roots = load_trust_roots([out / "demo-ca.pem"])
    for pdf in ("58-cdyt.pdf", "58-cdyt-phu-luc-ky.pdf"):
        print(pdf)
        for finding in signature_findings(out / pdf, roots):
            print(f"  {finding['severity']}: {finding['message']}")
        stem = out / Path(pdf).stem
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(out / pdf), str(stem)], check=True)
    print(f"→ {out}")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parents[1]))
    os.chdir(HERE.parents[1])
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("out/signing"))
