"""Apply fixes: IR change → adapter text edits → re-read → verify → atomic write (docs/architecture.md).

A fix is applied one finding at a time and the file re-checked after each, until nothing more
applies (bounded). A fix whose result does not re-read, changes the task set, loses a needed
ordering or does not do what it meant, is dropped and reported, never written.

One read of the file per round: the first round reads it, and each later one reuses the re-read
that verified the fix before it (or, after a refused fix, the workflows of the unchanged text).
"""
from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import field
from types import ModuleType

from wflint.records import dataclass

from .analysis import graph
from .analysis.relax import relax
from .config import Config, find_config
from .edits import TextEdit, apply_edits, regions
from .engine import FileResult, Selection, check_workflow, expressible, load, load_configured, read_source
from .errors import NothingRead, ParseError, RewriteError
from .finding import AddOrder, Applicability, Finding, Fix, FixChange, InsertJoin, RemoveOrder
from .fsutil import TextStyle
from .ir import Workflow

MAX_ROUNDS = 50


@dataclass
class FixOutcome:
    """What one fix round did to one file: the text before and after, and why each finding was or was not fixed."""

    path: str
    original: str
    text: str
    applied: list[Finding] = field(default_factory=list)
    rejected: list[tuple[Finding, str]] = field(default_factory=list)
    unsafe_left: int = 0
    manual: int = 0  # fixes the format's rewriter cannot express: to make by hand
    unreadable: ParseError | None = None  # the file could not be read: nothing fixed, WFL001 reported
    style: TextStyle = TextStyle()  # how the file stores its text: what is written keeps it
    refused: str | None = None  # why the file as a whole is not fixed

    @property
    def written(self) -> str:
        """The bytes ``fix`` writes, as text: the rewrite with the file's BOM and line endings."""
        return self.style.restore(self.text)

    @property
    def changed(self) -> bool:
        return self.text != self.original

    def diff(self) -> str:
        """A patch that ``patch``/``git apply`` accept and that makes exactly what ``fix`` writes."""
        shown = self.path.lstrip("/")
        before, after = self.style.restore(self.original), self.written
        lines = difflib.unified_diff(before.splitlines(True), after.splitlines(True), f"a/{shown}", f"b/{shown}")
        return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                       for line in lines)


@dataclass
class Attempt:
    """One fix tried on one text: why it was refused, or its edits and what they made."""

    reason: str | None
    edits: list[TextEdit] = field(default_factory=list)
    text: str = ""  # the rewritten text
    workflows: list[Workflow] = field(default_factory=list)  # its re-read (configured), verified


def wanted(finding: Finding, unsafe: bool) -> bool:
    if finding.fix is None or not finding.fix.changes:
        return False
    if finding.fix.applicability is Applicability.SAFE:
        return True
    return unsafe and finding.fix.applicability is Applicability.UNSAFE


def fix_text(path: str, text: str, selection: Selection, unsafe: bool, config: Config | None = None,
             explicit: bool = True) -> FixOutcome:
    from . import adapters

    config = config or Config()
    outcome = FixOutcome(path, text, text)
    rules = selection.rules()
    tried: set[str] = set()
    try:
        workflows = load_configured(path, config, text=outcome.text, explicit=explicit)
    except ParseError as error:
        outcome.unreadable = error
        return outcome
    except NothingRead:
        return outcome
    if workflows is None:  # not a workflow file (passed over by --ignore-unknown)
        return outcome
    checked = _check(workflows, rules, selection.preview)
    for _ in range(MAX_ROUNDS):
        module = adapters.sniff(path, outcome.text)
        candidates = [(wf, f) for wf, f in checked if f.fingerprint not in tried]
        if module is None or not hasattr(module, "rewrite"):  # no adapter, or one that cannot rewrite
            outcome.manual = sum(1 for _, f in candidates if wanted(f, unsafe))
            return outcome
        supported = [(wf, f) for wf, f in candidates if _supported(module, wf, f)]
        outcome.manual = sum(1 for _, f in candidates if wanted(f, unsafe)) - sum(
            1 for _, f in supported if wanted(f, unsafe))
        candidates = supported
        todo = next(((wf, f) for wf, f in candidates if wanted(f, unsafe)), None)
        if todo is None:
            outcome.unsafe_left = sum(1 for _, f in candidates if wanted(f, True) and not wanted(f, unsafe))
            return outcome
        workflow, finding = todo
        tried.add(finding.fingerprint)
        attempt = _attempt(module, path, outcome.text, workflow, finding, config)
        if attempt.reason:
            outcome.rejected.append((finding, attempt.reason))  # the text, and so its check, stay as they are
        else:
            outcome.text = attempt.text
            outcome.applied.append(finding)
            checked = _check(attempt.workflows, rules, selection.preview)
    return outcome


def _check(workflows: list[Workflow], rules, preview: bool) -> list[tuple[Workflow, Finding]]:
    return [(wf, f) for wf in workflows for f in check_workflow(wf, rules, preview).findings]


def _supported(module: ModuleType, workflow: Workflow, finding: Finding) -> bool:
    """Can the adapter express every change of this fix? (``engine.expressible``.)"""
    return finding.fix is not None and expressible(module, workflow, finding.fix)


