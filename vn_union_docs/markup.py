"""Text values on their way into a body: plain text is escaped, ready Markdown passes as is.

Values that come from data (a unit's name, a spreadsheet cell) are inserted into the body's
Markdown as *text*: ``escape_markdown`` makes every Markdown-active character literal, so a
``*``, ``|``, a leading ``- `` or ``#`` prints as typed. Helpers that deliberately produce
Markdown (a statistics table) return ``MarkdownText``, which is inserted unchanged.
"""

from __future__ import annotations

import re

# Every ASCII punctuation character may be backslash-escaped in CommonMark.
_ACTIVE = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~&\"'=:;$%^?,/@])")


VALUE_OPEN = "\ufdd0"
VALUE_CLOSE = "\ufdd1"
"""Unicode noncharacters that bracket each inserted value in a rendered body, so the body's
Markdown can be parsed once per *skeleton* (see ``spec.SpecTemplate``). Never in real text."""

_MARKED = re.compile("\ufdd0(.*?)\ufdd1", re.S)
_UNESCAPE = re.compile(r"\\(.)", re.S)


def split_marked(text: str, slot: str) -> tuple[str, list[str]]:
    """``(skeleton, values)``: every marked value replaced by ``slot``, values unescaped."""
    values: list[str] = []

    def take(match: re.Match[str]) -> str:
        values.append(_UNESCAPE.sub(r"\1", match.group(1)))
        return slot

    return _MARKED.sub(take, text), values


def strip_marks(text: str) -> str:
    """The rendered body without the value markers: plain restricted Markdown."""
    return text.replace(VALUE_OPEN, "").replace(VALUE_CLOSE, "")


class MarkdownText(str):
    """A string that already is valid restricted Markdown; inserted into a body unchanged."""

    __slots__ = ()


def escape_markdown(value: object) -> str:
    """Return ``value`` as Markdown source that renders exactly as the text of ``value``.

    Line breaks become spaces: a value inserted into a sentence must not start a new block.
    """
    if isinstance(value, MarkdownText):
        return str(value)
    text = str(value).replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    return _ACTIVE.sub(r"\\\1", text)
