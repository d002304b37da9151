"""Every error the library defines derives from one base class, is hashable, and carries the
exit status the command line uses."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import vn_union_docs
from vn_union_docs.errors import EXIT_BAD_INPUT, EXIT_USAGE, Problem, SpecError, VnUnionDocsError


def _error_classes() -> list[type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for info in pkgutil.walk_packages(vn_union_docs.__path__, "vn_union_docs."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, BaseException) and value.__module__.startswith("vn_union_docs"):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return [found[k] for k in sorted(found)]


ERRORS = _error_classes()


def test_the_package_defines_errors() -> None:
    assert len(ERRORS) >= 5


@pytest.mark.parametrize("cls", ERRORS, ids=lambda c: c.__qualname__)
def test_every_error_derives_from_the_base_and_has_an_exit_code(cls: type) -> None:
    if not issubclass(cls, VnUnionDocsError):
        # private control-flow exceptions, and those raised inside a library (Jinja) that the
        # boundary converts, never leave the library
        internal = cls.__name__.startswith("_") or getattr(cls, "internal_only", False)
        assert internal, f"{cls} does not derive from VnUnionDocsError"
        return
    assert cls.exit_code in (EXIT_BAD_INPUT, EXIT_USAGE) or cls.exit_code > 2


@pytest.mark.parametrize("cls", [c for c in ERRORS if issubclass(c, VnUnionDocsError)],
                         ids=lambda c: c.__qualname__)
def test_errors_are_hashable_and_keep_their_message(cls: type[VnUnionDocsError]) -> None:
    error = cls("thông điệp")  # every error class takes its message first
    assert hash(error) == hash(error)
    assert {error: 1}[error] == 1
    assert "thông điệp" in str(error)


def test_spec_error_lists_every_problem() -> None:
    error = SpecError(problems=[Problem("a", "sai"), Problem("b", "thiếu", "x.yaml", 3)])
    assert str(error) == "a: sai\nx.yaml, dòng 3: b: thiếu"
    assert len({error, error}) == 1
