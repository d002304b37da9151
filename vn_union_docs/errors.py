"""Errors that speak to the user: every problem names its source, its key path and, in a
batch, the spreadsheet row.

Modelled on pydantic's ``ValidationError`` (errors as data: one ``SpecError`` carries every
problem found, so a clerk fixes a spec file in one pass) and on click (one error policy: each
class carries the exit status the command line uses, and the CLI has one handler).

Every error the library raises on purpose derives from ``VnUnionDocsError``. Errors about a
value also derive from ``ValueError`` (``InvalidValueError``), so pydantic validators and
Jinja filters report them like any invalid value.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_OK",
    "EXIT_USAGE",
    "BodyError",
    "InvalidValueError",
    "LibreOfficeError",
    "Problem",
    "SpecError",
    "TemplateError",
    "UnsupportedInputError",
    "UsageError",
    "VnUnionDocsError",
]

EXIT_OK = 0
EXIT_BAD_INPUT = 1
EXIT_USAGE = 2


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


class VnUnionDocsError(Exception):
    """Base class of every error the library raises on purpose.

    ``message`` is written for the clerk (Vietnamese, naming the field and the fix);
    ``exit_code`` is the command line's exit status for this kind of error.
    """

    exit_code: int = EXIT_BAD_INPUT

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class SpecError(VnUnionDocsError):
    """The input (a spec file, a dict, a batch row) is not a valid document.

    ``problems`` lists every problem found; ``str(error)`` prints one line per problem.
    """

    def __init__(self, message: str = "", problems: Iterable[Problem] = ()) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__(message or "\n".join(str(p) for p in self.problems))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems) or self.message


class TemplateError(VnUnionDocsError):
    """A template cannot be used: broken tag, unknown variable, or a forbidden operation."""


class LibreOfficeError(VnUnionDocsError):
    """LibreOffice is missing, failed or timed out while converting to PDF."""


class InvalidValueError(VnUnionDocsError, ValueError):
    """A value the library cannot use (a date that does not exist, a number out of range, an
    unknown event key); the message names the value."""


class BodyError(InvalidValueError):
    """The body's Markdown asks for something the restricted format does not allow (a
    hand-numbered heading, HTML, an empty body); the message names the line."""


class UnsupportedInputError(VnUnionDocsError, TypeError):
    """An object or file of a kind the function does not take (``check`` of a number)."""


class UsageError(VnUnionDocsError):
    """The command was called wrongly (a missing path, an option out of range)."""

    exit_code = EXIT_USAGE
