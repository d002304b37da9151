"""vn_union_docs: Vietnamese trade-union documents (công văn, kế hoạch, thông báo) as .docx.

>>> from vn_union_docs import load_document, render_docx
>>> doc = load_document("examples/58-cdyt-cong-van.yaml")      # doctest: +SKIP
>>> render_docx(doc, "out/58-cdyt-cong-van.docx")               # doctest: +SKIP

Public API: the models ``CongVan``, ``KeHoach``, ``ThongBao``; ``load_document``,
``render_docx``, ``check``; the modules ``vi`` (Vietnamese formatting) and ``campaign``.
"""

from __future__ import annotations

from typing import Any

from vn_union_docs import vi
from vn_union_docs.documents.doc_types import CongVan, KeHoach, ThongBao
from vn_union_docs.documents.models import BaseDocument
from vn_union_docs.documents.spec import SpecTemplate, load_document
from vn_union_docs.errors import Problem, SpecError, TemplateError, VnUnionDocsError
from vn_union_docs.rendering.render import render_docx

__version__ = "0.1.0"

__all__ = [
    "BaseDocument",
    "CongVan",
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


def check(doc_or_path: Any) -> list[Any]:
    """Check a spec file, a .docx file, a spec dict or a model; see ``checker.check``."""
    from vn_union_docs.checker import check as _check

    return _check(doc_or_path)


def __getattr__(name: str) -> Any:
    if name == "campaign":
        import importlib

        return importlib.import_module("vn_union_docs.campaign")
    raise AttributeError(name)
