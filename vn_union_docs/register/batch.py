"""Numbers for a batch (``vn-union-docs batch`` with ``number: auto`` or ``--register``).

The batch calls this in three places, and nowhere else:

1. The rows are validated first (in the workers, in parallel); each valid row comes back with
   its ``DocumentFacts``. ``reserve`` then gives numbers **in row order**, one transaction per
   chunk; a bad row allocates nothing. With ``--skip-existing``, a row whose file is already
   there only looks its number up (by the file's key) and never allocates.
2. The workers render each row with its number (``number_for``); rows without one (bad, or
   refused by the register) are not rendered.
3. ``issued`` records each written (or kept) file's name and sha256.

A kill between 1 and 3 leaves ``reserved`` entries keyed by file path. The next run — with
``--skip-existing`` or without — gets the same number for the same file (``reserve`` reuses by
key), so no number is lost or used twice; files already written are recorded as they are.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from vn_union_docs.register.core import Allocation, Register, RegisterError
from vn_union_docs.register.facts import register_facts
from vn_union_docs.register.issue import document_key
from vn_union_docs.register.location import resolve

NUMBER_FIELD = "number"


def spec_is_auto(raw_spec: Mapping[str, Any]) -> bool:
    """Whether a (batch) spec asks for allocated numbers (``number: auto``)."""
    return str(raw_spec.get("number", "")).strip().casefold() == "auto"


class BatchNumbering:
    """The register side of one batch; see the module docstring. ``generate(...,
    numbering=BatchNumbering(...))``; the batch never imports the register."""

    facts_of = staticmethod(register_facts)  # run in the batch's workers

    def __init__(self, register: Register, out_dir: Path, skip_existing: bool) -> None:
        self.register = register
        self.out_dir = out_dir
        self.skip_existing = skip_existing
        self.numbers: dict[int, Allocation] = {}
        self.drafts: set[int] = set()  # rows without a number: rendered, not registered
        self.warnings: list[str] = []

    @classmethod
    def open(cls, option: str | Register | None, raw_spec: Mapping[str, Any], out_dir: Path,
             skip_existing: bool) -> BatchNumbering | None:
        """The numbering for a batch, or ``None`` when no register is in use (no option, no
        ``VN_UNION_DOCS_REGISTER``, and the spec's number is not ``auto``)."""
        if isinstance(option, Register):
            return cls(option, out_dir, skip_existing)
        target = resolve(option, needed=spec_is_auto(raw_spec))
        if target is None:
            return None
        return cls(Register(target, create=True), out_dir, skip_existing)

    def reserve(self, results: Iterable[tuple[str, int, Any, Any]],
                ) -> list[tuple[int, str, str]]:
        """Number the valid rows of check results ``(kind, row, name, facts)``, in order.
        Returns the refused rows as ``(row, field, message)``."""
        items, rows = [], []
        for kind, row, name, facts in results:
            if kind != "ok":
                continue
            if facts is None:
                self.drafts.add(row)
                continue
            path = self.out_dir / name
            existing = self.skip_existing and os.path.exists(path)
            items.append((facts, document_key(path), existing))
            rows.append(row)
        if not items:
            return []
        refused = []
        for row, result in zip(rows, self.register.reserve(items), strict=True):
            if isinstance(result, Allocation):
                self.numbers[row] = result
                self.warnings.extend(f"dòng {row}: {w}" for w in result.warnings)
            else:
                refused.append((row, NUMBER_FIELD, result.message))
        return refused

    def is_draft(self, row: int) -> bool:
        """Whether ``row`` is rendered without a number (and without the register)."""
        return row in self.drafts

    @property
    def where(self) -> str:
        """The register, for messages."""
        return self.register.where

    def number_for(self, row: int) -> int | None:
        """The number given to ``row`` (``None``: the row gets no document)."""
        allocation = self.numbers.get(row)
        return None if allocation is None else allocation.number

    def issued(self, results: Iterable[tuple[str, int, Any, Any]]) -> None:
        """Record the files written or kept: results ``(kind, row, name, sha256)``."""
        done = [(self.numbers[row].entry_id, name, digest)
                for kind, row, name, digest in results
                if kind in ("ok", "skip") and row in self.numbers]
        self.register.mark_issued(done)

    def texts(self) -> list[str]:
        """The numbers given, in row order (``05/CĐKCN``)."""
        return [self.numbers[row].text for row in sorted(self.numbers)]

    def close(self) -> None:
        """Release the register."""
        self.register.close()


__all__ = ["BatchNumbering", "RegisterError", "spec_is_auto"]
