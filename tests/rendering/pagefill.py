"""Page fill measured on a PDF with ``pdftotext -bbox`` (helper of the page-fill tests)."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from html import unescape
from itertools import pairwise
from pathlib import Path

MM = 72 / 25.4
TEXT_TOP = 20 * MM  # A4, margins 20 mm top and bottom (the templates' page set-up)
TEXT_BOTTOM = (297 - 20) * MM


@dataclass
class Page:
    """One page: its words as (text, yMin, yMax)."""

    number: int
    words: list[tuple[str, float, float]]

    @property
    def body_words(self) -> list[tuple[str, float, float]]:
        """Words inside the text area (the page number in the header left out)."""
        return [w for w in self.words if w[1] >= TEXT_TOP - 2]

    @property
    def empty_fraction(self) -> float:
        """How much of the text area's height is empty under the last line."""
        bottom = max((w[2] for w in self.body_words), default=TEXT_TOP)
        return max(0.0, (TEXT_BOTTOM - bottom) / (TEXT_BOTTOM - TEXT_TOP))

    def lines_above(self, word: str) -> int:
        """Lines of text on this page above the first ``word`` (0 when absent)."""
        ys = [w[1] for w in self.body_words if w[0] == word]
        if not ys:
            return 0
        top = min(ys)
        return len({round(w[1]) for w in self.body_words if w[2] < top - 1})

    def has(self, word: str) -> bool:
        return any(w[0] == word for w in self.words)

    @property
    def starts_appendix(self) -> bool:
        """Whether the page opens with an appendix heading («Phụ lục», «Phụ lục II»)."""
        words = sorted(self.body_words, key=lambda w: w[1])
        return [w[0] for w in words[:2]] == ["Phụ", "lục"]


_PAGE = re.compile(r"<page [^>]*>(.*?)</page>", re.S)
_WORD = re.compile(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">'
                   r"(.*?)</word>")


def pages(pdf: Path) -> list[Page]:
    """The pages of ``pdf`` with their words' vertical positions (points from the top)."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    return [Page(n + 1, [(unescape(m.group(3)), float(m.group(1)), float(m.group(2)))
                         for m in _WORD.finditer(body)])
            for n, body in enumerate(_PAGE.findall(out))]


def problems(pdf: Path) -> list[str]:
    """What is wrong with the page fill of ``pdf`` (empty when nothing is)."""
    found = []
    all_pages = pages(pdf)
    for page, following in pairwise(all_pages):
        if following.starts_appendix:
            continue  # the last page before an appendix (its own section) may end early
        if page.empty_fraction > 0.25:
            found.append(f"{pdf.name}: page {page.number} is {page.empty_fraction:.0%} empty")
    signature = next((p for p in all_pages if p.has("nhận:")), None)
    if signature is None:
        found.append(f"{pdf.name}: no «Nơi nhận:» found")
    elif signature.lines_above("nhận:") < 2:
        found.append(f"{pdf.name}: the signature block stands alone on page {signature.number}")
    return found
