"""The rules as data (``rules.yaml``), ``Finding``, and the registry that maps each rule id to the
one function that checks it, with the context a rule reads.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from ruamel.yaml import YAML

from vn_union_docs.errors import InvalidValueError

SPEC_SUFFIXES = (".yaml", ".yml", ".json")
DOCX_SUFFIX = ".docx"
PDF_SUFFIX = ".pdf"  # signed PDFs: their signatures are checked

if TYPE_CHECKING:
    from vn_union_docs.checker.docx_reader import _Docx

# ------------------------------------------------------------------------------ rules data


@dataclass(frozen=True)
class Rule:
    """One rule as declared in ``checker/rules.yaml``."""

    id: str
    severity: str
    message: str
    source: str
    description: str
    details: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Finding:
    """One problem found: rule id, severity (``error``/``warning``, or ``info`` for what is
    reported without being wrong, e.g. who signed a PDF), Vietnamese message, the
    place (spec key path such as ``signature.capacity``, or ``đoạn 12: «…»`` in a .docx) and
    the rule's legal source."""

    rule: str
    severity: str
    message: str
    place: str
    source: str

    def to_dict(self) -> dict[str, str]:
        """The finding as a plain dict (for JSON)."""
        return asdict(self)


def _yaml() -> YAML:
    return YAML(typ="safe", pure=True)


@cache
def _rules_file() -> dict[str, Any]:
    text = resources.files("vn_union_docs.checker").joinpath("rules.yaml").read_text("utf-8")
    return _yaml().load(text)


@cache
def rules() -> dict[str, Rule]:
    """Every rule of the checker by id, in the order of ``rules.yaml``."""
    out: dict[str, Rule] = {}
    for item in _rules_file()["rules"]:
        out[item["id"]] = Rule(
            id=item["id"],
            severity=item["severity"],
            message=item["message"],
            source=item["source"],
            description=" ".join(item["description"].split()),
            details=dict(item.get("details") or {}),
        )
    return out


def _table(name: str) -> Any:
    return _rules_file()["tables"][name]


def rules_markdown() -> str:
    """The README section listing the rules (the content of ``docs/checker-rules.md``)."""
    lines = [
        "<!-- Generated from vn_union_docs/checker/rules.yaml by "
        "vn_union_docs.checker.rules_markdown(); do not edit by hand. -->",
        "",
        "## Checker rules",
        "",
        "`vn-union-docs check FILE_OR_DIR...` (and `vn_union_docs.check()`) reads spec files and "
        ".docx files and reports these problems. Exit status 1 when there is an error; "
        "warnings alone exit 0.",
        "",
        "| rule | severity | what it checks | source |",
        "|---|---|---|---|",
    ]
    for r in rules().values():
        desc = r.description.replace("|", "\\|")
        lines.append(f"| `{r.id}` | {r.severity} | {desc} | {r.source} |")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------ registry

_Check = Callable[["_Context"], Iterable[Finding]]
_CHECKS: dict[str, _Check] = {}
_TEXT_RULES: list[str] = []


def _rule(rule_id: str, *, text: bool = False) -> Callable[[_Check], _Check]:
    """Register the function of rule ``rule_id``; ``text=True`` for the text rules."""

    def register(fn: _Check) -> _Check:
        if rule_id in _CHECKS:
            raise InvalidValueError(f"rule {rule_id!r} registered twice")
        _CHECKS[rule_id] = fn
        if text:
            _TEXT_RULES.append(rule_id)
        return fn

    return register


def _make(
    rule_id: str,
    place: str,
    detail: str | list[str] | None = None,
    hint: str | None = None,
    **values: Any,
) -> Finding:
    """Build a finding from the rule's message; ``detail`` (one key or several, joined by
    "; ") and ``hint`` name entries of its ``details``, formatted with the same values."""
    r = rules()[rule_id]
    text = values.get("text")
    values.setdefault("quoted", f" «{text}»" if text else "")
    values["hint"] = r.details[hint].format(**values) if hint else ""
    if detail is not None:
        keys = [detail] if isinstance(detail, str) else detail
        values["detail"] = "; ".join(r.details[k].format(**values) for k in keys)
    return Finding(r.id, r.severity, r.message.format(**values), place, r.source)


# ------------------------------------------------------------------------------ context


@dataclass
class _Unit:
    """A piece of text to read (a paragraph or a Markdown block) and how to name its place."""

    text: str
    place: Callable[[int, int], str]
    raw: str = ""
    heading_auto: bool = False  # a level-1 Markdown heading: numbered by the library


@dataclass
class _Context:
    units: list[_Unit]
    document_date: date
    spec: dict[str, Any] | None = None
    docx: _Docx | None = None
    signatures: list[dict[str, str]] | None = None  # a PDF's (signing.signature_findings)


def _run(ctx: _Context, rule_ids: Iterable[str]) -> list[Finding]:
    out: list[Finding] = []
    for rule_id in rule_ids:
        out.extend(_CHECKS[rule_id](ctx))
    return out


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).replace("\u00a0", " ")


def _clip(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _window(text: str, start: int, end: int, width: int = 30) -> str:
    a, b = max(0, start - width), min(len(text), end + width)
    snippet = " ".join(text[a:b].split())
    return ("…" if a > 0 else "") + snippet + ("…" if b < len(text) else "")


