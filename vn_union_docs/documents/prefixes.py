"""Words the library prints itself, dropped when a clerk types them too (issue 13.4).

A công văn's trích yếu is printed after ``V/v``, recipients after ``Kính gửi:``, the
distribution list under ``Nơi nhận:`` (NĐ 30/2020, Phụ lục I, II.5 and II.9): typed again, they
would print twice (``V/v V/v …``). The models drop them; ``check`` warns (rule
``prefix-doubled``) so that the clerk knows. Other words stay as typed: a thông báo's
``Về việc …`` is the clerk's own text.
"""

from __future__ import annotations

import re

SUBJECT_PREFIX = re.compile(r"^\s*(?:V/v|V/V|v/v|Về\s+việc)\b\s*[:.\-]?\s*")
RECIPIENT_PREFIX = re.compile(r"^\s*Kính\s+gửi\s*:?\s*", re.IGNORECASE)
DISTRIBUTION_PREFIX = re.compile(r"^\s*Nơi\s+nhận\s*:?\s*", re.IGNORECASE)


def strip_subject_prefix(subject: str) -> str:
    """A công văn's trích yếu without a typed ``V/v``/``Về việc`` (the library prints V/v)."""
    stripped = SUBJECT_PREFIX.sub("", subject, count=1)
    return stripped if stripped.strip() else subject


def strip_item_prefix(item: str, pattern: re.Pattern[str]) -> str:
    """``Kính gửi: Các CĐCS`` → ``Các CĐCS`` (``pattern``: one of the prefixes above)."""
    return pattern.sub("", item, count=1)


def typed_prefix(text: str, pattern: re.Pattern[str]) -> str | None:
    """The prefix ``text`` starts with (as typed), or ``None``."""
    match = pattern.match(text)
    return match.group().strip() if match else None


__all__ = ["DISTRIBUTION_PREFIX", "RECIPIENT_PREFIX", "SUBJECT_PREFIX", "strip_item_prefix",
           "strip_subject_prefix", "typed_prefix"]
