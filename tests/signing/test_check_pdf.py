"""``check FILE.pdf`` (and ``vn_union_docs.check``) report a PDF's signatures through the
checker's rules: one ``info`` line per signature, errors for a broken or misplaced one,
``--trust CA.pem`` to verify the certificates (NĐ 30/2020, Điều 5)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from vn_union_docs import check
from vn_union_docs.checker import rules
from vn_union_docs.cli.app import app

runner = CliRunner()


def test_issued_pdf_two_info_lines_and_nothing_wrong(issued: dict[str, Path],
                                                      keys_dir: Path) -> None:
    findings = check(issued["issued"], trust_roots=[keys_dir / "ca.pem"])
    assert [(f.rule, f.severity) for f in findings] == [("signature-info", "info")] * 2
    signer, organisation = (f.message for f in findings)
    assert "Đào Văn Truyền" in signer and "Công đoàn ngành Y tế" in organisation
    assert "hợp lệ" in signer and "KHÔNG" not in signer and "chứng thư tin cậy" in signer


def test_without_trust_the_certificates_are_a_warning(issued: dict[str, Path]) -> None:
    findings = check(issued["issued"])
    assert {f.rule for f in findings if f.severity == "warning"} == {"signature-untrusted"}


def test_signed_blank_is_reported_as_waiting_for_the_organisation(issued: dict[str, Path],
                                                                   keys_dir: Path) -> None:
    findings = check(issued["signed"], trust_roots=[keys_dir / "ca.pem"])
    assert [f.rule for f in findings] == ["signature-info", "signature-organisation-missing"]


def test_tampered_pdf_is_an_error_with_its_source(issued: dict[str, Path], tmp_path: Path,
                                                  keys_dir: Path) -> None:
    data = bytearray(issued["issued"].read_bytes())
    data[1500] ^= 0x01
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(bytes(data))
    findings = check(bad, trust_roots=[keys_dir / "ca.pem"])
    errors = [f for f in findings if f.severity == "error"]
    assert errors and all(f.rule == "signature-invalid" for f in errors)
    assert all(f.source == "NĐ 30/2020, Điều 5" for f in errors)


def test_rule_severities_agree_with_the_signing_package(issued: dict[str, Path],
                                                        pdfs: dict[str, Path]) -> None:
    from vn_union_docs.signing import signature_findings

    for path in (issued["issued"], issued["signed"], pdfs["numbered"]):
        for item in signature_findings(path):
            rule = rules()[item["rule"].replace(".", "-").replace("_", "-")]
            assert rule.severity == item["severity"], item["rule"]


def test_cli_check_pdf_text_json_and_exit_status(issued: dict[str, Path], keys_dir: Path,
                                                 tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(issued["issued"]), "--trust",
                                 str(keys_dir / "ca.pem")])
    assert result.exit_code == 0, result.output
    assert "thông tin" in result.output and "Đào Văn Truyền" in result.output
    assert "0 lỗi, 0 cảnh báo" in result.output
    result = runner.invoke(app, ["check", "-f", "json", str(issued["issued"])])
    rows = json.loads(result.stdout)
    assert {r["rule"] for r in rows} == {"signature-info", "signature-untrusted"}
    data = bytearray(issued["issued"].read_bytes())
    data[1500] ^= 0x01
    (tmp_path / "bad.pdf").write_bytes(bytes(data))
    result = runner.invoke(app, ["check", str(tmp_path / "bad.pdf")])
    assert result.exit_code == 1 and "signature-invalid" in result.output


def test_cli_bad_trust_file_and_non_pdf(issued: dict[str, Path], tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_text("không phải chứng thư", "utf-8")
    result = runner.invoke(app, ["check", str(issued["issued"]), "--trust",
                                 str(tmp_path / "ca.pem")])
    assert result.exit_code == 2 and "--trust" in result.output
    (tmp_path / "fake.pdf").write_text("hello", "utf-8")
    result = runner.invoke(app, ["check", str(tmp_path / "fake.pdf")])
    assert result.exit_code == 1 and "unreadable" in result.output
    assert "Traceback" not in result.output


def test_cli_folder_includes_pdfs(issued: dict[str, Path], keys_dir: Path,
                                  tmp_path: Path) -> None:
    (tmp_path / "cv.pdf").write_bytes(issued["issued"].read_bytes())
    (tmp_path / "signed.pdf").write_bytes(issued["signed"].read_bytes())
    result = runner.invoke(app, ["check", str(tmp_path), "--trust", str(keys_dir / "ca.pem"),
                                 "-f", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert {(Path(r["file"]).name, r["rule"]) for r in rows} == {
        ("cv.pdf", "signature-info"), ("signed.pdf", "signature-info"),
        ("signed.pdf", "signature-organisation-missing")}
