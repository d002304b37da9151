"""Reading the signatures of a PDF back: who signed in which role, whether each signature is
valid, whether the file changed after it, and whether the images sit where NĐ 30/2020 puts
them. :func:`signature_findings` gives checker-style findings for ``check FILE.pdf``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from dataclasses import field as dc_field
from io import BytesIO
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from vn_union_docs import vi
from vn_union_docs.signing.errors import SigningError
from vn_union_docs.signing.fields import NUMBER_FIELD, read_text_fields
from vn_union_docs.signing.keys import subject_field
from vn_union_docs.signing.pdfobjects import field_widget, open_pdf, page_sizes, read_pdf
from vn_union_docs.signing.positions import Box, analyse
from vn_union_docs.signing.roles import ROLE_NAMES, Role, field_name, role_of

__all__ = ["SignatureReport", "load_trust_roots", "signature_findings", "verify_pdf"]

#: Share of the signer's image the seal should cover (ND30: "khoảng 1/3").
SEAL_COVER_RANGE = (0.25, 0.40)
_SOURCE_SIGNER = "NĐ 30/2020, Phụ lục I, II.7.d"
_SOURCE_SEAL = "NĐ 30/2020, Phụ lục I, II.8.a"
_SOURCE_STAMP = "NĐ 30/2020, Phụ lục I, II.8.b; Phần II, I.3"


@dataclass
class SignatureReport:
    """One signature of a PDF, as read back and validated."""

    field: str
    role: Role | None
    signer: str  # certificate CN
    organisation: str
    signed_at: dt.datetime | None
    intact: bool  # the signed bytes are unchanged
    valid: bool  # the cryptographic signature is right
    trusted: bool  # the certificate chains to a given trust root
    covers_whole_file: bool
    modified_after: str  # "không", "điền biểu mẫu, ký thêm" or "sửa nội dung"
    modifications_allowed: bool
    timestamped: bool
    box: Box | None
    placement: list[str] = dc_field(default_factory=list)  # problems with the image's place

    def to_dict(self) -> dict[str, object]:
        """Plain data (JSON-ready)."""
        data = asdict(self)
        data["role"] = self.role.value if self.role else None
        data["signed_at"] = self.signed_at.isoformat() if self.signed_at else None
        data["box"] = [*list(self.box.rect()), self.box.page] if self.box else None
        return data


def load_trust_roots(paths: Iterable[Path | str]) -> list[asn1_x509.Certificate]:
    """CA certificates (PEM or DER files) to trust when verifying."""
    from asn1crypto import pem

    roots = []
    for path in paths:
        data = Path(path).read_bytes()
        if pem.detect(data):
            roots += [asn1_x509.Certificate.load(der) for _, _, der in pem.unarmor(data, True)]
        else:
            roots.append(asn1_x509.Certificate.load(data))
    return roots


def _modification(status: object) -> tuple[str, bool]:
    coverage = getattr(status, "coverage", None)
    level = getattr(status, "modification_level", None)
    ok = bool(getattr(status, "docmdp_ok", True) is not False)
    if coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return "không", True
    if coverage != SignatureCoverageLevel.ENTIRE_REVISION or level is None:
        return "sửa nội dung", False
    if level <= ModificationLevel.FORM_FILLING:
        return "điền biểu mẫu, ký thêm", ok
    return "sửa nội dung", False


def _placement(report: SignatureReport, reports: dict[Role, SignatureReport],
               data: bytes, sizes: list[tuple[float, float]]) -> list[str]:
    box = report.box
    if box is None or report.role is None:
        return []
    problems: list[str] = []
    if report.role is Role.signer:
        block = analyse(data).signature
        if block is None:
            return ["không tìm thấy chức vụ và họ tên người ký để đối chiếu vị trí ảnh chữ ký"]
        centre = (box.x0 + box.x1) / 2
        block_centre = (block.name.x0 + block.name.x1) / 2
        if box.page != block.name.page:
            problems.append(f"ảnh chữ ký ở trang {box.page + 1}, khối chữ ký ở trang "
                            f"{block.name.page + 1}")
        elif abs(centre - block_centre) > 15 or box.y1 > block.title.y0 + 2 \
                or box.y0 < block.name.y1 - 2:
            problems.append("ảnh chữ ký không nằm giữa chức vụ và họ tên người ký")
    elif report.role is Role.organisation:
        signer = reports.get(Role.signer)
        if signer is None or signer.box is None:
            return ["không có ảnh chữ ký của người có thẩm quyền để đối chiếu vị trí dấu"]
        share = box.overlap(signer.box) / signer.box.area if signer.box.area else 0.0
        low, high = SEAL_COVER_RANGE
        if not low <= share <= high:
            problems.append(f"dấu trùm {share:.0%} ảnh chữ ký (cần khoảng 1/3: "
                            f"{low:.0%}–{high:.0%})")
        if (box.x0 + box.x1) / 2 >= (signer.box.x0 + signer.box.x1) / 2:
            problems.append("dấu không ở bên trái ảnh chữ ký")
    else:
        width, height = sizes[0] if sizes else (595.0, 842.0)
        if box.page != 0 or box.x1 < width * 0.6 or box.y0 < height * 0.85:
            problems.append("thông tin chữ ký số không ở góc trên, bên phải trang đầu")
    return problems


def verify_pdf(source: Path | str | bytes,
               trust_roots: Iterable[asn1_x509.Certificate] = ()) -> list[SignatureReport]:
    """Validate every signature of ``source`` (pyHanko's validator: integrity, signature,
    trust against ``trust_roots``, changes after signing) and check the ND30 placement of
    each image. Raises :class:`SigningError` only when the file cannot be read."""
    data, name = read_pdf(source)
    reader = open_pdf(data, name)
    roots = list(trust_roots)
    context = ValidationContext(trust_roots=roots, allow_fetching=False,
                                revocation_mode="soft-fail")
    sizes = page_sizes(reader)
    reports: list[SignatureReport] = []
    for sig in reader.embedded_signatures:
        try:
            status = validate_pdf_signature(sig, context)
            intact, valid = bool(status.intact), bool(status.valid)
            trusted = bool(status.trusted) and bool(roots)
            modified, allowed = _modification(status)
            stamp = status.timestamp_validity
            timestamped = stamp is not None
            when = stamp.timestamp if stamp is not None else status.signer_reported_dt
        except (SignatureValidationError, ValueError, KeyError) as exc:
            raise SigningError(f"{name}: chữ ký «{sig.field_name}» hỏng ({exc}).") from exc
        cert = sig.signer_cert
        reason = sig.sig_object.get("/Reason")
        widget = field_widget(reader, sig.field_name)
        reports.append(SignatureReport(
            field=sig.field_name, role=role_of(sig.field_name, str(reason) if reason else None),
            signer=subject_field(cert, "common_name"),
            organisation=subject_field(cert, "organization_name"),
            signed_at=when.astimezone(vi.VIETNAM_TIME) if when else None,
            intact=intact, valid=valid, trusted=trusted,
            covers_whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
            modified_after=modified, modifications_allowed=allowed, timestamped=timestamped,
            box=widget[0] if widget else None))
    by_role = {r.role: r for r in reports if r.role is not None}
    for report in reports:
        report.placement = _placement(report, by_role, data, sizes)
    return reports


def _finding(rule: str, severity: str, message: str, place: str, source: str) -> dict[str, str]:
    return {"rule": rule, "severity": severity, "message": message, "place": place,
            "source": source}


def signature_findings(source: Path | str | bytes,
                       trust_roots: Iterable[asn1_x509.Certificate] = ()) -> list[dict[str, str]]:
    """Checker findings (dicts with ``rule severity message place source``; severity
    ``info``, ``warning`` or ``error``) about the signatures of a PDF, for ``check``."""
    data, _ = read_pdf(source)
    reports = verify_pdf(data, trust_roots)
    out: list[dict[str, str]] = []
    roles = {r.role for r in reports}
    if not reports:
        return [_finding("signature.none", "warning",
                         "PDF chưa có chữ ký số; văn bản điện tử có giá trị như bản gốc khi có "
                         "chữ ký số của người có thẩm quyền và của cơ quan, tổ chức.",
                         "tệp", "NĐ 30/2020, Điều 5")]
    for r in reports:
        place = f"chữ ký «{r.field}»"
        role = ROLE_NAMES[r.role] if r.role else "không rõ vai trò"
        when = r.signed_at.isoformat() if r.signed_at else "?"
        state = "hợp lệ" if r.intact and r.valid else "KHÔNG hợp lệ"
        trust = "chứng thư tin cậy" if r.trusted else "chưa xác minh chuỗi chứng thư"
        out.append(_finding("signature.info", "info",
                            f"{role}: {r.signer} ({r.organisation}), ký lúc {when}, {state}, "
                            f"{trust}; sửa sau khi ký: {r.modified_after}"
                            f"{', có dấu thời gian' if r.timestamped else ''}.",
                            place, "NĐ 30/2020, Điều 5"))
        if not (r.intact and r.valid):
            out.append(_finding("signature.invalid", "error",
                                f"chữ ký số của {r.signer} không hợp lệ: nội dung đã ký bị "
                                "thay đổi hoặc chữ ký sai.", place, "NĐ 30/2020, Điều 5"))
        elif not r.modifications_allowed:
            out.append(_finding("signature.modified", "error",
                                f"tệp bị sửa nội dung sau khi {r.signer} ký; chữ ký không còn "
                                "bảo đảm văn bản.", place, "NĐ 30/2020, Điều 5"))
        elif not r.trusted:
            out.append(_finding("signature.untrusted", "warning",
                                f"chưa xác minh chứng thư của {r.signer} với tổ chức chứng thực "
                                "(thêm chứng thư gốc tin cậy).", place, "NĐ 30/2020, Điều 5"))
        source = {Role.signer: _SOURCE_SIGNER, Role.organisation: _SOURCE_SEAL}.get(
            r.role, _SOURCE_STAMP) if r.role else "NĐ 30/2020, Phụ lục I"
        for problem in r.placement:
            out.append(_finding("signature.placement", "error", problem, place, source))
    if Role.signer in roles and Role.organisation not in roles:
        out.append(_finding("signature.organisation_missing", "warning",
                            "có chữ ký số của người có thẩm quyền nhưng chưa có chữ ký số của "
                            "cơ quan, tổ chức.", "tệp", "NĐ 30/2020, Điều 5"))
    if Role.organisation in roles:
        values = read_text_fields(PdfFileReader(BytesIO(data), strict=False))
        if values.get(NUMBER_FIELD) == "":
            out.append(_finding("signature.number_blank", "error",
                                "văn bản đã ký số của cơ quan nhưng chưa có số.", "Số:",
                                "NĐ 30/2020, Điều 15.3"))
    _ = field_name
    return out
