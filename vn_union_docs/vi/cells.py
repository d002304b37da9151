"""Cells read as Vietnamese clerks type them: ``05`` keeps its zero, ``1.619`` and ``63,3`` are
numbers, ``07/3/2023`` is a date. Used for spreadsheet cells and for a spec's ``data:`` values.
"""

from __future__ import annotations

import re
import unicodedata

from vn_union_docs.vi import formatting as vi

_NUMBER = re.compile(r"[+-]?(?:0|[1-9]\d{0,2}(?:\.\d{3})+|[1-9]\d*)(?:,\d+)?")
_DATE = re.compile(r"\d{1,2}([/.-])\d{1,2}\1\d{4}|\d{4}-\d{2}-\d{2}")


def convert_text(text: str) -> object:
    """Read one text cell as the clerk typed it (see the module docstring).

    Returns ``None`` for an empty cell, an ``int``/``Decimal`` for a plain Vietnamese
    number, a ``date`` for a Vietnamese date, else the stripped string (NFC).
    """
    text = text.strip()
    if not text:
        return None
    if not text.isascii():
        return unicodedata.normalize("NFC", text)
    if _NUMBER.fullmatch(text):
        try:
            value = vi.parse_number(text)
        except ValueError:
            return text
        if "," not in text and value == value.to_integral_value():
            return int(value)
        return value
    if _DATE.fullmatch(text):
        try:
            return vi.parse_date(text)
        except ValueError:
            return text
    return text
