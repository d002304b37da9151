"""Rendering: a document model and a .docx template in, deterministic .docx bytes out.

``render_docx`` is the one entry point. It builds the template context (``context``), picks
the template (argument, then the spec's ``template:``, then the default for the type) and
renders it through a compiled template (``compiled.CompiledTemplate``: compiled once per
template file and modification time). ``render_with_docxtpl`` is the plain docxtpl path,
kept as the reference the fast path is tested against.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vn_union_docs.documents.models import BaseDocument
from vn_union_docs.files import write_atomic
from vn_union_docs.rendering.appendix import apply_sections
from vn_union_docs.rendering.compiled import CompiledTemplate, get_compiled
from vn_union_docs.rendering.context import build_context
from vn_union_docs.rendering.fit import fit_context
from vn_union_docs.rendering.properties import document_properties
from vn_union_docs.rendering.reference import render_with_docxtpl
from vn_union_docs.rendering.templates import (
    check_template_type,
    default_template,
    template_for,
    templates_dir,
)

__all__ = [
    "default_template",
    "document_context",
    "get_compiled",
    "render_compiled",
    "render_docx",
    "render_with_docxtpl",
    "template_for",
    "templates_dir",
]


def render_compiled(compiled: CompiledTemplate, doc: BaseDocument) -> bytes:
    """Render ``doc`` with an already compiled template (checked against the document type).

    The header names and the title get their line breaks chosen for the template's columns
    (``fit``): never in the middle of a name.
    """
    check_template_type(compiled, doc)
    data = compiled.render(document_context(compiled, doc), document_properties(doc))
    return apply_sections(data, doc) if doc.appendices else data


def document_context(compiled: CompiledTemplate, doc: BaseDocument) -> dict[str, Any]:
    """The context ``doc`` renders with in ``compiled``: ``build_context`` with the line
    breaks of the header names and the title chosen for this template's columns."""
    return fit_context(build_context(doc), doc, compiled.columns)


def render_docx(doc: BaseDocument, path: str | Path | None = None, *,
                template: str | Path | None = None) -> bytes:
    """Render ``doc`` to .docx bytes; also write them to ``path`` (atomically) when given.

    The same document and template always give byte-identical output.
    """
    data = render_compiled(get_compiled(template_for(doc, template)), doc)
    if path is not None:
        write_atomic(path, data)
    return data
