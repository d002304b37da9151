"""``vn-union-docs schema``: the JSON Schema of the spec format."""

from __future__ import annotations

import json
import sys

from vn_union_docs.documents.doc_types import DOCUMENT_ADAPTER


def schema_command() -> None:
    """In JSON Schema của tệp dữ liệu văn bản (cho VS Code và các trình soạn thảo)."""
    schema = DOCUMENT_ADAPTER.json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "vn-union-docs spec"
    sys.stdout.write(json.dumps(schema, ensure_ascii=False, indent=2) + "\n")
