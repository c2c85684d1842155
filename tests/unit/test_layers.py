"""The layers' arrows point down only (DESIGN.md): every import is checked, not only Qt."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
QT = ("PySide6", "PyQt5", "PyQt6", "shiboken6")

# package -> what it must never import (module name prefixes)
FORBIDDEN = {
    "wizard/engine": ("wizard.gui", "wizard.cli", "wizard.sandbox", *QT),
    "wizard/sandbox": ("wizard.gui", "wizard.cli", *QT),
    "wizard/gui": ("wizard.cli",),
    "wizard/cli": ("wizard.gui", *QT),
}


def imported_names(path: Path) -> list[tuple[int, str]]:
    """Every module an ``import`` statement names, lazy (inside functions) ones included."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append((node.lineno, node.module))
            names += [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
    return names


def _hits(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_import_crosses_a_layer(package):
    offenders = [f"{path.relative_to(ROOT)}:{line}: {name}"
                 for path in sorted((ROOT / package).rglob("*.py"))
                 for line, name in imported_names(path) if _hits(name, FORBIDDEN[package])]
    assert offenders == []


def test_the_check_sees_lazy_and_from_imports(tmp_path):
    sample = tmp_path / "m.py"
    sample.write_text("def f():\n    from wizard.gui import tasks\n    import PySide6.QtCore\n")
    names = [n for _line, n in imported_names(sample)]
    assert _hits("wizard.gui.tasks", FORBIDDEN["wizard/engine"]) and "wizard.gui" in names
    assert "PySide6.QtCore" in names
