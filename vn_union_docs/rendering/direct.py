"""The body part written straight from the rendered text, without parsing it again.

docxtpl parses the rendered body with lxml, puts it into the document element and serialises
the whole part (``compiled._render_parts`` does the same, as the slow reference). When the
rendered text is already exactly what that serialisation prints, the parse is wasted: the part
is the document element's start (serialised once per template) + the body's content + its end.

The text is in that form when (1) the template's XML, outside its Jinja tags, is lxml's own
output (it is: docxtpl takes it from ``etree.tostring``); (2) every Jinja block inside the body
is balanced on its own, so no choice of branches can leave a tag open (checked once per
template, ``DirectBody.for_template``); (3) what the values put in is escaped text or markup
this library builds (checked per document: ``DirectBody.part``); (4) what lxml prints differently is
rewritten as it prints it: the references Jinja escapes quotes with (``&#39;`` → ``'``) and
elements left empty by a value (``<w:t></w:t>`` → ``<w:t/>``); any other reference, and tab,
newline, carriage return or other control characters, keep the document on the parsing path.
When any check fails the document takes the parsing path; the output is byte-identical either
way (``tests/rendering/test_direct.py`` renders both ways).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from docx.opc.oxml import serialize_part_xml
from docx.oxml.ns import qn
from jinja2 import nodes
from lxml import etree

_TAG = re.compile(r"<(/?)([\w:.-]+)(?:\s[^<>]*?)?(/?)>")
_OPENED_BEFORE_JINJA = re.compile(r"<([\w:.-]+)(?:\s[^<>]*?)?(?<!/)>\s*\{[{%#]")
_AMPERSAND = re.compile(r"&(?!amp;|lt;|gt;)")  # lxml prints &amp; &lt; &gt; only
_NOT_PLAIN = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_MARK = "vn-union-docs-body"
# Statements whose bodies are checked; anything else (macros, call/filter blocks, set blocks)
# keeps the template on the parsing path.
_BRANCHES: dict[type[nodes.Node], tuple[str, ...]] = {
    nodes.If: ("body", "elif_", "else_"),
    nodes.For: ("body", "else_"),
}
_SCALARS = frozenset({str, int, float, bool, type(None)})
_CONTAINER_TYPES = (dict, list, tuple, set, frozenset)
_CONTAINERS = frozenset(_CONTAINER_TYPES)


def _balanced(markup: str) -> bool:
    """Whether the tags in ``markup`` close what they open, in order, and nothing more."""
    stack: list[str] = []
    for match in _TAG.finditer(markup):
        closing, name, empty = match.groups()
        if empty:
            continue
        if not closing:
            stack.append(name)
        elif not stack or stack.pop() != name:
            return False
    return not stack


# Jinja filters whose output is markup made from text: its tags are not the template's.
_MARKUP_FILTERS = frozenset({"safe", "urlize", "xmlattr"})


def _prints_markup(expression: nodes.Node) -> bool:
    """Whether ``expression`` may print markup that is not escaped text."""
    for node in (expression, *expression.find_all((nodes.Filter, nodes.MarkSafe,
                                                   nodes.MarkSafeIfAutoescape, nodes.Call))):
        if isinstance(node, nodes.MarkSafe | nodes.MarkSafeIfAutoescape) or (
                isinstance(node, nodes.Filter) and node.name in _MARKUP_FILTERS) or (
                isinstance(node, nodes.Call) and isinstance(node.node, nodes.Name)
                and node.node.name == "lipsum"):  # HTML paragraphs
            return True
    return False


def _block_balanced(body: list[nodes.Node]) -> bool:
    """Whether the statements ``body`` output balanced markup whatever the context."""
    markup: list[str] = []
    for node in body:
        if isinstance(node, nodes.Output):
            for child in node.nodes:
                if isinstance(child, nodes.TemplateData):
                    markup.append(child.data)
                elif _prints_markup(child):
                    return False  # a value printed as markup: its tags are unknown here
        elif isinstance(node, nodes.Assign):
            if _prints_markup(node.node):  # the name may be printed later
                return False
        elif type(node) in _BRANCHES:
            if isinstance(node, nodes.For) and _prints_markup(node.iter):
                return False
            for name in _BRANCHES[type(node)]:
                branch = getattr(node, name)
                if name == "elif_":
                    if not all(_block_balanced([part]) for part in branch):
                        return False
                elif not _block_balanced(branch):
                    return False
        else:
            return False
    return _balanced("".join(markup))


@dataclass(frozen=True)
class DirectBody:
    """How to write a template's body part without parsing it (see the module)."""

    start_tag: str  # the body element's start tag as the template renders it
    head: bytes  # the serialised document element up to and including <w:body>
    tail: bytes  # </w:body></w:document>
    # ("></name>", the empty element's pattern) for the elements a value may leave empty
    emptied: tuple[tuple[str, re.Pattern[str]], ...]
    values_in_attributes: bool  # a Jinja tag inside a start tag: values may be attributes

    @classmethod
    def for_template(cls, source: str, tree: nodes.Template,
                     skeleton: etree._Element) -> DirectBody | None:
        """The direct writer for a body template (its Jinja ``source``, parsed ``tree``) and
        the document element without its body; ``None`` when the template does not qualify."""
        start = re.match(r"<w:body(?:\s[^<>]*)?>", source)
        if start is None or not source.endswith("</w:body>") or \
                any(mark in source for mark in ("<!--", "<![CDATA[", "<?")) or \
                not _block_balanced(tree.body):  # tags in comments would fool the count
            return None
        root = copy.deepcopy(skeleton)
        body = root.find(qn("w:body"))
        if body is None or len(body):
            return None
        body.append(etree.Comment(_MARK))
        head, _, tail = serialize_part_xml(root).partition(f"<!--{_MARK}-->".encode())
        if not head.endswith(b"<w:body>") or tail != b"</w:body></w:document>":
            return None
        # w:t always: line breaks in a value end one and start another, maybe empty.
        names = {"w:t", *_OPENED_BEFORE_JINJA.findall(source)}
        emptied = tuple((f"></{name}>", re.compile(
            f"<({re.escape(name)})(\\s[^<>]*?)?(?<!/)></{re.escape(name)}>"))
            for name in sorted(names))
        in_attributes = re.search(r"<[^<>]*\{[{%][^<>]*>", source) is not None
        return cls(start.group(), head, tail, emptied, in_attributes)

    def part(self, xml: str) -> bytes | None:
        """The body part for the rendered ``xml`` (after docxtpl's post-processing), or
        ``None`` when it must be parsed (see the module)."""
        if not xml.startswith(self.start_tag) or (not xml.isprintable()
                                                  and _NOT_PLAIN.search(xml)):
            return None
        if "&#" in xml:  # Jinja escapes ' and " as references; lxml prints them as they are
            xml = xml.replace("&#39;", "'")  # (in a double-quoted attribute too)
            if not self.values_in_attributes:  # in an attribute lxml prints &quot;
                xml = xml.replace("&#34;", '"')
        if _AMPERSAND.search(xml):
            return None
        for closing, pattern in self.emptied:
            if closing in xml:  # <w:t></w:t> prints <w:t/>
                xml = pattern.sub(r"<\1\2/>", xml)
        try:
            inner = xml[len(self.start_tag):-len("</w:body>")].encode("utf-8")
        except UnicodeEncodeError:
            return None
        return self.head + inner + self.tail


