"""The envelope's XML-DSig signature (enveloped, RSA-SHA256, over the whole ``edXML`` document,
attachments included), made with the organisation's key through signxml, and checked.

The key is the signing package's :class:`~vn_union_docs.signing.SigningKey`: a PKCS#12 file or
a PKCS#11 token (the national CA's USB tokens), the same key that signs the PDF. signxml signs
with a ``cryptography`` RSA private key; :class:`TokenRsaKey` is that key's face for any
``SigningKey``, its ``sign()`` handing the bytes to the key's pyHanko signer, so the private
key never leaves the token.

``verify`` checks the signature with the certificate the envelope carries (integrity: any
changed byte of the header or of an attachment breaks it) and returns that certificate's
subject; whether the certificate is trusted (a national CA) is the signing module's question.
"""

from __future__ import annotations

import asyncio
from typing import Any, NoReturn

from cryptography import x509
from cryptography.exceptions import InvalidSignature as InvalidSignatureBytes
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from lxml import etree
from signxml import DigestAlgorithm, SignatureMethod, XMLSigner, XMLVerifier
from signxml.exceptions import InvalidInput, InvalidSignature

from vn_union_docs.exchange.envelope import DS, ExchangeError, parse
from vn_union_docs.signing import SigningKey

_HASHES: dict[str, type[hashes.SHA256 | hashes.SHA384 | hashes.SHA512]] = {
    "sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}


class TokenRsaKey(rsa.RSAPrivateKey):
    """A ``cryptography`` RSA private key whose only real operation, ``sign`` with PKCS#1
    v1.5, is done by a :class:`SigningKey` (on the PKCS#11 token, or with the PKCS#12 key).
    Nothing else a private key can do is offered: the key material stays where it is."""

    def __init__(self, key: SigningKey) -> None:
        self._key = key
        self._cert = x509.load_der_x509_certificate(key.certificate.dump())
        public = self._cert.public_key()
        if not isinstance(public, rsa.RSAPublicKey):
            raise ExchangeError(f"{key.source}: khóa không phải RSA; gói tin edXML ký bằng "
                                "RSA-SHA256")
        self._public = public

    @property
    def certificate(self) -> x509.Certificate:
        """The key's certificate (``cryptography`` object)."""
        return self._cert

    def sign(self, data: bytes, padding: Any, algorithm: Any) -> bytes:
        """PKCS#1 v1.5 signature of ``data`` hashed with ``algorithm`` (SHA-256/384/512)."""
        name = getattr(algorithm, "name", "")
        if not isinstance(padding, PKCS1v15) or name not in _HASHES:
            raise ExchangeError(f"khóa trên token chỉ ký RSA PKCS#1 v1.5 với SHA-2 (được hỏi "
                                f"{type(padding).__name__}, {name or algorithm})")
        signer = self._key.signer
        mechanism = signer.get_signature_mechanism_for_digest(name)["algorithm"].native
        if mechanism not in ("rsassa_pkcs1v15", f"{name}_rsa"):
            raise ExchangeError(f"{self._key.source}: cơ chế ký {mechanism} không phải RSA "
                                "PKCS#1 v1.5")
        signature = asyncio.run(signer.async_sign_raw(data, name))
        # The token's answer is checked here: a wrong key label would otherwise give an
        # envelope that no receiver can verify.
        try:
            self._public.verify(signature, data, PKCS1v15(), _HASHES[name]())
        except InvalidSignatureBytes:
            raise ExchangeError(f"{self._key.source}: chữ ký của token không khớp chứng thư "
                                "của nó; kiểm tra nhãn khóa và nhãn chứng thư") from None
        return signature

    @property
    def key_size(self) -> int:
        """The modulus size in bits."""
        return self._public.key_size

    def public_key(self) -> rsa.RSAPublicKey:
        """The public half (from the certificate)."""
        return self._public

    def _kept(self, *_: object, **__: object) -> NoReturn:
        raise ExchangeError(f"{self._key.source}: khóa riêng không rời token; chỉ dùng để ký")

    decrypt = _kept
    private_numbers = _kept
    private_bytes = _kept

    def __copy__(self) -> TokenRsaKey:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> TokenRsaKey:
        return self


def sign(root: Any, key: SigningKey) -> bytes:
    """Sign the envelope tree (its ``Signature`` placeholder) and serialise it."""
    token_key = TokenRsaKey(key)
    signer = XMLSigner(signature_algorithm=SignatureMethod.RSA_SHA256,
                       digest_algorithm=DigestAlgorithm.SHA256)
    signed = signer.sign(
        root, key=token_key,
        cert=[token_key.certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")])
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
