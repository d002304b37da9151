"""Rendering: a document model and a .docx template in, deterministic .docx bytes out.

``render_docx`` is the one entry point. It builds the template context (``context``), picks
the template (argument, then the spec's ``template:``, then the default for the type) and
renders it through a compiled template (``compiled.CompiledTemplate``: compiled once per
template file and modification time). ``render_with_docxtpl`` is the plain docxtpl path,
kept as the reference the fast path is tested against.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from jinja2 import TemplateError as JinjaTemplateError
from jinja2 import UndefinedError
from jinja2.sandbox import SecurityError

from vn_union_docs.context import build_context
from vn_union_docs.docxzip import normalize_zip
from vn_union_docs.errors import TemplateError
from vn_union_docs.files import write_atomic
from vn_union_docs.jinja import template_environment
from vn_union_docs.models import BaseDocument

TYPE_NAMES = {"cong_van": "công văn", "ke_hoach": "kế hoạch", "thong_bao": "thông báo"}
_PACKAGE_TEMPLATES = Path(__file__).resolve().parent / "templates"
_REPO_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def templates_dir() -> Path:
    """Where the default templates are: inside the installed package, else the repo."""
    if (_PACKAGE_TEMPLATES / "cong_van.docx").exists():
        return _PACKAGE_TEMPLATES
    return _REPO_TEMPLATES


def default_template(doc_type: str) -> Path:
    """The default template of a document type (``cong_van``, ``ke_hoach``, ``thong_bao``)."""
    return templates_dir() / f"{doc_type}.docx"


def template_for(doc: BaseDocument, template: str | Path | None = None) -> Path:
    """The template a document renders with: the argument, the spec's ``template:``, or the
    default for its type. Raises ``TemplateError`` when the file does not exist."""
    chosen = Path(template) if template else Path(doc.template) if doc.template else None
    path = chosen or default_template(doc.type)
    if not path.is_file():
        raise TemplateError(f"không tìm thấy mẫu văn bản (template) «{path}»")
    return path


def template_error(exc: Exception, template: Path) -> TemplateError:
    """A ``TemplateError`` with a clear message for an error raised while rendering."""
    if isinstance(exc, SecurityError):
        return TemplateError(
            f"mẫu «{template.name}» bị từ chối vì lý do an toàn: nó truy cập nội bộ Python "
            f"({exc}). Mẫu văn bản chỉ được dùng các biến trong docs/template-context.md."
        )
    if isinstance(exc, UndefinedError):
        return TemplateError(
            f"mẫu «{template.name}» dùng biến không có trong ngữ cảnh: {exc}. "
            "Chạy «vn-union-docs template check» để xem vị trí."
        )
    return TemplateError(f"mẫu «{template.name}» bị lỗi: {exc}")


def render_with_docxtpl(template: str | Path, context: dict[str, Any]) -> bytes:
    """The reference path: plain docxtpl, sandboxed and autoescaped, deterministic zip."""
    from docxtpl import DocxTemplate

    template = Path(template)
    doc = DocxTemplate(str(template))
    try:
        doc.render(context, jinja_env=template_environment(), autoescape=True)
    except (JinjaTemplateError, SecurityError) as exc:
        raise template_error(exc, template) from exc
    buffer = io.BytesIO()
    doc.save(buffer)
    return normalize_zip(buffer.getvalue())


def check_template_type(compiled: Any, doc: BaseDocument) -> None:
    """Raise ``TemplateError`` when the template declares another document type."""
    if compiled.doc_type is not None and compiled.doc_type != doc.type:
        raise TemplateError(
            f"mẫu «{compiled.path.name}» dành cho {TYPE_NAMES[compiled.doc_type]}, còn văn bản "
            f"là {TYPE_NAMES[doc.type]}; chọn mẫu {doc.type}.docx hoặc đổi type trong spec")


def get_compiled(path: str | Path) -> Any:
    """The compiled template for ``path`` (see ``compiled.get_compiled``)."""
    from vn_union_docs.compiled import get_compiled as compiled_for

    return compiled_for(path)


def render_compiled(compiled: Any, doc: BaseDocument) -> bytes:
    """Render ``doc`` with an already compiled template (checked against the document type)."""
    check_template_type(compiled, doc)
    return compiled.render(build_context(doc))


def render_docx(doc: BaseDocument, path: str | Path | None = None, *,
                template: str | Path | None = None) -> bytes:
    """Render ``doc`` to .docx bytes; also write them to ``path`` (atomically) when given.

    The same document and template always give byte-identical output.
    """
    data = render_compiled(get_compiled(template_for(doc, template)), doc)
    if path is not None:
        write_atomic(path, data)
    return data
