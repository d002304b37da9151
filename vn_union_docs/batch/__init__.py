"""Batch: one document per row of a spreadsheet — reading the rows (``source``), checking file
names (``names``), cutting rows into chunks (``plan``), rendering in worker processes
(``workers``), the folder's lock, checkpoint and streamed reports (``state``), PDFs and
print bundles (``outputs``), and the summary (``report``). Entry point: ``generate``.
"""

from vn_union_docs.batch.generate import generate
from vn_union_docs.batch.names import NamePattern, check_name
from vn_union_docs.batch.report import (
    ERRORS_NAME,
    MANIFEST_NAME,
    BatchError,
    BatchReport,
    FolderBusyError,
    RowFailure,
)

__all__ = [
    "ERRORS_NAME",
    "MANIFEST_NAME",
    "BatchError",
    "BatchReport",
    "FolderBusyError",
    "NamePattern",
    "RowFailure",
    "check_name",
    "generate",
]
