"""``template check`` on the package itself: archive limits and links outside the file.

A template from another office may be a zip bomb, or point outside itself (an image linked to
``file:///…`` or ``http://…``, an attached template, a ``INCLUDEPICTURE`` field): Word follows
such links when the clerk opens a rendered document and LibreOffice when it makes the PDF.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from vn_union_docs.archives import external_links, open_checked
from vn_union_docs.authoring.findings import TemplateFinding
from vn_union_docs.limits import LimitError


def package_findings(path: Path, findings: list[TemplateFinding]) -> bool:
    """Add the package's problems to ``findings``; ``True`` when the rest of the check must
    not run (the package is over a limit: reading it further is what the limit prevents)."""
    try:
        with open_checked(path, what="mẫu") as archive:
            links = external_links(archive)
    except LimitError as exc:
        findings.extend(TemplateFinding("error", "limit", problem.message, problem.path or "tệp")
                        for problem in exc.problems)
        return True
    except (OSError, zipfile.BadZipFile):
        return False  # reported by the part reader, in its words
    for link in links:
        part, _, detail = link.partition(": ")
        findings.append(TemplateFinding(
            "error", "external-link",
            f"liên kết ra ngoài tệp: {detail}. render sẽ từ chối mẫu này; hãy nhúng ảnh vào tệp "
            "(không chọn «Liên kết tới tệp») và xóa liên kết", part))
    return False
