"""``check_with_data``: a batch spec checked against its data file, row by row (issue 13.5).

A batch spec's placeholders (``{{ ten_cdcs }}``) come from the rows of a spreadsheet, so on its
own the spec cannot be loaded. With the data, every row is filled and validated exactly as
``batch`` does it (``SpecTemplate.document``), then rendered as ``batch`` renders it: what the
batch would refuse is an error here, named by its spreadsheet row.
"""

from __future__ import annotations

from pathlib import Path

from vn_union_docs import vi
from vn_union_docs.checker.registry import _TEXT_RULES, Finding, _make, rules
from vn_union_docs.errors import SpecError, VnUnionDocsError

MAX_ROW_FINDINGS = 200
"""At most this many row findings are listed (a broken column would repeat on every row)."""


def _spec_findings(exc: SpecError, row: int | None = None) -> list[Finding]:
    prefix = f"dòng {row}: " if row is not None else ""
    return [_make("spec-invalid", f"{prefix}{p.path or 'tệp'}", reason=p.message)
            for p in exc.problems]


def check_with_data(spec: str | Path, data: str | Path, *, sheet: str | None = None
                    ) -> list[Finding]:
    """Check the batch spec ``spec`` with the rows of ``data`` (CSV, XLSX, JSON or YAML).

    Returns the spec's own findings (its text read with the placeholders left out) plus, for
    each row, what filling, validating and rendering that row refuses (place ``dòng N: key``,
    N as the spreadsheet numbers it, header = 1) and the text rules on the filled text.
    """
    from vn_union_docs.batch.source import read_rows
    from vn_union_docs.checker.engine import _check_spec, _markdown_units, _read_spec
    from vn_union_docs.checker.registry import _Context, _run
    from vn_union_docs.checker.rules_frame import _as_spec_date
    from vn_union_docs.documents.spec import SpecTemplate
    from vn_union_docs.rendering.render import render_docx

    path = Path(spec)
    raw = _read_spec(path)
    findings = list(_check_spec(raw, None, path, load=False))
    try:
        template = SpecTemplate(path)
        rows = read_rows(data, sheet=sheet)
        template.check_columns(rows.columns)
    except SpecError as exc:
        return findings + _spec_findings(exc)
    seen: set[tuple[str, str]] = set()
    row_findings: list[Finding] = []
    text_rules = [r for r in rules() if r not in ("spec-invalid",)]
    for number, row in rows:
        try:
            doc = template.document(row, row=number)
            render_docx(doc)
        except SpecError as exc:
            new = _spec_findings(exc, number)
        except VnUnionDocsError as exc:
            new = [_make("spec-invalid", f"dòng {number}: template", reason=str(exc))]
        else:
            units = []
            for field in ("subject", "body"):
                units += _markdown_units(getattr(doc, field), f"dòng {number}: {field}")
            when = doc.date or _as_spec_date(raw.get("date")) or vi.today()
            new = _run(_Context(units, when), [r for r in text_rules if r in _TEXT_RULES])
        for finding in new:
            seen_key = (finding.rule, finding.message)
            if seen_key not in seen and len(row_findings) < MAX_ROW_FINDINGS:
                seen.add(seen_key)
                row_findings.append(finding)
    return findings + row_findings


__all__ = ["check_with_data"]
