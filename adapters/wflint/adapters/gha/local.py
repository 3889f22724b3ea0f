"""Resolve a job-level `uses:` of a local reusable workflow (``./…`` or ``$/…``) to its file.

The callee is looked for where GitHub finds it (the repository root above
``.github/workflows/``) and beside the caller under its own name. What the callee's jobs write and
read is added to the calling job. A remote or missing callee is ``None``: its effects are unknown.

One ``LocalFiles`` serves one read of one workflow file (and the callees it reads in turn): what
it learns is forgotten with it, so nothing read once leaks into another file's result.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import field

from wflint.errors import ParseError
from wflint.ir import Workflow
from wflint.records import dataclass

MAX_DEPTH = 10  # GitHub's nesting limit for reusable workflows


@dataclass(frozen=True)
class CalleeSummary:
    """What a called workflow's jobs do, as seen from the job that calls it."""

    writes: list[str]
    reads: list[str]
    api_calls: float
    publishes: list[str]
    artifacts_out: list[str]
    artifacts_in: list[str]
    opaque: bool


@dataclass
class _Shared:
    """What one run has learnt of local reusable workflows and actions, shared between the callers read in it."""

    summaries: dict[str, CalleeSummary | None] = field(default_factory=dict)
    actions: dict[str, list | None] = field(default_factory=dict)
    active: set[str] = field(default_factory=set)


class LocalFiles:
    """Local callees and composite actions of ``caller``, read with ``read`` (the GitHub reader)."""

    def __init__(self, caller: str, read: Callable[[str, str, LocalFiles], Workflow],
                 shared: _Shared | None = None) -> None:
        self.caller, self._read, self._shared = caller, read, shared or _Shared()

    def summarize_call(self, uses: str) -> CalleeSummary | None:
        path = callee_path(self.caller, uses)
        shared = self._shared
        if path is None or path in shared.active or len(shared.active) >= MAX_DEPTH:
            return None
        if path not in shared.summaries:
            shared.active.add(path)
            try:
                shared.summaries[path] = self._summary(path)
            finally:
                shared.active.discard(path)
        return shared.summaries[path]

    def _summary(self, path: str) -> CalleeSummary | None:
        from .facts import JobFacts

        try:
            with open(path, encoding="utf-8") as handle:
                workflow = self._read(path, handle.read(), LocalFiles(path, self._read, self._shared))
        except (ParseError, OSError, UnicodeDecodeError):  # the caller is then opaque; the callee's own check reports it
            return None
        tasks = list(workflow.tasks.values())
        facts = [f for f in (t.facet(JobFacts) for t in tasks) if f is not None]
        return CalleeSummary(
            writes=[e.resource for t in tasks for e in t.writes],
            reads=[e.resource for t in tasks for e in t.reads],
            api_calls=sum(u.calls for t in tasks for u in t.apis),
            publishes=sorted({p for f in facts for p in f.publishes + f.callee_publishes}),
            artifacts_out=[a for f in facts for a in f.artifacts_out],
            artifacts_in=[a for f in facts for a in f.artifacts_in],
            opaque=any(t.opaque for t in tasks),
        )

    def composite_steps(self, uses: str) -> list | None:
        """The steps of a local composite action (``./path`` or ``$/path`` to a folder with
        ``action.yml``), read from the repository the caller sits in; None when not found."""
        root = repo_root(self.caller)
        if root is None or not uses.startswith(("./", "$/")):
            return None
        folder = os.path.join(root, uses[2:].split("@", 1)[0])
        path = next((p for p in (os.path.join(folder, "action.yml"), os.path.join(folder, "action.yaml"))
                     if os.path.isfile(p)), None)
        if path is None:
            return None
        if path not in self._shared.actions:
            self._shared.actions[path] = _composite_steps(path)
        return self._shared.actions[path]


def _composite_steps(path: str) -> list | None:
    from wflint.sourcemap import load_yaml

    try:
        with open(path, encoding="utf-8") as handle:
            data, _ = load_yaml(handle.read(), path, reject_merge_keys=True)
    except (ParseError, OSError, UnicodeDecodeError):  # an unreadable action only hides its effects
        return None
    runs = data.get("runs") if isinstance(data, dict) else None
    steps = runs.get("steps") if isinstance(runs, dict) and runs.get("using") == "composite" else None
    return [s for s in steps if isinstance(s, dict)] if isinstance(steps, list) else None


def callee_path(caller: str, uses: str) -> str | None:
    ref = uses.strip()
    if not ref.startswith(("./", "$/")):
        return None
    rel = ref[2:].split("@", 1)[0]
    folder = os.path.dirname(os.path.abspath(caller))
    candidates = []
    if folder.replace("\\", "/").endswith("/.github/workflows"):
        candidates.append(os.path.join(os.path.dirname(os.path.dirname(folder)), rel))
    candidates.append(os.path.join(folder, os.path.basename(rel)))
    return next((c for c in candidates if os.path.isfile(c)), None)


def repo_root(caller: str) -> str | None:
    folder = os.path.dirname(os.path.abspath(caller)).replace("\\", "/")
    return folder[: -len("/.github/workflows")] if folder.endswith("/.github/workflows") else None
