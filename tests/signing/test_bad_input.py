"""Bad input to ``vn-union-docs sign``: one clear message, exit status 1, no output file,
the input file untouched."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vn_union_docs.cli.app import app
from vn_union_docs.signing import demo

runner = CliRunner()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture()
def env(password: str) -> dict[str, str]:
    return {"P12_PASS": password, "WRONG": "sai-mật-khẩu"}


def _sign(pdf: Path, out: Path, env: dict[str, str], *args: str) -> tuple[int, str]:
    before = _digest(pdf)
    result = runner.invoke(app, ["sign", str(pdf), "--out", str(out), *args], env=env)
    assert _digest(pdf) == before, "the input file was changed"
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def _signer_args(keys_dir: Path, key: str = "signer", password_env: str = "P12_PASS",
                 image: Path | None = None) -> list[str]:
    return ["--role", "signer", "--key", str(keys_dir / f"{key}.p12"),
            "--password-env", password_env, "--image", str(image or keys_dir / "signature.png")]


@pytest.mark.parametrize(("key", "password_env", "message"), [
    ("signer", "WRONG", "sai mật khẩu"),
    ("expired", "P12_PASS", "đã hết hạn"),
    ("future", "P12_PASS", "chưa có hiệu lực"),
    ("encipher", "P12_PASS", "không cho phép ký số"),
])
def test_bad_keys(pdfs: dict[str, Path], keys_dir: Path, env: dict[str, str], tmp_path: Path,
                  key: str, password_env: str, message: str) -> None:
    out = tmp_path / "out.pdf"
    code, output = _sign(pdfs["draft"], out, env, *_signer_args(keys_dir, key, password_env))
    assert code == 1 and message in output
    assert output.count(message) == 1 and output.count("Lỗi") <= 1
    assert not out.exists() and list(tmp_path.iterdir()) == []


def _jpeg(path: Path) -> Path:
    from PIL import Image

    Image.new("RGB", (300, 120), (20, 40, 180)).save(path, format="JPEG")
    return path


def _opaque_png(path: Path) -> Path:
    from PIL import Image

    Image.new("RGBA", (300, 120), (255, 255, 255, 255)).save(path, format="PNG")
    return path


def _bomb_png(path: Path) -> Path:
    """A small PNG whose header declares 30000 × 30000 pixels (Pillow refuses to open it)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    header = struct.pack(">IIBBBBB", 30_000, 30_000, 8, 6, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                     + chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + chunk(b"IEND", b""))
    return path


@pytest.mark.parametrize(("make", "message"), [
    (lambda p: _jpeg(p / "sig.png"), "phải là tệp PNG"),  # a JPEG named .png
    (lambda p: _bomb_png(p / "sig.png"), "quá lớn"),  # was a traceback (a review)
    (lambda p: _opaque_png(p / "sig.png"), "không có nền trong suốt"),
    (lambda p: (p / "sig.png").write_bytes(b"not an image") and p / "sig.png", "không phải ảnh"),
])
def test_bad_images(pdfs: dict[str, Path], keys_dir: Path, env: dict[str, str], tmp_path: Path,
                    make: object, message: str) -> None:
    images = tmp_path / "img"
    images.mkdir()
    image = make(images)  # type: ignore[operator]
    out = tmp_path / "out.pdf"
    code, output = _sign(pdfs["draft"], out, env, *_signer_args(keys_dir, image=image))
    assert code == 1 and message in output
    assert not out.exists()


def _foreign_pdf(path: Path) -> Path:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def test_foreign_pdf_needs_coordinates(keys_dir: Path, env: dict[str, str],
                                       tmp_path: Path) -> None:
    pdf = _foreign_pdf(tmp_path / "foreign.pdf")
    out = tmp_path / "out.pdf"
    code, output = _sign(pdf, out, env, *_signer_args(keys_dir))
    assert code == 1 and "--at" in output and not out.exists()
    code, output = _sign(pdf, out, env, *_signer_args(keys_dir), "--at", "1,120,200,50,20")
    assert code == 0, output
    from vn_union_docs.signing import verify_pdf

    (report,) = verify_pdf(out)
    mm = 72 / 25.4
    assert report.box is not None
    assert report.box.x0 == pytest.approx(120 * mm, abs=0.1)
    assert report.box.y1 == pytest.approx(842 - 200 * mm, abs=0.2)


