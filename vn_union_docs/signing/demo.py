"""Demonstration keys and images for trying the signing workflow without a real token.

Used by the tests, the benchmark and ``examples/signing``: a throw-away certification
authority issuing a leader's (signer's) and an organisation's certificate as PKCS#12 files,
and the two images NĐ 30/2020 (Phụ lục I, II.7.d and II.8.a) asks for: a blue signature and a
red seal, each a PNG with a transparent background. Everything is made from a seed, so the
images are the same bytes on every run; the keys are random (as keys must be).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["DemoCert", "DemoPki", "make_pki", "seal_png", "signature_png"]

LIBERATION_SERIF = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"
LIBERATION_SERIF_BOLD = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf"


@dataclass
class DemoCert:
    """A private key and its certificate."""

    key: rsa.RSAPrivateKey
    cert: x509.Certificate

    def pkcs12(self, password: str, ca: x509.Certificate | None = None) -> bytes:
        """The key, certificate and (optionally) the CA certificate as PKCS#12 bytes."""
        return pkcs12.serialize_key_and_certificates(
            b"key", self.key, self.cert, [ca] if ca is not None else None,
            serialization.BestAvailableEncryption(password.encode("utf-8")))

    def cert_pem(self) -> bytes:
        """The certificate in PEM."""
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def cert_der(self) -> bytes:
        """The certificate in DER."""
        return self.cert.public_bytes(serialization.Encoding.DER)

    def key_der(self) -> bytes:
        """The private key as unencrypted PKCS#8 DER."""
        return self.key.private_bytes(serialization.Encoding.DER,
                                      serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption())


@dataclass
class DemoPki:
    """A test CA with the certificates the tests need."""

    ca: DemoCert
    certs: dict[str, DemoCert] = field(default_factory=dict)

    def issue(self, name: str, common_name: str, *, organisation: str = "Công đoàn ngành Y tế",
              key_usage: str = "signing", not_before: dt.datetime | None = None,
              not_after: dt.datetime | None = None) -> DemoCert:
        """Issue (and remember under ``name``) a certificate. ``key_usage``: ``signing``
        (digitalSignature + nonRepudiation) or ``encipherment`` (keyEncipherment only)."""
        now = dt.datetime.now(dt.UTC)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        subject = x509.Name([
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ])
        signing = key_usage == "signing"
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.ca.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before or now - dt.timedelta(days=1))
            .not_valid_after(not_after or now + dt.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=signing, content_commitment=signing,
                key_encipherment=not signing, data_encipherment=False, key_agreement=False,
                key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False),
                critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                self.ca.key.public_key()), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .sign(self.ca.key, hashes.SHA256())
        )
        issued = DemoCert(key, cert)
        self.certs[name] = issued
        return issued


def make_pki(ca_name: str = "Demo CA vn-union-docs (không dùng thật)") -> DemoPki:
    """A fresh self-signed CA (10 years) with a ``signer`` (Đào Văn Truyền) and an
    ``organisation`` (Công đoàn ngành Y tế) certificate, and a ``tsa`` certificate for a test
    timestamp authority."""
    now = dt.datetime.now(dt.UTC)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.COMMON_NAME, ca_name)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=2))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=False, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
    pki = DemoPki(DemoCert(key, cert))
    pki.issue("signer", "Đào Văn Truyền")
    pki.issue("organisation", "Công đoàn ngành Y tế")
    tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    tsa_cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Demo TSA")]))
        .issuer_name(cert.subject).public_key(tsa_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]),
                       critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
    pki.certs["tsa"] = DemoCert(tsa_key, tsa_cert)
    return pki


def _png(image: object) -> bytes:
    from PIL import Image

    assert isinstance(image, Image.Image)
    buf = BytesIO()
    image.save(buf, format="PNG", optimize=False)
    return buf.getvalue()


def signature_png(path: Path | str | None = None, *, seed: int = 58) -> bytes:
    """A blue handwritten-looking signature on a transparent background (600 × 240 px);
    written to ``path`` when given. The same seed gives the same bytes."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    width, height = 600, 240
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    blue = (16, 46, 178, 255)
    points = []
    for i in range(400):
        t = i / 399
        x = 40 + t * 520
        y = (120 + 60 * math.sin(t * math.pi * 5 + rng.random() * 0.05)
             * math.exp(-t) + 25 * math.sin(t * math.pi * 13))
        points.append((x, y))
    draw.line(points, fill=blue, width=7, joint="curve")
    draw.line([(70, 185), (330, 165), (540, 175)], fill=blue, width=5, joint="curve")
    draw.ellipse((90, 60, 170, 150), outline=blue, width=6)
    data = _png(image)
    if path is not None:
        Path(path).write_bytes(data)
    return data


def seal_png(path: Path | str | None = None, *, text: str = "CÔNG ĐOÀN NGÀNH Y TẾ") -> bytes:
    """A red round seal on a transparent background (600 × 600 px) with ``text`` round the
    rim and a star in the middle; written to ``path`` when given."""
    from PIL import Image, ImageDraw, ImageFont

    size = 600
    red = (218, 20, 28, 255)
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, size - 8, size - 8), outline=red, width=14)
    draw.ellipse((120, 120, size - 120, size - 120), outline=red, width=6)
    c = size / 2
    star = []
    for i in range(10):
        r = 110 if i % 2 == 0 else 44
        a = -math.pi / 2 + i * math.pi / 5
        star.append((c + r * math.cos(a), c + r * math.sin(a)))
    draw.polygon(star, fill=red)
    font = ImageFont.truetype(LIBERATION_SERIF_BOLD, 44)
    letters = list(text)
    span = math.radians(250)
    for i, letter in enumerate(letters):
        a = -math.pi / 2 - span / 2 + span * i / max(1, len(letters) - 1)
        glyph = Image.new("RGBA", (60, 60), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((30, 30), letter, font=font, fill=red, anchor="mm")
        glyph = glyph.rotate(-math.degrees(a) - 90, resample=Image.Resampling.BICUBIC)
        x, y = c + 235 * math.cos(a), c + 235 * math.sin(a)
        image.alpha_composite(glyph, (int(x - 30), int(y - 30)))
    data = _png(image)
    if path is not None:
        Path(path).write_bytes(data)
    return data
