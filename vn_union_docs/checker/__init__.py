"""The document checker: catch the slips clerks make, in spec files and in .docx files.

``check(doc_or_path)`` takes a spec file (.yaml/.yml/.json), a .docx file, a signed .pdf (its
digital signatures), a spec ``dict`` or a model object and returns a list of ``Finding``.
``check_text(text)`` runs the text rules alone.

Rules are data (``checker/rules.yaml``: id, severity, Vietnamese message, legal source); each rule
has exactly one function here, registered under its id with ``@_rule``. A rule function gets a
``_Context`` (the text units to read, and the spec or the .docx frame when there is one) and
yields findings; it ignores what it does not apply to.

For a .docx the frame parts are found by pattern (``^Số``, ``ngày … tháng … năm``, ``Nơi nhận``,
``CỘNG HÒA``, ``Độc lập``) in any document, hand-made ones included: paragraphs are read in
document order, table cells included, and numbered 1, 2, 3 … counting only paragraphs that
show some text (blank lines are not counted), as a person counts them on the page.

Layout: ``registry`` (rules data, ``Finding``, the ``@_rule`` registry and the context a rule
reads), ``rules_text`` / ``rules_frame`` / ``rules_layout`` (one family each), ``docx_reader``
(a .docx read as a person sees it), ``patterns`` (frame patterns shared by reader and rules),
``engine`` (the entry points).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vn_union_docs.checker.registry import (
    DOCX_SUFFIX,
    PDF_SUFFIX,
    SPEC_SUFFIXES,
    Finding,
    Rule,
    rules,
    rules_markdown,
)

if TYPE_CHECKING:
    from vn_union_docs.checker.engine import check, check_text, unreadable_finding

_ENGINE = ("check", "check_text", "unreadable_finding")


def __getattr__(name: str) -> Any:
    # The entry points (and the rules, python-docx with them) load when first asked for:
    # a command line that only needs the suffixes or a rule list does not pay for them.
    if name in _ENGINE:
        from vn_union_docs.checker import engine

        return getattr(engine, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "DOCX_SUFFIX",
    "PDF_SUFFIX",
    "SPEC_SUFFIXES",
    "Finding",
    "Rule",
    "check",
    "check_text",
    "rules",
    "rules_markdown",
    "unreadable_finding",
]
