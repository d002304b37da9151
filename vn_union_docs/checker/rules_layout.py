"""Rules on a .docx page layout (paper, margins, fonts, sizes, page numbers), plus ``spec-invalid``
and ``unreadable``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from vn_union_docs.checker.docx_reader import _Para
from vn_union_docs.checker.registry import Finding, _Context, _make, _rule, _table

# ------------------------------------------------------------------------------ docx rules


@_rule("page-size")
def _page_size(ctx: _Context) -> Iterator[Finding]:
    if ctx.docx is None:
        return
    for k, s in enumerate(ctx.docx.sections):
        w, h = s.width, s.height
        portrait = abs(w - 210) <= 1 and abs(h - 297) <= 1
        landscape = abs(w - 297) <= 1 and abs(h - 210) <= 1
        if not (portrait or (k > 0 and landscape)):
            yield _make(
                "page-size", ctx.docx.section_place(k), width=_mm(w), height=_mm(h)
            )


def _mm(value: float) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


@_rule("margins")
def _margins(ctx: _Context) -> Iterator[Finding]:
    if ctx.docx is None:
        return
    ranges = _table("margins_mm")
    for k, s in enumerate(ctx.docx.sections):
        if s.width > s.height:
            continue  # a landscape section for a wide table
        for side in ("top", "bottom", "left", "right"):
            low, high = ranges[side]
            value = s.margin(side)
            if value is not None and not low - 0.1 <= value <= high + 0.1:
                yield _make(
                    "margins", ctx.docx.section_place(k), side, value=_mm(value), low=low,
                    high=high,
                )


@_rule("font")
def _font(ctx: _Context) -> Iterator[Finding]:
    if ctx.docx is None:
        return
    seen: dict[str, list[_Para]] = {}
    for para in ctx.docx.paras:
        fonts: set[str] = set()
        for run in para.runs:
            fonts.update(f for f in ctx.docx.styles.fonts(run, para) if f != "Times New Roman")
        for f in fonts:
            seen.setdefault(f, []).append(para)
    for font, paras in seen.items():
        yield _make("font", paras[0].place(), font=font, count=len(paras))


@_rule("font-size")
def _font_size(ctx: _Context) -> Iterator[Finding]:
    if ctx.docx is None:
        return
    low, high = _table("body_size_pt")
    seen: dict[Decimal, list[_Para]] = {}
    for para in ctx.docx.body_paragraphs():
        sizes = {ctx.docx.styles.size(run, para) for run in para.runs}
        for size in sizes:
            if not low <= size <= high:
                seen.setdefault(size, []).append(para)
    for size, paras in sorted(seen.items()):
        yield _make("font-size", paras[0].place(), size=_mm(float(size)), count=len(paras))


@_rule("place-date-italic")
def _place_date_italic(ctx: _Context) -> Iterator[Finding]:
    if ctx.docx is None or ctx.docx.place_date is None:
        return
    para = ctx.docx.place_date.para
    if not all(ctx.docx.styles.italic(run, para) for run in para.runs):
        yield _make("place-date-italic", ctx.docx.place_date.place())


@_rule("page-numbers")
def _page_numbers(ctx: _Context) -> Iterator[Finding]:
    if ctx.docx is None:
        return
    info = ctx.docx.page_numbers
    place = "đầu trang (header)"
    if info["footer"]:
        yield _make("page-numbers", "chân trang (footer)", "footer")
    if info["first_shows"]:
        yield _make("page-numbers", place, "first_page")
    if not info["header"] and not info["footer"] and ctx.docx.probably_several_pages():
        yield _make("page-numbers", place, "missing")


@_rule("external-link")
def _external_link(ctx: _Context) -> Iterator[Finding]:
    if ctx.docx is None:
        return
    for link in ctx.docx.external_links:
        yield _make("external-link", "tệp", kind=link.kind, target=link.target, part=link.part)


@_rule("spec-invalid")
def _spec_invalid(ctx: _Context) -> Iterator[Finding]:
    # Added by _check_spec from load_document's problems; nothing to look at here.
    return iter(())


def _spec_problems(spec: Mapping[str, Any] | Path, found: list[Finding]) -> list[Finding]:
    """What ``render`` refuses in ``spec`` (the models, then the template), for keys no
    error already names: check and render agree (issue 13.5)."""
    from vn_union_docs.documents.spec import load_document
    from vn_union_docs.errors import SpecError, VnUnionDocsError
    from vn_union_docs.rendering.render import render_docx

    covered = {f.place.split("[")[0] for f in found if f.severity == "error"}
    try:
        doc = load_document(spec if isinstance(spec, Path) else dict(spec))
    except SpecError as exc:
        return [_make("spec-invalid", p.path or "tệp", reason=p.message)
                for p in exc.problems if p.path.split("[")[0] not in covered]
    except Exception:  # the specific rules report the rest
        return []
    try:
        render_docx(doc)
    except VnUnionDocsError as exc:  # the template: missing, of another type, broken
        return [_make("spec-invalid", "template", reason=str(exc))]
    return []


@_rule("unreadable")
def _unreadable(ctx: _Context) -> Iterator[Finding]:
    # Reported by check() itself when a file cannot be read; nothing to look at here.
    return iter(())