def test_signing_twice_in_the_same_role(pdfs: dict[str, Path], keys_dir: Path,
                                        env: dict[str, str], tmp_path: Path) -> None:
    once = tmp_path / "once.pdf"
    code, output = _sign(pdfs["numbered"], once, env, *_signer_args(keys_dir))
    assert code == 0, output
    twice = tmp_path / "twice.pdf"
    code, output = _sign(once, twice, env, *_signer_args(keys_dir))
    assert code == 1 and "mỗi vai trò chỉ ký một lần" in output and not twice.exists()


def test_organisation_before_signer_and_without_seal_size(
        pdfs: dict[str, Path], keys_dir: Path, env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "out.pdf"
    org = ["--role", "organisation", "--key", str(keys_dir / "organisation.p12"),
           "--password-env", "P12_PASS", "--image", str(keys_dir / "seal.png")]
    code, output = _sign(pdfs["numbered"], out, env, *org, "--seal-mm", "36")
    assert code == 1 and "chưa có chữ ký số của người có thẩm quyền" in output
    signed = tmp_path / "signed.pdf"
    assert _sign(pdfs["numbered"], signed, env, *_signer_args(keys_dir))[0] == 0
    code, output = _sign(signed, out, env, *org)
    assert code == 1 and "--seal-mm" in output and not out.exists()


def test_missing_password_variable_and_key(pdfs: dict[str, Path], keys_dir: Path,
                                           tmp_path: Path) -> None:
    out = tmp_path / "out.pdf"
    code, output = _sign(pdfs["draft"], out, {}, *_signer_args(keys_dir))
    assert code == 1 and "P12_PASS" in output
    code, output = _sign(pdfs["draft"], out, {}, "--role", "signer")
    assert code == 2 and "Cần khóa ký" in output  # a usage error
    assert not out.exists()


def test_attachment_without_reference(keys_dir: Path, env: dict[str, str],
                                      tmp_path: Path) -> None:
    pdf = _foreign_pdf(tmp_path / "pl.pdf")
    out = tmp_path / "out.pdf"
    args = ["--role", "attachment", "--key", str(keys_dir / "organisation.p12"),
            "--password-env", "P12_PASS"]
    code, output = _sign(pdf, out, env, *args)
    assert code == 1 and "--reference" in output and not out.exists()
    code, output = _sign(pdf, out, env, *args, "--reference", "58/CĐYT")
    assert code == 0, output


def test_not_a_pdf(keys_dir: Path, env: dict[str, str], tmp_path: Path) -> None:
    fake = tmp_path / "fake.pdf"
    fake.write_bytes(b"PK\x03\x04 a docx, not a pdf")
    code, output = _sign(fake, tmp_path / "out.pdf", env, *_signer_args(keys_dir))
    assert code == 1 and "không phải tệp PDF" in output


def test_batch_signs_many_files_with_one_key(pdfs: dict[str, Path], keys_dir: Path,
                                             env: dict[str, str], tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(3):
        (folder / f"cv{i}.pdf").write_bytes(pdfs["numbered"].read_bytes())
    out = tmp_path / "out"
    out.mkdir()
    result = runner.invoke(app, ["sign", *map(str, sorted(folder.iterdir())), "--out", str(out),
                                 *_signer_args(keys_dir)], env=env)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["cv0.pdf", "cv1.pdf", "cv2.pdf"]


def test_demo_images_are_reproducible() -> None:
    assert demo.signature_png() == demo.signature_png()
    assert demo.seal_png() == demo.seal_png()


def test_signature_ready_from_the_command_line(pdfs: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "ready.pdf"
    result = runner.invoke(app, ["sign", str(pdfs["draft"]), "--role", "signer",
                                 "--signature-ready", "--out", str(out)])
    assert result.exit_code == 0, result.output
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(BytesIO(out.read_bytes()))
    names = {str(f.get_object()["/T"]) for f in reader.root["/AcroForm"]["/Fields"]}
    assert {"ND30_signer", "ND30_organisation", "ND30_so"} <= names
