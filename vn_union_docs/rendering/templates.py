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
from vn_union_docs.documents.doc_types import DOC_TYPE_NAMES, DOC_TYPES
from vn_union_docs.documents.models import BaseDocument
from vn_union_docs.errors import Problem, TemplateError, VnUnionDocsError
from vn_union_docs.limits import LimitError

_PACKAGE_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
_REPO_TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"


class TypedTemplate(Protocol):
    """A template that may declare the document types it serves (its Category property)."""

    path: Path
    doc_types: tuple[str, ...] | None


def templates_dir() -> Path:
    """Where the default templates are: inside the installed package, else the repo."""
    if (_PACKAGE_TEMPLATES / "cong_van.docx").exists():
        return _PACKAGE_TEMPLATES
    return _REPO_TEMPLATES


def default_template(doc_type: str) -> Path:
    """The default template of a document type: the one of its form (``doc_types.yaml``),
    ``templates/<form>.docx`` (``quyet_dinh`` and ``nghi_quyet`` → ``quyet_dinh.docx``,
    ``ke_hoach``, ``thong_bao``, ``bao_cao`` … → ``van_ban.docx``)."""
    info = DOC_TYPES.get(doc_type)
    return templates_dir() / f"{info.form if info else doc_type}.docx"


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


_CATEGORY = re.compile(rb"<cp:category>([^<]*)</cp:category>")


def declared_types(path: Path) -> tuple[str, ...] | None:
    """The document types a template declares it serves, or ``None`` for one that does not.

    A template declares them in its core properties: the Category (``cp:category``) holds the
    ``type`` values separated by commas (``quyet_dinh,nghi_quyet``); a Category naming no
    known type (or none) declares nothing, and the template is then used for any type.
    """
    with zipfile.ZipFile(path) as archive:
        try:
            core = archive.read("docProps/core.xml")
        except KeyError:
            return None
    match = _CATEGORY.search(core)
    if not match:
        return None
    found = tuple(t for t in (part.strip() for part in match.group(1).decode(
        "utf-8", "replace").split(",")) if t in DOC_TYPES)
    return found or None


def template_in_folder(folder: Path, doc_type: str) -> Path:
    """The template for ``doc_type`` in ``folder``: the .docx that declares that type (its
    Category property, as ``template export`` writes it), else the one named
    ``<type>.docx``. Raises ``TemplateError`` when none or several fit."""
    files = sorted(p for p in folder.iterdir()
                   if p.suffix.lower() == ".docx" and p.is_file()
                   and not p.name.startswith(("~$", ".")))
    form = DOC_TYPES[doc_type].form if doc_type in DOC_TYPES else doc_type
    declared = [p for p in files if doc_type in (declared_types(p) or ())]
    named = [p for p in files if p.stem in (doc_type, form)
             and declared_types(p) in (None, (doc_type,))]
    if len(declared) > 1:
        preferred = [p for p in declared if p.stem == doc_type] or [
            p for p in declared if p.stem == form]
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
    """Raise ``TemplateError`` when the template declares types that do not include the
    document's (a công văn in the kế hoạch template would print KẾ HOẠCH over it)."""
    served = compiled.doc_types
    if served is not None and doc.type not in served:
        names = ", ".join(DOC_TYPE_NAMES[t] for t in served)
        raise TemplateError(
            f"mẫu «{compiled.path.name}» dành cho {names} (thuộc tính Category), còn văn bản là "
            f"{DOC_TYPE_NAMES[doc.type]}; chọn mẫu {default_template(doc.type).name}, hoặc cho "
            "--template một thư mục mẫu (mỗi loại một mẫu), hoặc đổi type trong spec")
