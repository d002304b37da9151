"""``python -m vn_union_docs``: the same as the ``vn-union-docs`` command."""

from vn_union_docs.cli import main

main()
