"""The register of outgoing documents (sổ đăng ký văn bản đi, NĐ 30/2020, Điều 15–16).

>>> from vn_union_docs.register import Register, issue_document   # doctest: +SKIP
>>> with Register("so-van-ban-di.sqlite", create=True) as register:   # doctest: +SKIP
...     issue_document(register, doc, "out/cv.docx", render_docx)

SQLite by default (one file), PostgreSQL by URL (``postgresql://user@host/db``). See ``core``
for how numbers stay without gaps or duplicates under concurrency, ``issue`` for the hook
``render`` and ``batch`` call, ``export`` for the printed register.
"""

from __future__ import annotations

from vn_union_docs.register.core import Allocation, Entry, Refusal, Register, RegisterError
from vn_union_docs.register.facts import (
    DocumentFacts,
    facts_from_document,
    format_number,
    parse_number,
)
from vn_union_docs.register.issue import document_key, is_auto, issue_document
from vn_union_docs.register.location import ENV_VAR, default_path, resolve

__all__ = [
    "ENV_VAR",
    "Allocation",
    "DocumentFacts",
    "Entry",
    "Refusal",
    "Register",
    "RegisterError",
    "default_path",
    "document_key",
    "facts_from_document",
    "format_number",
    "is_auto",
    "issue_document",
    "parse_number",
    "resolve",
]
