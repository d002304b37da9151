"""vn_union_docs: Vietnamese trade-union documents (công văn, kế hoạch, thông báo) as .docx.

>>> from vn_union_docs import load_document, render_docx
>>> doc = load_document("examples/58-cdyt-cong-van.yaml")      # doctest: +SKIP
>>> render_docx(doc, "out/58-cdyt-cong-van.docx")               # doctest: +SKIP

Public API: the models ``CongVan``, ``KeHoach``, ``ThongBao``; ``load_document``,
``render_docx``, ``check``; the modules ``vi`` (Vietnamese formatting) and ``campaign``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vn_union_docs import campaign, vi
from vn_union_docs.documents.doc_types import CongVan, KeHoach, ThongBao
from vn_union_docs.documents.models import BaseDocument
from vn_union_docs.documents.spec import SpecTemplate, load_document
from vn_union_docs.errors import Problem, SpecError, TemplateError, VnUnionDocsError

if TYPE_CHECKING:
    from vn_union_docs.checker import Finding, check
    from vn_union_docs.rendering.render import render_docx

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # The checker is imported when first asked for: rendering (and each batch worker) does
    # not pay for loading it.
    if name == "render_docx":
        from vn_union_docs.rendering.render import render_docx

        return render_docx
    if name in ("Finding", "check"):
        from vn_union_docs import checker

        return getattr(checker, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "BaseDocument",
    "CongVan",
    "Finding",
    "KeHoach",
    "Problem",
    "SpecError",
    "SpecTemplate",
    "TemplateError",
    "ThongBao",
    "VnUnionDocsError",
    "__version__",
    "campaign",
    "check",
    "load_document",
    "render_docx",
    "vi",
]

