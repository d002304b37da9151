"""Vietnamese syllables: the initials, rhymes and tones every written syllable is made of.

``is_syllable(word)`` says whether a word is one written Vietnamese syllable (any case, NFC
or NFD, tone mark on any vowel of the rhyme). It is permissive on purpose: it accepts every
initial × rhyme × tone, also the few combinations the language does not use, because its job
is to recognise Unicode Vietnamese (never to be mistaken for a legacy encoding), not to
spell-check. ``compose`` builds a syllable; the legacy-encoding detector and its tests use both.
"""

from __future__ import annotations

import unicodedata
from functools import cache

INITIALS: tuple[str, ...] = (
    "", "b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n", "ng", "ngh",
    "nh", "p", "ph", "qu", "r", "s", "t", "th", "tr", "v", "x",
)
"""Written initial consonants ("" for a syllable that starts with a vowel)."""

_RHYME_TABLE = """
a ai ao au ay ac ach am an ang anh ap at
ăc ăm ăn ăng ăp ăt
âc âm ân âng âp ât âu ây
e ec em en eng eo ep et
ê êch êm ên ênh êp êt êu
i ia ich im in inh ip it iu iêc iêm iên iêng iêp iêt iêu
o oc oi om on ong op ot ooc oong
oa oac oach oai oam oan oang oanh oao oap oat oay oăc oăm oăn oăng oăt
oe oen oeo oet
ô ôc ôi ôm ôn ông ôp ôt
ơ ơi ơm ơn ơp ơt
u ua uc ui um un ung up ut uân uâng uât uây uê uêch uênh uôc uôi uôm uôn uông uôt uơ
uy uya uych uyên uyêt uyn uynh uyp uyt uyu
ư ưa ưc ưi ưm ưn ưng ưt ưu ươc ươi ươm ươn ương ươp ươt ươu
y yêm yên yêng yêt yêu
"""
RHYMES: tuple[str, ...] = tuple(_RHYME_TABLE.split())
"""Rhymes without their tone mark (vowel nucleus with its glides and final consonant)."""

TONES: tuple[str, ...] = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
"""The six tones as combining marks: ngang, huyền, sắc, hỏi, ngã, nặng."""

_VOWELS = "aăâeêioôơuưy"
_MODIFIED = "ăâêôơư"


def _tone_index(rhyme: str) -> int:
    """Where the tone mark goes in ``rhyme`` (modern placement; any is accepted on reading)."""
    positions = [i for i, ch in enumerate(rhyme) if ch in _VOWELS]
    modified = [i for i in positions if rhyme[i] in _MODIFIED]
    if modified:
        return modified[-1]
    if positions[-1] < len(rhyme) - 1:  # a final consonant follows the vowels
        return positions[-1]
    if len(positions) >= 2 and rhyme[:2] in ("oa", "oe", "uy"):
        return positions[1]
    return positions[0] if len(positions) < 3 else positions[1]


def compose(initial: str, rhyme: str, tone: str = "") -> str:
    """The syllable ``initial`` + ``rhyme`` with ``tone`` (a member of ``TONES``), in NFC."""
    if not tone:
        return unicodedata.normalize("NFC", initial + rhyme)
    i = _tone_index(rhyme)
    marked = rhyme[: i + 1] + tone + rhyme[i + 1:]
    return unicodedata.normalize("NFC", initial + marked)


@cache
def _bare_syllables() -> frozenset[str]:
    """Every initial + rhyme, without tone."""
    return frozenset(initial + rhyme for initial in INITIALS for rhyme in RHYMES)


@cache
def _untone_table() -> dict[int, str]:
    """``str.translate`` map: each toned vowel (NFC) → the vowel without its tone + ``\x01``."""
    table = {}
    for vowel in _VOWELS:
        for tone in TONES[1:]:
            table[ord(unicodedata.normalize("NFC", vowel + tone))] = vowel + "\x01"
    return table


def is_syllable(word: str) -> bool:
    """Whether ``word`` is one written Vietnamese syllable (any case, NFC or NFD)."""
    if not word.isascii() and not unicodedata.is_normalized("NFC", word):
        word = unicodedata.normalize("NFC", word)
    bare = word.lower().translate(_untone_table())
    if bare.count("\x01") > 1:  # two tone marks
        return False
    return bare.replace("\x01", "") in _bare_syllables()


__all__ = ["INITIALS", "RHYMES", "TONES", "compose", "is_syllable"]
