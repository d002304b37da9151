"""``render --pdf --sign signer`` signs each PDF in the same run (the signer's title and name
from the document model place the image), ``--signature-ready`` leaves the ND30 fields empty;
then the văn thư's ``sign --role organisation --register`` completes the Điều 15.3 workflow."""

from __future__ import annotations

import hashlib
from io import BytesIO
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from typer.testing import CliRunner

from vn_union_docs import check
from vn_union_docs.cli.app import app
from vn_union_docs.register import Register
from vn_union_docs.signing import Role, verify_pdf
from vn_union_docs.signing.positions import analyse

runner = CliRunner()


def _key_args(keys_dir: Path, who: str = "signer") -> list[str]:
    return ["--key", str(keys_dir / f"{who}.p12"), "--password-env", "VN_TEST_PASS"]


@pytest.fixture
def env(password: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VN_TEST_PASS", password)


def test_render_signs_then_the_organisation_numbers_from_the_register(
        pdfs: dict[str, Path], keys_dir: Path, tmp_path: Path, env: None) -> None:
    draft = pdfs["draft"].with_suffix(".yaml")  # công văn 58 with number and date blank
    out = tmp_path / "out"
    result = runner.invoke(app, ["render", str(draft), "--out", str(out), "--pdfa", "--sign",
                                 "signer", *_key_args(keys_dir), "--image",
                                 str(keys_dir / "signature.png")])
    assert result.exit_code == 0, result.output
    assert "đã ký signer" in result.output
    signed = out / "draft.pdf"
    (report,) = verify_pdf(signed)
    assert (report.role, report.signer, report.intact, report.valid) == (
        Role.signer, "Đào Văn Truyền", True, True)
    block = analyse(signed.read_bytes(), title="Chủ tịch", name="Đào Văn Truyền").signature
    assert block is not None and report.box is not None
    assert block.name.y1 < report.box.y0 < report.box.y1 < block.title.y0  # Phụ lục I, II.7.d
    assert [f.rule for f in check(signed, trust_roots=[keys_dir / "ca.pem"])] == [
        "signature-info", "signature-organisation-missing"]
    # The văn thư: number from the register, organisation signature, sha256 recorded.
    db = tmp_path / "so.sqlite"
    Register(str(db), create=True).close()
    issued = tmp_path / "01-cdyt.pdf"
    result = runner.invoke(app, ["sign", str(signed), "--role", "organisation",
                                 *_key_args(keys_dir, "organisation"), "--image",
                                 str(keys_dir / "seal.png"), "--seal-mm", "36", "--register",
                                 str(db), "--out", str(issued)])
    assert result.exit_code == 0, result.output
    assert [f.severity for f in check(issued, trust_roots=[keys_dir / "ca.pem"])] == ["info"] * 2
    with Register(str(db)) as register:
        (entry,) = register.entries()
    assert entry.sha256 == hashlib.sha256(issued.read_bytes()).hexdigest()


def test_render_signature_ready_leaves_empty_fields(pdfs: dict[str, Path],
                                                    tmp_path: Path) -> None:
    result = runner.invoke(app, ["render", str(pdfs["draft"].with_suffix(".yaml")), "--out",
                                 str(tmp_path), "--signature-ready"])
    assert result.exit_code == 0, result.output
    reader = PdfFileReader(BytesIO((tmp_path / "draft.pdf").read_bytes()))
    names = {str(f.get_object()["/T"]) for f in reader.root["/AcroForm"]["/Fields"]}
    assert names == {"ND30_signer", "ND30_organisation", "ND30_so", "ND30_ngay", "ND30_thang"}
    assert reader.embedded_signatures == []


def test_bad_key_or_role_writes_nothing(pdfs: dict[str, Path], keys_dir: Path,
                                        tmp_path: Path, env: None,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    spec = str(pdfs["draft"].with_suffix(".yaml"))
    sig = ["--image", str(keys_dir / "signature.png")]
    monkeypatch.setenv("VN_TEST_PASS", "sai-mật-khẩu")
    result = runner.invoke(app, ["render", spec, "--out", str(tmp_path / "a"), "--sign",
                                 "signer", *_key_args(keys_dir), *sig])
    assert result.exit_code == 1 and "mật khẩu" in result.output
    assert not (tmp_path / "a").exists()  # the key is opened before anything is rendered
    for role, words in (("organisation", "Điều 15.3"), ("copy", "không có")):
        result = runner.invoke(app, ["render", spec, "--out", str(tmp_path / "b"), "--sign",
                                     role, *_key_args(keys_dir), *sig])
        assert result.exit_code == 2 and words in result.output, result.output
    result = runner.invoke(app, ["render", spec, "--out", str(tmp_path / "c"), "--sign",
                                 "signer", *_key_args(keys_dir)])
    assert result.exit_code == 2 and "--image" in result.output
    assert not (tmp_path / "b").exists() and not (tmp_path / "c").exists()


def test_render_signs_as_attachment_with_the_printed_reference(
        pdfs: dict[str, Path], keys_dir: Path, tmp_path: Path, env: None) -> None:
    result = runner.invoke(app, ["render", str(pdfs["numbered"].with_suffix(".yaml")), "--out",
                                 str(tmp_path), "--sign", "attachment",
                                 *_key_args(keys_dir, "organisation")])
    assert result.exit_code == 0, result.output
    (report,) = verify_pdf(tmp_path / "numbered.pdf")
    assert report.role is Role.attachment and report.intact and report.valid
    assert report.placement == []  # top right of page 1 (Phụ lục I, II.8.b)
