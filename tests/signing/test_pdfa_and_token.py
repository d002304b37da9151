"""PDF/A kept after signing (as far as can be checked offline), and signing with a real
PKCS#11 module (SoftHSM2)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

from vn_union_docs.signing import (
    Role,
    SigningError,
    load_pkcs12,
    open_pkcs11,
    sign_pdf,
    verify_pdf,
)


def need(tool: str, how: str) -> None:
    """Skip (locally) or fail (under CI) when ``tool`` is missing."""
    if shutil.which(tool) is None:
        (pytest.fail if os.environ.get("CI") else pytest.skip)(f"needs {tool}: {how}")


@pytest.fixture(scope="module")
def issued_pdfa(pdfs: dict[str, Path], keys_dir: Path, password: str,
                tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pdfa")
    with load_pkcs12(keys_dir / "signer.p12", password) as signer, \
            load_pkcs12(keys_dir / "organisation.p12", password) as organisation:
        sign_pdf(pdfs["draft"], folder / "s.pdf", role="signer", key=signer,
                 image=keys_dir / "signature.png")
        sign_pdf(folder / "s.pdf", folder / "o.pdf", role="organisation", key=organisation,
                 image=keys_dir / "seal.png", seal_mm=36, number=12)
    return folder / "o.pdf"


def test_pdfa_identification_and_output_intent_kept(pdfs: dict[str, Path],
                                                    issued_pdfa: Path) -> None:
    original = PdfFileReader(BytesIO(pdfs["draft"].read_bytes()))
    assert "/OutputIntents" in original.root  # the input really is PDF/A
    reader = PdfFileReader(BytesIO(issued_pdfa.read_bytes()))
    xmp = reader.root["/Metadata"].get_object().data.decode("utf-8")
    assert re.search(r"pdfaid:part(=\"|>)2", xmp), xmp[:400]
    assert re.search(r"pdfaid:conformance(=\"|>)B", xmp)
    intents = reader.root["/OutputIntents"]
    assert intents[0].get_object()["/S"] == "/GTS_PDFA1"
    assert "/DestOutputProfile" in intents[0].get_object()


def test_every_font_embedded(issued_pdfa: Path) -> None:
    need("pdffonts", "apt-get install -y poppler-utils")
    listing = subprocess.run(["pdffonts", str(issued_pdfa)], capture_output=True, text=True,
                             check=True).stdout.splitlines()[2:]
    assert len(listing) >= 5  # the body fonts + the Liberation subsets of number/date
    for line in listing:
        columns = line.split()
        assert columns[-5] == "yes", line  # the "emb" column


def test_no_javascript_no_encryption(issued_pdfa: Path) -> None:
    data = issued_pdfa.read_bytes()
    reader = PdfFileReader(BytesIO(data))
    assert not reader.encrypted and "/Encrypt" not in reader.trailer_view
    assert "/Names" not in reader.root or "/JavaScript" not in reader.root["/Names"]
    assert "/AA" not in reader.root
    # LibreOffice's /OpenAction is a destination (page, /XYZ), never an action dictionary.
    assert isinstance(reader.root.get("/OpenAction", generic.ArrayObject()), generic.ArrayObject)
    assert b"/JavaScript" not in data and b"/JS " not in data
    for ref in reader.root["/AcroForm"]["/Fields"]:
        assert "/AA" not in ref.get_object()
    assert reader.root["/AcroForm"].get("/NeedAppearances") in (None, False)


def test_token_signs_with_one_pin(softhsm: str, pin: str, pdfs: dict[str, Path],
                                  keys_dir: Path, tmp_path: Path) -> None:
    with open_pkcs11(softhsm, token_label="vnud", key_label="signer", pin=pin) as key:
        assert key.common_name == "Đào Văn Truyền"
        for i in range(2):  # one PIN entry, several documents
            sign_pdf(pdfs["numbered"], tmp_path / f"t{i}.pdf", role="signer", key=key,
                     image=keys_dir / "signature.png")
    for i in range(2):
        (report,) = verify_pdf(tmp_path / f"t{i}.pdf")
        assert report.role is Role.signer and report.intact and report.valid


def test_token_wrong_pin_and_unknown_key(softhsm: str, pin: str) -> None:
    with pytest.raises(SigningError, match="sai mã PIN"):
        open_pkcs11(softhsm, token_label="vnud", key_label="signer", pin="0000")
    with pytest.raises(SigningError, match="nhãn «khong-co»"):
        open_pkcs11(softhsm, token_label="vnud", key_label="khong-co", pin=pin)
    with pytest.raises(SigningError, match="không mở được token"):
        open_pkcs11(softhsm, token_label="khong-co-token", key_label="signer", pin=pin)


def test_cli_token_signs_several_files(softhsm: str, pin: str, pdfs: dict[str, Path],
                                       keys_dir: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from vn_union_docs.cli.app import app

    sources = []
    for i in range(2):
        sources.append(tmp_path / f"cv{i}.pdf")
        sources[-1].write_bytes(pdfs["numbered"].read_bytes())
    out = tmp_path / "out"
    out.mkdir()
    token = ["--pkcs11-lib", softhsm, "--token-label", "vnud", "--key-label", "signer",
             "--pin-env", "TOKEN_PIN", "--role", "signer",
             "--image", str(keys_dir / "signature.png"), "--out", str(out)]
    runner = CliRunner()
    result = runner.invoke(app, ["sign", *map(str, sources), *token],
                           env={"TOKEN_PIN": pin})
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["cv0.pdf", "cv1.pdf"]
    wrong = runner.invoke(app, ["sign", str(sources[0]), *token[:-1], str(tmp_path / "x")],
                          env={"TOKEN_PIN": "0000"})
    assert wrong.exit_code == 1 and "sai mã PIN" in wrong.output
    assert not (tmp_path / "x").exists()
