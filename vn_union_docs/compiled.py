"""Compiled templates: do docxtpl's per-template work once, render many documents.

This first version delegates to docxtpl (the reference path) and caches per template path
and modification time; the fast path replaces ``CompiledTemplate.render``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from vn_union_docs.render import render_with_docxtpl


class CompiledTemplate:
    """A template file prepared once and rendered many times."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.fallback_reason: str | None = "fast path not built yet"

    def render(self, context: dict[str, Any]) -> bytes:
        """Render ``context`` to deterministic .docx bytes."""
        return render_with_docxtpl(self.path, context)


@lru_cache(maxsize=32)
def _compiled(path: str, mtime_ns: int) -> CompiledTemplate:
    return CompiledTemplate(path)


def get_compiled(path: str | Path) -> CompiledTemplate:
    """The compiled template for ``path``, cached per path and modification time."""
    resolved = Path(path).resolve()
    return _compiled(str(resolved), resolved.stat().st_mtime_ns)
