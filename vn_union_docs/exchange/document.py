"""An envelope for a registered document (``register edxml``), and ``check`` of an envelope.

The header comes from the register's entry (number, ký hiệu, date, type, trích yếu, signer,
nơi nhận, copies) and the document's spec (the issuer's organisation code ``issuer.organ_id``,
place, urgency); the attachments are the signed PDF and the appendix files.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from vn_union_docs import vi
from vn_union_docs.documents.doc_types import DOC_TYPES
from vn_union_docs.exchange.envelope import Attachment, Envelope, ExchangeError, Organ, build, read
from vn_union_docs.exchange.signature import sign, verify
from vn_union_docs.files import write_atomic
from vn_union_docs.register.core import Register
from vn_union_docs.register.facts import TYPE_NAMES
from vn_union_docs.signing import SigningKey, load_pkcs12

PRIORITY = {None: 0, "khan": 1, "thuong_khan": 2, "hoa_toc": 3}
TYPE_CODES = {t: info.abbreviation or ("CV" if t == "cong_van" else "THU")
              for t, info in DOC_TYPES.items()}
"""TypeDetail: the type's ND30 abbreviation (công văn CV, thư công THU, which have none)."""


def _pdf_info(data: bytes, name: str) -> tuple[int, str, bool]:
    """Page count, text and whether the PDF carries a signature."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
        fields = reader.get_fields() or {}
    except (PdfReadError, ValueError, KeyError) as exc:
        raise ExchangeError(f"«{name}» không phải PDF đọc được: {exc}") from None
    signed = any(f.get("/FT") == "/Sig" and f.get("/V") for f in fields.values())
    return len(reader.pages), text, signed


def parse_organ(text: str) -> Organ:
    """``"000.00.00.G22=Tổng Liên đoàn Lao động Việt Nam"`` → ``Organ``."""
    code, sep, name = text.partition("=")
    if not sep or not code.strip() or not name.strip():
        raise ExchangeError(f"«{text}»: viết nơi nhận dạng MÃ_ĐỊNH_DANH=Tên cơ quan")
    return Organ(code.strip(), name.strip())


def spec_recipients(spec: Any) -> list[Organ]:
    """The spec's recipients that carry an organisation code, each code once, in order."""
    seen: set[str] = set()
    organs = []
    for item in getattr(spec, "recipient_organs", []):
        if item.organ_id and item.organ_id not in seen:
            seen.add(item.organ_id)
            organs.append(Organ(item.organ_id, item.name))
    return organs