class BalancedMarkup:
    """Base of the markup classes this library builds (``__html__`` returns balanced XML with
    every text escaped): the only markup a directly written body may hold."""

    __slots__ = ()


def context_values(context: dict[str, Any]) -> Iterator[Any]:
    """Every value ``context`` holds: its own, then those inside dicts, lists, tuples and
    sets (their subclasses too), each container once."""
    stack = list(context.values())
    seen: set[int] = set()
    while stack:
        value = stack.pop()
        yield value
        if type(value) not in _SCALARS and isinstance(value, _CONTAINER_TYPES) and \
                id(value) not in seen:
            seen.add(id(value))
            stack.extend(value.values() if isinstance(value, dict) else value)


def only_balanced_markup(context: dict[str, Any]) -> bool:
    """Whether ``context`` holds only plain values (text, numbers, truth values, ``None``),
    ``BalancedMarkup``, and dicts, lists, tuples and sets of them."""
    for value in context_values(context):
        kind = type(value)
        if kind in _SCALARS or kind in _CONTAINERS or isinstance(value, BalancedMarkup) or (
                isinstance(value, str | int | float) and not hasattr(value, "__html__")):
            continue  # plain values, also str subclasses (YAML scalars) that Jinja escapes
        return False  # another object (a container subclass too): what it prints is unknown
    return True


__all__ = ["BalancedMarkup", "DirectBody", "context_values", "only_balanced_markup"]
