"""The register in the electronic workflow of NĐ 30/2020, Điều 15.3: the leader signs a PDF
whose number and date are blank; the văn thư's organisation signature takes the number from
the register and the register records the signed file's sha256.

    from vn_union_docs.register import Register
    from vn_union_docs.register.signed import sign_registered

    with Register("so-van-ban-di.sqlite") as register, load_pkcs12(...) as key:
        result = sign_registered(register, "lanh-dao-ky.pdf", "58-cdyt.pdf", key=key,
                                 image="seal.png", seal_mm=36)

Or, lower level, pass ``RegisterNumbers(register, key=...)`` as ``sign_pdf``'s
``number_provider`` and call its ``record`` once the file is written.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vn_union_docs.register.core import Register, RegisterError
from vn_union_docs.register.facts import DocumentFacts, facts_from_document
from vn_union_docs.register.issue import document_key
from vn_union_docs.register.types import Allocation

if TYPE_CHECKING:
    from vn_union_docs.signing import NumberRequest, SigningKey, SignResult

__all__ = ["RegisterNumbers", "sign_registered"]

# Type abbreviations of the ký hiệu (NĐ 30/2020, Phụ lục III) → the library's type names.
_TYPES = {"KH": "ke_hoach", "TB": "thong_bao"}


class RegisterNumbers:
    """A ``number_provider`` for :func:`vn_union_docs.signing.sign_pdf` backed by a register.

    The number is allocated under ``key`` (the signed file's path, see
    :func:`~vn_union_docs.register.document_key`): signing the same file again gets the same
    number back instead of a new one. ``doc`` (the document's model, e.g. its spec loaded
    with ``load_document``) fills the register's columns (trích yếu, nơi nhận…); without it
    they come from the PDF: the ký hiệu, ``issuer_name`` and ``signer``.
    """

    def __init__(self, register: Register, *, key: str, doc: Any = None,
                 issuer_name: str = "", signer: str = "") -> None:
        self.register = register
        self.key = key
        self.doc = doc
        self.issuer_name = issuer_name
        self.signer = signer
        self.allocation: Allocation | None = None

    def facts(self, request: NumberRequest) -> DocumentFacts:
        """The register's view of the document being numbered."""
        symbol = (request.symbol or "").strip()
        if self.doc is not None:
            doc = self.doc.model_copy(update={"date": request.issued_on, "number": None})
            try:
                facts = facts_from_document(doc)
            except ValueError as exc:
                raise RegisterError(str(exc)) from None
            if symbol and facts.symbol != symbol:
                raise RegisterError(
                    f"{request.source}: ký hiệu trên PDF «{symbol}» khác ký hiệu trong dữ liệu "
                    f"văn bản «{facts.symbol}»; kiểm tra lại tệp dữ liệu đi kèm PDF.")
            return facts
        if not symbol:
            raise RegisterError(
                f"{request.source}: không đọc được ký hiệu văn bản sau «Số:» trong PDF nên không "
                "cấp số từ sổ được; dùng --number hoặc --spec (NĐ 30/2020, Điều 15.3).")
        prefix, _, code = symbol.rpartition("-")
        return DocumentFacts(
            issuer_code=code, issuer_name=self.issuer_name or code, issuer_parent=None,
            year=request.issued_on.year, date=request.issued_on,
            doc_type=_TYPES.get(prefix, "cong_van" if not prefix else prefix.lower()),
            symbol=symbol, subject=f"(văn bản điện tử {Path(request.source).name})",
            signer=self.signer, recipients="", archive="", copies=0, secret=False,
            number=None)

    def __call__(self, request: NumberRequest) -> int:
        """Allocate (or look up) the number: NĐ 30/2020, Điều 15.3."""
        self.allocation = self.register.allocate(self.facts(request), self.key)
        return self.allocation.number

    def record(self, path: Path | str, data: bytes) -> None:
        """Mark the entry issued with the signed file's name and sha256."""
        if self.allocation is not None:
            self.register.mark_issued([(self.allocation.entry_id, Path(path).name,
                                        hashlib.sha256(data).hexdigest())])


def sign_registered(register: Register, source: Path | str, out: Path | str, *,
                    key: SigningKey, doc: Any = None, **options: Any) -> SignResult:
    """Sign ``source`` as the organisation (``sign_pdf``'s ``options``: ``image``,
    ``seal_mm``, ``issued_on``…) with the number from ``register``; write ``out`` and record
    its sha256 in the register. A document that already has its number is signed without
    touching the register. When signing fails after the number was allocated, the number
    stays reserved under ``out``'s path: signing again to the same ``out`` reuses it."""
    from vn_union_docs.signing import sign_pdf, verify_pdf

    signers = [r.signer for r in verify_pdf(source) if r.role is not None
               and r.role.value == "signer"]
    numbers = RegisterNumbers(register, key=document_key(out), doc=doc,
                              issuer_name=key.organisation, signer=signers[0] if signers else "")
    result = sign_pdf(source, out, role="organisation", key=key, number_provider=numbers,
                      **options)
    numbers.record(out, result.data)
    return result


