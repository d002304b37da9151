"""Điều 15.3 end to end with a real (SQLite) register: the leader signs the PDF with number and
date blank, the văn thư signs as the organisation with ``--register``: the number comes from
the register, the PDF shows it, both signatures stay valid, the register holds the signed
file's sha256."""

from __future__ import annotations

import hashlib
from io import BytesIO
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from typer.testing import CliRunner

from vn_union_docs import check, vi
from vn_union_docs.cli.app import app
from vn_union_docs.documents.spec import load_document
from vn_union_docs.register import Register, RegisterError
from vn_union_docs.register.signed import sign_registered
from vn_union_docs.signing import SigningKey, verify_pdf
from vn_union_docs.signing.fields import read_text_fields

runner = CliRunner()


def _sign_args(keys_dir: Path, source: Path, out: Path, register: Path) -> list[str]:
    return ["sign", str(source), "--role", "organisation", "--key",
            str(keys_dir / "organisation.p12"), "--password-env", "VN_TEST_PASS", "--image",
            str(keys_dir / "seal.png"), "--seal-mm", "36", "--register", str(register),
            "--out", str(out)]


def test_cli_organisation_takes_the_number_from_the_register(
        issued: dict[str, Path], keys_dir: Path, password: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VN_TEST_PASS", password)
    db = tmp_path / "so.sqlite"
    year = vi.today().year
    with Register(str(db), create=True) as register:
        register.set_next("CĐYT", year, 41)  # the office's register already runs to 40
    out = tmp_path / "41-cdyt.pdf"
    result = runner.invoke(app, _sign_args(keys_dir, issued["signed"], out, db))
    assert result.exit_code == 0, result.output
    assert "số 41" in result.output
    fields = read_text_fields(PdfFileReader(BytesIO(out.read_bytes())))
    today = vi.today()  # what the signing fills in
    assert fields["ND30_so"] == "41" and fields["ND30_ngay"] == f"{today.day:02d}"
    findings = check(out, trust_roots=[keys_dir / "ca.pem"])
    assert [(f.rule, f.severity) for f in findings] == [("signature-info", "info")] * 2
    with Register(str(db)) as register:
        (entry,) = register.entries(year=year)
    assert (entry.number, entry.symbol, entry.state) == (41, "CĐYT", "issued")
    assert entry.sha256 == hashlib.sha256(out.read_bytes()).hexdigest()
    assert entry.file_name == out.name and entry.signer == "Đào Văn Truyền"
    # Signing the same file again looks its number up instead of taking a new one.
    result = runner.invoke(app, _sign_args(keys_dir, issued["signed"], out, db))
    assert result.exit_code == 0, result.output
    other = tmp_path / "other.pdf"
    assert runner.invoke(app, _sign_args(keys_dir, issued["signed"], other, db)).exit_code == 0
    with Register(str(db)) as register:
        assert [(e.number, e.sha256) for e in register.entries(year=year)] == [
            (41, hashlib.sha256(out.read_bytes()).hexdigest()),
            (42, hashlib.sha256(other.read_bytes()).hexdigest())]


def test_python_hook_with_the_spec_fills_the_register_columns(
        issued: dict[str, Path], pdfs: dict[str, Path], keys: tuple[SigningKey, SigningKey],
        keys_dir: Path, tmp_path: Path) -> None:
    doc = load_document(pdfs["draft"].with_suffix(".yaml"))
    with Register(str(tmp_path / "so.sqlite"), create=True) as register:
        result = sign_registered(register, issued["signed"], tmp_path / "cv.pdf", key=keys[1],
                                 doc=doc, image=keys_dir / "seal.png", seal_mm=36)
        (entry,) = register.entries()
    assert result.number == "01" and entry.number == 1
    assert entry.subject == doc.subject and entry.recipients
    assert entry.sha256 == hashlib.sha256(result.data).hexdigest()
    assert [r.intact and r.valid for r in verify_pdf(result.data)] == [True, True]


def test_spec_of_another_document_is_refused(issued: dict[str, Path], pdfs: dict[str, Path],
                                             keys: tuple[SigningKey, SigningKey],
                                             keys_dir: Path, tmp_path: Path) -> None:
    doc = load_document(pdfs["draft"].with_suffix(".yaml"))
    doc.issuer.code = "LĐLĐ"
    with Register(str(tmp_path / "so.sqlite"), create=True) as register:
        with pytest.raises(RegisterError, match="khác ký hiệu"):
            sign_registered(register, issued["signed"], tmp_path / "cv.pdf", key=keys[1],
                            doc=doc, image=keys_dir / "seal.png", seal_mm=36)
        assert register.entries() == []
    assert not (tmp_path / "cv.pdf").exists()


def test_register_only_for_the_organisation(issued: dict[str, Path], keys_dir: Path,
                                            password: str, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VN_TEST_PASS", password)
    args = _sign_args(keys_dir, issued["signed"], tmp_path / "x.pdf", tmp_path / "so.sqlite")
    args[args.index("organisation")] = "attachment"
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and "organisation" in result.output
    result = runner.invoke(app, [*_sign_args(keys_dir, issued["signed"], tmp_path / "x.pdf",
                                             tmp_path / "none.sqlite")])
    assert result.exit_code == 1 and not (tmp_path / "x.pdf").exists()
