"""WordprocessingML names and the one reader of a paragraph's visible text.

Namespaces and relationship types come from python-docx (``docx.oxml.ns``,
``docx.opc.constants``); only markup compatibility, which python-docx does not name, is
spelled here.
"""

from __future__ import annotations

from collections.abc import Iterator

from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
from docx.oxml.ns import nsmap, qn
from lxml import etree

__all__ = [
    "A_NS",
    "CONTENT_TYPE",
    "MC_NS",
    "RELATIONSHIP_TYPE",
    "R_NS",
    "W_NS",
    "paragraph_text",
    "qn",
    "w",
]

W_NS = nsmap["w"]
R_NS = nsmap["r"]
A_NS = nsmap["a"]
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def w(tag: str) -> str:
    """The Clark name of a ``w:`` element or attribute: ``w("p")`` → ``{…/main}p``."""
    return qn(f"w:{tag}")


_W_P, _W_T = w("p"), w("t")
# Inside a paragraph but not its own text: nested paragraphs (text boxes), tracked deletions,
# the fallback copy of alternate content.
_NOT_OWN = {_W_P, w("txbxContent"), w("del"), w("moveFrom"), f"{{{MC_NS}}}Fallback"}
_CHARACTERS = {w("tab"): "\t", w("br"): "\n", w("cr"): "\n", w("noBreakHyphen"): "-"}


def own_elements(paragraph: etree._Element) -> Iterator[etree._Element]:
    """Descendants of a paragraph that belong to it (not to nested paragraphs or deletions)."""
    for child in paragraph:
        if not isinstance(child.tag, str) or child.tag in _NOT_OWN:
            continue
        yield child
        yield from own_elements(child)


def run_text(run: etree._Element) -> str:
    """The text one ``w:r`` shows: its ``w:t``, tabs, line breaks and no-break hyphens."""
    parts = []
    for child in run:
        if child.tag == _W_T:
            parts.append(child.text or "")
        elif child.tag in _CHARACTERS:
            parts.append(_CHARACTERS[child.tag])
    return "".join(parts)


def paragraph_text(paragraph: etree._Element) -> str:
    """The text a ``w:p`` shows, as a reader sees it: its own runs (inserted text included),
    not the text of text boxes inside it nor tracked deletions."""
    return "".join(run_text(el) for el in own_elements(paragraph) if el.tag == w("r"))
