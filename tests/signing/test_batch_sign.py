"""``batch --sign signer``: every PDF of a batch signed with one key opened once; a resumed
run (``--skip-existing``) never signs a PDF twice; ``--signature-ready`` prepares them."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from typer.testing import CliRunner

from vn_union_docs.cli.app import app
from vn_union_docs.signing import Role, verify_pdf

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


@pytest.fixture
def rows(tmp_path: Path, pdfs: dict[str, Path]) -> Path:  # pdfs: LibreOffice is there
    lines = (ROOT / "examples" / "batch" / "cdcs.csv").read_text("utf-8-sig").splitlines()
    path = tmp_path / "rows.csv"
    path.write_text("\n".join(lines[:3]) + "\n", "utf-8")
    return path


def test_batch_signs_every_pdf_once(rows: Path, keys_dir: Path, password: str, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VN_TEST_PASS", password)
    args = ["batch", str(ROOT / "examples" / "batch" / "cong_van_cdcs.yaml"), str(rows),
            "--out", str(tmp_path / "out"), "--jobs", "1", "--sign", "signer", "--key",
            str(keys_dir / "signer.p12"), "--password-env", "VN_TEST_PASS", "--image",
            str(keys_dir / "signature.png")]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Ký số: 2 tệp PDF" in result.output
    pdfs = sorted((tmp_path / "out").glob("*.pdf"))
    assert len(pdfs) == 2
    for pdf in pdfs:
        (report,) = verify_pdf(pdf)
        assert report.role is Role.signer and report.intact and report.valid
        assert report.placement == []  # between the title and name the spec gives
    before = [p.read_bytes() for p in pdfs]
    result = runner.invoke(app, [*args, "--skip-existing"])
    assert result.exit_code == 0, result.output
    assert [p.read_bytes() for p in pdfs] == before  # not signed a second time


def test_batch_signature_ready(rows: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["batch", str(ROOT / "examples" / "batch" /
                                              "cong_van_cdcs.yaml"), str(rows), "--out",
                                 str(tmp_path / "out"), "--jobs", "1", "--signature-ready"])
    assert result.exit_code == 0, result.output
    for pdf in (tmp_path / "out").glob("*.pdf"):
        reader = PdfFileReader(BytesIO(pdf.read_bytes()))
        names = {str(f.get_object()["/T"]) for f in reader.root["/AcroForm"]["/Fields"]}
        assert {"ND30_signer", "ND30_organisation"} <= names


def test_batch_signs_with_a_token_and_one_pin(rows: Path, softhsm: str, pin: str,
                                              keys_dir: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A national-CA USB token is a PKCS#11 device (here SoftHSM2): one PIN for the batch."""
    monkeypatch.setenv("VN_TEST_PIN", pin)
    result = runner.invoke(app, [
        "batch", str(ROOT / "examples" / "batch" / "cong_van_cdcs.yaml"), str(rows), "--out",
        str(tmp_path / "out"), "--jobs", "1", "--sign", "signer", "--pkcs11-lib", softhsm,
        "--token-label", "vnud", "--key-label", "signer", "--pin-env", "VN_TEST_PIN",
        "--image", str(keys_dir / "signature.png")])
    assert result.exit_code == 0, result.output
    reports = [verify_pdf(p) for p in sorted((tmp_path / "out").glob("*.pdf"))]
    assert len(reports) == 2
    assert all(r.signer == "Đào Văn Truyền" and r.intact and r.valid for (r,) in reports)
    monkeypatch.setenv("VN_TEST_PIN", "0000")
    result = runner.invoke(app, [
        "batch", str(ROOT / "examples" / "batch" / "cong_van_cdcs.yaml"), str(rows), "--out",
        str(tmp_path / "wrong"), "--sign", "signer", "--pkcs11-lib", softhsm,
        "--token-label", "vnud", "--key-label", "signer", "--pin-env", "VN_TEST_PIN",
        "--image", str(keys_dir / "signature.png")])
    assert result.exit_code == 1 and "PIN" in result.output
    assert not (tmp_path / "wrong").exists()  # nothing rendered with a wrong PIN
