"""What a batch reports: ``BatchReport`` (counts, and the written files and failures read back
from the manifest and the errors file on demand), ``RowFailure``, ``BatchError``.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vn_union_docs.batch.source import RowSource
from vn_union_docs.errors import EXIT_BAD_INPUT, EXIT_USAGE, VnUnionDocsError

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


class FolderBusyError(VnUnionDocsError):
    """Another run holds the output folder's lock (``.vnud-lock``); the message says which."""

    exit_code = EXIT_BAD_INPUT


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


def _unsafe(cell: str) -> str:
    """Undo ``files.csv_safe`` when reading a report back."""
    if cell[:1] == "'" and cell[1:2] in ("=", "+", "-", "@", "\t", "\r"):
        return cell[1:]
    return cell


def _csv_rows(path: Path | None) -> Iterator[list[str]]:
    if path is None or not path.is_file():
        return
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        for line in reader:
            if line:
                yield line


@dataclass
class BatchReport:
    """What a batch did, summarised by counts; nothing in it grows with the rows.

    ``written``, ``skipped``, ``failed`` and ``pdfs`` are read back from the manifest and the
    errors file when asked for (in row order), so a million-row batch does not hold them in
    memory; ``iter_written()`` and ``iter_failed()`` stream them. File names are relative to
    ``out_dir``.
    """

    out_dir: Path
    total: int = 0
    written_count: int = 0
    skipped_count: int = 0
    failure_count: int = 0
    failed_row_count: int = 0
    resumed_rows: int = 0  # rows found done by an earlier run's checkpoint
    bundle: Path | None = None  # the first (or only) print bundle
    bundles: list[Path] = field(default_factory=list)
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
    # Manifest line ranges [start, end) (0 = first document) of files kept, not written.
    skip_runs: list[tuple[int, int]] = field(default_factory=list, repr=False)

    # -- counts ---------------------------------------------------------------------------

    @property
    def ok(self) -> bool:
        """True when every row was produced and nothing else went wrong."""
        return not self.failure_count and not self.errors

    @property
    def docs_per_second(self) -> float:
        """Documents written per second of the whole run."""
        return self.written_count / self.seconds if self.seconds > 0 else 0.0

    # -- read back from the files -----------------------------------------------------------

    def _entries(self) -> Iterator[tuple[bool, str]]:
        """(kept from before, name) for every document in the manifest, in row order."""
        runs = iter(self.skip_runs)
        run = next(runs, None)
        for index, line in enumerate(_csv_rows(self.manifest)):
            while run is not None and index >= run[1]:
                run = next(runs, None)
            yield (run is not None and run[0] <= index), line[0]

    def iter_written(self) -> Iterator[str]:
        """Names of the files this run wrote, in row order."""
        return (name for kept, name in self._entries() if not kept)

    def iter_failed(self) -> Iterator[RowFailure]:
        """Every problem of every bad row, in row order."""
        for line in _csv_rows(self.errors_file):
            if len(line) >= 3:
                yield RowFailure(int(line[0]), _unsafe(line[1]), _unsafe(line[2]))

    @property
    def written(self) -> list[str]:
        """Names of the files this run wrote, in row order (read from the manifest)."""
        return list(self.iter_written())

    @property
    def skipped(self) -> list[str]:
        """Names of the files kept from an earlier run (``skip_existing``), in row order."""
        return [name for kept, name in self._entries() if kept]

    @property
    def documents(self) -> list[str]:
        """Every document of the batch (written or kept), in row order."""
        return [name for _, name in self._entries()]

    @property
    def failed(self) -> list[RowFailure]:
        """Every problem of every bad row, in row order (read from the errors file)."""
        return list(self.iter_failed())

    @property
    def failed_rows(self) -> list[int]:
        """The distinct row numbers that failed, sorted."""
        return sorted({failure.row for failure in self.iter_failed()})

    @property
    def written_paths(self) -> list[Path]:
        """Full paths of the written files."""
        return [self.out_dir / name for name in self.iter_written()]

    @property
    def pdfs(self) -> list[Path]:
        """The PDFs beside the documents that exist (``pdf=True``), in row order."""
        found = []
        for _, name in self._entries():
            pdf = (self.out_dir / name).with_suffix(".pdf")
            if pdf.is_file():
                found.append(pdf)
        return found
