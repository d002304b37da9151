"""edXML envelopes signed on a real PKCS#11 token (SoftHSM2, the signing tests' token),
recipients written with their organisation codes (one ``To`` each), DueDate, SteeringType
and the TraceHeader's ``Bussiness`` block, each read back and compared with the spec."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from docx import Document
from docx.oxml.ns import qn
from lxml import etree
from register.register_helpers import EXAMPLES, auto_spec
from signing.conftest import SOFTHSM_LIB, pin, pki, softhsm  # noqa: F401 - the token fixtures
from typer.testing import CliRunner

from exchange.test_edxml import _key, _signed_pdf
from vn_union_docs import check, load_document
from vn_union_docs.cli.app import app
from vn_union_docs.documents.models import BaseDocument
from vn_union_docs.exchange import NS, ExchangeError, TokenRsaKey, check_envelope, read
from vn_union_docs.register import Register
from vn_union_docs.signing import open_pkcs11

runner = CliRunner()
CODED = """recipients:
  - name: Các Công đoàn cơ sở trực thuộc
    organ_id: 000.12.34.H57
  - Ban Nữ công
distribution:
  - Như trên
  - name: LĐLĐ tỉnh Thái Bình (để b/c)
    organ_id: 000.12.00.H01
  - name: Các CĐCS trực thuộc
    organ_id: 000.12.34.H57
  - name: Ban Tuyên giáo
