"""Rules on clerks' typing habits (issue 13): a prefix the library prints typed again,
``ngày ngày``, and the Icelandic ``Ð`` pasted for ``Đ``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from vn_union_docs.checker.registry import Finding, _clip, _Context, _make, _rule
from vn_union_docs.documents.prefixes import (
    DISTRIBUTION_PREFIX,
    RECIPIENT_PREFIX,
    SUBJECT_PREFIX,
    typed_prefix,
)


def _items(value: Any) -> list[str]:
    if isinstance(value, str):
        return [line for line in value.split("\n") if line.strip()]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


_DOUBLED_IN_TEXT = re.compile(r"\b(V/v|Kính gửi:|Nơi nhận:)\s+\1", re.IGNORECASE)


@_rule("prefix-doubled")
def _prefix_doubled(ctx: _Context) -> Iterator[Finding]:
    spec = ctx.spec
    if spec is not None:
        subject = spec.get("subject")
        if spec.get("type") == "cong_van" and isinstance(subject, str):
            found = typed_prefix(subject, SUBJECT_PREFIX)
            if found:
                yield _make("prefix-doubled", "subject", "subject", typed=found,
                            text=_clip(subject))
        for key, pattern, detail in (("recipients", RECIPIENT_PREFIX, "recipients"),
                                     ("distribution", DISTRIBUTION_PREFIX, "distribution")):
            for index, item in enumerate(_items(spec.get(key))):
                found = typed_prefix(item, pattern)
                if found:
                    yield _make("prefix-doubled", f"{key}[{index}]", detail, typed=found,
                                text=_clip(item))
        return
    for unit in ctx.units:
        for match in _DOUBLED_IN_TEXT.finditer(unit.text):
            yield _make("prefix-doubled", unit.place(match.start(), match.end()), "printed",
                        typed=match.group(1), text=_clip(match.group()))


_NGAY_NGAY = re.compile(r"\bngày\s+ngày\b", re.IGNORECASE)
_NGAY_FILTER = re.compile(r"\bngày\s*\{\{[^}]*\|\s*ngay\s*(?:\([^)]*\))?\s*\}\}",
                          re.IGNORECASE)


@_rule("date-word-doubled", text=True)
def _date_word_doubled(ctx: _Context) -> Iterator[Finding]:
    seen: set[str] = set()
    for unit in ctx.units:
        for match in _NGAY_NGAY.finditer(unit.text):
            place = unit.place(match.start(), match.end())
            if place not in seen:  # once per place
                seen.add(place)
                yield _make("date-word-doubled", place, text=_clip(match.group()))
    if ctx.spec is not None:  # the Jinja itself: "ngày {{ d | ngay }}"
        for key in ("subject", "body"):
            value = ctx.spec.get(key)
            if isinstance(value, str):
                for match in _NGAY_FILTER.finditer(value):
                    yield _make("date-word-doubled", key, text=_clip(match.group()))


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}[{index}]")


@_rule("eth-for-d")
def _eth_for_d(ctx: _Context) -> Iterator[Finding]:
    if ctx.spec is not None:
        for path, text in _strings(ctx.spec, ""):
            match = re.search("[Ðð]", text)
            if match:
                yield _make("eth-for-d", path, text=_clip(text), char=match.group())
        return
    for unit in ctx.units:
        match = re.search("[Ðð]", unit.text)
        if match:
            yield _make("eth-for-d", unit.place(match.start(), match.end()),
                        text=_clip(unit.text), char=match.group())
