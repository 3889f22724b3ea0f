"""The DAG repository's own modules, followed statically: ``from lib.operators.spark import SparkOperator``.

Airflow puts the DAGs folder (and ``plugins/``) on ``sys.path``, so a DAG imports its repository's
operators, task factories and constants by absolute names; packages import their siblings
relatively. wflint finds such a module in the DAG file's folder or one of its parents (or a
``plugins/`` beside them), parses it, and runs its body through the same interpreter: classes keep
their Airflow base, functions stay callable with their module as closure, constants are values. The
module is never imported. A module found nowhere stays an opaque name (its calls are unknown).
"""
from __future__ import annotations

import ast
import itertools
import os
import re
import sys
from typing import TYPE_CHECKING, Any

from .model import UNKNOWN, LocalModule
from .pysyntax import parse_python

if TYPE_CHECKING:
    from .interp import Scope

MAX_PARENTS = 6  # folders above the DAG file searched for its repository's modules
MAX_IMPORT_DEPTH = 16
_STOP_MARKERS = (".git", "pyproject.toml", "setup.py", "setup.cfg")
STDLIB = frozenset(getattr(sys, "stdlib_module_names", ()))
_TREES: dict[tuple[str, float], ast.Module | None] = {}


class ModuleLoader:
    """Finds and runs the repository's modules for ``Interpreter`` (a mixin)."""

    path: str
    notes: list[str]

    if TYPE_CHECKING:
        def block(self, body: list, scope: Scope) -> None: ...

        def new_module_scope(self, name: str, path: str) -> Scope: ...

    def init_modules(self) -> None:
        self.modules: dict[str, LocalModule] = {}  # file → module, run once per DAG file read
        self.import_depth = 0
        self.roots = search_roots(self.path) if self.path else []

    def local_module(self, dotted: str, importer: str | None = None, level: int = 0,
                     name: str | None = None) -> LocalModule | None:
        """The repository module ``dotted`` (relative to ``importer`` for ``level`` dots), run once."""
        found = self.find_module(dotted, importer, level)
        dotted = name or dotted
        if found is None:
            return None
        path, package = found
        if path in self.modules:
            return self.modules[path]  # cached, or still running (an import cycle): as Python does
        tree = parse_module_file(path)
        if tree is None or self.import_depth >= MAX_IMPORT_DEPTH:
            self.notes.append(f"the repository module `{dotted}` could not be read")
            return None
        scope = self.new_module_scope(dotted, path)
        module = LocalModule(dotted, path, scope, package)
        self.modules[path] = module
        self.import_depth += 1
        try:
            self.block(tree.body, scope)
        except RecursionError:
            self.notes.append(f"the repository module `{dotted}` nests too deeply to be read")
        finally:
            self.import_depth -= 1
        return module

    def find_module(self, dotted: str, importer: str | None, level: int) -> tuple[str, bool] | None:
        return find_module_file(dotted, importer, level, self.roots)

    def submodule(self, module: LocalModule, name: str) -> LocalModule | None:
        """``package.name`` where ``name`` is not bound in the package: its submodule, if any."""
        if not module.package:
            return None
        return self.local_module(name, module.path, 1, name=f"{module.name}.{name}")

    def module_attribute(self, module: LocalModule, name: str) -> Any:
        if name in module.scope.vars:
            return module.scope.vars[name]
        sub = self.submodule(module, name)
        return sub if sub is not None else UNKNOWN


def find_module_file(dotted: str, importer: str | None, level: int, roots: list[str]) -> tuple[str, bool] | None:
    """The file of module ``dotted`` imported from ``importer`` (``level`` dots of a relative
    import), searched in ``roots``, and whether it is a package; None where it is not the
    repository's (the standard library, or found nowhere)."""
    parts = [p for p in dotted.split(".") if p]
    if level:
        if not importer:
            return None
        base = os.path.dirname(importer)
        for _ in range(level - 1):
            base = os.path.dirname(base)
        return _module_file(base, parts)
    if parts and parts[0] in STDLIB:
        return None  # Airflow appends the DAGs folder to sys.path: the standard library wins
    for root in roots:
        found = _module_file(root, parts)
        if found is not None:
            return found
    return None


_IMPORT_LINE = re.compile(r"^[ \t]*(?:from[ \t]+(\.*)([\w.]*)[ \t]+import|import[ \t]+([\w.]+))", re.M)
MAX_LOCAL_IMPORTS = 30  # imports looked at, at most, to tell a loader of a repository's DAG factory
MAX_MODULE_BYTES = 2_000_000


