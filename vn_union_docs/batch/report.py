"""What a batch reports: ``BatchReport`` (counts, failures, written files), ``RowFailure``,
``BatchError``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vn_union_docs.batch.source import RowSource
from vn_union_docs.errors import EXIT_USAGE, VnUnionDocsError

MANIFEST_NAME = "_manifest.csv"
ERRORS_NAME = "_errors.csv"
NAME_FIELD = "--name"
_TMP_PREFIX = ".vnud-"
_TMP_SUFFIX = ".tmp"

RowsArg = (
    RowSource
    | Sequence[Mapping[str, Any]]
    | Iterable[Mapping[str, Any] | tuple[int, Mapping[str, Any]]]
    | Callable[[], Iterable[Mapping[str, Any] | tuple[int, Mapping[str, Any]]]]
)


class BatchError(VnUnionDocsError):
    """The batch cannot start: a bad name pattern, output path or option (a usage error)."""

    exit_code = EXIT_USAGE


@dataclass(frozen=True)
class RowFailure:
    """One problem with one row: ``row`` as the spreadsheet shows it (header = row 1),
    ``field`` the column or spec key (``--name`` for the file name), ``message`` the reason."""

    row: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"dòng {self.row}" + (f", {self.field}" if self.field else "")
        return f"{where}: {self.message}"


@dataclass
class BatchReport:
    """What a batch did. File names are relative to ``out_dir``, in row order."""

    out_dir: Path
    total: int = 0
    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[RowFailure] = field(default_factory=list)
    pdfs: list[Path] = field(default_factory=list)
    bundle: Path | None = None
    manifest: Path | None = None
    errors_file: Path | None = None
    errors: list[str] = field(default_factory=list)  # problems not tied to a row (PDF)
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    # With a register (vn_union_docs.register.batch): where it is, the numbers given in row
    # order, and warnings (a document dated before one already numbered).
    register: str | None = None
    numbers: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every row was produced and nothing else went wrong."""
        return not self.failed and not self.errors

    @property
    def failed_rows(self) -> list[int]:
        """The distinct row numbers that failed, sorted."""
        return sorted({failure.row for failure in self.failed})

    @property
    def docs_per_second(self) -> float:
        """Documents written per second of the whole run."""
        return len(self.written) / self.seconds if self.seconds > 0 else 0.0

    @property
    def written_paths(self) -> list[Path]:
        """Full paths of the written files."""
        return [self.out_dir / name for name in self.written]