def envelope_for(register: Register, number: int, symbol: str, year: int, spec: Any,
                 pdf: Path, recipients: list[Organ] | None = None,
                 appendices: Sequence[Path] = (), timestamp: str | None = None) -> Envelope:
    """The envelope of a registered document; raises ``ExchangeError`` or ``RegisterError``.

    ``recipients`` overrides the spec's: one ``To`` per recipient of ``recipients`` or
    ``distribution`` written with its ``organ_id`` (a recipient without one gets none)."""
    entry = register.find(number, symbol, year)
    if entry.state != "issued":
        raise ExchangeError(f"số {entry.text} năm {year} chưa phát hành (trạng thái "
                            f"{entry.state}); không gửi được")
    if not spec.issuer.organ_id:
        raise ExchangeError("spec thiếu mã định danh của cơ quan ban hành (issuer.organ_id, "
                            "theo danh mục mã định danh quốc gia); gói tin edXML cần mã này")
    if spec.symbol_text.upper() != entry.symbol.upper() or spec.subject != entry.subject:
        raise ExchangeError(f"spec không phải văn bản số {entry.text} (ký hiệu hoặc trích yếu "
                            "khác với sổ đăng ký)")
    if recipients is None:
        recipients = spec_recipients(spec)
    if not recipients:
        raise ExchangeError("cần ít nhất một nơi nhận có mã định danh: ghi «name: …» với "
                            "«organ_id: …» trong recipients hoặc distribution của spec, hoặc "
                            "--to MÃ=Tên cơ quan")
    if not pdf.is_file():
        raise ExchangeError(f"không có bản PDF đã ký số của văn bản «{pdf}»")
    data = pdf.read_bytes()
    pages, _, signed = _pdf_info(data, pdf.name)
    if not signed:
        raise ExchangeError(f"«{pdf.name}» chưa được ký số; ký bản PDF trước khi gửi "
                            "(NĐ 30/2020, Điều 17.2)")
    files = [Attachment("1", pdf.name, "application/pdf", f"Văn bản {entry.text}", data)]
    for index, path in enumerate(appendices, start=2):
        if not path.is_file():
            raise ExchangeError(f"không có tệp phụ lục «{path}»")
        kind = "application/pdf" if path.suffix.lower() == ".pdf" else "application/octet-stream"
        files.append(Attachment(str(index), path.name, kind, "Phụ lục", path.read_bytes()))
    lines = (entry.signer or "").splitlines()
    title = spec.signer.title or ""
    competence = "\n".join(spec.signer.capacity)
    return Envelope(
        sender=Organ(spec.issuer.organ_id, spec.issuer.name, spec.issuer.parent or ""),
        recipients=recipients, number=entry.number, notation=entry.symbol,
        place=spec.place, date=entry.doc_date or spec.date,
        type_code=TYPE_CODES.get(entry.doc_type or "", ""),
        type_name=TYPE_NAMES.get(entry.doc_type or "", ""), subject=entry.subject or "",
        competence=competence, position=title, full_name=lines[-1] if lines else "",
        priority=PRIORITY.get(spec.urgency, 0), copies=entry.copies or 0, pages=pages,
        appendixes=[p.name for p in appendices],
        due_date=getattr(spec, "due_date", None),
        steering_type=getattr(spec, "steering_type", None),
        to_places=(entry.recipients or "").splitlines(),
        timestamp=timestamp or dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        attachments=files)


def write_envelope(envelope: Envelope, key: str | Path | SigningKey, password: str | None,
                   out: str | Path) -> Path:
    """Sign the envelope with the organisation's key and write it atomically: ``key`` is an
    open :class:`~vn_union_docs.signing.SigningKey` (a PKCS#11 token from ``open_pkcs11``, or
    a PKCS#12 key), or the path of a PKCS#12 file opened with ``password``."""
    if isinstance(key, SigningKey):
        return write_atomic(out, sign(build(envelope), key))
    with load_pkcs12(key, password) as opened:
        return write_atomic(out, sign(build(envelope), opened))


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def check_envelope(data: bytes) -> tuple[Envelope, str, list[str]]:
    """Verify an envelope: its signature (raises ``ExchangeError`` when broken), then its
    header against the attached PDF's own number, date and subject. Returns the envelope,
    the signer's certificate subject and the problems found."""
    subject = verify(data)
    envelope = read(data)
    problems = []
    pdfs = [a for a in envelope.attachments if a.content_type == "application/pdf"]
    if not pdfs:
        return envelope, subject, ["gói tin không có bản PDF của văn bản"]
    _, text, _ = _pdf_info(pdfs[0].data, pdfs[0].name)
    plain = _plain(text)
    number = f"{envelope.number:02d}/{envelope.notation}"
    if number not in plain.replace(" /", "/").replace("/ ", "/"):
        problems.append(f"số, ký hiệu ở tiêu đề ({number}) không có trong bản PDF")
    if _plain(vi.format_date(envelope.date)) not in plain:
        problems.append(f"ngày ở tiêu đề ({envelope.date:%d/%m/%Y}) khác ngày trong bản PDF")
    if _plain(envelope.subject)[:60] not in plain:
        problems.append("trích yếu ở tiêu đề khác trích yếu trong bản PDF")
    return envelope, subject, problems
