"""Vietnamese text rules: dates, numbers, words and letters as ND30 and Vietnamese usage write them.

Owns ``formatting`` (every date and figure the library prints) and ``legacy`` (TCVN3/VNI text).
"""

from vn_union_docs.vi.formatting import *  # noqa: F403 (the module's __all__ is this package's API)
from vn_union_docs.vi.formatting import __all__ as _formatting_all
from vn_union_docs.vi.formatting import __doc__ as _formatting_doc

__all__ = list(_formatting_all)
__doc__ = f"{__doc__}\n{_formatting_doc}"
