"""Text values on their way into a body: plain text is escaped, ready Markdown passes as is.

Values that come from data (a unit's name, a spreadsheet cell) are inserted into the body's
Markdown as *text*: ``escape_markdown`` makes every Markdown-active character literal, so a
``*``, ``|``, a leading ``- `` or ``#`` prints as typed. Helpers that deliberately produce
Markdown (a statistics table) return ``MarkdownText``, which is inserted unchanged.
"""

from __future__ import annotations

import contextvars
import html
import re
import secrets
from collections.abc import Callable

from vn_union_docs.memo import short_text_cache

# Every ASCII punctuation character may be backslash-escaped in CommonMark.
_ACTIVE = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~&\"'=:;$%^?,/@])")


SLOT = "Z" + secrets.token_hex(16).upper() + "Z"
"""Stands for one inserted value in a body *skeleton* (see ``spec.SpecTemplate``), so the
body's Markdown is parsed once per skeleton, not once per batch row.

Not a character a user could type or paste: a random token drawn when the process starts
(letters and digits, inert in Markdown, unchanged by upper-casing). Text that happens to
contain it is not mistaken for a slot: ``record_values`` counts the slots against the values
it recorded, and a body where they differ is parsed whole. It never reaches an output.
"""

_RECORDER: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "vn_union_docs_slot_values", default=None)
_UNESCAPE = re.compile(r"\\(.)", re.S)


def xml_text(text: str) -> str:
    """``text`` escaped for an XML element's content (``&``, ``<``, ``>``): what
    ``xml.sax.saxutils.escape`` gives, without loading urllib and ssl with it."""
    return html.escape(text, quote=False)


def slot_for(escaped: str) -> str:
    """``SLOT`` while ``record_values`` records (keeping ``escaped``), else ``escaped``."""
    recorded = _RECORDER.get()
    if recorded is None:
        return escaped
    recorded.append(escaped)
    return SLOT


def record_values(render: Callable[[], str]) -> tuple[str, tuple[str, list[str]] | None]:
    """Run ``render`` (a body template) recording each inserted value.

    Returns ``(body, (skeleton, values))``: the Markdown with every value in place, the
    skeleton with ``SLOT`` for each value and the values as plain text (unescaped); or
    ``(body, None)`` when the slots cannot be trusted (the text held ``SLOT`` itself, or a
    value was inserted into another).
    """
    recorded: list[str] = []
    token = _RECORDER.set(recorded)
    try:
        skeleton = render()
    finally:
        _RECORDER.reset(token)
    parts = skeleton.split(SLOT)
    if len(parts) != len(recorded) + 1:
        return render(), None
    body = "".join(part + value for part, value in zip(parts, [*recorded, ""], strict=True))
    return body, (skeleton, [_UNESCAPE.sub(r"\1", value) if "\\" in value else value
                             for value in recorded])


class MarkdownText(str):
    """A string that already is valid restricted Markdown; inserted into a body unchanged."""

    __slots__ = ()


def escape_markdown(value: object) -> str:
    """Return ``value`` as Markdown source that renders exactly as the text of ``value``.

    Line breaks become spaces: a value inserted into a sentence must not start a new block.
    """
    if isinstance(value, MarkdownText):
        return str(value)
    return _escaped(str(value))


@short_text_cache(maxsize=2_048, max_chars=128)  # a batch prints the same values again
def _escaped(text: str) -> str:
    text = text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    return _ACTIVE.sub(r"\\\1", text)
