"""What the register records about a document, taken from its model.

``facts_from_document`` reads a ``BaseDocument`` (any object with the same attributes) into a
plain, picklable ``DocumentFacts``: a batch computes it in a worker process and sends it to
the process that allocates numbers.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from vn_union_docs.documents.doc_types import DOC_TYPES

TYPE_NAMES = {doc_type: info.name for doc_type, info in DOC_TYPES.items()}
"""Every ND30 type's name (documents/doc_types.yaml): «Công văn», «Quyết định» …"""
ALL_TYPES = "chung"
SECRET = "mat"


@dataclass(frozen=True)
class DocumentFacts:
    """A document as the register sees it (the Phụ lục IV columns and the series key)."""

    issuer_code: str
    issuer_name: str
    issuer_parent: str | None
    year: int
    date: dt.date
    doc_type: str
    symbol: str
    subject: str
    signer: str
    recipients: str
    archive: str
    copies: int
    secret: bool
    number: int | None  # None: allocate (number: auto)

    def kind(self, numbering: str) -> str:
        """The series kind: ``mat`` for secret documents (NĐ 30/2020, Điều 15.2), the type
        when the register numbers per type, else ``chung`` (one series for all types)."""
        if self.secret:
            return SECRET
        return self.doc_type if numbering == "per_type" else ALL_TYPES

    @property
    def type_and_subject(self) -> str:
        """Column 3 of the register: type name and trích yếu."""
        return f"{TYPE_NAMES.get(self.doc_type, self.doc_type)} {self.subject}"


def _copies(doc: Any) -> int:
    """Số lượng bản: one per nơi nhận line («Như trên» counts the Kính gửi list), plus one per
    archive holder (``VT, VP`` is two)."""
    count = 0
    for item in doc.distribution:
        count += max(1, len(doc.recipients)) if re.match(r"(?i)^như trên\b", item) else 1
    count += len([part for part in str(doc.archive).split(",") if part.strip()])
    return count


def _recipients(doc: Any) -> str:
    names = list(doc.recipients)
    for item in doc.distribution:
        if not re.match(r"(?i)^như trên\b", item) and item not in names:
            names.append(item)
    return "\n".join(names)


def facts_from_document(doc: Any) -> DocumentFacts:
    """The register's view of a validated document (``number: auto`` gives ``number=None``).

    Raises ``ValueError`` for a document without a date (a draft has no number).
    """
    if doc.date is None:
        raise ValueError("văn bản chưa có ngày (date) nên chưa cấp số được: bản nháp không có số")
    signer = doc.signer  # a biên bản without a signature: its chair
    signer_parts = [*signer.capacity, signer.title or "", signer.name]
    number = doc.number if isinstance(doc.number, int) else None
    return DocumentFacts(
        issuer_code=doc.issuer.code,
        issuer_name=doc.issuer.name,
        issuer_parent=doc.issuer.parent,
        year=doc.date.year,
        date=doc.date,
        doc_type=doc.type,
        symbol=doc.symbol_text,
        subject=doc.subject,
        signer="\n".join(part for part in signer_parts if part),
        recipients=_recipients(doc),
        archive=doc.archive,
        copies=_copies(doc),
        secret=doc.secrecy is not None,
        number=number,
    )


def register_facts(doc: Any) -> DocumentFacts | None:
    """``facts_from_document`` for a document that has or asks for a number; ``None`` for one
    without (a draft): the register records numbers, and a draft has none."""
    if doc.number is None:
        return None
    return facts_from_document(doc)


def parse_number(text: str) -> tuple[int, str]:
    """``"05/CĐKCN"`` → ``(5, "CĐKCN")``; raises ``ValueError`` with a clerk-readable reason."""
    match = re.fullmatch(r"\s*(\d{1,5})\s*/\s*(\S+)\s*", text)
    if not match:
        raise ValueError(f"«{text}» không phải số, ký hiệu văn bản; viết dạng «05/CĐKCN»")
    return int(match.group(1)), match.group(2).upper()


def format_number(number: int, symbol: str) -> str:
    """``(5, "CĐKCN")`` → ``"05/CĐKCN"`` (numbers below 10 with a leading zero)."""
    return f"{number:02d}/{symbol}"
