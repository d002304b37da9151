"""The one error class of the signing package."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from vn_union_docs.errors import VnUnionDocsError

__all__ = ["SigningError"]


@dataclass
class SigningError(VnUnionDocsError):
    """A document cannot be signed as asked: a wrong password or PIN, a certificate that may
    not sign, an image that is not a transparent PNG, a PDF with no known signature position,
    a role already signed. The message (Vietnamese) names the fix; nothing has been written."""

    exit_code: ClassVar[int] = 1
