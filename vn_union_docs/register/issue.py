"""The hook ``render`` and ``batch`` call: number a document, write it, record it.

``issue_document`` is the whole life of one document with a register in use:

1. ``reserve``: ``number: auto`` gets the series' next number; a manual number is checked and
   recorded. The entry is ``reserved`` with the document's key (the absolute path of its file).
2. The document is rendered with its number and written atomically (temporary file, rename).
3. ``mark_issued``: the entry becomes ``issued`` with the file name and its sha256.

A crash between 1 and 3 leaves a ``reserved`` entry. Rendering the same file again (``render``
again, or ``batch --skip-existing``) finds the entry by its key and reuses the number; if the
file was already written, its sha256 is recorded. A reservation never resumed is listed as
``reserved`` by ``register list`` and is cancelled with ``register cancel``.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from vn_union_docs.files import write_atomic
from vn_union_docs.register.core import Allocation, Register, RegisterError
from vn_union_docs.register.facts import facts_from_document


def is_auto(doc: Any) -> bool:
    """Whether the document asks for an allocated number (``number: auto``)."""
    return getattr(doc, "number", None) == "auto"


def document_key(path: str | Path) -> str:
    """The key that identifies a document in the register: its file's absolute path."""
    return os.path.abspath(os.fspath(path))


def issue_document(register: Register, doc: Any, path: str | Path,
                   render: Callable[[Any], bytes]) -> Allocation | None:
    """Number ``doc`` (allocate for ``number: auto``, else record its number), render it with
    ``render(doc)``, write it to ``path`` atomically and record the file's sha256.

    Raises ``RegisterError`` when the number is refused (nothing is written). A draft (no
    number) is written without touching the register; ``None`` is returned then.
    """
    if doc.number is None:
        write_atomic(path, render(doc))
        return None
    try:
        facts = facts_from_document(doc)
    except ValueError as exc:
        raise RegisterError(str(exc)) from None
    allocation = register.allocate(facts, document_key(path))
    doc.number = allocation.number
    data = render(doc)
    write_atomic(path, data)
    register.mark_issued([(allocation.entry_id, Path(path).name,
                           hashlib.sha256(data).hexdigest())])
    return allocation
