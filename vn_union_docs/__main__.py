"""``python -m vn_union_docs``: the command line."""

from vn_union_docs.cli.app import main

if __name__ == "__main__":
    main()