def imports_local_airflow(path: str, text: str, imports_airflow: re.Pattern) -> bool:
    """Whether ``text`` (the file at ``path``) imports a module of its own repository whose source
    imports airflow (``imports_airflow``): the module files are found as the interpreter finds
    them, one level deep, the first ``MAX_LOCAL_IMPORTS`` imports only."""
    roots, importer = search_roots(path), os.path.abspath(path)
    for match in itertools.islice(_IMPORT_LINE.finditer(text), MAX_LOCAL_IMPORTS):
        dots, dotted = match.group(1) or "", match.group(2) or match.group(3) or ""
        if not dots and (not dotted or dotted.split(".")[0] == "airflow"):
            continue
        found = find_module_file(dotted, importer, len(dots), roots)
        if found is not None and _source_imports(found[0], imports_airflow):
            return True
    return False


def _source_imports(module_path: str, imports_airflow: re.Pattern) -> bool:
    try:
        if os.path.getsize(module_path) > MAX_MODULE_BYTES:
            return False
        with open(module_path, encoding="utf-8", errors="replace") as handle:
            return bool(imports_airflow.search(handle.read()))
    except OSError:
        return False


MAX_REPOSITORY_FILES = 5_000  # .py files looked through for the callers of a factory, at most
_CALLED = re.compile(r"\b([A-Za-z_]\w*)\s*\(")
_CALLERS: dict[str, dict[str, set[str]]] = {}  # repository top → name → the files that call it


def called_elsewhere(path: str, function: str, methods: tuple[str, ...] = ()) -> bool:
    """Whether another ``.py`` file of the DAG file's repository (the folder up to its ``.git`` or
    ``pyproject.toml``; none found: the file's own folder) imports ``function`` from the file's
    module and calls it: a loader of the factory. Calls are indexed once per process, bounded in
    files and size; only the files that call the name are read again for the import. Where no such
    marker is found, the folders a caller may import the module from (``_caller_top``) are looked
    through as well, and there a file counts only where its import is this very file; ``methods``:
    those of class ``function`` that make a DAG, a call of one on what it imports counting
    (``class Mine(Base): ...`` then ``Mine().generate_dag()``)."""
    top = _repository_top(path)
    module = os.path.splitext(os.path.basename(path))[0]
    if module == "__init__":
        module = os.path.basename(os.path.dirname(os.path.abspath(path)))
    # `from m import f`, across lines inside parentheses (`from m import (\n    f,\n)`) or after a backslash
    space = r"(?:[ \t]|\\\r?\n)+"  # a line may go on after a backslash
    imported = re.compile(rf"from{space}[\w.]*\b{re.escape(module)}{space}import\b(?:[ \t]*\([^)]*|[^\n]*)"
                          rf"\b{re.escape(function)}\b"
                          rf"|\b{re.escape(module)}\.{re.escape(function)}\s*\(", re.M)
    me = os.path.abspath(path)
    if any(_source_imports(file, imported) for file in sorted(_callers(top, function) - {me})):
        return True
    wider = _caller_top(path, top)
    callers = set().union(*(_callers(wider, name) for name in (function, *methods))) - {me}
    return any(_imports_and_calls(file, me, function, methods) for file in sorted(callers))


def _callers(top: str, name: str) -> set[str]:
    index = _CALLERS.get(top)
    if index is None:
        index = _CALLERS[top] = _call_index(top)
    return index.get(name, set())


CALLER_REACH = 2  # folders above a module's own that a caller importing it may sit under, at most


def _caller_top(path: str, top: str) -> str:
    """Where callers of the module at ``path`` may be, when its repository has no marker: up to
    ``CALLER_REACH`` folders above its own (``services/`` imported as ``pkg.services.m`` from a
    sibling ``dags/``, ``plugins/notifications/`` from ``dags/notifications/``), through folders
    an import can name (identifiers, never ``airflow``), and never below ``top``."""
    if any(os.path.exists(os.path.join(top, marker)) for marker in _STOP_MARKERS):
        return top
    folder = os.path.dirname(os.path.abspath(path))
    for _ in range(CALLER_REACH):
        parent, name = os.path.dirname(folder), os.path.basename(folder)
        if parent == folder or not name.isidentifier() or name == "airflow":
            break
        folder = parent
    return folder if os.path.commonpath([top, folder]) == folder else top


