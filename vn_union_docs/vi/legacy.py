"""Text typed in the legacy Vietnamese encodings (TCVN3/.VnTime, VNI) instead of Unicode.

``detect(text)`` names the encoding that text seems to be in (the models reject such text
with that name); ``from_tcvn3(text)`` converts TCVN3 text to Unicode on request, from the table
in ``vi/tcvn3.yaml``. VNI is detected but not converted by the command line.

How a word is judged: a word that is a Vietnamese syllable as it stands is Unicode, whatever
its letters (``TÌNH``, ``KỲ``, ``Ý``: Latin-1 letters are Vietnamese letters too). A word that
is not, but becomes one once read through the TCVN3 or VNI table (``C«ng`` → ``Công``,
``Coâng`` → ``Công``) is legacy text. Characters no Vietnamese word contains (``« ® µ ¸ …``
inside words) are counted as before for the words no table reading explains.
``Ð`` (U+00D0, the Icelandic eth) typed for ``Đ`` is not legacy text: ``fix_eth`` replaces it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from importlib import resources

from ruamel.yaml import YAML

from vn_union_docs.memo import short_text_cache
from vn_union_docs.vi.syllables import is_syllable

# Latin-1 characters that Vietnamese Unicode text never contains but that TCVN3 and VNI put
# inside words: "C«ng ®oµn", "Coâng ñoaøn". (Latin-1 letters that are Vietnamese letters,
# such as Ì Ò Ý, are not here: "TÌNH HÌNH" is Unicode.)
LEGACY_CHARS = "«®µ¸¶·¹¨¦§©ª¬¯°±²³´º»¼½¾¿ÆÇËÎÏÐÑÖ×ØÛÜÞßäåæçëîïðñöøûüþÿ"
_ANY = re.compile(f"[{LEGACY_CHARS}]")
_AFTER_LETTER = LEGACY_CHARS.replace("»", "")  # a closing guillemet follows a word
_BEFORE_LETTER = LEGACY_CHARS.replace("«", "").replace("»", "")
_IN_WORD = re.compile(rf"(?<=[A-Za-zÀ-ÿ])[{_AFTER_LETTER}]|[{_BEFORE_LETTER}](?=[A-Za-z])")
# Characters only TCVN3 uses; VNI writes its marks with ASCII vowels plus ø ù û õ ï ñ …
_TCVN3_ONLY = re.compile("[«®µ¸¶·¹¨¾¼½Æ©ÇÊÈÉËÌÐÎªÒÓÖ×ÝÜÞß¬]")
_TCVN3_INSIDE = re.compile("(?<=[A-Za-z])[«®µ¸¶·¹¨¾¼½Æ©ÇËÐÎª×Þß¬](?=[A-Za-z])")  # "h¹nh"

# A word: letters plus the non-letter characters the legacy tables use for letters.
_CODES = "«»®µ¸¶·¹¨¾¼½©ª¬\u00ad§¦¡¢£¤¥÷×"  # TCVN3 letters that are not letters in Unicode
_WORD = re.compile(rf"(?:[^\W\d_]|[{_CODES}])+")

# --- VNI (VNI Windows): a base vowel followed by a mark character -------------------------
_CIRCUMFLEX, _BREVE, _HORN = "\u0302", "\u0306", "\u031b"
_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT = "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"
_VNI_MARKS: dict[str, tuple[str, str]] = {  # mark character → (modifier, tone)
    "ù": ("", _ACUTE), "ø": ("", _GRAVE), "û": ("", _HOOK), "õ": ("", _TILDE), "ï": ("", _DOT),
    "â": (_CIRCUMFLEX, ""), "á": (_CIRCUMFLEX, _ACUTE), "à": (_CIRCUMFLEX, _GRAVE),
    "å": (_CIRCUMFLEX, _HOOK), "ã": (_CIRCUMFLEX, _TILDE), "ä": (_CIRCUMFLEX, _DOT),
    "ê": (_BREVE, ""), "é": (_BREVE, _ACUTE), "è": (_BREVE, _GRAVE), "ú": (_BREVE, _HOOK),
    "ü": (_BREVE, _TILDE), "ë": (_BREVE, _DOT),
}
_VNI_LETTERS = {"ô": "ơ", "ö": "ư", "ñ": "đ", "í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ",
                "ò": "ị", "î": "ỵ"}
VNI_CHARS = frozenset(_VNI_MARKS) | frozenset(_VNI_LETTERS)
"""The (lower-case) characters VNI uses for marks and letters; upper case likewise."""


def from_vni(word: str) -> str:
    """Read ``word`` through the VNI table (``"Coâng ñoaøn"`` → ``"Công đoàn"``)."""
    out: list[str] = []
    for ch in word:
        low = ch.lower()
        upper = ch != low
        prev = out[-1].lower() if out else ""
        mark = _VNI_MARKS.get(low)
        if mark and prev and prev[0] in "aeouyơư":
            modifier, tone = mark
            base = unicodedata.normalize("NFD", out[-1])
            if modifier == _BREVE and base[0].lower() != "a":
                out.append(ch)
                continue
            if modifier == _CIRCUMFLEX and base[0].lower() not in "aeo":
                out.append(ch)
                continue
            out[-1] = unicodedata.normalize("NFC", base + modifier + tone)
            continue
        letter = _VNI_LETTERS.get(low)
        if letter:
            out.append(letter.upper() if upper else letter)
            continue
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


@lru_cache(maxsize=8_192)  # the same words come back on every row of a batch
def _legacy_word(word: str) -> frozenset[str]:
    """The tables (``"TCVN3"``, ``"VNI"``) through which ``word``, not a syllable as it
    stands, reads as one (both for a few words such as ``teá``)."""
    if word.isascii() or is_syllable(word):
        return frozenset()
    kinds = set()
    if is_syllable(from_tcvn3(word)):
        kinds.add("TCVN3")
    if any(ch.lower() in VNI_CHARS for ch in word) and is_syllable(from_vni(word)):
        kinds.add("VNI")
    return frozenset(kinds)


def _words(text: str) -> list[str]:
    """The words of ``text``; a guillemet at a word's edge is punctuation when what it
    encloses is a syllable (``«ích»``), and a letter otherwise (TCVN3 ``«ng`` = ``ông``)."""
    words = []
    for word in _WORD.findall(text):
        inner = word.lstrip("«").rstrip("»")
        if inner != word and (is_syllable(inner) or not inner):
            word = inner
        if word:
            words.append(word)
    return words


def has_eth(text: str) -> bool:
    """Whether ``text`` holds ``Ð``/``ð`` (which ``fix_eth`` may turn into ``Đ``/``đ``)."""
    return "Ð" in text or "ð" in text  # faster than a regular expression


def fix_eth(text: str) -> str:
    """Replace ``Ð``/``ð`` (Icelandic eth, U+00D0/U+00F0) by ``Đ``/``đ`` where the word it
    starts or sits in is Vietnamese once replaced; other text is returned unchanged."""
    if "Ð" not in text and "ð" not in text:
        return text

    def swap(match: re.Match[str]) -> str:
        word = match.group()
        fixed = word.replace("Ð", "Đ").replace("ð", "đ")
        abbreviation = fixed.isupper() and all(ch.isascii() or ch == "Đ" for ch in fixed)
        return fixed if is_syllable(fixed) or abbreviation else word

    return re.sub(rf"[\w{_CODES}]*[Ðð][\w{_CODES}]*", swap, text)


# Lines and tokens (text between white space) already judged: each of their words reads as
# Unicode and none has a guillemet (whose meaning depends on its word). Words never span white
# space, so a text made of such lines or tokens has no legacy word. A batch's rows repeat most
# lines of a body; the sets are cleared when full, so memory stays flat.
_CLEAN_LINES: set[str] = set()
_CLEAN_LINES_MAX = 1_024
_CLEAN_LINE_CHARS = 2_000  # longer lines are judged, not kept
_CLEAN_TOKENS: set[str] = set()
_CLEAN_TOKENS_MAX = 10_000


def _all_tokens_clean(text: str) -> bool:
    """Whether no word of ``text`` reads as legacy text (lines and tokens not seen before are
    judged and remembered)."""
    for line in text.split("\n"):
        if line in _CLEAN_LINES:
            continue
        if not _tokens_clean(line):
            return False
        if len(line) <= _CLEAN_LINE_CHARS:
            if len(_CLEAN_LINES) >= _CLEAN_LINES_MAX:
                _CLEAN_LINES.clear()
            _CLEAN_LINES.add(line)
    return True


def _tokens_clean(text: str) -> bool:
    unknown = set(text.split()).difference(_CLEAN_TOKENS)
    if not unknown:
        return True
    for token in unknown:
        if "«" in token or "»" in token or any(map(_legacy_word, _WORD.findall(token))):
            return False
    if len(_CLEAN_TOKENS) + len(unknown) > _CLEAN_TOKENS_MAX:
        _CLEAN_TOKENS.clear()
    _CLEAN_TOKENS.update(unknown)
    return True


def detect(text: str) -> str | None:
    """``"TCVN3"``, ``"VNI"`` or ``None`` (looks like Unicode).

    Never flags text made of Vietnamese syllables (upper, lower or title case, NFC or NFD);
    flags any word that only a legacy table turns into a syllable, and text with two or more
    legacy-only characters inside words (a lone «guillemet» or a name such as Müller passes).
    """
    return _detect(text)


# A batch's short fixed texts are judged once; long ones go line by line (_CLEAN_LINES).
@short_text_cache(maxsize=2_048, max_chars=256)
def _detect(text: str) -> str | None:
    text = fix_eth(unicodedata.normalize("NFC", text))
    if text.isascii():
        return None
    if _all_tokens_clean(text):
        found = []
    else:
        found = [kinds for kinds in map(_legacy_word, _words(text)) if kinds]
    if found:
        tcvn3 = sum("TCVN3" in kinds for kinds in found)
        vni = sum("VNI" in kinds for kinds in found)
        if tcvn3 != vni:
            return "TCVN3" if tcvn3 > vni else "VNI"
        return "TCVN3" if _TCVN3_ONLY.search(text) else "VNI"
    if not _ANY.search(text):
        return None
    if len(_IN_WORD.findall(text)) < 2 and not _TCVN3_INSIDE.search(text):
        return None
    return "TCVN3" if _TCVN3_ONLY.search(text) else "VNI"


@cache
def tcvn3_table() -> dict[int, str]:
    """The TCVN3 → Unicode table as a ``str.translate`` map."""
    text = resources.files("vn_union_docs.vi").joinpath("tcvn3.yaml").read_text("utf-8")
    groups = YAML(typ="safe", pure=True).load(text)
    return {ord(legacy): unicode for group in groups.values()
            for legacy, unicode in group.items()}


def from_tcvn3(text: str) -> str:
    """Convert TCVN3 (.VnTime) text to Unicode NFC: ``"C«ng ®oµn"`` → ``"Công đoàn"``."""
    return unicodedata.normalize("NFC", text.translate(tcvn3_table()))


_UNICODE_ONLY = re.compile("[\u0102\u0103\u0110\u0111\u01a0\u01a1\u01af\u01b0\u1ea0-\u1ef9]")


def has_unicode_vietnamese(text: str) -> bool:
    """Whether ``text`` already holds Vietnamese letters that only Unicode has (ạ, đ, ơ …);
    converting such text from TCVN3 would corrupt those letters."""
    return bool(_UNICODE_ONLY.search(text))
