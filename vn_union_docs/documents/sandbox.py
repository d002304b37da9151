"""The sandboxed Jinja environments: one for spec text, one for the body's Markdown, one for
.docx templates.

All three run in Jinja's ``SandboxedEnvironment`` (templates and specs travel between offices
by e-mail: ``{{ ''.__class__.__mro__ }}`` must not reach Python internals), fail on unknown
variables instead of printing nothing, and share the Vietnamese filters of ``vi`` and the
campaign helpers.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping, MutableMapping
from decimal import Decimal
from functools import cache
from typing import Any

from jinja2 import StrictUndefined, Template, Undefined, nodes
from jinja2 import TemplateError as JinjaTemplateError
from jinja2.sandbox import SandboxedEnvironment

from vn_union_docs import campaign, limits, vi
from vn_union_docs.documents.bounded import BoundedSandbox, bounded_filters
from vn_union_docs.markup import MarkdownText, escape_markdown, slot_for


def format_value(value: Any) -> str:
    """How a value prints when a template inserts it without a filter.

    Decimals use the Vietnamese decimal comma (``63,3``); dates the short form
    (``07/3/2023``); integers print as they are (a year must stay ``2023``); ``None`` is empty.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        digits = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        return vi.format_number(value, digits=digits)
    if isinstance(value, float):
        return format_value(Decimal(str(value)))
    if isinstance(value, dt.datetime):
        return vi.short_date(value.date())
    if isinstance(value, dt.date):
        return vi.short_date(value)
    return str(value)


def _finalize_text(value: Any) -> str:
    return format_value(value)


def _finalize_markdown(value: Any) -> str:
    if isinstance(value, MarkdownText):
        return str(value)
    return slot_for(escape_markdown(format_value(value)))


def _strict(function: Any) -> Any:
    """A filter that raises Jinja's own "'x' is undefined" error for a missing variable,
    instead of a type error from deep inside the formatting code."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        for value in (*args, *kwargs.values()):
            if isinstance(value, Undefined):
                value._fail_with_undefined_error()
        return function(*args, **kwargs)

    return wrapper


def _filters() -> dict[str, Any]:
    filters: dict[str, Any] = dict(vi.FILTERS)
    filters.update(campaign.FILTERS)
    return {name: _strict(function) for name, function in filters.items()}


def _globals() -> dict[str, Any]:
    return dict(campaign.JINJA_GLOBALS)


class _Environment(BoundedSandbox):
    """The sandbox, with each template's globals as one flat dict.

    Jinja chains a template's globals to the environment's (a ``ChainMap``), and every render
    copies them key by key. Ours are set before any template is compiled and never change.
    """

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}


def _make(*, campaign_globals: bool = True, **options: Any) -> SandboxedEnvironment:
    env = _Environment(undefined=StrictUndefined, keep_trailing_newline=True, **options)
    env.filters.update(_filters())
    env.filters.update(bounded_filters(env))
    if campaign_globals:
        env.globals.update(_globals())
    return env


@cache
def text_environment() -> SandboxedEnvironment:
    """Environment for plain spec fields (subject, names, number …): values print as text."""
    return _make(finalize=_finalize_text, autoescape=False)


def finalize_file_name(value: Any) -> str:
    """How a value prints in a file-name pattern: as in text, but dates in ISO form."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return format_value(value)


@cache
def file_name_environment() -> SandboxedEnvironment:
    """Environment for file-name patterns: dates print as ``2023-03-07`` (no slashes)."""
    return _make(finalize=finalize_file_name, autoescape=False)


@cache
def markdown_environment() -> SandboxedEnvironment:
    """Environment for the body: inserted values are escaped so they print literally (and
    recorded, under ``markup.record_values``, so the body is parsed once per skeleton)."""
    return _make(finalize=_finalize_markdown, autoescape=False)


def template_environment() -> SandboxedEnvironment:
    """A fresh environment for .docx templates (XML): autoescaped, sandboxed, strict.

    Fresh because docxtpl sets attributes on the environment it is given. Templates see only
    the documented context and the filters, not the campaign functions specs use.
    """
    return _make(campaign_globals=False, autoescape=True)


Substitution = tuple[tuple[bool, str], ...]
"""A text field that only puts variables into text: ``(is_variable, text or name)`` pieces."""


@functools.lru_cache(maxsize=256)
def simple_substitution(source: str) -> Substitution | None:
    """The pieces of a plain text field made only of text and ``{{ name }}`` (no filter, no
    attribute, no statement), or ``None``. A batch fills such fields on every row; joining
    the pieces gives what the Jinja template renders, without its per-render cost."""
    try:
        tree = text_environment().parse(source)
    except JinjaTemplateError:
        return None
    pieces: list[tuple[bool, str]] = []
    for node in tree.body:
        if not isinstance(node, nodes.Output):
            return None
        for child in node.nodes:
            if isinstance(child, nodes.TemplateData):
                pieces.append((False, child.data))
            elif isinstance(child, nodes.Name) and child.ctx == "load":
                pieces.append((True, child.name))
            else:
                return None
    return tuple(pieces)


def render_text_field(template: Template, pieces: Substitution | None,
                      context: Mapping[str, Any],
                      finalize: Callable[[Any], str] = format_value) -> str:
    """``template.render(context)`` by ``pieces`` when given and every variable is in
    ``context`` (else Jinja renders it and raises its own errors). ``finalize`` is the
    template environment's (the text environment's by default)."""
    if pieces is not None and all(name in context for is_name, name in pieces if is_name):
        text = "".join(finalize(context[part]) if is_name else part
                       for is_name, part in pieces)
        if len(text) <= limits.current().jinja_output_chars:
            return text
    return template.render(context)
