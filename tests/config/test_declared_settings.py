"""Every setting the code reads is declared in config/settings.py, with no default hidden."""

from __future__ import annotations

import ast
from pathlib import Path

import config.settings

ROOT = Path(__file__).resolve().parents[2]
NOT_APP_CODE = {".venv", "tests", "bench", "migrations", "node_modules"}


def _app_modules() -> list[Path]:
    return [
        path
        for path in sorted(ROOT.rglob("*.py"))
        if not NOT_APP_CODE & set(path.relative_to(ROOT).parts)
    ]


def _is_settings(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id in {"settings", "django_settings"}


def _hidden_reads(tree: ast.AST) -> list[tuple[int, str]]:
    """getattr(settings, ...) and hasattr(settings, ...): a setting with a default of its own."""
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in {"getattr", "hasattr"}
            and node.args
            and _is_settings(node.args[0])
        ):
            name = node.args[1].value if isinstance(node.args[1], ast.Constant) else "?"
            found.append((node.lineno, f"{node.func.id}(settings, {name!r})"))
    return found


def _kiosque_reads(tree: ast.AST) -> set[str]:
    return {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and _is_settings(node.value)
        and node.attr.startswith("KIOSQUE_")
    }


def test_the_scan_sees_the_app_code() -> None:
    scanned = {str(path.relative_to(ROOT)) for path in _app_modules()}
    assert {"config/settings.py", "magazine/page_cache.py", "accounts/middleware.py"} <= scanned
    assert not any(name.startswith("tests/") for name in scanned)


def test_the_scan_finds_a_hidden_default() -> None:
    code = 'x = getattr(settings, "KIOSQUE_X", 3)\ny = hasattr(settings, "KIOSQUE_Y")\n'
    assert [read for _line, read in _hidden_reads(ast.parse(code))] == [
        "getattr(settings, 'KIOSQUE_X')",
        "hasattr(settings, 'KIOSQUE_Y')",
    ]


def test_no_setting_is_read_with_a_default_of_its_own() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {read}"
        for path in _app_modules()
        for line, read in _hidden_reads(ast.parse(path.read_text(), str(path)))
    ]
    assert offenders == [], "declare the setting in config/settings.py and read settings.X"


def test_every_kiosque_setting_read_is_declared_in_the_settings_module() -> None:
    read = set().union(
        *(_kiosque_reads(ast.parse(path.read_text(), str(path))) for path in _app_modules())
    )
    assert "KIOSQUE_ANONYMOUS_PAGE_CACHE_SECONDS" in read
    assert sorted(name for name in read if not hasattr(config.settings, name)) == []
