"""Where a header name or a title breaks: measured, never in the middle of a name.

Word and LibreOffice break a line where the next word no longer fits, which cuts
``LIÊN ĐOÀN LAO ĐỘNG TỈNH PHÚ / YÊN``. ``break_lines`` chooses the breaks itself, from the
text's real width: advance widths of Liberation Serif (metric-compatible with Times New
Roman, so Word measures the same; ``font_metrics.json``, extracted with fontTools by
``scripts/build_font_metrics.py``) against the column's width. The rules, in order:

1. a line break the author typed is kept;
2. as few lines as fit, never breaking inside a proper name (the words after an
   administrative word such as TỈNH, THÀNH PHỐ, HUYỆN …, or a run of capitalised words);
3. when avoidable, no break inside a two-syllable word (``Công / đoàn``, ``phổ / thông``),
   then none between an institution's kind and its type (``TRƯỜNG / ĐẠI HỌC``), then none
   elsewhere in an institution's name; then a break before an administrative word when one
   fits (``LIÊN ĐOÀN LAO ĐỘNG`` / ``TỈNH PHÚ YÊN``);
4. no single word or year alone on the last line;
5. the most balanced lines (the longest line as short as possible).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from itertools import pairwise

ADMINISTRATIVE_WORDS: tuple[str, ...] = (
    "THÀNH PHỐ", "THỊ XÃ", "THỊ TRẤN", "TỈNH", "QUẬN", "HUYỆN", "PHƯỜNG", "XÃ", "ĐẶC KHU",
    "NGÀNH", "KHU CÔNG NGHIỆP", "KHU KINH TẾ", "TỔNG CÔNG TY", "CÔNG TY", "TẬP ĐOÀN",
    "TRƯỜNG", "BỆNH VIỆN",
)
"""Words a header name breaks before (upper case; matched whatever the case of the text)."""

# Two-syllable words a title should not be broken inside (a Vietnamese word is written as
# separate syllables, so Word would break "Công / đoàn"); a break there costs like a longer line.
_COMPOUND_TABLE = """
công_đoàn liên_đoàn lao_động việt_nam kỷ_niệm thành_lập hoạt_động chào_mừng tổ_chức
công_nhân đoàn_viên thi_đua sáng_kiến triển_khai thực_hiện kế_hoạch thông_báo hội_nghị
đại_hội chấp_hành thường_vụ chương_trình phong_trào an_toàn vệ_sinh viên_chức người_lao
cơ_sở trực_thuộc tháng_công phúc_lợi chăm_lo đời_sống việc_làm pháp_luật kết_quả báo_cáo
tổng_kết sơ_kết năm_học giai_đoạn tuyên_truyền hướng_dẫn khen_thưởng công_tác đầu_tư
phổ_thông trung_học tiểu_học mầm_non giáo_dục đại_học cao_đẳng y_tế bệnh_viện công_ty
cổ_phần trách_nhiệm hữu_hạn công_nghiệp văn_hóa thể_thao ngày_thành ngày_quốc hội_thi
"""
COMPOUNDS = frozenset(_COMPOUND_TABLE.split())
# Words a phrase starts with: a good place for a break in a title.
_PHRASE_TABLE = "và của về trong tại cho với theo nhằm đối năm giai nhân để"
PHRASE_STARTS = frozenset(_PHRASE_TABLE.split())
_NOT_ADMINISTRATIVE = ("XÃ HỘI",)  # BẢO HIỂM XÃ HỘI: "XÃ" here is no commune
SAFETY_PT = 1.0
"""Room kept free on every line, so rounding in Word or LibreOffice never adds a break."""
MAX_LINES = 4
_WIDE_SEARCH = 40  # above this many words, lines are filled greedily


@cache
def _metrics() -> dict[str, object]:
    text = resources.files("vn_union_docs.rendering").joinpath("font_metrics.json")
    return dict(json.loads(text.read_text("utf-8")))


@lru_cache(maxsize=8_192)  # words repeat on every row of a batch
def text_width(text: str, size_pt: float, bold: bool = False) -> float:
    """Width in points of ``text`` set in Times New Roman / Liberation Serif at ``size_pt``."""
    data = _metrics()
    widths: dict[str, int] = data["bold" if bold else "regular"]  # type: ignore[assignment]
    fallback = widths["n"]
    units = sum(widths.get(ch, fallback) for ch in text)
    return units * size_pt / int(data["units_per_em"])  # type: ignore[call-overload]


@dataclass(frozen=True)
class Column:
    """Where a text is set: usable width (points), font size (points), bold or not."""

    width_pt: float
    size_pt: float
    bold: bool = False


def _administrative_starts(words: list[str]) -> set[int]:
    """Indexes of the words that begin an administrative word."""
    upper = [w.upper() for w in words]
    starts = set()
    for i in range(len(words)):
        for phrase in ADMINISTRATIVE_WORDS:
            parts = phrase.split()
            if upper[i:i + len(parts)] == parts and not any(
                    upper[i:i + len(no.split())] == no.split() for no in _NOT_ADMINISTRATIVE):
                starts.add(i)
                break
    return starts


def _is_number(word: str) -> bool:
    return bool(re.fullmatch(r"[(\[]?[\d./-]+[)\].,;:]*", word))


# After these words comes the kind of institution before its name ("TRƯỜNG TRUNG HỌC PHỔ
# THÔNG NGUYỄN BỈNH KHIÊM"): a break there is avoided, not forbidden like one inside a place.
INSTITUTION_WORDS = frozenset({"NGÀNH", "KHU", "TỔNG", "CÔNG", "TẬP", "TRƯỜNG", "BỆNH"})


def _institution_ends(words: list[str]) -> set[int]:
    """Indexes of the words right after an institution word (TRƯỜNG, BỆNH VIỆN, CÔNG TY …),
    the first word included."""
    upper = [w.upper() for w in words]
    ends = set()
    for start in _administrative_starts(words):
        if upper[start] in INSTITUTION_WORDS:
            ends.add(start + max(len(p.split()) for p in ADMINISTRATIVE_WORDS
                                 if upper[start:start + len(p.split())] == p.split()))
    return ends


def _forbidden_breaks(words: list[str], original: list[str], admin: set[int]
                      ) -> tuple[set[int], set[int], set[int]]:
    """Breaks (before word ``i``) that would split a place name, a number from its word or
    a parenthesised date range (forbidden), breaks inside an institution's name (avoided),
    and those between the kind of institution and its capitalised type (avoided more)."""
    forbidden: set[int] = set()
    avoided: set[int] = set()
    # An administrative phrase is never split (THÀNH / PHỐ, KHU / CÔNG NGHIỆP); the name
    # after it runs to the next one or to the end.
    for start in sorted(admin):
        upper = [w.upper() for w in words]
        length = max((len(p.split()) for p in ADMINISTRATIVE_WORDS
                      if upper[start:start + len(p.split())] == p.split()), default=1)
        forbidden.update(range(start + 1, start + length))
        end = min([a for a in admin if a > start] + [len(words)])
        target = avoided if words[start].upper() in INSTITUTION_WORDS else forbidden
        target.update(range(start + 1, end))
    # A run of capitalised words in text typed in mixed case (Phú Yên, Hồ Chí Minh); from
    # the kind of institution into its type (Trường / Trung học phổ thông …) the break is
    # only avoided, more than the rest of the institution's name (``kinds``).
    kinds: set[int] = set()
    if any(w != w.upper() for w in original):
        after_kind = _institution_ends(words)
        for i in range(1, len(original)):
            if original[i][:1].isupper() and original[i - 1][:1].isupper() and i not in admin:
                (kinds if i in after_kind else forbidden).add(i)
    for i in range(1, len(words)):
        if _is_number(words[i]) or words[i] in ("-", "–") or words[i - 1] in ("-", "–"):
            forbidden.add(i)  # "năm 2024", "(28/7/1929 - 28/7/2024)"
        if _is_number(words[i - 1].lstrip("“\"«")):
            forbidden.add(i)  # "01 triệu", "95 năm"
        if words[i - 1].rstrip(":").lower() in ("v/v", "số"):
            forbidden.add(i)
    # A short quotation stays on one line: “01 triệu sáng kiến”.
    opened: int | None = None
    for i, word in enumerate(words):
        if word[:1] in "“\"«" and not word.endswith(("”", "\"", "»")):
            opened = i
        elif opened is not None and word.rstrip(",.;:)").endswith(("”", "\"", "»")):
            if i - opened < 6:
                forbidden.update(range(opened + 1, i + 1))
            opened = None
    return forbidden, avoided - forbidden, kinds - forbidden


def _score_lines(words: list[str], widths: list[float], space: float, cuts: tuple[int, ...],
                 column: Column, forbidden: set[int], admin: set[int], avoided: set[int],
                 kinds: set[int]) -> tuple[float, ...] | None:
    bounds = (0, *cuts, len(words))
    line_widths = []
    for a, b in pairwise(bounds):
        width = sum(widths[a:b]) + space * (b - a - 1)
        if width > column.width_pt - SAFETY_PT:
            return None
        line_widths.append(width)
    last = words[bounds[-2]:]
    lone = len(cuts) > 0 and len(last) == 1
    soft = sum(f"{words[c - 1]}_{words[c]}".lower() in COMPOUNDS for c in cuts)
    phrase = sum(words[c].lower() in PHRASE_STARTS or words[c - 1][-1:] in ",;:)" for c in cuts)
    return (
        sum(c in forbidden for c in cuts),
        len(cuts),
        soft,  # inside a two-syllable word: worse than anywhere in a name
        sum(c in kinds for c in cuts),  # Trường / Trung học …
        sum(c in avoided for c in cuts),  # inside an institution's name
        -sum(c in admin for c in cuts),
        1 if lone else 0,
        max(line_widths) - column.width_pt * 0.1 * phrase,
    )


def _greedy(words: list[str], widths: list[float], space: float, column: Column) -> list[str]:
    lines: list[list[str]] = [[]]
    used = 0.0
    for word, width in zip(words, widths, strict=True):
        extra = width + (space if lines[-1] else 0)
        if lines[-1] and used + extra > column.width_pt - SAFETY_PT:
            lines.append([word])
            used = width
        else:
            lines[-1].append(word)
            used += extra
    return [" ".join(line) for line in lines]


def _fitting_cuts(widths: list[float], space: float, room: float, count: int
                  ) -> Iterator[tuple[int, ...]]:
    """Every way to cut the words into ``count + 1`` lines that each fit in ``room`` (a
    search that drops a branch as soon as a line is too long)."""
    n = len(widths)

    def extend(start: int, left: int) -> Iterator[tuple[int, ...]]:
        if left == 0:
            if sum(widths[start:]) + space * (n - start - 1) <= room:
                yield ()
            return
        used = -space
        for end in range(start + 1, n - left + 1):
            used += space + widths[end - 1]
            if used > room:
                return
            for rest in extend(end, left - 1):
                yield (end, *rest)

    yield from extend(0, count)


@lru_cache(maxsize=4096)
def _break_one(line: str, column: Column, original: str) -> tuple[str, ...]:
    """The lines of one typed line (cached: a batch breaks the same names again)."""
    return tuple(_choose_lines(line, column, original))


def _choose_lines(line: str, column: Column, original: str) -> list[str]:
    words = line.split()
    if len(words) <= 1:
        return [line.strip()]
    widths = [text_width(w, column.size_pt, column.bold) for w in words]
    space = text_width(" ", column.size_pt, column.bold)
    if sum(widths) + space * (len(words) - 1) <= column.width_pt - SAFETY_PT:
        return [" ".join(words)]
    if len(words) > _WIDE_SEARCH:
        return _greedy(words, widths, space, column)
    original_words = original.split()
    if len(original_words) != len(words):
        original_words = words
    admin = _administrative_starts(words) - {0}
    forbidden, avoided, kinds = _forbidden_breaks(words, original_words, admin)
    best: tuple[tuple[float, ...], tuple[int, ...]] | None = None
    for count in range(1, min(MAX_LINES, len(words))):
        for cuts in _fitting_cuts(widths, space, column.width_pt - SAFETY_PT, count):
            score = _score_lines(words, widths, space, cuts, column, forbidden, admin,
                                 avoided, kinds)
            if score is not None and (best is None or score < best[0]):
                best = (score, cuts)
        if best is not None and best[0][0] == 0:
            break  # fewest lines without splitting a name
    if best is None:
        return _greedy(words, widths, space, column)
    bounds = (0, *best[1], len(words))
    return [" ".join(words[a:b]) for a, b in pairwise(bounds)]


def break_lines(text: str, column: Column, original: str | None = None) -> list[str]:
    """The lines ``text`` is set in within ``column`` (see the module's rules).

    ``original`` is the text as the author typed it when ``text`` is its upper-case form
    (capitalised words tell where the proper names are); line breaks typed in it are kept.
    """
    typed = text.split("\n")
    originals = (original or text).split("\n")
    if len(originals) != len(typed):
        originals = typed
    lines: list[str] = []
    for part, orig in zip(typed, originals, strict=True):
        if part.strip():
            lines += _break_one(part, column, orig)
    return lines


__all__ = ["ADMINISTRATIVE_WORDS", "Column", "break_lines", "text_width"]


def paragraph_lines(runs: list[tuple[str, bool]], width_pt: float, size_pt: float,
                    first_indent_pt: float = 0.0) -> list[str]:
    """How Word and LibreOffice fill a paragraph's lines: each line takes the words that fit
    at their natural width (first fit, no hyphenation), the first line after its indent.
    ``runs`` are ``(text, bold)`` pieces; a ``"\\n"`` piece is a line break."""
    words: list[tuple[str, float]] = []  # (word, width); "\n" for a break
    space = text_width(" ", size_pt)
    current, current_width = "", 0.0
    for text, bold in runs:
        if text == "\n":
            if current:
                words.append((current, current_width))
            words.append(("\n", 0.0))
            current, current_width = "", 0.0
            continue
        # A break is allowed after a hyphen followed by a letter (KH-/LĐLĐ), as in both
        # applications (Unicode line breaking, class HY); "\x00" marks such a piece.
        text = re.sub(r"(?<=\w)-(?=[^\W\d_])", "-\x00 ", text)
        for k, piece in enumerate(text.split(" ")):
            if k > 0 and current:
                words.append((current, current_width))
                current, current_width = "", 0.0
            current += piece
            current_width += text_width(piece.replace("\x00", ""), size_pt, bold)
    if current:
        words.append((current, current_width))
    lines: list[str] = []
    line: list[str] = []
    used = first_indent_pt
    for word, width in words:
        if word == "\n":
            lines.append(" ".join(line))
            line, used = [], 0.0
            continue
        glue = space if line and not line[-1].endswith("-\x00") else 0.0
        extra = width + glue
        if line and used + extra > width_pt:
            lines.append(" ".join(line))
            line, used = [word], width
        else:
            line.append(word)
            used += extra
    if line:
        lines.append(" ".join(line))
    return [line.replace("-\x00 ", "-").replace("\x00", "").strip() for line in lines]
