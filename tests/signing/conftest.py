"""Fixtures for the signing tests: a throw-away PKI (cryptography), the two images, PDFs
rendered by the real LibreOffice, a local RFC 3161 timestamp authority and a SoftHSM2 token."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from vn_union_docs import vi
from vn_union_docs.signing import SigningKey, demo, load_pkcs12, sign_pdf

PASSWORD = "mật-khẩu-thử"
PIN = "5678"
SOFTHSM_LIB = "/usr/lib/softhsm/libsofthsm2.so"


def need(tool: str, how: str) -> None:
    """Skip (locally) or fail (under CI) when ``tool`` is missing."""
    if shutil.which(tool) is None and not Path(tool).exists():
        message = f"needs {tool}: {how}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def password() -> str:
    """The password of every test .p12 file (non-ASCII on purpose)."""
    return PASSWORD


@pytest.fixture(scope="session")
def pin() -> str:
    """The user PIN of the SoftHSM2 test token."""
    return PIN


@pytest.fixture(scope="session")
def pki() -> demo.DemoPki:
    pki = demo.make_pki()
    now = dt.datetime.now(dt.UTC)
    pki.issue("expired", "Người Hết Hạn", not_before=now - dt.timedelta(days=400),
              not_after=now - dt.timedelta(days=1))
    pki.issue("future", "Người Chưa Hiệu Lực", not_before=now + dt.timedelta(days=3),
              not_after=now + dt.timedelta(days=400))
    pki.issue("encipher", "Người Mã Hóa", key_usage="encipherment")
    return pki


@pytest.fixture(scope="session")
def keys_dir(pki: demo.DemoPki, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("keys")
    for name, cert in pki.certs.items():
        (folder / f"{name}.p12").write_bytes(cert.pkcs12(PASSWORD, pki.ca.cert))
    (folder / "ca.pem").write_bytes(pki.ca.cert_pem())
    demo.signature_png(folder / "signature.png")
    demo.seal_png(folder / "seal.png")
    return folder


@pytest.fixture(scope="session")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``draft``: the công văn 58 with number and date blank (PDF/A-2b); ``numbered``: the
    same numbered and dated; ``appendix``: a separate appendix."""
    need("soffice", "apt-get install -y --no-install-recommends libreoffice-writer-nogui "
         "fonts-liberation2")
    from docx import Document

    from vn_union_docs import load_document, render_docx
    from vn_union_docs.rendering.pdf import convert_to_pdf

    folder = tmp_path_factory.mktemp("pdfs")
    root = Path(__file__).resolve().parents[2]
    spec = (root / "examples" / "58-cdyt-cong-van.yaml").read_text("utf-8")
    year = vi.today().year
    draft = spec.replace("number: 58", "number: null").replace(
        "date: 2023-02-23", f"date: null\ndraft_year: {year}")
    (folder / "draft.yaml").write_text(draft, "utf-8")
    (folder / "numbered.yaml").write_text(spec, "utf-8")
    for stem in ("draft", "numbered"):
        render_docx(load_document(folder / f"{stem}.yaml"), folder / f"{stem}.docx")
    appendix = Document()
    appendix.add_paragraph("Phụ lục")
    appendix.add_paragraph("DANH SÁCH CÔNG ĐOÀN CƠ SỞ CHƯA BÁO CÁO SÁNG KIẾN")
    appendix.add_paragraph("(Kèm theo Công văn số 58/CĐYT ngày 23 tháng 02 năm 2023)")
    appendix.save(str(folder / "appendix.docx"))
    convert_to_pdf([folder / "draft.docx", folder / "numbered.docx", folder / "appendix.docx"],
                   folder, pdfa=True)
    return {stem: folder / f"{stem}.pdf" for stem in ("draft", "numbered", "appendix")}


@pytest.fixture(scope="session")
def keys(keys_dir: Path, password: str) -> tuple[SigningKey, SigningKey]:
    """The signer's and the organisation's keys (PKCS#12), opened once."""
    signer = load_pkcs12(keys_dir / "signer.p12", password)
    organisation = load_pkcs12(keys_dir / "organisation.p12", password)
    return signer, organisation


@pytest.fixture(scope="session")
def issued(pdfs: dict[str, Path], keys: tuple[SigningKey, SigningKey], keys_dir: Path,
           tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The draft signed by the leader, then numbered 7, dated and signed by the văn thư."""
    folder = tmp_path_factory.mktemp("issued")
    signer, organisation = keys
    first = sign_pdf(pdfs["draft"], folder / "signed.pdf", role="signer", key=signer,
                     image=keys_dir / "signature.png")
    assert first.warnings == []
    second = sign_pdf(folder / "signed.pdf", folder / "issued.pdf", role="organisation",
                      key=organisation, image=keys_dir / "seal.png", seal_mm=36, number=7,
                      issued_on=vi.today())
    assert second.number == "07"  # Phụ lục I, II.3: numbers below 10 padded
    return {"signed": folder / "signed.pdf", "issued": folder / "issued.pdf"}


class _TsaHandler(BaseHTTPRequestHandler):
    stamper: object = None

    def do_POST(self) -> None:
        from asn1crypto import tsp

        body = self.rfile.read(int(self.headers["Content-Length"]))
        response = self.stamper.request_tsa_response(tsp.TimeStampReq.load(body))  # type: ignore[attr-defined]
        data = response.dump()
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def tsa_url(pki: demo.DemoPki) -> Iterator[str]:
    """A local RFC 3161 timestamp authority (pyHanko's DummyTimeStamper over http.server)."""
    from asn1crypto import keys, x509
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    tsa = pki.certs["tsa"]
    handler = type("Handler", (_TsaHandler,), {"stamper": DummyTimeStamper(
        tsa_cert=x509.Certificate.load(tsa.cert_der()),
        tsa_key=keys.PrivateKeyInfo.load(tsa.key_der()))})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def softhsm(pki: demo.DemoPki, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A SoftHSM2 token «vnud» holding the signer's key and certificate (label «signer»);
    yields the module path. SOFTHSM2_CONF points at a private token folder."""
    need("softhsm2-util", "apt-get install -y softhsm2 opensc")
    need("pkcs11-tool", "apt-get install -y opensc")
    need(SOFTHSM_LIB, "apt-get install -y softhsm2")
    from cryptography.hazmat.primitives import serialization

    folder = tmp_path_factory.mktemp("softhsm")
    (folder / "tokens").mkdir()
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\n"
                    "log.level = ERROR\n")
    old = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    signer = pki.certs["signer"]
    key_pem = folder / "key.pem"
    key_pem.write_bytes(signer.key.private_bytes(serialization.Encoding.PEM,
                                                 serialization.PrivateFormat.PKCS8,
                                                 serialization.NoEncryption()))
    cert_der = folder / "cert.der"
    cert_der.write_bytes(signer.cert_der())
    run = {"check": True, "capture_output": True}
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", "vnud",
                    "--so-pin", "12345678", "--pin", PIN], **run)  # type: ignore[call-overload]
    subprocess.run(["softhsm2-util", "--import", str(key_pem), "--token", "vnud",
                    "--label", "signer", "--id", "01", "--pin", PIN], **run)  # type: ignore[call-overload]
    subprocess.run(["pkcs11-tool", "--module", SOFTHSM_LIB, "--token-label", "vnud", "--login",
                    "--pin", PIN, "--write-object", str(cert_der), "--type", "cert",
                    "--label", "signer", "--id", "01"], **run)  # type: ignore[call-overload]
    key_pem.unlink()
    yield SOFTHSM_LIB
    if old is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = old
