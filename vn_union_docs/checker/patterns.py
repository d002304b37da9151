"""Patterns that recognise the parts of a document's frame (number line, place-date line,
signature capacity lines, nơi nhận dashes); shared by the Word-document reader and the frame rules.
"""

from __future__ import annotations

import re

_NUMBER_LINE = re.compile(r"^Số\b")

_PLACE_DATE_SEARCH = re.compile(r"[Nn]gày[\s\d]*tháng[\s\d]*(?:năm|tháng)\s*\d{4}\s*\.?$")

_DASHES = "-–—+•"

_CAPACITY = re.compile(
    r"^(?P<pre>T\s*/\s*M|T\.\s*M|TM|K\s*/\s*T|K\.\s*T|KT|T\s*/\s*L|T\.\s*L|TL|TUQ|Q)"
    r"(?P<dot>\.?)(?P<sp>\s*)(?P<rest>\S.*)$"
)

def _is_capacity_candidate(line: str) -> bool:
    s = line.strip()
    m = _CAPACITY.match(s)
    return bool(
        m and (m.group("dot") or m.group("sp")) and s == s.upper() and len(s) < 80
        and (m.group("pre") != "Q" or m.group("dot"))
    )
