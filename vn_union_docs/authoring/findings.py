"""What ``template check`` reports: one ``TemplateFinding`` per problem, with its place in Word."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from vn_union_docs.documents.doc_types import DOC_TYPE_NAMES
from vn_union_docs.documents.doc_types import DOC_TYPES as _ALL_TYPES

Severity = Literal["error", "warning"]

DOC_TYPES: tuple[str, ...] = tuple(_ALL_TYPES)


# --------------------------------------------------------------------------- findings


@dataclass(frozen=True)
class TemplateFinding:
    """One problem of a template.

    ``part`` is where in the file (``thân văn bản``, ``đầu trang 1 (Header, mục 1)``…),
    ``place`` the paragraph or table cell (``bảng 1, hàng 2, ô 1, đoạn 3``), ``excerpt`` the
    text around the tag; ``code`` a stable short name (``unknown-variable``, ``syntax``…).
    """

    severity: Severity
    code: str
    message: str
    part: str = ""
    place: str = ""
    excerpt: str = ""
    order: int = field(default=1 << 30, compare=False, repr=False)

    @property
    def where(self) -> str:
        """Part and place joined: ``thân văn bản, bảng 1, hàng 2, ô 1, đoạn 3``."""
        return ", ".join(x for x in (self.part, self.place) if x)

    def __str__(self) -> str:
        return format_finding(self)


def format_finding(finding: TemplateFinding) -> str:
    """One finding as text: severity, place, message and (indented) the text around it."""
    label = "lỗi" if finding.severity == "error" else "cảnh báo"
    mark = "✗" if finding.severity == "error" else "!"
    head = f"{mark} {label}"
    where = finding.where
    line = f"{head} — {where}: {finding.message}" if where else f"{head}: {finding.message}"
    if finding.excerpt:
        line += f"\n    văn bản quanh đó: «{finding.excerpt}»"
    return line


def template_check_report(findings: list[TemplateFinding], path: str | Path | None = None,
                          doc_type: str | None = None) -> str:
    """The whole report of ``check_template`` as printable text (Vietnamese)."""
    lines = []
    if path is not None:
        kind = f" (cho {DOC_TYPE_NAMES.get(doc_type, doc_type)})" if doc_type else ""
        lines.append(f"Kiểm tra mẫu «{path}»{kind}")
    lines.extend(format_finding(f) for f in findings)
    lines.append(summary_line(findings))
    return "\n".join(lines)


def summary_line(findings: list[TemplateFinding]) -> str:
    """``Không có lỗi, 1 cảnh báo.`` / ``2 lỗi, 0 cảnh báo.``"""
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    if not findings:
        return "Mẫu dùng được: không có lỗi, không có cảnh báo."
    if not errors:
        return f"Mẫu dùng được: không có lỗi, {warnings} cảnh báo."
    return f"Mẫu chưa dùng được: {errors} lỗi, {warnings} cảnh báo."


