"""A Jinja sandbox that also bounds time and memory: what a spec's placeholders and a .docx
template may cost (``vn_union_docs.limits``).

Jinja's ``SandboxedEnvironment`` keeps templates away from Python internals but lets them
ask for ``range(10**9)``, ``'a' * 10**9``, ``lipsum(10**6)``, ``10**5000`` or macros calling
themselves. ``BoundedSandbox`` adds, per render of one field or template part:

* ``range()`` of at most ``jinja_range`` items, iterated with the clock checked;
* ``*``, ``**``, ``+`` and ``%`` checked before they run: no string or list longer than
  ``jinja_output_chars``, no integer longer than ``number_digits`` digits;
* every call (functions, macros, methods, ``lipsum``, ``namespace`` assignments) counted
  against ``jinja_calls`` and the clock (``jinja_seconds``);
* the output counted as it is produced (``jinja_output_chars``);
* ``{% include %}``, ``{% import %}``, ``{% from %}`` and ``{% extends %}`` refused when the
  template is compiled: a spec or template is one self-contained text.

Going over a limit raises ``JinjaLimit`` (a Jinja ``SecurityError``): the caller names the
key or template part and turns it into a ``LimitError``.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from itertools import islice
from typing import Any

from jinja2 import Template, nodes
from jinja2.exceptions import TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from jinja2.utils import Namespace, generate_lorem_ipsum

from vn_union_docs import limits

_TICK_EVERY = 1024
_FORMAT_WIDTH = re.compile(r"(\d{6,})")  # a width or precision of 100 000 or more
_WIDTH_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})


class JinjaLimit(SecurityError):
    """A placeholder or template went over a limit; ``limit`` is its name.

    Raised inside Jinja (a ``SecurityError``, so the sandbox stops at once) and always turned
    into a ``SpecError`` or ``TemplateError`` at the library's boundary; it never reaches a caller.
    """

    internal_only = True

    def __init__(self, limit: str, what: str) -> None:
        value = limits.number(getattr(limits.current(), limit))
        super().__init__(f"{what}, vượt giới hạn {limit} = {value}; "
                         f"{limits.how_to_raise(limit)}")
        self.limit = limit


class _Budget:
    __slots__ = ("calls", "chars", "deadline", "limits")

    def __init__(self, current: limits.Limits) -> None:
        self.limits = current
        self.calls = 0
        self.chars = 0
        self.deadline = time.monotonic() + current.jinja_seconds

    def tick(self, calls: int = 1) -> None:
        self.calls += calls
        if self.calls > self.limits.jinja_calls:
            raise JinjaLimit("jinja_calls", "mẫu gọi hàm, macro hoặc lặp quá nhiều lần")
        if time.monotonic() > self.deadline:
            raise JinjaLimit("jinja_seconds",
                             f"mẫu chạy quá {self.limits.jinja_seconds:g} giây")


_BUDGET: ContextVar[_Budget | None] = ContextVar("vn_union_docs_jinja_budget", default=None)


def _tick(calls: int = 1) -> None:
    budget = _BUDGET.get()
    if budget is not None:
        budget.tick(calls)


def _max_chars() -> int:
    return limits.current().jinja_output_chars


def _check_size(size: int, what: str) -> None:
    if size > _max_chars():
        raise JinjaLimit("jinja_output_chars", f"{what} dài {size:,} ký tự".replace(",", "."))


def _max_bits() -> float:
    return limits.current().number_digits * math.log2(10) + 1


def _check_format(text: str) -> None:
    if "%" in text or "{" in text:
        for width in _FORMAT_WIDTH.findall(text):
            _check_size(int(width), "định dạng có độ rộng")


class BoundedTemplate(Template):
    """A template whose ``render`` runs under a fresh budget (time, calls, output)."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        token = _BUDGET.set(_Budget(limits.current()))
        try:
            return super().render(*args, **kwargs)
        finally:
            _BUDGET.reset(token)