def _imports_and_calls(caller: str, target: str, name: str, methods: tuple[str, ...]) -> bool:
    """Whether ``caller`` imports ``name`` from the module at ``target`` (its import resolved as the
    interpreter resolves it) and calls it, or one of its ``methods``: ``from m import f`` then
    ``f(``, ``import m`` / ``from pkg import m`` then ``m.f(``."""
    try:
        if os.path.getsize(caller) > MAX_MODULE_BYTES:
            return False
        with open(caller, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
        tree = ast.parse(text)
    except (OSError, SyntaxError, ValueError, RecursionError):
        return False
    roots = search_roots(caller)

    def resolves(dotted: str, level: int = 0) -> bool:
        found = find_module_file(dotted, caller, level, roots)
        return found is not None and os.path.abspath(found[0]) == target

    called = [rf"\b{re.escape(name)}\s*\("] + [rf"\.{re.escape(m)}\s*\(" for m in methods]
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name in (name, "*") and resolves(node.module or "", node.level):
                    local = alias.asname or name
                    if any(re.search(p, text) for p in [rf"\b{re.escape(local)}\s*\(", *called[1:]]):
                        return True
                elif resolves(f"{node.module}.{alias.name}" if node.module else alias.name, node.level) \
                        and re.search(rf"\b{re.escape(alias.asname or alias.name)}\.{re.escape(name)}\b", text):
                    return True
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if resolves(alias.name) and re.search(rf"\b{re.escape(alias.asname or alias.name)}\.{re.escape(name)}\b",
                                                      text):
                    return True
    return False


def _repository_top(path: str) -> str:
    """The folder holding a ``.git`` or ``pyproject.toml`` above the file; none within reach, the
    folder its imports start from (the first above it that is no package: Airflow's DAG folder)."""
    roots = search_roots(path)
    top = [r for i, r in enumerate(roots) if not (i and r == os.path.join(roots[i - 1], "plugins"))][-1]
    if any(os.path.exists(os.path.join(top, marker)) for marker in _STOP_MARKERS):
        return top
    folder = os.path.dirname(os.path.abspath(path))
    for _ in range(MAX_PARENTS):
        parent = os.path.dirname(folder)
        if not os.path.isfile(os.path.join(folder, "__init__.py")) or parent == folder:
            break
        folder = parent
    return folder


def _call_index(top: str) -> dict[str, set[str]]:
    index: dict[str, set[str]] = {}
    seen = 0
    for folder, dirs, files in os.walk(top):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in ("node_modules", "venv", "__pycache__"))
        for name in sorted(files):
            if not name.endswith(".py"):
                continue
            seen += 1
            if seen > MAX_REPOSITORY_FILES:
                return index
            file = os.path.abspath(os.path.join(folder, name))
            try:
                if os.path.getsize(file) > MAX_MODULE_BYTES:
                    continue
                with open(file, encoding="utf-8", errors="replace") as handle:
                    text = handle.read()
            except OSError:
                continue
            for called in set(_CALLED.findall(text)):
                index.setdefault(called, set()).add(file)
    return index


def search_roots(dag_path: str) -> list[str]:
    """The DAG file's folder and its parents, nearest first, each followed by its ``plugins/``;
    the search stops at the repository's top (a ``.git``, ``pyproject.toml``...)."""
    roots: list[str] = []
    folder = os.path.dirname(os.path.abspath(dag_path))
    for _ in range(MAX_PARENTS):
        roots.append(folder)
        plugins = os.path.join(folder, "plugins")
        if os.path.isdir(plugins):
            roots.append(plugins)
        if any(os.path.exists(os.path.join(folder, marker)) for marker in _STOP_MARKERS):
            break
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return roots


def _module_file(base: str, parts: list[str]) -> tuple[str, bool] | None:
    """``base/a/b.py`` or ``base/a/b/__init__.py`` for ``a.b`` (a namespace folder counts as a package)."""
    if not parts:
        init = os.path.join(base, "__init__.py")
        return (init, True) if os.path.isfile(init) else None
    target = os.path.join(base, *parts)
    if os.path.isfile(target + ".py"):
        return target + ".py", False
    init = os.path.join(target, "__init__.py")
    if os.path.isfile(init):
        return init, True
    if os.path.isdir(target) and any(name.endswith(".py") or os.path.isdir(os.path.join(target, name))
                                     for name in os.listdir(target)):
        return os.path.join(target, "__init__.py"), True  # a namespace package: nothing to run
    return None


def parse_module_file(path: str) -> ast.Module | None:
    """A repository module's tree (cached by file and mtime); an empty one for a namespace folder."""
    try:
        stamp = os.path.getmtime(path)
    except OSError:
        return ast.Module(body=[], type_ignores=[]) if os.path.isdir(os.path.dirname(path)) else None
    key = (path, stamp)
    if key not in _TREES:
        try:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
            _TREES[key] = _tag_foreign(parse_python(text, path), path)
        except (OSError, UnicodeDecodeError, SyntaxError, ValueError, RecursionError):
            _TREES[key] = None
    return _TREES[key]


def _tag_foreign(tree: ast.Module, path: str) -> ast.Module:
    """Every node of a module other than the DAG file knows its file: positions are reported at the
    DAG file's call that reached it, never as lines of the DAG file."""
    for node in ast.walk(tree):
        node._wflint_file = path  # type: ignore[attr-defined]
    return tree


def is_foreign(node: Any) -> bool:
    return hasattr(node, "_wflint_file")
