"""Electronic documents as NĐ 30/2020 defines them: PDFs signed by the person with authority
and by the organisation (Điều 5; Phụ lục I, II.7.d, II.8, III.1.d; Phần II, I.3), numbered
and dated by the văn thư after the leader has signed (Điều 15.3).

    from vn_union_docs.signing import load_pkcs12, sign_pdf, verify_pdf

    with load_pkcs12("leader.p12", password) as key:
        sign_pdf("cv.pdf", "cv-signed.pdf", role="signer", key=key, image="sig.png")
    with load_pkcs12("org.p12", password) as key:
        sign_pdf("cv-signed.pdf", "cv-issued.pdf", role="organisation", key=key,
                 image="seal.png", seal_mm=36, number=58)
    verify_pdf("cv-issued.pdf")

Built on pyHanko (PAdES, incremental updates, PKCS#11, RFC 3161 timestamps).
"""

from vn_union_docs.signing.errors import SigningError
from vn_union_docs.signing.keys import SigningKey, check_certificate, load_pkcs12, open_pkcs11
from vn_union_docs.signing.positions import Box
from vn_union_docs.signing.prepare import prepare_pdf
from vn_union_docs.signing.roles import Role
from vn_union_docs.signing.sign import (
    COPY_FORMS,
    NumberProvider,
    NumberRequest,
    SignResult,
    mm_box,
    sign_pdf,
)
from vn_union_docs.signing.verify import (
    SignatureReport,
    load_trust_roots,
    signature_findings,
    verify_pdf,
)

__all__ = [
    "COPY_FORMS",
    "Box",
    "NumberProvider",
    "NumberRequest",
    "Role",
    "SignResult",
    "SignatureReport",
    "SigningError",
    "SigningKey",
    "check_certificate",
    "load_pkcs12",
    "load_trust_roots",
    "mm_box",
    "open_pkcs11",
    "prepare_pdf",
    "sign_pdf",
    "signature_findings",
    "verify_pdf",
]
