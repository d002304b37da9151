"""The signature rules: ``check FILE.pdf`` reports what :func:`vn_union_docs.signing.
signature_findings` reads back from a signed PDF (NĐ 30/2020, Điều 5, Điều 15.3; Phụ lục I).

The signing package validates the signatures; each of its findings (``signature.none``…)
maps to one rule here (``signature-none``…), whose severity and id come from ``rules.yaml``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from vn_union_docs import vi
from vn_union_docs.checker.registry import Finding, _Context, _rule, rules

__all__ = ["SIGNATURE_RULES", "pdf_findings", "rule_id"]

SIGNATURE_RULES = ("signature-info", "signature-none", "signature-invalid", "signature-modified",
                   "signature-untrusted", "signature-placement",
                   "signature-organisation-missing", "signature-number-blank")


def rule_id(signing_rule: str) -> str:
    """``signature.number_blank`` (the signing package's id) → ``signature-number-blank``."""
    return signing_rule.replace(".", "-").replace("_", "-")


def _as_finding(item: Mapping[str, str]) -> Finding:
    r = rules()[rule_id(item["rule"])]
    return Finding(r.id, r.severity, r.message.format(message=item["message"]), item["place"],
                   item.get("source") or r.source)


def _matching(ctx: _Context, wanted: str) -> list[Mapping[str, str]]:
    return [item for item in ctx.signatures or () if rule_id(item["rule"]) == wanted]


def _checker(wanted: str) -> Callable[[_Context], Iterable[Finding]]:
    def check(ctx: _Context) -> Iterable[Finding]:
        return [_as_finding(item) for item in _matching(ctx, wanted)]

    return check


for _id in SIGNATURE_RULES:
    _rule(_id)(_checker(_id))


def pdf_findings(path: Path, trust_roots: Iterable[Path | str] = ()) -> list[Finding]:
    """The signature findings of a PDF, ``trust_roots`` being CA certificate files (PEM or
    DER) to verify the signers' certificates against."""
    from vn_union_docs.signing import load_trust_roots, signature_findings

    roots = load_trust_roots(trust_roots) if trust_roots else []
    items = signature_findings(path, roots)
    unknown = sorted({i["rule"] for i in items if rule_id(i["rule"]) not in SIGNATURE_RULES})
    if unknown:  # a new finding in the signing package without its rule here
        raise KeyError(f"signature findings without a checker rule: {', '.join(unknown)}")
    ctx = _Context([], vi.today(), signatures=items)
    order = {id(item): n for n, item in enumerate(items)}
    found = [(order[id(item)], _as_finding(item)) for rid in SIGNATURE_RULES
             for item in _matching(ctx, rid)]
    return [f for _, f in sorted(found, key=lambda pair: pair[0])]
