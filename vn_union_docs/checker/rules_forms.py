"""Rules on the parts each ND30 form requires (Phụ lục III, Mẫu 1.1-1.10) and on the
numbering of articles (Điều) in a .docx."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from vn_union_docs.checker.docx_reader import _Docx
from vn_union_docs.checker.registry import Finding, _Context, _make, _rule
from vn_union_docs.documents.doc_types import DOC_TYPES

# The labelled lines of a form, as its .docx prints them: (detail, label, line start).
_DOCX_LABELS: dict[str, tuple[tuple[str, str, str | tuple[str, ...]], ...]] = {
    "bien_ban": (("meeting", "Thời gian bắt đầu", "thời gian"),
                 ("meeting", "Địa điểm", "địa điểm"),
                 ("meeting", "Thành phần tham dự", "thành phần"),
                 ("meeting", "Chủ trì (chủ tọa)", "chủ trì"),
                 ("secretary", "", ("thư ký (", "thư ký:"))),
    "giay_moi": (("meeting", "Thời gian", "thời gian"), ("meeting", "Địa điểm", "địa điểm")),
    "giay_gioi_thieu": (("meeting", "Được cử đến", "được cử đến"),),
}
_ARTICLE = re.compile(r"^Điều\s+(\d+)\s*\.")


def _name(doc_type: str) -> str:
    label = DOC_TYPES[doc_type].label
    return label[0].upper() + label[1:]


def _spec_parts(spec: dict[str, Any]) -> Iterator[Finding]:
    doc_type = spec.get("type")
    info = DOC_TYPES.get(doc_type) if isinstance(doc_type, str) else None
    if info is None:
        return
    name = _name(info.type)
    if info.form == "quyet_dinh" and not spec.get("grounds"):
        yield _make("form-parts", "grounds", "grounds", type_name=name)
    meeting = spec.get("meeting")
    if info.form == "bien_ban" and isinstance(meeting, dict) and not meeting.get("secretary"):
        yield _make("form-parts", "meeting.secretary", "secretary", type_name=name)


def _docx_parts(d: _Docx) -> Iterator[Finding]:
    info = DOC_TYPES.get(d.doc_type or "")
    if info is None:
        return
    name = _name(info.type)
    body = [line for line in d.lines
            if d.distribution_label is None or line.index < d.distribution_label.index]
    starts = [" ".join(line.text.split()).lower() for line in body]
    place = d.top_place()
    if info.form == "quyet_dinh":
        if not any(s.startswith(("căn cứ", "xét ")) for s in starts):
            yield _make("form-parts", place, "grounds", type_name=name)
        decision = info.decision or ""
        if not any(s == decision.lower() for s in starts):
            yield _make("form-parts", place, "decision", type_name=name, decision=decision)
    if info.form == "cong_dien" and not any(s.endswith("điện:") for s in starts):
        yield _make("form-parts", place, "sender", type_name=name)
    if info.recipients_required and d.recipient_index is None and info.form != "cong_dien":
        yield _make("form-parts", place, "recipients", type_name=name)
    for detail, label, start in _DOCX_LABELS.get(info.form, ()):
        if not any(s.startswith(start) for s in starts):
            yield _make("form-parts", place, detail, type_name=name, label=label)


@_rule("form-parts")
def _form_parts(ctx: _Context) -> Iterator[Finding]:
    if ctx.spec is not None:
        yield from _spec_parts(ctx.spec)
    if ctx.docx is not None:
        yield from _docx_parts(ctx.docx)


@_rule("article-sequence")
def _article_sequence(ctx: _Context) -> Iterator[Finding]:
    d = ctx.docx
    if d is None:
        return
    previous: str | None = None
    expected = 1
    for line in d.lines:
        if d.distribution_label is not None and line.index >= d.distribution_label.index:
            break  # appendices (after Nơi nhận) number their own articles
        match = _ARTICLE.match(line.text.strip())
        if not match:
            continue
        found = f"Điều {match.group(1)}"
        if int(match.group(1)) != expected:
            yield _make("article-sequence", line.place(), "after" if previous else "first",
                        found=found, previous=previous or "", expected=f"Điều {expected}")
        previous = found
        expected = int(match.group(1)) + 1
