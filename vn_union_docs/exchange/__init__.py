"""Sending documents between systems: edXML envelopes (QCVN 102:2016/BTTTT, amended by Thông tư
01/2022/TT-BTTTT) built from the register, signed with the organisation's key (XML-DSig), read
back and verified.

>>> from vn_union_docs.exchange import read, check_envelope   # doctest: +SKIP
"""

from vn_union_docs.exchange.document import (
    check_envelope,
    envelope_for,
    parse_organ,
    write_envelope,
)
from vn_union_docs.exchange.envelope import NS, Attachment, Envelope, ExchangeError, Organ, read
from vn_union_docs.exchange.signature import TokenRsaKey, verify
from vn_union_docs.signing import load_pkcs12, open_pkcs11

__all__ = [
    "NS",
    "Attachment",
    "Envelope",
    "ExchangeError",
    "Organ",
    "TokenRsaKey",
    "check_envelope",
    "envelope_for",
    "load_pkcs12",
    "open_pkcs11",
    "parse_organ",
    "read",
    "verify",
    "write_envelope",
]
