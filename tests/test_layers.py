"""The package's layers, read from every module's imports (ast): data flows one way.

documents / vi / campaign → rendering → issuing (register, signing, exchange) → batch, checker,
authoring (they number, sign and verify through issuing) → outlets (cli, service).
Foundations (errors, files, markup, limits, archives, memo) import no layer.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "vn_union_docs"
FOUNDATION = {"errors", "files", "markup", "limits", "archives", "memo"}
CORE = {"documents", "vi", "campaign"}
RENDERING = {"rendering"}
PRODUCERS = {"batch", "checker", "authoring"}
ISSUING = {"register", "signing", "exchange"}
OUTLETS = {"cli", "service"}

# What each layer may not import.
FORBIDDEN: dict[frozenset[str], set[str]] = {
    frozenset(FOUNDATION): CORE | RENDERING | ISSUING | PRODUCERS | OUTLETS,
    frozenset(CORE): RENDERING | ISSUING | PRODUCERS | OUTLETS,
    frozenset(RENDERING): ISSUING | PRODUCERS | OUTLETS,
    frozenset(ISSUING): PRODUCERS | OUTLETS,
    frozenset(PRODUCERS): OUTLETS,
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking_nodes(tree: ast.AST) -> set[ast.AST]:
    """Imports under ``if TYPE_CHECKING:`` (annotations only; not run)."""
    skipped: set[ast.AST] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                skipped.update(ast.walk(child))
    return skipped


def _imports(path: Path, *, runtime_only: bool = False) -> set[str]:
    """Every vn_union_docs module a file imports (at any depth: lazy imports count too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_nodes(tree) if runtime_only else set()
    found: set[str] = set()
    for node in ast.walk(tree):
        if node in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("vn_union_docs"))
        elif isinstance(node, ast.ImportFrom) and node.module:
            assert node.level == 0, f"{path}: relative import"
            if node.module.startswith("vn_union_docs"):
                found.add(node.module)
                found.update(f"{node.module}.{a.name}" for a in node.names)
    return found


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def _existing(module: str) -> str | None:
    """The module an import names (``pkg.mod.name`` → ``pkg.mod``), if it is ours."""
    while module and module not in MODULES:
        module = module.rpartition(".")[0]
    return module or None


@pytest.mark.parametrize("module", sorted(MODULES), ids=str)
def test_layers(module: str) -> None:
    layer = _layer(module)
    forbidden = next((bad for group, bad in FORBIDDEN.items() if layer in group), set())
    wrong = sorted(i for i in _imports(MODULES[module]) if _layer(i) in forbidden)
    assert not wrong, f"{module} ({layer}) imports {wrong}"


def test_no_importlib_tricks_in_the_package() -> None:
    users = [m for m, p in MODULES.items()
             if "import_module(\"vn_union_docs" in p.read_text(encoding="utf-8")]
    assert users == []


def test_no_import_cycle() -> None:
    graph: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        targets = {_existing(i) for i in _imports(path, runtime_only=True)}
        graph[module] = {t for t in targets if t and t != module}
    # A package's __init__ re-exporting its own modules is not a cycle of the code.
    for module in graph:
        graph[module] = {t for t in graph[module] if not module.startswith(t + ".")}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle = [*stack[stack.index(nxt):], nxt]
                raise AssertionError("import cycle: " + " → ".join(cycle))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)


@pytest.mark.parametrize("module", sorted(MODULES), ids=str)
def test_no_module_over_600_lines(module: str) -> None:
    lines = MODULES[module].read_text(encoding="utf-8").count("\n")
    assert lines <= 600, f"{module}: {lines} lines"


def test_cli_uses_the_public_api_for_documents() -> None:
    """Commands reach documents through the public modules, never private helpers."""
    for module, path in MODULES.items():
        if _layer(module) != "cli":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and \
                    node.module.startswith("vn_union_docs"):
                private = [a.name for a in node.names
                           if a.name.startswith("_") and not a.name.endswith("__")]
                assert not private, f"{module} imports private {private} from {node.module}"
