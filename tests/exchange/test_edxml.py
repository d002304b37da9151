"""edXML envelopes for a registered, signed example: built, read back field by field, signed;
a changed byte in the header or in an attachment is reported by ``check``."""

from __future__ import annotations

import base64
import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import need
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from lxml import etree
from register.register_helpers import EXAMPLES, auto_spec
from typer.testing import CliRunner

from vn_union_docs.cli.app import app
from vn_union_docs.documents.spec import load_document
from vn_union_docs.exchange import (
    NS,
    ExchangeError,
    check_envelope,
    envelope_for,
    parse_organ,
    read,
    write_envelope,
)
from vn_union_docs.register import Register

runner = CliRunner()
PASSWORD = "mat-khau-thu"


def _key(tmp: Path) -> Path:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Công đoàn ngành Y tế"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Công đoàn ngành Y tế")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False,
                                         False), critical=True)
            .sign(key, hashes.SHA256()))
    path = tmp / "co-quan.p12"
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"cdyt", key, cert, None,
        serialization.BestAvailableEncryption(PASSWORD.encode())))
    return path


def _signed_pdf(docx: Path, key: Path) -> Path:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    from vn_union_docs.rendering.pdf import convert_to_pdf

    need("soffice", "apt-get install libreoffice-writer-nogui")
    (pdf,) = convert_to_pdf([docx], docx.parent)
    signer = signers.SimpleSigner.load_pkcs12(str(key), passphrase=PASSWORD.encode())
    assert signer is not None
    with pdf.open("rb") as handle:
        writer = IncrementalPdfFileWriter(handle)
        signed = signers.sign_pdf(writer, signers.PdfSignatureMetadata(field_name="ChuKy"),
                                  signer=signer)
    pdf.write_bytes(signed.getvalue())
    return pdf


