"""The envelope's XML-DSig signature (enveloped, RSA-SHA256, over the whole ``edXML`` document,
attachments included), made with the organisation's PKCS#12 key through signxml, and checked.

``verify`` checks the signature with the certificate the envelope carries (integrity: any
changed byte of the header or of an attachment breaks it) and returns that certificate's
subject; whether the certificate is trusted (a national CA) is the signing module's question.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from lxml import etree
from signxml import DigestAlgorithm, SignatureMethod, XMLSigner, XMLVerifier
from signxml.exceptions import InvalidInput, InvalidSignature

from vn_union_docs.exchange.envelope import DS, ExchangeError, parse

_MAX_P12_BYTES = 1 << 20


def load_pkcs12(path: str | Path, password: str | None) -> tuple[Any, x509.Certificate]:
    """The private key and certificate of a PKCS#12 file; raises ``ExchangeError``."""
    source = Path(path)
    try:
        data = source.read_bytes()[:_MAX_P12_BYTES + 1]
    except OSError as exc:
        raise ExchangeError(f"không đọc được khóa «{source}»: {exc.strerror}") from None
    if len(data) > _MAX_P12_BYTES:
        raise ExchangeError(f"«{source}» quá lớn để là tệp khóa PKCS#12")
    try:
        key, cert, _ = pkcs12.load_key_and_certificates(
            data, password.encode() if password else None)
    except ValueError:
        raise ExchangeError(f"không mở được khóa «{source}»: sai mật khẩu hoặc không phải tệp "
                            "PKCS#12 (.p12/.pfx)") from None
    if key is None or cert is None:
        raise ExchangeError(f"«{source}» không có khóa riêng và chứng thư số")
    return key, cert


def sign(root: Any, key: Any, cert: x509.Certificate) -> bytes:
    """Sign the envelope tree (its ``Signature`` placeholder) and serialise it."""
    signer = XMLSigner(signature_algorithm=SignatureMethod.RSA_SHA256,
                       digest_algorithm=DigestAlgorithm.SHA256)
    signed = signer.sign(
        root, key=key.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()),
        cert=[cert.public_bytes(serialization.Encoding.PEM).decode("ascii")])
    return bytes(etree.tostring(signed, xml_declaration=True, encoding="UTF-8"))


def verify(data: bytes) -> str:
    """Check the envelope's signature; return the signer certificate's subject. Raises
    ``ExchangeError`` when it is missing or does not match the content."""
    root = parse(data)
    node = root.find(f".//{{{DS}}}X509Certificate")
    if node is None or not (node.text or "").strip():
        raise ExchangeError("gói tin edXML không có chữ ký số (XML-DSig) của cơ quan gửi")
    pem = ("-----BEGIN CERTIFICATE-----\n" + "".join((node.text or "").split())
           + "\n-----END CERTIFICATE-----\n")
    try:
        cert = x509.load_pem_x509_certificate(pem.encode("ascii"))
        XMLVerifier().verify(data, x509_cert=pem, expect_references=1)
    except (InvalidSignature, InvalidInput, ValueError) as exc:
        raise ExchangeError(
            f"chữ ký số của gói tin không khớp nội dung: gói tin đã bị sửa sau khi ký ({exc})"
        ) from None
    return cert.subject.rfc4514_string()
