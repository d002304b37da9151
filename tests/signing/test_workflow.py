"""The ND30 workflow end to end on PDFs LibreOffice rendered: the leader signs with number
and date blank, the văn thư numbers, dates and signs as the organisation, an appendix is
signed as an attachment; pyHanko's own validator and the ND30 placement rules agree."""

from __future__ import annotations

import datetime as dt
import re
from io import BytesIO
from pathlib import Path

import pytest
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from vn_union_docs import vi
from vn_union_docs.signing import (
    NumberRequest,
    Role,
    SigningError,
    load_trust_roots,
    prepare_pdf,
    sign_pdf,
    signature_findings,
    verify_pdf,
)
from vn_union_docs.signing.fields import read_text_fields
from vn_union_docs.signing.pdfobjects import page_sizes
from vn_union_docs.signing.positions import analyse


def _validate_all(path: Path, keys_dir: Path) -> list[object]:
    roots = load_trust_roots([keys_dir / "ca.pem"])
    context = ValidationContext(trust_roots=roots, allow_fetching=False)
    reader = PdfFileReader(BytesIO(path.read_bytes()))
    return [validate_pdf_signature(sig, context) for sig in reader.embedded_signatures]


def test_both_signatures_validate_with_pyhanko(issued: dict[str, Path], keys_dir: Path) -> None:
    statuses = _validate_all(issued["issued"], keys_dir)
    assert len(statuses) == 2
    for status in statuses:
        assert status.bottom_line, status.pretty_print_details()  # type: ignore[attr-defined]
        assert status.trusted  # type: ignore[attr-defined]


def test_check_reports_roles_and_no_problem(issued: dict[str, Path], keys_dir: Path) -> None:
    roots = load_trust_roots([keys_dir / "ca.pem"])
    reports = verify_pdf(issued["issued"], roots)
    assert [(r.role, r.signer) for r in reports] == [
        (Role.signer, "Đào Văn Truyền"), (Role.organisation, "Công đoàn ngành Y tế")]
    assert reports[0].modified_after == "điền biểu mẫu, ký thêm"
    assert reports[1].modified_after == "không"
    assert all(r.placement == [] for r in reports)
    findings = signature_findings(issued["issued"], roots)
    assert [f for f in findings if f["severity"] != "info"] == []


def test_signer_image_between_title_and_name(issued: dict[str, Path]) -> None:
    data = issued["signed"].read_bytes()
    block = analyse(data).signature
    assert block is not None
    box = verify_pdf(data)[0].box
    assert box is not None and box.page == block.name.page
    assert block.name.y1 < box.y0 < box.y1 < block.title.y0
    centre = (box.x0 + box.x1) / 2
    assert abs(centre - (block.name.x0 + block.name.x1) / 2) < 2


def test_seal_covers_a_third_on_the_left(issued: dict[str, Path]) -> None:
    signer, seal = verify_pdf(issued["issued"])
    assert signer.box is not None and seal.box is not None
    share = seal.box.overlap(signer.box) / signer.box.area
    assert 0.30 < share < 0.36
    assert seal.box.x0 < signer.box.x0 < seal.box.x1
    assert seal.box.width == pytest.approx(36 * 72 / 25.4, abs=0.1)  # real size


def test_number_and_date_filled_in_the_blanks(issued: dict[str, Path]) -> None:
    today = vi.today()
    before = read_text_fields(PdfFileReader(BytesIO(issued["signed"].read_bytes())))
    assert before == {"ND30_so": "", "ND30_ngay": "", "ND30_thang": ""}
    after = read_text_fields(PdfFileReader(BytesIO(issued["issued"].read_bytes())))
    month = f"{today.month:02d}" if today.month < 3 else str(today.month)
    assert after == {"ND30_so": "07", "ND30_ngay": f"{today.day:02d}", "ND30_thang": month}


