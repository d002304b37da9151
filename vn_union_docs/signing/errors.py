"""The one error class of the signing package."""

from __future__ import annotations

from vn_union_docs.errors import EXIT_BAD_INPUT, VnUnionDocsError

__all__ = ["SigningError"]


class SigningError(VnUnionDocsError):
    """A document cannot be signed as asked: a wrong password or PIN, a certificate that may
    not sign, an image that is not a transparent PNG, a PDF with no known signature position,
    a role already signed. The message (Vietnamese) names the fix; nothing has been written."""

    exit_code = EXIT_BAD_INPUT
