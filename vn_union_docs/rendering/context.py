"""The template context: the one documented structure every template receives.

``build_context(doc)`` turns a validated model into flat, fully formatted strings and lists
(see ``CONTEXT_FIELDS`` and docs/template-context.md): a template only places them, it never
computes a date, a number or a punctuation mark.
"""

from __future__ import annotations

from typing import Any

from vn_union_docs import vi
from vn_union_docs.documents.body import Paragraph, body_blocks
from vn_union_docs.documents.models import SECRECY_MARKS, URGENCY_MARKS, BaseDocument
from vn_union_docs.errors import Problem, SpecError
from vn_union_docs.rendering.appendix import appendix_context
from vn_union_docs.rendering.form_context import FORM_FIELDS, form_context
from vn_union_docs.rendering.joint import SignatureTable, signature_rows
from vn_union_docs.rendering.wordml import BodyXml

DRAFT_BLANK = " " * 6
"""What stands for a missing number, day or month in a draft (room to write by hand)."""

CONTEXT_FIELDS: dict[str, tuple[str, str]] = {
    "doc_type": ("str", "Loại văn bản (type): cong_van, ke_hoach, quyet_dinh, giay_moi … "
                        "(NĐ 30/2020, Điều 7)."),
    "type_name": ("str", "Tên loại in hoa: rỗng (công văn), KẾ HOẠCH, QUYẾT ĐỊNH, GIẤY MỜI …"),
    "parent": ("str", "Cơ quan chủ quản, in hoa; rỗng nếu không có."),
    "issuer": ("str", "Cơ quan ban hành, in hoa."),
    "number_line": ("str", "Dòng số, ký hiệu: «Số: 58/CĐYT»; bản nháp «Số:      /CĐYT»."),
    "place_date": ("str", "Địa danh, ngày tháng năm theo NĐ 30 (ngày < 10 và tháng 1, 2 có số 0)."),
    "subject": ("str", "Trích yếu, như người soạn viết."),
    "subject_line": ("str", "Công văn: «V/v …»; loại khác: như subject."),
    "urgency": ("str", "Độ khẩn: rỗng, KHẨN, THƯỢNG KHẨN, HỎA TỐC."),
    "urgency_level": ("str", "Độ khẩn dạng mã: rỗng, khan, thuong_khan, hoa_toc (mỗi mức "
                             "một khung dấu: 20, 40, 30 mm; NĐ 30/2020, Phụ lục I, III.2.b)."),
    "secrecy": ("str", "Độ mật: rỗng, MẬT, TỐI MẬT, TUYỆT MẬT."),
    "recipient_line": ("str", "Nơi nhận ở Kính gửi khi chỉ có một; rỗng nếu không."),
    "recipients": ("list[str]", "Kính gửi khi có nhiều: «- A;» … «- Z.»; rỗng nếu không."),
    "body": ("BodyXml", "Nội dung (WordprocessingML): đặt {{p body }} một mình trong một đoạn."),
    "signature_capacity": ("list[str]", "Dòng thẩm quyền in hoa: «TM. BAN THƯỜNG VỤ», «KT. …»."),
    "signature_title": ("str", "Chức vụ người ký, in hoa; rỗng nếu không có."),
    "signature_name": ("str", "Họ tên người ký."),
    "distribution": ("list[str]", "Nơi nhận: «- Như trên;» … «- Lưu: VT, VP.»."),
    "issuers": ("list[dict]", "Mọi cơ quan ban hành, cơ quan chủ trì trước (văn bản liên tịch): "
                              "mỗi mục có parent (in hoa, có thể rỗng) và name (in hoa)."),
    "joint": ("bool", "Văn bản liên tịch (nhiều cơ quan ban hành)."),
    "signature_rows": ("list[dict]", "Văn bản liên tịch: các hàng chữ ký, mỗi hàng có left và "
                                     "right (rỗng hoặc một khối: capacity, title, name); chữ ký "
                                     "của cơ quan chủ trì bên phải hàng đầu; rỗng nếu một chữ ký."),
    "signature_table": ("SignatureTable", "Văn bản liên tịch: các khối chữ ký thành bảng "
                                          "(WordprocessingML): đặt {{p signature_table }} một "
                                          "mình trong một đoạn; rỗng nếu một chữ ký."),
    "appendices": ("list[dict]", "Các phụ lục: heading («Phụ lục I»), title (in hoa), guide "
                                 "(«(Kèm theo … )»), landscape."),
    "appendix_xml": ("AppendixXml", "Các phụ lục (WordprocessingML): đặt {{p appendix_xml }} một "
                                    "mình trong một đoạn, sau Nơi nhận; mỗi phụ lục một phần "
                                    "(section) riêng, trang mới, số trang lại từ 1."),
    **FORM_FIELDS,
}


