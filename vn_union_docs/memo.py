"""Memory for functions of text that a batch calls with the same short texts on every row.

``short_text_cache(maxsize, max_chars)`` wraps a function of one ``str``: texts of at most
``max_chars`` characters go through an LRU cache of ``maxsize`` entries, longer ones are
computed each time, so the cache's memory stays bounded (about ``maxsize × max_chars``
characters) whatever the batch. Exceptions are not cached: a bad text fails every time.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, wraps
from typing import TypeVar

_Result = TypeVar("_Result")


def short_text_cache(maxsize: int, max_chars: int
                     ) -> Callable[[Callable[[str], _Result]], Callable[[str], _Result]]:
    """Decorator: cache the function's results for texts of at most ``max_chars``."""

    def decorate(function: Callable[[str], _Result]) -> Callable[[str], _Result]:
        cached = lru_cache(maxsize=maxsize)(function)

        @wraps(function)
        def call(text: str) -> _Result:
            return cached(text) if len(text) <= max_chars else function(text)

        return call

    return decorate


__all__ = ["short_text_cache"]
