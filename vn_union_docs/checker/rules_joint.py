"""Rules on what joint documents, type-name overrides, unnumbered documents and appendices
can get wrong (issue 15: NĐ 30/2020, Điều 8; Phụ lục I, II.3 and III.1; Phụ lục III)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from vn_union_docs.checker.registry import Finding, _Context, _make, _rule
from vn_union_docs.documents.doc_types import DOC_TYPES

_BY_PRINTED = sorted(((info.name.upper(), info) for info in DOC_TYPES.values()
                      if info.abbreviation), key=lambda item: -len(item[0]))


@_rule("unnumbered")
def _unnumbered(ctx: _Context) -> Iterator[Finding]:
    if ctx.spec is not None and ctx.spec.get("unnumbered") is True:
        yield _make("unnumbered", "unnumbered", "spec")
    d = ctx.docx
    if d is not None and d.number_line is None and d.national_title is not None:
        yield _make("unnumbered", d.top_place(), "docx")


@_rule("type-name-symbol")
def _type_name_symbol(ctx: _Context) -> Iterator[Finding]:
    spec = ctx.spec
    if spec is None or not isinstance(spec.get("type_name"), str):
        return
    info = DOC_TYPES.get(str(spec.get("type")))
    symbol = spec.get("symbol")
    if isinstance(symbol, str) and symbol.strip():
        abbr = symbol.strip().split("-")[0].removesuffix("LT")
    elif info is not None:
        abbr = info.abbreviation or ""
    else:
        return
    name = " ".join(spec["type_name"].split()).upper()
    for printed, named in _BY_PRINTED:
        if name == printed or name.startswith(printed + " "):
            if named.abbreviation != abbr:
                yield _make("type-name-symbol", "type_name", "other", type_name=spec["type_name"],
                            symbol=symbol if isinstance(symbol, str) else f"{abbr}-…",
                            abbr=named.abbreviation)
            return


_MENTION = re.compile(r"phụ\s+lục", re.I)


@_rule("appendix-unmentioned")
def _appendix_unmentioned(ctx: _Context) -> Iterator[Finding]:
    spec = ctx.spec
    if spec is not None:
        appendices = spec.get("appendices")
        body = spec.get("body")
        if isinstance(appendices, list) and appendices and isinstance(body, str) \
                and not _MENTION.search(body):
            yield _make("appendix-unmentioned", "body")
    d = ctx.docx
    if d is None or d.distribution_label is None:
        return
    end = d.distribution_label.index
    after = [line for line in d.lines if line.index > end]
    if not any(re.match(r"^\s*Phụ lục(\s+[IVXLC\d]+)?\s*$", line.text, re.I) for line in after):
        return
    before = " ".join(line.text for line in d.lines if line.index < end)
    if not _MENTION.search(before):
        yield _make("appendix-unmentioned", d.distribution_label.place())