def _attempt(module: ModuleType, path: str, text: str, workflow: Workflow, finding: Finding,
             config: Config) -> Attempt:
    """Rewrite, apply the edits, re-read the result once and verify it."""
    assert finding.fix is not None
    changes = list(finding.fix.changes)
    try:
        edits = module.rewrite(text, workflow, changes)
        new_text = apply_edits(text, edits)
    except RewriteError as exc:
        return Attempt(_refusal(exc, finding.fix))
    if new_text == text:
        return Attempt("the rewrite changed nothing")
    try:
        new_workflows = load(path, text=new_text) or []  # (explicit: an unknown format raises)
        for new_workflow in new_workflows:
            config.apply(new_workflow)
    except ParseError as exc:
        return Attempt(f"the rewritten file does not parse: {exc.reason}")
    new = next((w for w in new_workflows if w.name == workflow.name), None)
    if new is None:
        return Attempt("the rewritten file lost the workflow")
    reason = verify(workflow, new, changes)
    if reason is None and hasattr(module, "verify"):
        reason = module.verify(workflow, new, changes)
    return Attempt(reason, edits, new_text, new_workflows)


def _refusal(exc: RewriteError, fix: Fix) -> str:
    """Why a fix was not written; a change to make by hand only where the fix is safe."""
    if not exc.by_hand or fix.applicability is Applicability.SAFE:
        return str(exc)
    return (f"{exc.reason}; the fix is unsafe (wflint could not prove these orderings unneeded), "
            "so it suggests no edit by hand: check what the tasks do first")


def verify(old: Workflow, new: Workflow, changes: Sequence[FixChange]) -> str | None:
    """Same tasks; every needed ordering kept; every removed ordering really gone."""
    # A join construct is a new task: one per inserted join, and one where the engine needs a
    # join task to end the branches a removed ordering creates (n8n's Merge).
    joins = sum(1 for c in changes if isinstance(c, InsertJoin)) + bool(
        old.execution_model.join_task and any(isinstance(c, RemoveOrder) for c in changes))
    added = set(new.tasks) - set(old.tasks)
    if set(old.tasks) - set(new.tasks) or len(added) > joins:
        return "the rewrite changed the set of tasks"
    try:
        before, after = relax(old), relax(new)
    except graph.CycleError as exc:
        return f"the rewrite made a cycle: {exc}"
    for u, v in before.strict_edges():
        if not _ordered(after, u, v) or (_ordered(before, u, v, design=True) and not _ordered(after, u, v, design=True)):
            return f"the rewrite lost a needed ordering {u} → {v}"
    for change in changes:
        if isinstance(change, RemoveOrder) and _ordered(after, change.u, change.v, design=True):
            return f"{change.v} still runs after {change.u}"
        if isinstance(change, AddOrder) and not _ordered(after, change.u, change.v, design=True):
            return f"{change.v} does not run after {change.u}"
    return None


def _ordered(relaxation, u: str, v: str, design: bool = False) -> bool:
    """Does v run after u: in the engine's run order, or (``design``) through the declared edges?

    They differ for an engine that serializes a graph (n8n): there every task runs after the one
    before it, but only connections say which must."""
    succ = relaxation.design_succ if design else relaxation.declared_succ
    return relaxation.rank[u] < relaxation.rank[v] and graph.reaches(succ, u, v, relaxation.rank)


def fix_file(path: str, selection: Selection, unsafe: bool, config_path: str | None = None,
             cli_select: bool = True, explicit: bool = True) -> FixOutcome:
    config = find_config(path, config_path)
    text, style = read_source(path)
    if style.mixed:
        return FixOutcome(path, text, text, style=style,
                          refused="mixed line endings (CRLF and LF): a fix could not keep each line's own")
    outcome = fix_text(path, text, selection.merged(config, path, cli_select=cli_select), unsafe, config, explicit)
    outcome.style = style
    return outcome


@dataclass
class FixPlan:
    """``fix`` on many files: what each file gets, so that worker processes can do it (pool.py)."""

    named: list[str]
    selection: Selection
    unsafe: bool
    config_path: str | None
    cli_select: bool

    def fix(self, candidate: tuple[str, bool]) -> tuple[str, FixOutcome | ParseError | None]:
        """One file's outcome, its read error, or None where the config excludes it."""
        path, explicit = candidate
        if find_config(path, self.config_path).excludes(path, named=path in self.named):
            return path, None
        try:
            return path, fix_file(path, self.selection, self.unsafe, self.config_path, self.cli_select, explicit)
        except ParseError as error:
            return path, error


def attach_edits(result: FileResult) -> None:
    """For each finding of a linted file whose fix the adapter can express and that verifies,
    record its text edits (``finding.extra["edits"]``: each replaced region, 1-based, and its new
    text), e.g. for SARIF ``fixes``. Display-only fixes get theirs too, as ruff shows them: the
    suggested change, verified, that ``fix`` never applies. The workflows linting read are reused; only each rewritten
    text is read, to verify it."""
    from . import adapters

    if result.path == "<stdin>" or not result.results:
        return
    text = result.text
    module = adapters.sniff(result.path, text)
    if module is None or not hasattr(module, "rewrite"):
        return
    by_name = {r.workflow.name: r.workflow for r in result.results}
    for finding in result.findings:
        workflow = by_name.get(finding.workflow)
        if workflow is None or finding.fix is None or not finding.fix.changes or not _supported(module, workflow, finding):
            continue
        attempt = _attempt(module, result.path, text, workflow, finding, result.config)
        if attempt.reason is None:
            finding.extra["edits"] = regions(text, attempt.edits)
