"""Find the workflow files under the paths given on the command line (docs/architecture.md).

Folders are searched the way git sees them where they are in a git work tree (so ``.gitignore``
holds), otherwise walked while skipping ``.git``, virtual environments and ``node_modules``.
A file of no known format found in a folder is passed over; one named explicitly is an error.
Plain ``os.path`` on purpose: this runs on every pre-commit invocation.
"""
from __future__ import annotations

import functools
import os

from .errors import UsageError

SKIP_DIRS = {".git", "node_modules", "__pycache__", ".tox", ".nox", ".mypy_cache", ".pytest_cache",
             ".ruff_cache", "site-packages", ".venv", "venv"}
CANDIDATE_SUFFIXES = (".yaml", ".yml", ".json", ".py", ".txt", ".md")


def expand(paths: list[str], ignore_unknown: bool = False) -> list[tuple[str, bool]]:
    """(path, named explicitly) for every candidate file, in a stable order, without duplicates.

    With ``ignore_unknown`` (how hooks pass every staged file) a named file of no known format is
    passed over like one found in a folder.
    """
    out: dict[str, bool] = {}
    for raw in paths:
        if raw == "-":
            out["-"] = True
        elif os.path.isdir(raw):
            for found in _walk(raw):
                out.setdefault(found, False)
        elif os.path.isfile(raw) or _special(raw):
            out[raw] = not ignore_unknown
        else:
            raise UsageError(f"{raw}: no such file or directory")
    return list(out.items())


def _walk(root: str) -> list[str]:
    listed = _git_files(root)
    if listed is None:
        listed = []
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS
                             and not os.path.exists(os.path.join(folder, d, "pyvenv.cfg")))
            listed.extend(os.path.join(folder, f) for f in sorted(files))
    return [p for p in listed if p.endswith(CANDIDATE_SUFFIXES) and _readable_kind(p)
            and not _skipped(os.path.relpath(p, root))]


def _readable_kind(path: str) -> bool:
    """A regular file, or a link that resolves to none (a loop, a dangling link) where its name says
    it is a workflow (a GitHub workflow's folder, a spec's suffix): that one is read and reported as
    WFL001 for itself. Any other dangling link is passed over like a file of no known format, which
    only its text could show (a `.github/README.md` linking to a docs page a partial checkout lacks).
    A FIFO or device found in a folder is passed over: reading it could block forever or never end."""
    if os.path.isfile(path):
        return True
    return os.path.islink(path) and not os.path.exists(path) and _named_as_workflow(path)


def _named_as_workflow(path: str) -> bool:
    folder, name = os.path.split(path)
    in_workflows = folder.replace(os.sep, "/").endswith(".github/workflows") and name.endswith((".yml", ".yaml"))
    return in_workflows or name.endswith((".wflint.yaml", ".wflint.yml", ".wflint.json"))


def _special(path: str) -> bool:
    """A FIFO or character device named explicitly (``<(cmd)``, ``/dev/stdin``): read, with a size cap."""
    import stat

    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)


def _skipped(relative: str) -> bool:
    return any(part in SKIP_DIRS for part in relative.split(os.sep)[:-1])


def _git_files(root: str) -> list[str] | None:
    import subprocess

    try:
        proc = subprocess.run(
            ["git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            capture_output=True, timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0:
        return None
    names = [n for n in proc.stdout.decode("utf-8", "surrogateescape").split("\0") if n]
    paths = (os.path.join(root, n) for n in names)
    return sorted(p for p in paths if _readable_kind(p))


_ROOTS: dict[str, str] = {}  # folder → its repository's root ("" outside any repository)


def repo_root(path: str) -> str:
    """The repository a file belongs to: ``GITHUB_WORKSPACE`` when the file is inside it, else the
    nearest folder up with a ``.git``, else the current folder. Code scanning keys results by paths
    relative to it, so they must not depend on how the file was named on the command line."""
    folder = os.path.dirname(os.path.abspath(path))
    workspace = os.environ.get("GITHUB_WORKSPACE")
    if workspace and (folder + os.sep).startswith(os.path.abspath(workspace) + os.sep):
        return os.path.abspath(workspace)
    return _git_root(folder) or os.getcwd()


def _git_root(folder: str) -> str:
    seen = []
    while folder not in _ROOTS:
        seen.append(folder)
        parent = os.path.dirname(folder)
        if os.path.exists(os.path.join(folder, ".git")):
            _ROOTS[folder] = folder
        elif parent == folder:
            _ROOTS[folder] = ""
        else:
            folder = parent
    for f in seen:
        _ROOTS[f] = _ROOTS[folder]
    return _ROOTS[folder]


def repo_relative(path: str) -> str:
    """``path`` relative to its repository root, with ``/``: the same for ``.``, a sub-folder or an
    absolute path. A file outside the root keeps its absolute path (never ``../``); ``<stdin>`` and
    other names that are not files stay as they are."""
    if path.startswith("<"):
        return path
    return _repo_relative(path, os.getcwd(), os.environ.get("GITHUB_WORKSPACE"))


@functools.lru_cache(maxsize=4096)
def _repo_relative(path: str, cwd: str, workspace: str | None) -> str:
    """Every finding's fingerprint asks for its file's path: the folders up to the repository root
    are looked at once per file and place (``cwd``, ``workspace``: what the answer depends on)."""
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute, repo_root(path))
    if relative == ".." or relative.startswith(".." + os.sep):
        return absolute.replace(os.sep, "/")
    return relative.replace(os.sep, "/")