def test_change_after_signing_is_reported(issued: dict[str, Path], keys_dir: Path) -> None:
    writer = IncrementalPdfFileWriter(BytesIO(issued["issued"].read_bytes()))
    page_ref = writer.find_page_for_modification(0)[0]
    page = page_ref.get_object()
    from pyhanko.pdf_utils import generic

    extra = writer.add_object(generic.StreamObject(stream_data=b"BT /F1 12 Tf (X) Tj ET"))
    page[generic.pdf_name("/Contents")] = generic.ArrayObject([page.raw_get("/Contents"), extra])
    writer.update_container(page)
    out = BytesIO()
    writer.write(out)
    findings = signature_findings(out.getvalue(), load_trust_roots([keys_dir / "ca.pem"]))
    assert {f["rule"] for f in findings if f["severity"] == "error"} == {"signature.modified"}


def test_flipped_byte_makes_the_signature_invalid(issued: dict[str, Path]) -> None:
    data = bytearray(issued["issued"].read_bytes())
    data[1500] ^= 0x01  # inside the first revision, which both signatures cover
    reports = verify_pdf(bytes(data))
    assert reports and not any(r.intact for r in reports)
    findings = signature_findings(bytes(data))
    assert "signature.invalid" in {f["rule"] for f in findings}


def test_attachment_stamp_top_right(pdfs: dict[str, Path], keys, tmp_path: Path) -> None:
    _, organisation = keys
    result = sign_pdf(pdfs["appendix"], tmp_path / "pl.pdf", role="attachment",
                      key=organisation)  # reference read from «Kèm theo Công văn số 58/CĐYT»
    reader = PdfFileReader(BytesIO(result.data))
    stream = reader.embedded_signatures[0].sig_field["/AP"]["/N"].get_object().data
    assert b"/F1 10 Tf" in stream  # 10 pt
    iso = result.signed_at.isoformat()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", iso)
    assert _actual_texts(result.data).splitlines() == ["58/CĐYT", iso]
    (report,) = verify_pdf(result.data)
    assert report.role is Role.attachment and report.placement == []
    (width, height), mm = page_sizes(reader)[0], 72 / 25.4
    assert report.box is not None and report.box.page == 0
    assert report.box.x1 == pytest.approx(width - 15 * mm, abs=0.1)  # on the right margin
    assert report.box.y1 == pytest.approx(height - 5 * mm, abs=0.1)  # above the top margin


def _decode_literal(raw: bytes) -> str:
    out = bytearray()
    i = 0
    while i < len(raw):
        c = raw[i]
        if c == 0x5C:  # backslash
            nxt = raw[i + 1:i + 4]
            if nxt[:1].isdigit():
                digits = re.match(rb"[0-7]{1,3}", nxt)
                assert digits
                out.append(int(digits.group(), 8))
                i += 1 + len(digits.group())
                continue
            out.append(raw[i + 1])
            i += 2
            continue
        out.append(c)
        i += 1
    data = bytes(out)
    return data[2:].decode("utf-16-be") if data.startswith(b"\xfe\xff") else data.decode("latin-1")


def _actual_texts(data: bytes) -> str:
    """Every /ActualText in the signature appearances (the text a stamp shows), joined."""
    reader = PdfFileReader(BytesIO(data))
    streams = []
    for sig in reader.embedded_signatures:
        ap = sig.sig_field["/AP"]["/N"].get_object()
        streams.append(ap.data)
        for xobj in ap.get("/Resources", {}).get("/XObject", {}).values():
            streams.append(xobj.get_object().data)
    return "\n".join(_decode_literal(m.group(1)) for stream in streams
                     for m in re.finditer(rb"/ActualText \((.*?)\)\s*>>", stream, re.S))


def test_copy_names_form_and_copier(pdfs: dict[str, Path], keys, tmp_path: Path) -> None:
    _, organisation = keys
    result = sign_pdf(pdfs["numbered"], tmp_path / "sao.pdf", role="copy", key=organisation,
                      copy_form="sao lục")
    assert _actual_texts(result.data).splitlines() == [
        "SAO LỤC", "Công đoàn ngành Y tế", result.signed_at.isoformat()]
    (report,) = verify_pdf(result.data)
    assert report.role is Role.copy and report.placement == []


