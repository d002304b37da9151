"""Template authoring: export the default templates, check a template, document the context.

- ``export_templates(directory)`` copies the three default templates and a short Vietnamese
  guide (``HUONG-DAN-MAU.md``) to a folder for editing in Word or LibreOffice.
- ``check_template(path, doc_type=None)`` reports every problem of a .docx template, each
  with a place a person finds in Word (part, paragraph or table cell, the text around it):
  Jinja syntax errors, unbalanced blocks, unknown variables and filters (with a suggestion),
  tags Word split in a way docxtpl cannot read, ``{%p`` tags sharing their paragraph, curly
  quotes inside tags, anything reaching for Python internals, context parts never used,
  missing body styles; when nothing is wrong statically, a trial render with sample data.
- ``context_markdown()`` / ``write_context_doc()`` generate ``docs/template-context.md`` from
  ``CONTEXT_FIELDS``, the filter dicts and the body's style ids, so the page cannot drift.

Run ``python -m vn_union_docs.authoring`` to regenerate ``docs/template-context.md``.
"""

from vn_union_docs.authoring.context_doc import context_markdown, write_context_doc
from vn_union_docs.authoring.export import GUIDE_NAME, export_templates
from vn_union_docs.authoring.findings import (
    DOC_TYPES,
    TemplateFinding,
    format_finding,
    summary_line,
    template_check_report,
)
from vn_union_docs.authoring.template_check import check_template

__all__ = [
    "DOC_TYPES",
    "GUIDE_NAME",
    "TemplateFinding",
    "check_template",
    "context_markdown",
    "export_templates",
    "format_finding",
    "summary_line",
    "template_check_report",
    "write_context_doc",
]