class _BoundedRange:
    """``range()`` that checks the clock while it is iterated."""

    def __init__(self, items: range) -> None:
        self.items = items

    def __iter__(self) -> Iterator[int]:
        for index, value in enumerate(self.items):
            if index % _TICK_EVERY == 0:
                _tick()
            yield value

    def __len__(self) -> int:
        return len(self.items)

    def __reversed__(self) -> Iterator[int]:
        return iter(_BoundedRange(self.items[::-1]))

    def __contains__(self, value: object) -> bool:
        return value in self.items

    def __getitem__(self, index: Any) -> Any:
        found = self.items[index]
        return _BoundedRange(found) if isinstance(found, range) else found

    def __repr__(self) -> str:
        return repr(self.items)


def bounded_range(*args: int) -> _BoundedRange:
    """``range`` for templates: at most ``jinja_range`` items."""
    items = range(*args)
    if len(items) > limits.current().jinja_range:
        raise JinjaLimit("jinja_range", f"range() có {len(items):,} phần tử".replace(",", "."))
    return _BoundedRange(items)


def bounded_lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
    """Jinja's ``lipsum`` with at most ``jinja_range`` words."""
    if n * max > limits.current().jinja_range:
        raise JinjaLimit("jinja_range", f"lipsum() tới {n * max:,} từ".replace(",", "."))
    return generate_lorem_ipsum(n, html, min, max)


class BoundedNamespace(Namespace):
    """``namespace()`` whose assignments are counted and size-checked (loops that double a
    string would otherwise grow without bound)."""

    def __setitem__(self, name: str, value: Any) -> None:
        _tick()
        if isinstance(value, str | list | tuple | dict):
            _check_size(len(value), f"giá trị «{name}»")
        super().__setitem__(name, value)


_REFUSED_TAGS = ((nodes.Include, "include"), (nodes.Import, "import"),
                 (nodes.FromImport, "from … import"), (nodes.Extends, "extends"))