def number_line(doc: BaseDocument) -> str:
    """``Số: 58/CĐYT``, ``Số: 05/KH-CĐYT`` (below 10 padded), ``Số:      /CĐYT`` for a draft;
    empty for a document issued without a number (``unnumbered``)."""
    if doc.unnumbered:
        return ""
    if doc.number == "auto":  # numbered by vn_union_docs.register.issue_document first
        raise SpecError(problems=[Problem("number", (
            "number: auto cần sổ đăng ký để cấp số: tạo văn bản bằng «vn-union-docs render» "
            "hoặc vn_union_docs.register.issue_document"))])
    number = f"{doc.number:02d}" if doc.number is not None else DRAFT_BLANK
    return f"Số: {number}/{doc.symbol_text}"


def place_date_line(doc: BaseDocument) -> str:
    """The ND30 place and date line; a draft leaves day and month blank."""
    if doc.date is None:
        return vi.draft_place_date(doc.place, doc.year)
    return vi.place_date(doc.place, doc.date)


def _punctuated(items: list[str]) -> list[str]:
    """``- A;`` for every item but the last, ``- Z.`` for the last."""
    return [f"- {item}{'.' if i == len(items) - 1 else ';'}" for i, item in enumerate(items)]


def type_name_line(doc: BaseDocument) -> str:
    """The printed type name: ``type_name`` in upper case, else the type's own (``KẾ HOẠCH``)
    with ``LIÊN TỊCH`` for a joint document; empty for a công văn."""
    if doc.type_name:
        return doc.type_name.upper()
    name = doc.printed_name
    return f"{name} LIÊN TỊCH" if name and doc.joint else name


def _unclosed(blocks: list[Any]) -> list[Any]:
    """The blocks without the closing ``./.`` (a biên bản closes with its last line)."""
    if not blocks or not isinstance(blocks[-1], Paragraph):
        return blocks
    last = blocks[-1]
    if last.runs and last.runs[-1].text in ("./.", "/."):
        runs = last.runs[:-1]  # "/." follows a text's own final dot: the dot stays
        if not "".join(r.text for r in runs).strip():
            return blocks[:-1]
        return [*blocks[:-1], Paragraph(last.style, runs, last.line)]
    return blocks


def build_context(doc: BaseDocument) -> dict[str, Any]:
    """The template context for ``doc``: every key of ``CONTEXT_FIELDS``, all formatted."""
    subject = doc.subject
    recipients = doc.recipients
    distribution = [f"- {item};" for item in doc.distribution]
    distribution.append(f"- Lưu: {doc.archive}.")
    signer = doc.signer  # a biên bản's chair when it has no signature
    capacity, title, name = list(signer.capacity), signer.title or "", signer.name
    blocks = body_blocks(doc.body, doc.outline_levels)
    if doc.form == "bien_ban":
        blocks = _unclosed(blocks)
    return {
        "doc_type": doc.type,
        "type_name": type_name_line(doc),
        "parent": (doc.issuer.parent or "").upper(),
        "issuer": doc.issuer.name.upper(),
        "issuers": [{"parent": (i.parent or "").upper(), "name": i.name.upper()}
                    for i in doc.issuers],
        "joint": doc.joint,
        "signature_rows": (rows := signature_rows(doc)),
        "signature_table": SignatureTable(rows),
        "number_line": number_line(doc),
        "place_date": place_date_line(doc) if doc.place else "",
        "subject": subject,
        "subject_line": f"V/v {subject}" if doc.type == "cong_van" else subject,
        "urgency": URGENCY_MARKS.get(doc.urgency or "", ""),
        "urgency_level": doc.urgency or "",
        "secrecy": SECRECY_MARKS.get(doc.secrecy or "", ""),
        "recipient_line": recipients[0] if len(recipients) == 1 else "",
        "recipients": _punctuated(recipients) if len(recipients) > 1 else [],
        "body": BodyXml(blocks),
        "signature_capacity": capacity,
        "signature_title": title.upper(),
        "signature_name": name,
        "distribution": distribution,
        **form_context(doc, not blocks),
        **appendix_context(doc),
    }
