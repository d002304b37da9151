"""The template context: the one documented structure every template receives.

``build_context(doc)`` turns a validated model into flat, fully formatted strings and lists
(see ``CONTEXT_FIELDS`` and docs/template-context.md): a template only places them, it never
computes a date, a number or a punctuation mark.
"""

from __future__ import annotations

from typing import Any

from vn_union_docs import vi
from vn_union_docs.documents.body import body_blocks
from vn_union_docs.documents.models import SECRECY_MARKS, URGENCY_MARKS, BaseDocument
from vn_union_docs.errors import Problem, SpecError
from vn_union_docs.rendering.wordml import BodyXml

DRAFT_BLANK = " " * 6
"""What stands for a missing number, day or month in a draft (room to write by hand)."""

CONTEXT_FIELDS: dict[str, tuple[str, str]] = {
    "doc_type": ("str", "Loại văn bản: cong_van, ke_hoach hoặc thong_bao."),
    "type_name": ("str", "Tên loại in hoa: rỗng (công văn), KẾ HOẠCH, THÔNG BÁO."),
    "parent": ("str", "Cơ quan chủ quản, in hoa; rỗng nếu không có."),
    "issuer": ("str", "Cơ quan ban hành, in hoa."),
    "number_line": ("str", "Dòng số, ký hiệu: «Số: 58/CĐYT»; bản nháp «Số:      /CĐYT»."),
    "place_date": ("str", "Địa danh, ngày tháng năm theo NĐ 30 (ngày < 10 và tháng 1, 2 có số 0)."),
    "subject": ("str", "Trích yếu, như người soạn viết."),
    "subject_line": ("str", "Công văn: «V/v …»; loại khác: như subject."),
    "urgency": ("str", "Độ khẩn: rỗng, KHẨN, THƯỢNG KHẨN, HỎA TỐC."),
    "secrecy": ("str", "Độ mật: rỗng, MẬT, TỐI MẬT, TUYỆT MẬT."),
    "recipient_line": ("str", "Nơi nhận ở Kính gửi khi chỉ có một; rỗng nếu không."),
    "recipients": ("list[str]", "Kính gửi khi có nhiều: «- A;» … «- Z.»; rỗng nếu không."),
    "body": ("BodyXml", "Nội dung (WordprocessingML): đặt {{p body }} một mình trong một đoạn."),
    "signature_capacity": ("list[str]", "Dòng thẩm quyền in hoa: «TM. BAN THƯỜNG VỤ», «KT. …»."),
    "signature_title": ("str", "Chức vụ người ký, in hoa; rỗng nếu không có."),
    "signature_name": ("str", "Họ tên người ký."),
    "distribution": ("list[str]", "Nơi nhận: «- Như trên;» … «- Lưu: VT, VP.»."),
}


def number_line(doc: BaseDocument) -> str:
    """``Số: 58/CĐYT``, ``Số: 05/KH-CĐYT`` (below 10 padded), ``Số:      /CĐYT`` for a draft."""
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


def build_context(doc: BaseDocument) -> dict[str, Any]:
    """The template context for ``doc``: every key of ``CONTEXT_FIELDS``, all formatted."""
    subject = doc.subject
    recipients = doc.recipients
    distribution = [f"- {item};" for item in doc.distribution]
    distribution.append(f"- Lưu: {doc.archive}.")
    signature = doc.signature
    return {
        "doc_type": doc.type,
        "type_name": doc.type_name,
        "parent": (doc.issuer.parent or "").upper(),
        "issuer": doc.issuer.name.upper(),
        "number_line": number_line(doc),
        "place_date": place_date_line(doc),
        "subject": subject,
        "subject_line": f"V/v {subject}" if doc.type == "cong_van" else subject,
        "urgency": URGENCY_MARKS.get(doc.urgency or "", ""),
        "secrecy": SECRECY_MARKS.get(doc.secrecy or "", ""),
        "recipient_line": recipients[0] if len(recipients) == 1 else "",
        "recipients": _punctuated(recipients) if len(recipients) > 1 else [],
        "body": BodyXml(body_blocks(doc.body)),
        "signature_capacity": list(signature.capacity),
        "signature_title": (signature.title or "").upper(),
        "signature_name": signature.name,
        "distribution": distribution,
    }
