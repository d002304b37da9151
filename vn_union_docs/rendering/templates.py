"""Templates: where the default templates are, which one a document uses, and the
clear ``TemplateError`` for anything a template does wrong while rendering.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Protocol

from jinja2 import UndefinedError
from jinja2.sandbox import SecurityError

from vn_union_docs.documents.bounded import JinjaLimit, describe_error
from vn_union_docs.documents.models import DOC_TYPE_NAMES, BaseDocument
from vn_union_docs.errors import Problem, TemplateError, VnUnionDocsError
from vn_union_docs.limits import LimitError

_PACKAGE_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
_REPO_TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"


class TypedTemplate(Protocol):
    """A template that may declare the document type it is for (its Category property)."""

    path: Path
    doc_type: str | None


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
    default for its type. A folder (argument or ``template:``) gives the template declared
    for the document's type (``template_in_folder``). Raises ``TemplateError`` when there is
    none."""
    chosen = Path(template) if template else Path(doc.template) if doc.template else None
    if chosen is not None and chosen.is_dir():
        return template_in_folder(chosen, doc.type)
    path = chosen or default_template(doc.type)
    if not path.is_file():
        raise TemplateError(f"không tìm thấy mẫu văn bản (template) «{path}»")
    return path


_CATEGORY = re.compile(rb"<cp:category>\s*([\w-]+)\s*</cp:category>")


def _declared_type(path: Path) -> str | None:
    """The document type a template declares (its Category property), if any."""
    try:
        with zipfile.ZipFile(path) as archive:
            match = _CATEGORY.search(archive.read("docProps/core.xml"))
    except (OSError, KeyError, zipfile.BadZipFile):
        return None
    return match.group(1).decode() if match else None


def template_in_folder(folder: Path, doc_type: str) -> Path:
    """The template for ``doc_type`` in ``folder``: the .docx that declares that type (its
    Category property, as ``template export`` writes it), else the one named
    ``<type>.docx``. Raises ``TemplateError`` when none or several fit."""
    files = sorted(p for p in folder.iterdir()
                   if p.suffix.lower() == ".docx" and p.is_file()
                   and not p.name.startswith(("~$", ".")))
    declared = [p for p in files if _declared_type(p) == doc_type]
    named = [p for p in files if p.stem == doc_type and _declared_type(p) in (None, doc_type)]
    if len(declared) > 1:
        preferred = [p for p in declared if p.stem == doc_type]
        if len(preferred) == 1:
            return preferred[0]
        names = ", ".join(p.name for p in declared)
        raise TemplateError(
            f"thư mục mẫu «{folder}» có nhiều mẫu cho {DOC_TYPE_NAMES.get(doc_type, doc_type)}"
            f" ({names}); giữ một mẫu, hoặc đặt tên mẫu muốn dùng là {doc_type}.docx")
    found = declared or named
    if not found:
        raise TemplateError(
            f"thư mục mẫu «{folder}» không có mẫu cho {DOC_TYPE_NAMES.get(doc_type, doc_type)}:"
            f" thêm {doc_type}.docx (xuất mẫu mặc định bằng «vn-union-docs template export»)")
    return found[0]


def template_error(exc: Exception, template: Path) -> VnUnionDocsError:
    """A ``TemplateError`` with a clear message for an error raised while rendering (a
    ``LimitError`` naming the template for a limit)."""
    if isinstance(exc, JinjaLimit):
        return LimitError(problems=[Problem(f"mẫu «{template.name}»", str(exc), str(template))],
                          limit=exc.limit)
    described = describe_error(exc)
    if described is not None:
        return TemplateError(f"mẫu «{template.name}» bị lỗi: {described}")
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


def check_template_type(compiled: TypedTemplate, doc: BaseDocument) -> None:
    """Raise ``TemplateError`` when the template declares another document type."""
    if compiled.doc_type is not None and compiled.doc_type != doc.type:
        raise TemplateError(
            f"mẫu «{compiled.path.name}» dành cho {DOC_TYPE_NAMES[compiled.doc_type]}, còn văn bản "
            f"là {DOC_TYPE_NAMES[doc.type]}; chọn mẫu {doc.type}.docx, hoặc cho --template một "
            "thư mục mẫu (mỗi loại một mẫu), hoặc đổi type trong spec")
