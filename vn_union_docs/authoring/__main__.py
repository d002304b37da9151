"""``python -m vn_union_docs.authoring``: regenerate ``docs/template-context.md``."""

from vn_union_docs.authoring.context_doc import write_context_doc

print(write_context_doc())
