"""Resolve a job-level `uses:` of a local reusable workflow (``./…`` or ``$/…``) to its file.

The callee is looked for where GitHub would find it (the repository root above
``.github/workflows/``) and beside the caller: under its own name, or as ``<tag>__<name>`` when the
caller is named ``<tag>__<file>`` (how a flat corpus of several repositories stores them). What
the callee's jobs write and read is added to the calling job. A remote or missing callee is
``None``: its effects are unknown.
"""
from __future__ import annotations

import os

from wflint.errors import ParseError

MAX_DEPTH = 10  # GitHub's nesting limit for reusable workflows
_cache: dict[tuple, dict | None] = {}
_active: set[str] = set()
_parsed: dict[str, tuple[str, object]] = {}  # callee path → (text, workflow), handed back once


def take_parsed(path: str, text: str):
    """The workflow already read as some caller's callee, when the engine now reads that file."""
    found = _parsed.pop(os.path.abspath(path), None)
    return found[1] if found is not None and found[0] == text else None


def callee_path(caller: str, uses: str) -> str | None:
    ref = uses.strip()
    if not ref.startswith(("./", "$/")):
        return None
    rel = ref[2:].split("@", 1)[0]
    folder = os.path.dirname(os.path.abspath(caller))
    base = os.path.basename(rel)
    candidates = []
    if folder.replace("\\", "/").endswith("/.github/workflows"):
        candidates.append(os.path.join(os.path.dirname(os.path.dirname(folder)), rel))
    candidates.append(os.path.join(folder, base))
    tag = os.path.basename(caller).split("__", 1)
    if len(tag) == 2:
        candidates.append(os.path.join(folder, f"{tag[0]}__{base}"))
    return next((c for c in candidates if os.path.isfile(c)), None)


def repo_root(caller: str) -> str | None:
    folder = os.path.dirname(os.path.abspath(caller)).replace("\\", "/")
    return folder[: -len("/.github/workflows")] if folder.endswith("/.github/workflows") else None


_actions: dict[tuple, list | None] = {}


def composite_steps(caller: str, uses: str) -> list | None:
    """The steps of a local composite action (``./path`` or ``$/path`` to a folder with
    ``action.yml``), read from the repository the caller sits in; None when not found."""
    root = repo_root(caller)
    if root is None or not uses.startswith(("./", "$/")):
        return None
    folder = os.path.join(root, uses[2:].split("@", 1)[0])
    path = next((p for p in (os.path.join(folder, "action.yml"), os.path.join(folder, "action.yaml"))
                 if os.path.isfile(p)), None)
    if path is None:
        return None
    key = _version(path)
    if key not in _actions:
        from wflint.sourcemap import load_yaml

        try:
            with open(path, encoding="utf-8") as handle:
                data, _ = load_yaml(handle.read(), path, reject_merge_keys=True)
        except (ParseError, OSError, UnicodeDecodeError):  # an unreadable action only hides its effects
            data = None
        runs = data.get("runs") if isinstance(data, dict) else None
        steps = runs.get("steps") if isinstance(runs, dict) and runs.get("using") == "composite" else None
        _actions[key] = [s for s in steps if isinstance(s, dict)] if isinstance(steps, list) else None
    return _actions[key]


def _version(path: str) -> tuple:
    """A file as of now: a rewritten file is read again."""
    stat = os.stat(path)
    return path, stat.st_mtime_ns, stat.st_size


def summarize_call(caller: str, uses: str) -> dict | None:
    path = callee_path(caller, uses)
    if path is None or path in _active or len(_active) >= MAX_DEPTH:
        return None
    key = _version(path)
    if key in _cache:
        return _cache[key]
    from .reader import read_workflow

    _active.add(path)
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        workflow = read_workflow(path, text)[0]
    except (ParseError, OSError, UnicodeDecodeError):  # the caller is then opaque; the callee's own check reports it
        summary = None
    else:
        _parsed[os.path.abspath(path)] = (text, workflow)
        tasks = list(workflow.tasks.values())
        summary = {
            "writes": [e.resource for t in tasks for e in t.writes],
            "reads": [e.resource for t in tasks for e in t.reads],
            "api_calls": sum(u.calls for t in tasks for u in t.apis),
            "publishes": sorted({p for t in tasks for p in t.attrs.get("publishes", [])}),
            "artifacts_out": [a for t in tasks for a in t.attrs.get("artifacts_out", [])],
            "artifacts_in": [a for t in tasks for a in t.attrs.get("artifacts_in", [])],
            "opaque": any(t.opaque for t in tasks),
        }
    finally:
        _active.discard(path)
    _cache[key] = summary
    return summary
