"""The project's apps import each other along a DAG, and Stripe sits behind one module.

Every .py file of the project's top-level packages is parsed (nothing imported): each import,
at the top of a module, under ``TYPE_CHECKING`` or inside a function, is an edge from the
importing package to the imported one. A cycle means two apps each need the other: the shared
part belongs in ``core/`` or one dependency must be turned around (STYLE.md).
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Every top-level package of the project: its apps, core and config.
PACKAGES = frozenset(
    path.parent.name
    for path in ROOT.glob("*/__init__.py")
    if path.parent.name not in {"tests", "bench", "scripts"}
)
STRIPE_GATEWAY = "subscriptions/stripe_gateway.py"


def _python_files(package: str) -> Iterator[Path]:
    yield from sorted((ROOT / package).rglob("*.py"))


def _imported_modules(tree: ast.AST) -> Iterator[tuple[str, int]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module, node.lineno


def _package_graph() -> dict[str, dict[str, list[str]]]:
    """{importing package: {imported package: ["file:line", ...]}}."""
    graph: dict[str, dict[str, list[str]]] = {package: {} for package in PACKAGES}
    for package in PACKAGES:
        for path in _python_files(package):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for module, line in _imported_modules(tree):
                target = module.partition(".")[0]
                if target in PACKAGES and target != package:
                    where = f"{path.relative_to(ROOT)}:{line}"
                    graph[package].setdefault(target, []).append(where)
    return graph


def _find_cycle(graph: dict[str, dict[str, list[str]]]) -> list[str] | None:
    """One cycle of the graph as [a, b, ..., a], or None (depth-first search)."""
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        stack.append(node)
        for successor in sorted(graph[node]):
            if state.get(successor) == "open":
                return [*stack[stack.index(successor) :], successor]
            if successor not in state:
                found = visit(successor)
                if found:
                    return found
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def _describe(cycle: list[str], graph: dict[str, dict[str, list[str]]]) -> str:
    lines = [" → ".join(cycle)]
    for source, target in itertools.pairwise(cycle):
        lines.append(f"  {source} → {target}: {', '.join(graph[source][target][:5])}")
    return "\n".join(lines)


def test_the_apps_are_the_packages_we_expect() -> None:
    # A new top-level package joins the graph by itself; this names the ones there are today.
    expected = {"accounts", "config", "core", "events", "magazine", "newsletters", "paywall"}
    assert expected | {"subscriptions"} <= PACKAGES


def test_imports_between_apps_form_a_dag() -> None:
    graph = _package_graph()
    cycle = _find_cycle(graph)
    assert cycle is None, "import cycle between apps:\n" + _describe(cycle or [], graph)


def test_core_imports_no_app() -> None:
    assert _package_graph()["core"] == {}


def test_subscriptions_is_billing_only() -> None:
    imported = _package_graph()["subscriptions"]
    assert "magazine" not in imported, imported.get("magazine")
    assert "paywall" not in imported, imported.get("paywall")


def test_the_paywall_knows_articles_only_by_their_protocol() -> None:
    imported = _package_graph()["paywall"]
    assert "magazine" not in imported, imported.get("magazine")


def test_stripe_is_imported_by_the_gateway_only() -> None:
    importers = set()
    for package in PACKAGES | {"bench"}:
        for path in _python_files(package):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            if any(module.partition(".")[0] == "stripe" for module, _ in _imported_modules(tree)):
                importers.add(str(path.relative_to(ROOT)))
    assert importers == {STRIPE_GATEWAY}


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph: dict[str, dict[str, list[str]]] = {
        "a": {"b": ["a.py:1"]},
        "b": {"c": ["b.py:1"]},
        "c": {"a": ["c.py:1"]},
        "d": {},
    }
    assert _find_cycle(graph) == ["a", "b", "c", "a"]
    assert _find_cycle({"a": {"b": []}, "b": {}}) is None