class BoundedSandbox(SandboxedEnvironment):
    """``SandboxedEnvironment`` with the limits of this module."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    template_class = BoundedTemplate

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.globals.update(range=bounded_range, lipsum=bounded_lipsum,
                            namespace=BoundedNamespace)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        for kind, tag in _REFUSED_TAGS:
            for node in tree.find_all(kind):
                raise TemplateSyntaxError(
                    f"thẻ {{% {tag} %}} không được dùng: mẫu và spec phải tự chứa đủ nội dung, "
                    "không nạp tệp khác", node.lineno, name, filename)
        return tree

    def concat(self, pieces: Iterable[str]) -> str:
        budget = _BUDGET.get()
        if budget is None:
            return "".join(pieces)
        # Joined a batch at a time (at C speed), the size and the clock checked in between.
        items = iter(pieces)
        out = []
        size = 0
        limit = budget.limits.jinja_output_chars
        while batch := list(islice(items, _TICK_EVERY)):
            chunk = "".join(batch)
            size += len(chunk)
            if size > limit:
                raise JinjaLimit("jinja_output_chars",
                                 f"kết quả dài hơn {limit:,} ký tự".replace(",", "."))
            out.append(chunk)
            if len(batch) == _TICK_EVERY:
                budget.tick()
        return out[0] if len(out) == 1 else "".join(out)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _tick()
        sized = (str, list, tuple)
        if operator == "*":
            if isinstance(left, sized) and isinstance(right, int):
                _check_size(len(left) * right, "phép nhân chuỗi/danh sách cho ra kết quả")
            elif isinstance(right, sized) and isinstance(left, int):
                _check_size(len(right) * left, "phép nhân chuỗi/danh sách cho ra kết quả")
            elif isinstance(left, int) and isinstance(right, int) and \
                    left.bit_length() + right.bit_length() > _max_bits():
                raise JinjaLimit("number_digits", "phép nhân cho ra số quá lớn")
        elif operator == "**":
            if isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1:
                if right * math.log2(abs(left)) > _max_bits():
                    raise JinjaLimit("number_digits", "lũy thừa cho ra số quá lớn")
            elif isinstance(right, int | float) and abs(right) > 10_000:
                raise JinjaLimit("number_digits", "số mũ quá lớn")
        elif operator == "+":
            if isinstance(left, sized) and isinstance(right, sized):
                _check_size(len(left) + len(right), "phép cộng chuỗi/danh sách cho ra kết quả")
        elif operator == "%" and isinstance(left, str):
            _check_format(left)
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any,
             **kwargs: Any) -> Any:
        _tick()
        name = getattr(__obj, "__name__", "")
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str):
            if name in _WIDTH_METHODS:
                for value in (*args, *kwargs.values()):
                    if isinstance(value, int):
                        _check_size(value, f"{name}() cho ra chuỗi")
            elif name in ("format", "format_map"):
                _check_format(owner)
        for value in (*args, *kwargs.values()):
            if isinstance(value, str | list | tuple):
                _check_size(len(value), "đối số")
        return super().call(__context, __obj, *args, **kwargs)


def _wrap(function: Any, check: Any) -> Any:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        check(*args, **kwargs)
        return function(*args, **kwargs)

    for attr in ("jinja_pass_arg", "__name__", "__doc__"):
        if hasattr(function, attr):
            setattr(wrapper, attr, getattr(function, attr))
    return wrapper


def bounded_filters(env: SandboxedEnvironment) -> dict[str, Any]:
    """Jinja's filters that can multiply their input, with their arguments checked first."""

    def width(value: Any = "", width: Any = 80, *args: Any, **kwargs: Any) -> None:
        if isinstance(width, int):
            _check_size(width, "độ rộng")

    def indent(value: Any = "", width: Any = 4, *args: Any, **kwargs: Any) -> None:
        if isinstance(width, int):
            lines = str(value).count("\n") + 1
            _check_size(len(str(value)) + width * lines, "indent() cho ra chuỗi")
        elif isinstance(width, str):
            lines = str(value).count("\n") + 1
            _check_size(len(str(value)) + len(width) * lines, "indent() cho ra chuỗi")

    def fmt(value: Any = "", *args: Any, **kwargs: Any) -> None:
        _check_format(str(value))

    def replace(context: Any, value: Any = "", old: Any = "", new: Any = "",
                count: Any = None) -> None:
        text, old_text, new_text = str(value), str(old), str(new)
        hits = text.count(old_text) if old_text else len(text) + 1
        _check_size(len(text) + hits * len(new_text), "replace() cho ra chuỗi")

    def wordwrap(context: Any, value: Any = "", width: Any = 79, *args: Any,
                 **kwargs: Any) -> None:
        if isinstance(width, int) and width < 1:
            raise JinjaLimit("jinja_output_chars", "wordwrap() với độ rộng nhỏ hơn 1")

    checks = {"center": width, "indent": indent, "format": fmt, "replace": replace,
              "wordwrap": wordwrap}
    return {name: _wrap(env.filters[name], check) for name, check in checks.items()
            if name in env.filters}


def describe_error(exc: BaseException) -> str | None:
    """A clerk's message for what a placeholder or template raised beyond Jinja's own errors
    (a limit, a macro calling itself, a number too long to print, a bad ``format``)."""
    if isinstance(exc, JinjaLimit):
        return str(exc)
    if isinstance(exc, RecursionError):
        return ("mẫu lồng nhau hoặc tự gọi lại chính nó quá nhiều tầng (macro đệ quy); "
                "hãy viết thẳng nội dung")
    if isinstance(exc, ValueError) and "integer string conversion" in str(exc):
        return (f"số quá dài để in ra (quá {limits.current().number_digits} chữ số, "
                "giới hạn number_digits)")
    if isinstance(exc, OverflowError):
        return f"số quá lớn: {exc}"
    if isinstance(exc, LookupError):
        return f"chỉ số hoặc khóa không có trong dữ liệu (format/format_map, [ ]): {exc}"
    return None
