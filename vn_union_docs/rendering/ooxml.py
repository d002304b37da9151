"""WordprocessingML names shared by the modules that read or write .docx XML."""

from __future__ import annotations

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"


def w(tag: str) -> str:
    """The Clark name of a ``w:`` element or attribute: ``w("p")`` → ``{…/main}p``."""
    return f"{{{W_NS}}}{tag}"