due_date: 30/06/2022
steering_type: 1
"""


@pytest.fixture(scope="module")
def coded(tmp_path_factory: pytest.TempPathFactory, softhsm: str, pin: str) -> dict[str, Any]:  # noqa: F811
    tmp = tmp_path_factory.mktemp("edxml-token")
    spec = auto_spec(EXAMPLES / "12-tb-cdyt-thong-bao.yaml", tmp / "tb.yaml")
    text = spec.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^(  code: .*)$", r"\1\n  organ_id: 000.12.34.H56", text, count=1)
    text = re.sub(r"(?ms)^distribution:\n(  - .*\n)+", "", text) + CODED
    spec.write_text(text, encoding="utf-8")
    register = str(tmp / "so.sqlite")
    result = runner.invoke(app, ["render", str(spec), "--out", str(tmp / "out"),
                                 "--register", register])
    assert result.exit_code == 0, result.output
    docx = tmp / "out" / "tb.docx"
    _signed_pdf(docx, _key(tmp))
    with Register(register) as reg:
        (entry,) = reg.entries()
    out = tmp / "tb.edxml"
    result = runner.invoke(app, [
        "register", "edxml", entry.text, "--year", str(entry.year), "--out", str(out),
        "--spec", str(spec), "--pkcs11-lib", softhsm, "--token-label", "vnud",
        "--key-label", "signer", "--pin-env", "EDXML_TEST_PIN", "--register", register],
        env={"EDXML_TEST_PIN": pin, "VN_UNION_DOCS_KEY": ""})
    assert result.exit_code == 0, result.output
    return {"out": out, "spec": load_document(spec), "spec_path": spec, "docx": docx,
            "entry": entry, "register": register, "tmp": tmp}


def test_signed_on_the_token(coded: dict[str, Any], pki: Any) -> None:  # noqa: F811
    _, subject, problems = check_envelope(coded["out"].read_bytes())
    assert problems == []
    token_cert = x509.load_der_x509_certificate(pki.certs["signer"].cert_der())
    assert subject == token_cert.subject.rfc4514_string()
    root = etree.fromstring(coded["out"].read_bytes())
    carried = root.find(".//{http://www.w3.org/2000/09/xmldsig#}X509Certificate").text
    assert "".join(carried.split()) == "".join(
        token_cert.public_bytes(__import__("cryptography.hazmat.primitives.serialization",
                                           fromlist=["Encoding"]).Encoding.PEM)
        .decode().splitlines()[1:-1])
    result = runner.invoke(app, ["check", str(coded["out"])])
    assert result.exit_code == 0 and "chữ ký số hợp lệ" in result.output


def test_token_key_signs_and_keeps_its_secret(softhsm: str, pin: str) -> None:  # noqa: F811
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15

    with open_pkcs11(softhsm, token_label="vnud", key_label="signer", pin=pin) as key:
        token_key = TokenRsaKey(key)
        signature = token_key.sign(b"edXML", PKCS1v15(), hashes.SHA256())
        token_key.public_key().verify(signature, b"edXML", PKCS1v15(), hashes.SHA256())
        assert token_key.key_size == 2048 or token_key.key_size >= 2048
        with pytest.raises(ExchangeError, match="không rời token"):
            token_key.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
        with pytest.raises(ExchangeError, match=r"PKCS#1 v1\.5"):
            token_key.sign(b"x", PKCS1v15(), hashes.SHA1())


def test_wrong_pin_is_one_clear_message_and_no_file(coded: dict[str, Any], softhsm: str,  # noqa: F811
                                                   tmp_path: Path) -> None:
    out = tmp_path / "x.edxml"
    entry = coded["entry"]
    result = runner.invoke(app, [
        "register", "edxml", entry.text, "--year", str(entry.year), "--out", str(out),
        "--spec", str(coded["spec_path"]), "--pkcs11-lib", softhsm, "--token-label", "vnud",
        "--key-label", "signer", "--pin-env", "EDXML_TEST_PIN", "--register",
        coded["register"]], env={"EDXML_TEST_PIN": "0000", "VN_UNION_DOCS_KEY": ""})
    assert result.exit_code == 1 and "sai mã PIN" in result.output
    assert "Traceback" not in result.output and not out.exists()


def test_one_to_per_coded_recipient(coded: dict[str, Any]) -> None:
    envelope = read(coded["out"].read_bytes())
    assert [(o.organ_id, o.name) for o in envelope.recipients] == [
        ("000.12.34.H57", "Các Công đoàn cơ sở trực thuộc"),
        ("000.12.00.H01", "LĐLĐ tỉnh Thái Bình (để b/c)")]
    spec: BaseDocument = coded["spec"]
    assert spec.recipients == ["Các Công đoàn cơ sở trực thuộc", "Ban Nữ công"]
    assert spec.distribution == ["Như trên", "LĐLĐ tỉnh Thái Bình (để b/c)",
                                 "Các CĐCS trực thuộc", "Ban Tuyên giáo"]
    assert [(o.name, o.organ_id) for o in spec.recipient_organs] == [
        ("Các Công đoàn cơ sở trực thuộc", "000.12.34.H57"),
        ("LĐLĐ tỉnh Thái Bình (để b/c)", "000.12.00.H01"),
        ("Các CĐCS trực thuộc", "000.12.34.H57")]
    body = Document(str(coded["docx"])).element.body
    text = "\n".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p")))
    for name in ("Các Công đoàn cơ sở trực thuộc", "Ban Nữ công", "LĐLĐ tỉnh Thái Bình (để b/c)",
                 "Ban Tuyên giáo"):
        assert name in text
    assert "organ_id" not in text and "000.12" not in text
    # «Như trên» is the Kính gửi list again (the register's nơi nhận, as printed by name)
    assert envelope.to_places == spec.recipients + spec.distribution[1:]


def test_to_overrides_the_spec(coded: dict[str, Any], tmp_path: Path) -> None:
    from vn_union_docs.exchange import envelope_for, parse_organ

    entry = coded["entry"]
    pdf = Path(entry.doc_key).with_suffix(".pdf")
    with Register(coded["register"]) as reg:
        override = envelope_for(reg, entry.number, entry.symbol, entry.year, coded["spec"],
                                pdf, [parse_organ("000.00.00.G22=TLĐ")])
        assert [o.organ_id for o in override.recipients] == ["000.00.00.G22"]
        plain = coded["spec"].model_copy(update={"recipient_organs": []})
        with pytest.raises(ExchangeError, match="organ_id"):
            envelope_for(reg, entry.number, entry.symbol, entry.year, plain, pdf)


def test_due_date_steering_type_and_business_block(coded: dict[str, Any]) -> None:
    envelope = read(coded["out"].read_bytes())
    spec = coded["spec"]
    assert spec.due_date == dt.date(2022, 6, 30) and spec.steering_type == 1
    assert envelope.due_date == spec.due_date and envelope.steering_type == spec.steering_type
    root = etree.fromstring(coded["out"].read_bytes())
    e = {"e": NS}
    message = root.find("e:edXMLEnvelope/e:edXMLHeader/e:MessageHeader", e)
    names = [etree.QName(c).localname for c in message]
    assert names[names.index("SignerInfo"):] == ["SignerInfo", "DueDate", "SteeringType",
                                                  "OtherInfo", "ToPlaces"]
    assert message.find("e:DueDate", e).text == "2022/06/30"
    traces = root.find("e:edXMLEnvelope/e:edXMLHeader/e:TraceHeaderList", e)
    assert [etree.QName(c).localname for c in traces] == ["TraceHeader", "Bussiness"]
    business = traces.find("e:Bussiness", e)
    assert [etree.QName(c).localname for c in business] == [
        "DocumentId", "BussinessDocType", "BussinessDocReason", "Paper", "StaffInfo"]
    assert business.find("e:DocumentId", e).text == envelope.document_id
    assert (envelope.business_type, envelope.paper, envelope.business_reason) == (0, 0, "")
    assert [etree.QName(c).localname for c in business.find("e:StaffInfo", e)] == [
        "Department", "Staff", "Email", "Mobile"]


def test_plain_and_coded_recipients_everywhere(coded: dict[str, Any]) -> None:
    from vn_union_docs.documents.doc_types import DOCUMENT_ADAPTER

    findings = check(coded["spec_path"])
    assert not [f for f in findings if "distribution" in f.place and "khóa" in f.message]
    schema = DOCUMENT_ADAPTER.json_schema()
    text = str(schema)
    assert "organ_id" in text and "due_date" in text and "steering_type" in text
    bad = {"type": "cong_van", "issuer": {"name": "A", "code": "CĐA"}, "place": "Hà Nội",
           "subject": "Về việc", "body": "Nội dung.", "signature": {"name": "B"},
           "recipients": [{"name": "X", "organ_id": "1", "extra": 1}]}
    with pytest.raises(Exception, match="recipients"):
        load_document(bad)
    plain = load_document({**bad, "recipients": ["Các CĐCS"], "distribution": ["Như trên"]})
    assert plain.recipients == ["Các CĐCS"] and plain.recipient_organs == []