def test_copy_of_the_issued_document_keeps_its_signatures(issued: dict[str, Path], keys,
                                                          tmp_path: Path) -> None:
    _, organisation = keys
    result = sign_pdf(issued["issued"], tmp_path / "sao-y.pdf", role="copy", key=organisation)
    reports = verify_pdf(result.data)
    assert [r.role for r in reports] == [Role.signer, Role.organisation, Role.copy]
    assert all(r.intact and r.valid and r.modifications_allowed for r in reports)


def test_number_from_the_register_hook(issued: dict[str, Path], pdfs: dict[str, Path], keys,
                                       keys_dir: Path, tmp_path: Path) -> None:
    asked: list[NumberRequest] = []

    def register(request: NumberRequest) -> int:
        asked.append(request)
        return 123

    _, organisation = keys
    result = sign_pdf(issued["signed"], tmp_path / "reg.pdf", role="organisation",
                      key=organisation, image=keys_dir / "seal.png", seal_mm=36,
                      number_provider=register)
    assert result.number == "123"
    assert asked[0].symbol == "CĐYT" and asked[0].issued_on == vi.today()


def test_blank_number_needs_a_number(issued: dict[str, Path], keys, keys_dir: Path,
                                     tmp_path: Path) -> None:
    _, organisation = keys
    with pytest.raises(SigningError, match="chưa có số"):
        sign_pdf(issued["signed"], tmp_path / "x.pdf", role="organisation", key=organisation,
                 image=keys_dir / "seal.png", seal_mm=36)
    with pytest.raises(SigningError, match="in sẵn năm"):
        sign_pdf(issued["signed"], tmp_path / "x.pdf", role="organisation", key=organisation,
                 image=keys_dir / "seal.png", seal_mm=36, number=3,
                 issued_on=dt.date(2001, 5, 5))
    assert not (tmp_path / "x.pdf").exists()


def test_timestamp_authority(pdfs: dict[str, Path], keys, keys_dir: Path, tsa_url: str,
                             tmp_path: Path) -> None:
    signer, _ = keys
    sign_pdf(pdfs["numbered"], tmp_path / "ts.pdf", role="signer", key=signer,
             image=keys_dir / "signature.png", tsa_url=tsa_url)
    (report,) = verify_pdf(tmp_path / "ts.pdf")
    assert report.timestamped and report.intact and report.valid


def test_unreachable_timestamp_authority(pdfs: dict[str, Path], keys, keys_dir: Path,
                                         tmp_path: Path) -> None:
    signer, _ = keys
    with pytest.raises(SigningError, match="dấu thời gian"):
        sign_pdf(pdfs["numbered"], tmp_path / "ts.pdf", role="signer", key=signer,
                 image=keys_dir / "signature.png", tsa_url="http://127.0.0.1:9/")
    assert not (tmp_path / "ts.pdf").exists()


def test_signature_ready_fields_then_signed_into(pdfs: dict[str, Path], keys, keys_dir: Path,
                                                 tmp_path: Path) -> None:
    ready = prepare_pdf(pdfs["draft"], tmp_path / "ready.pdf")
    reader = PdfFileReader(BytesIO(ready))
    names = {str(f.get_object()["/T"]) for f in reader.root["/AcroForm"]["/Fields"]}
    assert names == {"ND30_signer", "ND30_organisation", "ND30_so", "ND30_ngay", "ND30_thang"}
    assert reader.embedded_signatures == []
    signer, organisation = keys
    first = sign_pdf(ready, tmp_path / "s.pdf", role="signer", key=signer,
                     image=keys_dir / "signature.png")
    second = sign_pdf(first.data, tmp_path / "o.pdf", role="organisation", key=organisation,
                      image=keys_dir / "seal.png", seal_mm=36, number=9)
    assert second.warnings == []
    other_size = sign_pdf(first.data, None, role="organisation", key=organisation,
                          image=keys_dir / "seal.png", seal_mm=42, number=9)
    assert "dấu 36 mm" in other_size.warnings[0]  # the prepared field fixes the seal's size
    reports = verify_pdf(tmp_path / "o.pdf")
    assert [r.role for r in reports] == [Role.signer, Role.organisation]
    assert all(r.intact and r.valid and r.modifications_allowed for r in reports)
