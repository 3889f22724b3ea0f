"""Resolve a job-level `uses:` of a local reusable workflow (``./…`` or ``$/…``) to its file.

The callee is looked for where GitHub finds it (the repository root above
``.github/workflows/``) and beside the caller under its own name. What the callee's jobs write and
read is added to the calling job: the jobs that may run in the caller's runs, for GitHub evaluates
a called workflow's `if:`s with the caller's `github` context and the inputs the call passes (or
their defaults). A remote or missing callee is ``None``: its effects are unknown.

One ``LocalFiles`` serves one read of one workflow file (and the callees it reads in turn): what
it learns is forgotten with it, so nothing read once leaks into another file's result.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import field, replace

from wflint.errors import ParseError
from wflint.ir import Workflow
from wflint.patterns import lazy
from wflint.records import dataclass

from .events import UNKNOWN, RunContext, calling_runs, condition_text, job_contexts

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


NOTHING = CalleeSummary([], [], 0.0, [], [], [], False)


def _joined(parts: list[CalleeSummary]) -> CalleeSummary:
    return CalleeSummary(
        writes=[w for p in parts for w in p.writes], reads=[r for p in parts for r in p.reads],
        api_calls=sum(p.api_calls for p in parts), publishes=sorted({x for p in parts for x in p.publishes}),
        artifacts_out=[a for p in parts for a in p.artifacts_out], artifacts_in=[a for p in parts for a in p.artifacts_in],
        opaque=any(p.opaque for p in parts))


@dataclass(frozen=True)
class _CalleeJob:
    """One job of a called workflow: its `if:` and `needs:`, what its steps do (for a job that
    calls a workflow in turn, what wflint read of that call), and the call it makes (its path, "")."""

    condition: str
    needs: tuple[str, ...]
    does: CalleeSummary
    calls: str
    passes: tuple[tuple[str, object], ...]


@dataclass(frozen=True)
class Callee:
    """A called workflow as its callers see it: its jobs run or not in the caller's run (GitHub
    evaluates a called workflow's `github` context as the caller's, and its `inputs` are what the
    call passes or their defaults), so what it does depends on the call."""

    inputs: tuple[tuple[str, str, object], ...]  # ``facts.CallInputs``
    jobs: dict[str, _CalleeJob]

    def summary(self, contexts: list[RunContext], known: dict[str, Callee | None]) -> CalleeSummary:
        """What the jobs that may run in one of ``contexts`` (the calling job's runs, with the
        inputs it passes) do, and so on down the workflows they call in turn (``known``)."""
        conditions = {job_id: job.condition for job_id, job in self.jobs.items()}
        runs_in = job_contexts(conditions, {j: list(job.needs) for j, job in self.jobs.items()}, contexts)
        parts = []
        for job_id, job in self.jobs.items():
            if not runs_in[job_id]:
                continue  # its `if:` is false in every run of the call: skipped, it does nothing
            inner = known.get(job.calls) if job.calls else None
            if inner is None:
                parts.append(job.does)
            else:
                parts.append(inner.summary([inner.called_from(c, job.passes) for c in runs_in[job_id]], known))
        return _joined(parts)

    def called_from(self, context: RunContext, passes: tuple[tuple[str, object], ...]) -> RunContext:
        """The caller's run as this workflow sees it: its `github` context, with ``passes`` (the
        call's `with:`) or each input's default as `inputs`."""
        given = dict(passes)
        outer = dict(context.inputs)
        values = {name: input_value(given[name] if name in given else default, kind, outer)
                  for name, kind, default in self.inputs}
        return replace(context, inputs=tuple(sorted(values.items())))


_INPUT_REF = lazy(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}")


def input_value(raw, kind: str, outer: dict[str, object]):
    """An input's value as the called workflow reads it: a literal of its type, or the caller's own
    input passed on whole (`${{ inputs.x }}`); any other expression, or none, is ``UNKNOWN``."""
    if isinstance(raw, str) and "${{" in raw:
        match = _INPUT_REF.fullmatch(raw.strip())
        return outer.get(match.group(1).lower(), UNKNOWN) if match else UNKNOWN
    if raw is None:
        return UNKNOWN
    if kind == "boolean":
        if isinstance(raw, bool):
            return raw
        return {"true": True, "false": False}.get(str(raw).strip().lower(), UNKNOWN)
    if kind == "number":
        try:
            return float(raw)
        except (TypeError, ValueError):
            return UNKNOWN
    return raw if isinstance(raw, str) else UNKNOWN if isinstance(raw, bool) else str(raw)


@dataclass
class _Shared:
    """What one run has learnt of local reusable workflows and actions, shared between the callers read in it."""

    summaries: dict[str, Callee | None] = field(default_factory=dict)
    actions: dict[str, list | None] = field(default_factory=dict)
    active: set[str] = field(default_factory=set)


class LocalFiles:
    """Local callees and composite actions of ``caller``, read with ``read`` (the GitHub reader)."""

    def __init__(self, caller: str, read: Callable[[str, str, LocalFiles], Workflow],
                 shared: _Shared | None = None) -> None:
        self.caller, self._read, self._shared = caller, read, shared or _Shared()

    def summarize_call(self, uses: str, contexts: list[RunContext],
                       passes: tuple[tuple[str, object], ...] = ()) -> CalleeSummary | None:
        """What the workflow ``uses`` names does when a job that runs in ``contexts`` calls it
        with ``passes``; None when it cannot be read."""
        callee = self._callee(callee_path(self.caller, uses))
        if callee is None:
            return None
        return callee.summary([callee.called_from(c, passes) for c in contexts], self._shared.summaries)

    def _callee(self, path: str | None) -> Callee | None:
        shared = self._shared
        if path is None or path in shared.active or len(shared.active) >= MAX_DEPTH:
            return None
        if path not in shared.summaries:
            shared.active.add(path)
            try:
                shared.summaries[path] = self._read_callee(path)
            finally:
                shared.active.discard(path)
        return shared.summaries[path]

    def _read_callee(self, path: str) -> Callee | None:
        from .facts import CallInputs, JobFacts

        try:
            with open(path, encoding="utf-8") as handle:
                workflow = self._read(path, handle.read(), LocalFiles(path, self._read, self._shared))
        except (ParseError, OSError, UnicodeDecodeError):  # the caller is then opaque; the callee's own check reports it
            return None
        needs: dict[str, list[str]] = {t: [] for t in workflow.tasks}
        for edge in workflow.edges:
            needs[edge.v].append(edge.u)
        jobs = {}
        for job_id, task in workflow.tasks.items():
            facts = task.facet(JobFacts)
            nested = callee_path(path, facts.uses) if facts is not None and facts.uses else None
            jobs[job_id] = _CalleeJob(
                condition=facts.condition if facts else "", needs=tuple(needs[job_id]), does=CalleeSummary(
                    writes=[e.resource for e in task.writes], reads=[e.resource for e in task.reads],
                    api_calls=sum(u.calls for u in task.apis),
                    publishes=sorted(set(facts.publishes + facts.callee_publishes)) if facts else [],
                    artifacts_out=list(facts.artifacts_out) if facts else [],
                    artifacts_in=list(facts.artifacts_in) if facts else [], opaque=task.opaque),
                calls=nested if nested and self._shared.summaries.get(nested) is not None else "",
                passes=facts.call_inputs if facts else ())
        declared = workflow.facet(CallInputs)
        return Callee(declared.declared if declared else (), jobs)

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


_CALLS: dict[tuple[str, int, int], list[tuple[str, object, str]]] = {}  # file version → its calls


def caller_runs(callee: str) -> tuple[tuple[str, str], ...] | None:
    """The (event, ref type) of the runs in which the other workflows of ``callee``'s repository
    may call it: GitHub gives a called workflow its caller's `github` context, so a workflow called
    only under `if: github.ref_type == 'tag'` from a push only ever runs in a push of a tag. None
    when no workflow here calls it (it may be another repository's), or one calls it from a run
    whose event is not known (a workflow that is itself called)."""
    folder = os.path.dirname(os.path.abspath(callee))
    if not folder.replace("\\", "/").endswith("/.github/workflows"):
        return None
    found: dict[tuple[str, str], None] = {}
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if not name.endswith((".yml", ".yaml")) or path == os.path.abspath(callee):
            continue
        for uses, on, condition in _calls(path):
            target = callee_path(path, uses)
            if target is None or os.path.abspath(target) != os.path.abspath(callee):
                continue
            for run in calling_runs(on, condition):
                if run.github_event is None:
                    return None
                found[(run.github_event, run.ref_type)] = None
    return tuple(found) or None


def _calls(path: str) -> list[tuple[str, object, str]]:
    """(`uses:`, the file's `on:`, the job's `if:`) of each job of a workflow file that calls a local workflow."""
    from wflint.sourcemap import load_yaml

    try:
        stat = os.stat(path)
    except OSError:
        return []
    key = (path, stat.st_mtime_ns, stat.st_size)
    if key not in _CALLS:
        try:
            with open(path, encoding="utf-8") as handle:
                data, _ = load_yaml(handle.read(), path, reject_merge_keys=True)
        except (ParseError, OSError, UnicodeDecodeError):  # its own check reports it
            data = None
        jobs = data.get("jobs") if isinstance(data, dict) else None
        _CALLS[key] = [(job["uses"], data.get("on"), condition_text(job.get("if")))
                       for job in (jobs.values() if isinstance(jobs, dict) else ())
                       if isinstance(job, dict) and isinstance(job.get("uses"), str) and job["uses"].startswith(("./", "$/"))]
    return _CALLS[key]
