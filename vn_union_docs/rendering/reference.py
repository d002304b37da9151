"""The reference path: plain docxtpl, sandboxed and autoescaped, with the deterministic zip.

The compiled fast path (``rendering.compiled``) is tested to give the same bytes.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate
from jinja2 import TemplateError as JinjaTemplateError
from jinja2.sandbox import SecurityError

from vn_union_docs.archives import refuse_external_links
from vn_union_docs.documents.sandbox import template_environment
from vn_union_docs.rendering.docxzip import normalize_zip
from vn_union_docs.rendering.templates import template_error


def render_with_docxtpl(template: str | Path, context: dict[str, Any]) -> bytes:
    """The reference path: plain docxtpl, sandboxed and autoescaped, deterministic zip."""
    template = Path(template)
    refuse_external_links(template)
    doc = DocxTemplate(str(template))
    try:
        doc.render(context, jinja_env=template_environment(), autoescape=True)
    except (JinjaTemplateError, SecurityError, ArithmeticError, LookupError, TypeError,
            ValueError, RecursionError) as exc:
        raise template_error(exc, template) from exc
    buffer = io.BytesIO()
    doc.save(buffer)
    return normalize_zip(buffer.getvalue())
