"""ruff, mypy and a function-length limit run over the source as part of the test command (and so in CI)."""
from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, tool

SOURCE_FOLDERS = ("linter", "adapters", "rules")
LONGEST_FUNCTION = 80  # lines, from its first decorator (or ``def``) to its last line

EXEMPT_LONG_FUNCTIONS: set[tuple[str, str]] = set()  # none: every function is at most 80 lines


def test_ruff_is_clean():
    proc = subprocess.run([tool("ruff"), "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def mypy_run() -> subprocess.CompletedProcess:
    """One mypy run over the source (pyproject's [tool.mypy]), shared by the checks below."""
    tool("mypy")
    return subprocess.run([sys.executable, "-m", "mypy", "--no-incremental"], cwd=ROOT, capture_output=True,
                          text=True)


def test_mypy_resolves_every_wflint_import_from_the_source_folders(mypy_run):
    """The three folders hold tails of one package; mypy finds it uninstalled (pyproject's mypy_path)."""
    proc = mypy_run
    unresolved = [line for line in proc.stdout.splitlines() if "import-not-found" in line or "import-untyped" in line]
    unresolved = [line for line in unresolved if 'module named "wflint' in line]
    assert "checked" in proc.stdout.splitlines()[-1] or proc.returncode == 0, proc.stdout[-2000:]
    assert unresolved == [], unresolved


def test_mypy_is_clean(mypy_run):
    assert mypy_run.returncode == 0, mypy_run.stdout[-4000:] + mypy_run.stderr[-2000:]


def _functions(tree: ast.AST, prefix: str = "") -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """Every function and method, nested ones included, with a dotted name (``Class.method``)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield prefix + node.name, node
            yield from _functions(node, prefix + node.name + ".")
        elif isinstance(node, ast.ClassDef):
            yield from _functions(node, prefix + node.name + ".")
        else:
            yield from _functions(node, prefix)


def _length(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    first = min([node.lineno] + [d.lineno for d in node.decorator_list])
    return (node.end_lineno or node.lineno) - first + 1


def long_functions(root: Path = ROOT) -> list[str]:
    """``path:line name (N lines)`` for each function in the source folders over the limit."""
    found = []
    for folder in SOURCE_FOLDERS:
        for path in sorted((root / folder).rglob("*.py")):
            relative = path.relative_to(root).as_posix()
            for name, node in _functions(ast.parse(path.read_text(encoding="utf-8"), filename=relative)):
                if _length(node) > LONGEST_FUNCTION and (relative, name) not in EXEMPT_LONG_FUNCTIONS:
                    found.append(f"{relative}:{node.lineno} {name} ({_length(node)} lines)")
    return found


def test_no_function_is_longer_than_80_lines():
    assert long_functions() == []


def test_the_length_gate_sees_methods_nested_functions_and_decorators(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(LONGEST_FUNCTION - 1))
    (tmp_path / "linter").mkdir()
    (tmp_path / "linter" / "long.py").write_text(
        "class Shape:\n"
        "    def method(self):\n" + "\n".join("    " + line for line in body.splitlines()) + "\n"
        "        return None\n\n"
        "def outer():\n    def inner():\n" + "\n".join("    " + line for line in body.splitlines()) + "\n"
        "        return None\n    return inner\n\n"
        "@staticmethod\ndef decorated():\n" + body + "\n\n"
        "def exactly_at_the_limit():\n" + body + "\n",
        encoding="utf-8")
    found = long_functions(tmp_path)
    assert [entry.split(" ")[1] for entry in found] == ["Shape.method", "outer", "outer.inner", "decorated"]
