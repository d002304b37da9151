"""Batch: one document per row of a spreadsheet — reading the rows (``source``), checking file
names (``names``), rendering in worker processes (``workers``), writing the manifest, errors file,
PDFs and bundles (``outputs``), and the summary (``report``). Entry point: ``generate``.
"""

from vn_union_docs.batch.generate import generate
from vn_union_docs.batch.names import NamePattern, check_name
from vn_union_docs.batch.report import (
    ERRORS_NAME,
    MANIFEST_NAME,
    BatchError,
    BatchReport,
    RowFailure,
)

__all__ = [
    "ERRORS_NAME",
    "MANIFEST_NAME",
    "BatchError",
    "BatchReport",
    "NamePattern",
    "RowFailure",
    "check_name",
    "generate",
]
