"""What the print-ready work (issue 13) costs per rendered document, as a ratio.

Renders every example with the line breaks chosen and the file properties written, then with
both switched off (the plain context), and prints ms per document and the ratios; "uncached"
clears the per-name cache of the line breaker before every document (a batch whose rows all
have different names and subjects).

    .venv/bin/python benchmarks/print_ready.py
"""

from __future__ import annotations

import time
from pathlib import Path

import vn_union_docs.rendering.render as render
from vn_union_docs import load_document, render_docx
from vn_union_docs.rendering import linebreak

ROOT = Path(__file__).resolve().parent.parent
REPEAT, ROUNDS = 5, 7


def per_document(docs: list, clear: bool = False) -> float:  # type: ignore[type-arg]
    best = float("inf")
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for doc in docs:
            for _ in range(REPEAT):
                if clear:
                    linebreak._break_one.cache_clear()
                render_docx(doc)
        best = min(best, time.perf_counter() - start)
    return best / (REPEAT * len(docs)) * 1000


def main() -> None:
    docs = [load_document(p) for p in sorted((ROOT / "examples").glob("*.yaml"))]
    for doc in docs:
        render_docx(doc)
    cached = per_document(docs)
    uncached = per_document(docs, clear=True)
    render.document_context = lambda compiled, doc: render.build_context(doc)  # type: ignore[assignment]
    render.document_properties = lambda doc: None  # type: ignore[assignment,return-value]
    plain = per_document(docs)
    print(f"{len(docs)} examples: {cached:.2f} ms/doc (breaks cached), {uncached:.2f} ms/doc "
          f"(uncached), {plain:.2f} ms/doc without line breaking and properties")
    print(f"ratio: {cached / plain:.2f} cached, {uncached / plain:.2f} uncached")


if __name__ == "__main__":
    main()
