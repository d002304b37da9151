"""Signing keys: a PKCS#12 file with its password, or a PKCS#11 token (the USB tokens of the
national CA are PKCS#11 devices) opened once with its PIN for a whole batch.

Every key is checked before anything is signed: the certificate must be valid now and allow
signing (key usage digitalSignature or nonRepudiation, NĐ 30/2020, Điều 5 and Luật Giao dịch
điện tử: only a valid signing certificate gives the document its legal value).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.sign.signers import Signer, SimpleSigner

from vn_union_docs import vi
from vn_union_docs.signing.errors import SigningError

__all__ = ["SigningKey", "check_certificate", "load_pkcs12", "open_pkcs11"]

_MAX_P12_BYTES = 1 << 20


@dataclass
class SigningKey:
    """A key ready to sign: the pyHanko signer and what closes it (a PKCS#11 session).

    Use as a context manager, or call :meth:`close`; one key signs any number of PDFs."""

    signer: Signer
    source: str
    _close: Callable[[], object] | None = field(default=None, repr=False)

    @property
    def certificate(self) -> asn1_x509.Certificate:
        """The signing certificate."""
        cert = self.signer.signing_cert
        assert cert is not None
        return cert

    @property
    def common_name(self) -> str:
        """The certificate's CN (the signer's or organisation's name)."""
        return subject_field(self.certificate, "common_name")

    @property
    def organisation(self) -> str:
        """The certificate's O (or the CN when there is none)."""
        return subject_field(self.certificate, "organization_name") or self.common_name

    def close(self) -> None:
        """Close the token session (nothing to do for a PKCS#12 key)."""
        if self._close is not None:
            close, self._close = self._close, None
            close()

    def __enter__(self) -> SigningKey:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def subject_field(cert: asn1_x509.Certificate, name: str) -> str:
    """One attribute of the certificate's subject (``common_name``…), ``""`` when absent."""
    value = cert.subject.native.get(name, "")
    if isinstance(value, list):
        value = value[-1] if value else ""
    return str(value)


def _vn(moment: dt.datetime) -> str:
    local = moment.astimezone(vi.VIETNAM_TIME)
    return local.strftime("%d/%m/%Y %H:%M")


def check_certificate(cert: asn1_x509.Certificate, *, source: str,
                      now: dt.datetime | None = None) -> None:
    """Raise :class:`SigningError` unless ``cert`` is valid at ``now`` and may sign."""
    now = now or dt.datetime.now(dt.UTC)
    who = subject_field(cert, "common_name") or "?"
    validity = cert["tbs_certificate"]["validity"]
    not_before = validity["not_before"].native
    not_after = validity["not_after"].native
    if now < not_before:
        raise SigningError(
            f"{source}: chứng thư số của «{who}» chưa có hiệu lực (từ {_vn(not_before)}); "
            "chữ ký số chỉ có giá trị khi chứng thư còn hiệu lực (NĐ 30/2020, Điều 5). "
            "Kiểm tra đồng hồ máy tính hoặc chờ đến ngày hiệu lực.")
    if now > not_after:
        raise SigningError(
            f"{source}: chứng thư số của «{who}» đã hết hạn ngày {_vn(not_after)}; "
            "chữ ký số chỉ có giá trị khi chứng thư còn hiệu lực (NĐ 30/2020, Điều 5). "
            "Hãy gia hạn chứng thư với tổ chức cung cấp dịch vụ chứng thực.")
    usage = cert.key_usage_value
    if usage is not None and not ({"digital_signature", "non_repudiation"} & set(usage.native)):
        raise SigningError(
            f"{source}: chứng thư số của «{who}» không cho phép ký số (key usage "
            f"{', '.join(sorted(usage.native)) or 'trống'}; cần digitalSignature hoặc "
            "nonRepudiation). Hãy dùng chứng thư ký số, không phải chứng thư mã hóa.")


class _LoadedKeySigner(SimpleSigner):
    """pyHanko's SimpleSigner parses its private key again for every signature (an RSA key
    check costs tens of milliseconds); this one keeps the parsed key for a whole batch."""

    _pyca_key: object = None

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
        from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
        from pyhanko.sign.general import get_pyca_cryptography_hash

        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        key = self._pyca_key
        if isinstance(key, RSAPrivateKey) and mechanism["algorithm"].native in (
                "rsassa_pkcs1v15", "sha256_rsa", "sha384_rsa", "sha512_rsa"):
            return key.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))
        return super().sign_raw(data, digest_algorithm)


