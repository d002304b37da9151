"""A batch numbered by the register: ``generate`` with ``register.batch.BatchNumbering``
(issuing sits below the batch: the batch calls the register, never the reverse)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vn_union_docs.batch.generate import generate
from vn_union_docs.documents.spec import SpecTemplate
from vn_union_docs.register import Register
from vn_union_docs.register.batch import BatchNumbering

__all__ = ["generate_numbered"]


def generate_numbered(spec: Any, rows: Any, out_dir: str | Path, *,
                      register: str | Register | None = None, **options: Any) -> Any:
    """``vn_union_docs.batch.generate`` with a register: ``register`` (path, URL or
    ``Register``), else ``VN_UNION_DOCS_REGISTER``, else the default file when the spec has
    ``number: auto``; without any of these, a plain batch. Returns the ``BatchReport``."""
    raw = spec.raw if isinstance(spec, SpecTemplate) else SpecTemplate(spec).raw
    numbering = BatchNumbering.open(register, raw, Path(out_dir),
                                    bool(options.get("skip_existing")))
    try:
        return generate(spec, rows, out_dir, numbering=numbering, **options)
    finally:
        if numbering is not None and not isinstance(register, Register):
            numbering.close()