@pytest.fixture(scope="module")
def sent(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("edxml")
    spec = auto_spec(EXAMPLES / "12-tb-cdyt-thong-bao.yaml", tmp / "tb.yaml")
    text = spec.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^(  code: .*)$", r"\1\n  organ_id: 000.12.34.H56", text, count=1)
    spec.write_text(text, encoding="utf-8")
    register = str(tmp / "so.sqlite")
    result = runner.invoke(app, ["render", str(spec), "--out", str(tmp / "out"),
                                 "--register", register])
    assert result.exit_code == 0, result.output
    key = _key(tmp)
    pdf = _signed_pdf(tmp / "out" / "tb.docx", key)
    appendix = tmp / "phu-luc.pdf"
    appendix.write_bytes(pdf.read_bytes())
    with Register(register) as reg:
        (entry,) = reg.entries()
    out = tmp / "tb.edxml"
    result = runner.invoke(app, [
        "register", "edxml", entry.text, "--year", str(entry.year), "--out", str(out),
        "--spec", str(spec), "--key", str(key), "--to", "000.00.00.G22=Tổng Liên đoàn Lao động "
        "Việt Nam", "--to", "000.12.00.H01=LĐLĐ tỉnh Thái Bình", "--appendix", str(appendix),
        "--register", register], env={"VN_UNION_DOCS_KEY_PASSWORD": PASSWORD})
    assert result.exit_code == 0, result.output
    return {"out": out, "entry": entry, "spec": load_document(spec), "pdf": pdf,
            "register": register, "key": key, "spec_path": spec, "tmp": tmp}


def test_envelope_fields_match_register_and_spec(sent: dict[str, Any]) -> None:
    envelope, signer, problems = check_envelope(sent["out"].read_bytes())
    entry, spec = sent["entry"], sent["spec"]
    assert problems == [] and "Công đoàn ngành Y tế" in signer
    assert envelope.sender.organ_id == "000.12.34.H56" == spec.issuer.organ_id
    assert envelope.sender.name == spec.issuer.name
    assert [(o.organ_id, o.name) for o in envelope.recipients] == [
        ("000.00.00.G22", "Tổng Liên đoàn Lao động Việt Nam"),
        ("000.12.00.H01", "LĐLĐ tỉnh Thái Bình")]
    assert (envelope.number, envelope.notation) == (entry.number, entry.symbol)
    assert envelope.document_id == f"000.12.34.H56,{entry.doc_date:%Y/%m/%d},{entry.text}"
    assert envelope.date == entry.doc_date == spec.date and envelope.place == spec.place
    assert envelope.type_name == "Thông báo" and envelope.subject == entry.subject
    assert envelope.full_name == spec.signature.name
    assert envelope.position == spec.signature.title
    assert envelope.competence == "\n".join(spec.signature.capacity)
    assert envelope.copies == entry.copies and envelope.pages >= 1
    assert envelope.to_places == (entry.recipients or "").splitlines()
    assert envelope.appendixes == ["phu-luc.pdf"]
    assert [a.name for a in envelope.attachments] == ["tb.pdf", "phu-luc.pdf"]
    assert envelope.attachments[0].data == sent["pdf"].read_bytes()
    result = runner.invoke(app, ["check", str(sent["out"])])
    assert result.exit_code == 0 and "chữ ký số hợp lệ" in result.output


def test_structure_namespace_and_order(sent: dict[str, Any]) -> None:
    root = etree.fromstring(sent["out"].read_bytes())
    local = [etree.QName(child).localname for child in root]
    assert etree.QName(root).namespace == NS and local == ["edXMLEnvelope", "AttachmentEncoded"]
    header = root.find(f"{{{NS}}}edXMLEnvelope/{{{NS}}}edXMLHeader")
    assert [etree.QName(c).localname for c in header] == [
        "MessageHeader", "TraceHeaderList", "Signature"]
    message = [etree.QName(c).localname for c in header.find(f"{{{NS}}}MessageHeader")]
    assert message == ["From", "To", "To", "DocumentId", "Code", "PromulgationInfo",
                       "DocumentType", "Subject", "Content", "SignerInfo", "OtherInfo",
                       "ToPlaces"]


@pytest.mark.parametrize("where", ["header", "attachment"])
def test_a_changed_byte_is_reported(sent: dict[str, Any], tmp_path: Path, where: str) -> None:
    data = sent["out"].read_bytes()
    if where == "header":
        changed = data.replace(b"<Place>", b"<Place>X", 1)
    else:
        start = data.index(b"<ContentTransferEncoded>") + len(b"<ContentTransferEncoded>")
        payload = bytearray(base64.b64decode(data[start:data.index(b"<", start)]))
        payload[len(payload) // 2] ^= 1
        changed = data[:start] + base64.b64encode(bytes(payload)) + data[data.index(b"<", start):]
    assert changed != data
    with pytest.raises(ExchangeError, match="không khớp"):
        check_envelope(changed)
    bad = tmp_path / "doi.edxml"
    bad.write_bytes(changed)
    result = runner.invoke(app, ["check", str(bad)])
    assert result.exit_code == 1 and "đã bị sửa" in result.output


def test_bad_input_one_message_each_and_no_file(sent: dict[str, Any], tmp_path: Path) -> None:
    common = ["--year", str(sent["entry"].year), "--spec", str(sent["spec_path"]),
              "--key", str(sent["key"]), "--to", "000.00.00.G22=TLĐ",
              "--register", str(sent["register"])]
    env = {"VN_UNION_DOCS_KEY_PASSWORD": PASSWORD}
    out = tmp_path / "x.edxml"
    result = runner.invoke(app, ["register", "edxml", "99/CĐYT", "--out", str(out), *common],
                           env=env)
    assert result.exit_code == 1 and "không có số 99/CĐYT" in result.output
    unsigned = tmp_path / "chua-ky.pdf"
    unsigned.write_bytes(b"%PDF-1.4\n")
    result = runner.invoke(app, ["register", "edxml", sent["entry"].text, "--out", str(out),
                                 "--pdf", str(tmp_path / "khong-co.pdf"), *common], env=env)
    assert result.exit_code == 1 and "không có bản PDF đã ký" in result.output
    result = runner.invoke(app, ["register", "edxml", sent["entry"].text, "--out", str(out),
                                 *common], env={"VN_UNION_DOCS_KEY_PASSWORD": "sai"})
    assert result.exit_code == 1 and "sai mật khẩu" in result.output
    assert not out.exists()
    with pytest.raises(ExchangeError, match="không phải gói tin edXML"):
        read(b"<html/>")


def test_unsigned_pdf_and_missing_organ_id_refused(sent: dict[str, Any], tmp_path: Path) -> None:
    from vn_union_docs.rendering.pdf import convert_to_pdf

    entry = sent["entry"]
    with Register(sent["register"]) as reg:
        spec = sent["spec"]
        (unsigned,) = convert_to_pdf([Path(entry.doc_key)], tmp_path)
        with pytest.raises(ExchangeError, match="chưa được ký số"):
            envelope_for(reg, entry.number, entry.symbol, entry.year, spec, unsigned,
                         [parse_organ("000.00.00.G22=TLĐ")])
        no_code = spec.model_copy(update={"issuer": spec.issuer.model_copy(
            update={"organ_id": None})})
        with pytest.raises(ExchangeError, match=r"issuer\.organ_id"):
            envelope_for(reg, entry.number, entry.symbol, entry.year, no_code,
                         sent["pdf"], [parse_organ("000.00.00.G22=TLĐ")])


def test_a_signed_header_that_disagrees_with_its_pdf_is_reported(sent: dict[str, Any],
                                                                 tmp_path: Path) -> None:
    envelope = read(sent["out"].read_bytes())
    envelope.subject = "một việc khác hẳn"
    envelope.number += 1
    out = write_envelope(envelope, sent["key"], PASSWORD, tmp_path / "sai.edxml")
    _, _, problems = check_envelope(out.read_bytes())
    assert any("số, ký hiệu" in p for p in problems) and any("trích yếu" in p for p in problems)