def load_pkcs12(path: Path | str, password: str | bytes | None) -> SigningKey:
    """The key in a PKCS#12 (.p12/.pfx) file, checked (:func:`check_certificate`)."""
    path = Path(path)
    source = str(path)
    try:
        size = path.stat().st_size
        if size > _MAX_P12_BYTES:
            raise SigningError(f"{source}: tệp khóa quá lớn ({size} byte); tệp .p12 chỉ vài KB.")
        data = path.read_bytes()
    except OSError as exc:
        raise SigningError(f"{source}: không đọc được tệp khóa ({exc.strerror}).") from exc
    secret = password.encode("utf-8") if isinstance(password, str) else password
    try:
        loaded = SimpleSigner.load_pkcs12_data(data, other_certs=(), passphrase=secret)
        signer = _LoadedKeySigner(signing_key=loaded.signing_key,
                                  signing_cert=loaded.signing_cert,
                                  cert_registry=loaded.cert_registry)
        signer._pyca_key = pkcs12.load_key_and_certificates(data, secret)[0]
    except (ValueError, TypeError) as exc:
        raise SigningError(
            f"{source}: không mở được tệp khóa PKCS#12: sai mật khẩu hoặc tệp không phải "
            ".p12/.pfx. Kiểm tra mật khẩu trong biến môi trường đã chỉ định.") from exc
    cert = signer.signing_cert
    if cert is None:  # pragma: no cover - load_pkcs12_data always sets it
        raise SigningError(f"{source}: tệp .p12 không có chứng thư số.")
    check_certificate(cert, source=source)
    return SigningKey(signer, source)


def open_pkcs11(lib: Path | str, *, token_label: str, key_label: str, pin: str,
                cert_label: str | None = None) -> SigningKey:
    """Open a PKCS#11 token (``lib`` the vendor's module, e.g. ``libsofthsm2.so``) with its
    PIN, once; the returned key signs until closed. The certificate is the one labelled
    ``cert_label`` (default: the key's label)."""
    import pkcs11
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

    source = f"token «{token_label}»"
    if not Path(lib).is_file():
        raise SigningError(f"Không tìm thấy thư viện PKCS#11 {lib}: cài trình điều khiển token "
                           "của nhà cung cấp chứng thư số, rồi chỉ đường dẫn tệp .so/.dll.")
    try:
        session = open_pkcs11_session(str(lib), token_criteria=TokenCriteria(label=token_label),
                                      user_pin=pin)
    except pkcs11.exceptions.PinIncorrect as exc:
        raise SigningError(f"{source}: sai mã PIN. Lưu ý: nhập sai nhiều lần token sẽ bị "
                           "khóa.") from exc
    except pkcs11.exceptions.PinLocked as exc:
        raise SigningError(f"{source}: token đã bị khóa PIN; liên hệ nhà cung cấp.") from exc
    except (pkcs11.exceptions.PKCS11Error, RuntimeError, OSError) as exc:
        raise SigningError(f"{source}: không mở được token ({type(exc).__name__}: {exc}). "
                           "Kiểm tra token đã cắm, đúng nhãn token và đúng thư viện.") from exc
    try:
        signer = PKCS11Signer(session, cert_label=cert_label or key_label, key_label=key_label)
        cert = signer.signing_cert
    except Exception as exc:
        session.close()
        raise SigningError(f"{source}: không tìm thấy khóa/chứng thư nhãn «{key_label}» "
                           f"({type(exc).__name__}). Xem nhãn bằng: pkcs11-tool --module {lib} "
                           "--list-objects") from exc
    try:
        check_certificate(cert, source=source)
    except SigningError:
        session.close()
        raise
    return SigningKey(signer, source, session.close)
