"""Errors that speak to the user: every problem names its source, its key path and, in a
batch, the spreadsheet row.

Modelled on pydantic's ``ValidationError``: one exception carries every problem found, not
only the first, so a clerk fixes a spec file in one pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input.

    ``path`` is the key path in the spec (``signature.capacity``, ``distribution[2]``) or the
    column name of a batch row; ``source`` the spec file (or ``None`` for a dict built in
    Python); ``row`` the row number as the spreadsheet shows it (header = row 1).
    """

    path: str
    message: str
    source: str | None = None
    row: int | None = None

    def __str__(self) -> str:
        """``cv.yaml, dòng 7: signature.capacity: message`` (parts that are known)."""
        origin = ", ".join(
            part for part in (self.source, f"dòng {self.row}" if self.row is not None else None)
            if part)
        return ": ".join(part for part in (origin, self.path, self.message) if part)


@dataclass
class VnUnionDocsError(Exception):
    """Base class of every error the library raises on purpose."""

    message: str = ""

    def __str__(self) -> str:
        return self.message


@dataclass
class SpecError(VnUnionDocsError):
    """The input (a spec file, a dict, a batch row) is not a valid document.

    ``problems`` lists every problem found; ``str(error)`` prints one line per problem.
    """

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.message:
            self.message = "\n".join(str(p) for p in self.problems)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems) or self.message


@dataclass
class TemplateError(VnUnionDocsError):
    """A template cannot be used: broken tag, unknown variable, or a forbidden operation."""


@dataclass
class LibreOfficeError(VnUnionDocsError):
    """LibreOffice is missing, failed or timed out while converting to PDF."""
