"""Text typed in the legacy Vietnamese encodings (TCVN3/.VnTime, VNI) instead of Unicode.

``detect(text)`` names the encoding that text seems to be in (the models reject such text
with that name); ``from_tcvn3(text)`` converts TCVN3 text to Unicode on request, from the table
in ``vi/tcvn3.yaml``. VNI is detected but not converted: its letters are two-character
sequences that cannot be told apart from real text without the font.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from importlib import resources

from ruamel.yaml import YAML

# Latin-1 characters that Vietnamese Unicode text never contains but that TCVN3 and VNI put
# inside words: "C«ng ®oµn", "Coâng ñoaøn".
LEGACY_CHARS = "«®µ¸¶·¹¨¦§©ª¬¯°±²³´º»¼½¾¿ÆÇËÌÎÏÐÑÖ×ØÛÜÞßäåæçëîïðñöøûüþÿ"
_ANY = re.compile(f"[{LEGACY_CHARS}]")
_AFTER_LETTER = LEGACY_CHARS.replace("»", "")  # a closing guillemet follows a word
_BEFORE_LETTER = LEGACY_CHARS.replace("«", "").replace("»", "")
_IN_WORD = re.compile(rf"(?<=[A-Za-zÀ-ÿ])[{_AFTER_LETTER}]|[{_BEFORE_LETTER}](?=[A-Za-z])")
# Characters only TCVN3 uses; VNI writes its marks with ASCII vowels plus ø ù û õ ï ñ …
_TCVN3_ONLY = re.compile("[«®µ¸¶·¹¨¾¼½Æ©ÇÊÈÉËÌÐÎªÒÓÖ×ÝÜÞß¬]")
_TCVN3_INSIDE = re.compile(f"(?<=[A-Za-z]){_TCVN3_ONLY.pattern}(?=[A-Za-z])")  # "h¹nh"


def detect(text: str) -> str | None:
    """``"TCVN3"``, ``"VNI"`` or ``None`` (looks like Unicode): two or more legacy characters
    inside words are needed, so a lone «guillemet» or a name such as Müller passes."""
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
