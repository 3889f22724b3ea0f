"""Lint orchestration: file → adapter → IR → analysis → rules → findings (docs/architecture.md)."""
from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import field

from wflint.records import dataclass

from . import discover, pool, suppress
from .analysis import Analysis, analyze
from .analysis.graph import CycleError
from .config import Config, find_config
from .errors import NotAWorkflow, NothingRead, ParseError, UsageError
from .facets import SetupTime
from .finding import Applicability, Finding, Related
from .fsutil import TextStyle, decode_text
from .ir import Duration, DurationSource, Workflow
from .rule import RuleInfo, all_rules, run_rules

_KNOWN_PATTERNS: set[tuple[int, str]] = set()  # (rule registry, code pattern) found to name some rule
_CHOSEN_RULES: dict[tuple[int, tuple[str, ...], tuple[str, ...]], list[RuleInfo]] = {}


@dataclass
class Selection:
    """ruff-style code selection: exact codes or prefixes (``PAR``, ``SAF0``), or ``ALL``."""

    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    preview: bool = False  # also findings that rest on what wflint could not prove

    def wants(self, code: str) -> bool:
        def hit(patterns):
            return any(p == "ALL" or code.startswith(p) for p in patterns)
        return hit(self.select) and not hit(self.ignore)

    def validate(self, where: str = "") -> None:
        codes = all_rules()
        for pattern in self.select + self.ignore:
            if (id(codes), pattern) in _KNOWN_PATTERNS:
                continue
            if pattern != "ALL" and not any(c.startswith(pattern) for c in codes):
                raise UsageError(f"{where}unknown rule code or prefix: {pattern!r} (see `wflint rules`)")
            _KNOWN_PATTERNS.add((id(codes), pattern))

    def rules(self) -> list[RuleInfo]:
        """The rules this selection wants, worked out once per selection: every file asks."""
        registry = all_rules()
        key = (id(registry), self.select, self.ignore)
        if key not in _CHOSEN_RULES:
            _CHOSEN_RULES[key] = [info for code, info in registry.items() if self.wants(code)]
        return _CHOSEN_RULES[key]

    def merged(self, config: Config, path: str, extend_select: tuple[str, ...] = (),
               cli_select: bool = True) -> Selection:
        """Command-line choices over the file's configuration (a CLI --select replaces the config's)."""
        select = self.select if cli_select or not config.select else config.select
        merged = Selection(select + extend_select + config.extend_select,
                           self.ignore + config.ignore + config.ignored_for(path), self.preview)
        merged.validate(f"{config.path}: " if config.path else "")
        return merged


@dataclass
class WorkflowResult:
    """One workflow of a file with its analysis and the findings its rules made."""

    workflow: Workflow
    analysis: Analysis | None
    findings: list[Finding] = field(default_factory=list)


@dataclass
class FileResult:
    """Everything one checked file gave: its workflows, the file's findings (parse errors included) and the
    config that applied."""

    path: str
    results: list[WorkflowResult] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    config: Config = field(default_factory=Config)
    text: str = ""  # what was read (the workflows in ``results`` are its reading)
    reports: list[dict] = field(default_factory=list)  # ``check --summary-report``: made where the file was read


MAX_FILE_BYTES = 64 * 1024 * 1024  # far beyond any real workflow; bounds /dev/zero and friends


def read_text(path: str) -> str:
    """The file's text with LF line endings and no BOM; unreadable is a WFL001 for the file."""
    return read_source(path)[0]


def read_source(path: str) -> tuple[str, TextStyle]:
    """The text and how it was stored (``fsutil.TextStyle``), at most MAX_FILE_BYTES."""
    try:
        if path == "-":
            raw = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
        else:
            with open(path, "rb") as handle:
                raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ParseError(path, f"cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise ParseError(path, f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB; not read")
    try:
        return decode_text(raw)
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ParseError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})", line, column) from None


def _claimed_anyway(path: str) -> bool:
    """Would an adapter read this file, were its bytes text? A file found in a folder that no format
    claims is passed over whatever its encoding; one that looks like a workflow says why it is not read."""
    from wflint import adapters

    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES)
    except OSError:
        return True  # unreadable: the error says so
    return adapters.sniff(path, raw.decode("utf-8", errors="replace")) is not None


def load(path: str, *, explicit: bool = True, stdin_format: str | None = None,
         text: str | None = None) -> list[Workflow] | None:
    """The workflows in a file; None for a file of no known format found in a folder."""
    from wflint import adapters

    if text is None:
        text = read_text(path)
    name = "<stdin>" if path == "-" else path
    if stdin_format and path == "-":
        module = adapters.by_format(stdin_format)
        if module is None:
            raise UsageError(f"unknown --stdin-format {stdin_format!r} (known: {', '.join(adapters.format_names())})")
    else:
        module = adapters.sniff(name, text)
    if module is None:
        if explicit:
            reason = adapters.why_not(name, text)
            raise NotAWorkflow(f"{name}: not a workflow file wflint can read "
                               + (f"({reason})" if reason else f"(known formats: {', '.join(adapters.format_names())})"))
        return None
    return module.read(name, text)


def apply_timings(workflow: Workflow, timings: Mapping[str, float]) -> list[str]:
    """Measured durations onto the tasks they name (by id, else by the task's name); the names
    that match no task are returned, for the caller to report."""
    by_name = {task.name: task_id for task_id, task in workflow.tasks.items()}
    unmatched = []
    for name, seconds in timings.items():
        task_id = name if name in workflow.tasks else by_name.get(name)
        if task_id is None:
            unmatched.append(name)
            continue
        workflow.tasks[task_id].duration = Duration(seconds, DurationSource.MEASURED)
    for name, (seconds, runs) in getattr(timings, "setup", {}).items():
        task_id = name if name in workflow.tasks else by_name.get(name)
        if task_id is not None:
            workflow.tasks[task_id].put(SetupTime(seconds, runs))
    return unmatched


def check_workflow(workflow: Workflow, rules: Iterable[RuleInfo], preview: bool = False,
                   analyzed: Analysis | None = None, text: str | None = None) -> WorkflowResult:
    """The workflow's findings; those that rest on what wflint could not prove only with ``preview``.
    ``analyzed``: the workflow's analysis where the caller has made it already (a report);
    ``text``: the file's text, where each fix is tried on it (``_fixes_as_applied``)."""
    rules = list(rules)
    try:
        analysis: Analysis | None = analyzed if analyzed is not None else analyze(workflow)
    except CycleError:
        analysis = None  # only the rules that need no analysis run (GRA001 names the cycle)
    findings = drop_superseded([f for f in run_rules(workflow, analysis, rules) if preview or not f.preview], rules)
    _say_which_runs(workflow, findings)
    _fixes_as_applied(workflow, findings, text)
    for finding in findings:
        position = workflow.source.resolve(finding.location)
        finding.line, finding.column = position.line, position.column
        finding.end_line, finding.end_column = position.end_line, position.end_column
        finding.related = tuple(_resolved(r, workflow) for r in finding.related)
    findings.sort(key=Finding.sort_key)
    return WorkflowResult(workflow, analysis, findings)


def drop_superseded(findings: list[Finding], rules: list[RuleInfo]) -> list[Finding]:
    """Without the findings another one says better: a rule that ``supersedes`` a code drops that
    code's findings whose tasks all are among its own finding's (a loop's chained copies are
    PAR201's, with its advice, not PAR001's too)."""
    over = {r.code: set(r.supersedes) for r in rules if r.supersedes}
    covering = [(over[f.code], set(f.tasks)) for f in findings if f.code in over and f.tasks]
    if not covering:
        return findings
    return [f for f in findings
            if not (f.tasks and any(f.code in codes and set(f.tasks) <= tasks for codes, tasks in covering))]


def expressible(module, workflow: Workflow, fix) -> bool:
    """Can the format's rewriter make every change of ``fix``? (An adapter without ``supports``
    tries them all; one without ``rewrite`` makes none.)"""
    if module is None or not hasattr(module, "rewrite") or not fix.changes:
        return False
    check = getattr(module, "supports", None)
    return check is None or all(check(workflow, c) for c in fix.changes)


# Characters a dry run may read in all: each change of a fix counts the text once (a rewriter may
# re-read the file per change: GitHub's does, for fresh positions). Counted per fix, one fix of
# 1,000 removed orderings on a 1,000-job file took minutes; now check stays linear.
DRY_RUN_BUDGET = 5_000_000


def _fixes_as_applied(workflow: Workflow, findings: list[Finding], text: str | None = None) -> None:
    """A fix the format's rewriter cannot make is marked to make by hand: `check --show-fixes` never
    offers as applied what `wflint fix` then lists as a change by hand. Where the text is given,
    each fix the rewriter says it supports is also rewritten on it (not applied): a shape it turns
    down there (a statement the removal would delete) is by hand too. Past ``DRY_RUN_BUDGET`` (a
    generated file of thousands of fixes, a fix of thousands of changes) the fixes that no longer fit
    are not tried."""
    from wflint.adapters import by_format

    module = by_format(workflow.format)
    left = DRY_RUN_BUDGET if text is not None else 0
    for finding in findings:
        fix = finding.fix
        if fix is None or fix.applicability is Applicability.DISPLAY:
            continue
        if not expressible(module, workflow, fix):
            finding.fix = dataclasses.replace(fix, by_hand=True)
        elif text is not None and (cost := len(text) * max(1, len(fix.changes))) <= left:
            left -= cost
            if _refused(module, text, workflow, fix):
                finding.fix = dataclasses.replace(fix, by_hand=True)


def _refused(module, text: str, workflow: Workflow, fix) -> bool:
    """Does the format's rewriter turn the fix down on this text (``RewriteError``)?"""
    from .errors import RewriteError

    try:
        module.rewrite(text, workflow, list(fix.changes))
    except RewriteError:
        return True
    return False


def _say_which_runs(workflow: Workflow, findings: list[Finding]) -> None:
    """Where the workflow's triggers start different runs, a finding on tasks of some of them says
    which (its detail begins with it): a race in the webhook's run is not one in the schedule's."""
    from .analysis.runs import in_words, run_tasks
    from .display import printable

    runs = run_tasks(workflow) if findings else []
    for finding in findings if runs else ():
        mine = [started_by for started_by, tasks in runs if finding.tasks and tasks.issuperset(finding.tasks)]
        if mine and len(mine) < len(runs):
            said = printable(f"in {in_words(mine)}")
            finding.detail = f"{said}; {finding.detail}" if finding.detail else said


def collapse_identical(findings: list[Finding]) -> list[Finding]:
    """One finding per code, tasks, subject and place: a fact reached twice is reported once."""
    seen: set[tuple] = set()
    kept = []
    for finding in findings:
        key = (finding.fingerprint, finding.line, finding.column)
        if key not in seen:
            seen.add(key)
            kept.append(finding)
    return kept


def collapse_copies(findings: list[Finding], shown: int = 2) -> list[Finding]:
    """One finding for the copies of one workflow: where one call in a loop makes several (an
    Airflow factory called per config entry), each copy's finding is the same code, words, tasks
    and place; it is said once, naming how many workflows it holds for."""
    groups: dict[tuple, list[Finding]] = {}
    for finding in findings:
        key = (finding.code, finding.line, finding.column, finding.full_message, finding.tasks)
        groups.setdefault(key, []).append(finding)
    kept = []
    for copies in groups.values():  # in order of each group's first finding
        finding = copies[0]
        names = list(dict.fromkeys(f.workflow for f in copies))
        if len(names) > 1:
            listed = ", ".join(f"`{n}`" for n in names[:shown]) + (f" and {len(names) - shown} more"
                                                                   if len(names) > shown else "")
            said = f"the same in {len(names)} workflows made here ({listed})"
            finding.detail = f"{finding.detail}; {said}" if finding.detail else said
        kept.append(finding)
    return kept


def _resolved(related: Related, workflow: Workflow) -> Related:
    position = workflow.source.resolve(related.location)
    return related.at(position.line, position.column)


def load_configured(path: str, config: Config, text: str | None = None,
                    timings: Mapping[str, float] | None = None, **kwargs) -> list[Workflow] | None:
    """``load`` with the file's configuration (durations, limits, effects) and timings applied."""
    workflows = load(path, text=text, **kwargs)
    for workflow in workflows or ():
        configure(workflow, path, config, timings)
    return workflows


def configure(workflow: Workflow, path: str, config: Config, timings: Mapping[str, float] | None = None) -> None:
    """The configuration's durations, limits and effects, then measured timings, applied and checked."""
    config.apply(workflow)
    if timings:
        apply_timings(workflow, timings)
    _check_durations(workflow, path)


def _check_durations(workflow: Workflow, path: str) -> None:
    """A NaN, infinite or negative duration (a Wait of NaN hours, a huge configured time) would make
    every schedule meaningless: the file is reported, never analysed into nonsense or a traceback."""
    import math

    for task in workflow.tasks.values():
        seconds = task.duration.seconds
        if not (math.isfinite(seconds) and 0 <= seconds < 1e12):
            position = workflow.source.resolve(task.location)
            raise ParseError(path, f"task {task.id!r} would take {seconds} s: a duration must be a finite "
                                   "number of seconds, not negative, below 10^12", position.line, position.column)


def lint_paths(paths: list[str], selection: Selection, *, stdin_format: str | None = None,
               timings: Mapping[str, float] | None = None, config_path: str | None = None,
               cli_select: bool = True, extend_select: tuple[str, ...] = (),
               ignore_unknown: bool = False, notices: list[str] | None = None,
               seen: list[tuple[str, str]] | None = None, jobs: int = 1,
               finish: Callable[[FileResult], None] | None = None,
               progress: Callable[[int, int], None] | None = None) -> list[FileResult]:
    """Check every workflow file under ``paths``; each file under its own nearest configuration.

    A named file of no known format is passed over, its reason added to ``notices``, as long as
    some other named file could be read: one helper module among the DAGs must not hide the rest.
    ``seen`` gets (path, what became of it) for every candidate file, for ``check -v``. ``jobs``:
    worker processes for many files (``pool.py``; results in the same order either way);
    ``finish`` runs on each file's result where it was linted (e.g. SARIF's fix edits)."""
    candidates = list(discover.expand(paths, ignore_unknown))
    if any(path == "-" for path, _ in candidates):
        jobs = 1  # standard input is this process's
    plan = _Plan(paths, selection, stdin_format, timings, config_path, cli_select, extend_select, finish)
    results, passed_over = [], []
    said = seen if seen is not None else []
    pooled = pool.workers_for(len(candidates), jobs) > 1
    for outcome in pool.map_in_order(plan.lint, candidates, jobs, _transferable, progress, preload_readers(candidates)):
        said.append((outcome.path, outcome.what))
        if outcome.notice is not None:
            passed_over.append(outcome.notice)
        if outcome.result is not None:
            results.append(_at_home(outcome.result, config_path) if pooled else outcome.result)
    if passed_over and not results:
        raise passed_over[0] if len(passed_over) == 1 else NotAWorkflow(
            f"none of the {len(passed_over)} files named is a workflow file wflint can read ({passed_over[0]})")
    if notices is not None:
        notices.extend(str(n) for n in passed_over)
    return results


def preload_readers(candidates: list[tuple[str, bool]]) -> Callable[[], None]:
    """What a pool does before it forks: import the readers the files will likely need, once."""
    def preload() -> None:
        from wflint import adapters

        adapters.preload([path for path, _ in candidates])

    return preload


@dataclass
class _Outcome:
    """What became of one candidate file, as a worker process sends it back."""

    path: str
    what: str  # for ``check -v``
    result: FileResult | None = None
    notice: NotAWorkflow | None = None


@dataclass
class _Plan:
    """Everything ``lint_paths`` does to one file, so that a worker process can do it."""

    named: list[str]
    selection: Selection
    stdin_format: str | None
    timings: Mapping[str, float] | None
    config_path: str | None
    cli_select: bool
    extend_select: tuple[str, ...]
    finish: Callable[[FileResult], None] | None

    def lint(self, candidate: tuple[str, bool]) -> _Outcome:
        path, explicit = candidate
        config = find_config(path, self.config_path)
        if config.excludes(path, named=path in self.named):
            return _Outcome(path, f"excluded by {config.path}")
        chosen = self.selection.merged(config, path, self.extend_select, self.cli_select)
        try:
            result = lint_file(path, explicit, chosen, config, stdin_format=self.stdin_format, timings=self.timings)
        except NotAWorkflow as notice:
            return _Outcome(path, "passed over: no known format", notice=notice)
        if result is not None and self.finish is not None:
            self.finish(result)
        return _Outcome(path, _what_was_read(result), result)


def _transferable(outcome: _Outcome) -> _Outcome:
    """A worker's outcome without what only the worker needs: the analyses, the source maps (the
    findings carry their positions already) and the tasks' facets (the rules read them; the parent
    reads findings, task ids, names and flags, and workflow facets for coverage): pickling those was
    most of the way back."""
    from .ir import SourceIndex

    for checked in outcome.result.results if outcome.result else ():
        checked.analysis = None
        checked.workflow.source = SourceIndex()
        for task in checked.workflow.tasks.values():
            task.facets = {}
    return outcome


def _at_home(result: FileResult, config_path: str | None) -> FileResult:
    """A result from a worker, on this process's configuration (with the entries it matched)."""
    config = find_config(result.path, config_path) if result.config.path else result.config
    if config is not result.config:
        config.matched |= result.config.matched
        result.config = config
    return result


def _what_was_read(result: FileResult | None) -> str:
    if result is None:
        return "passed over: no known format"
    formats = sorted({w.workflow.format for w in result.results})
    if formats:
        return f"read as {', '.join(formats)} ({len(result.results)} workflow(s))"
    return "not read: " + ("; ".join(f.code for f in result.findings) or "no workflow in it")


def lint_file(path: str, explicit: bool, selection: Selection, config: Config, *,
              stdin_format: str | None = None, timings: Mapping[str, float] | None = None,
              text: str | None = None, analyses: list[Analysis] | None = None) -> FileResult | None:
    """``text``: the file's text when the caller has read it already (standard input reads once);
    ``analyses``: its workflows, configured and analysed already (a report), not read again."""
    result = FileResult("<stdin>" if path == "-" else path, config=config)
    rules = selection.rules()
    try:
        text = read_text(path) if text is None else text
    except ParseError as error:
        if not explicit and not _claimed_anyway(path):  # a README in UTF-16 found in a folder: not ours
            return None
        if selection.wants("WFL001"):
            result.findings.append(error.finding(all_rules()["WFL001"]))
        return result
    try:
        if analyses is not None:
            workflows: list[Workflow] | None = [a.workflow for a in analyses]
        else:
            workflows = load(path, explicit=explicit, stdin_format=stdin_format, text=text)
            for workflow in workflows or ():
                configure(workflow, path, config, timings)
    except ParseError as error:
        if selection.wants("WFL001"):
            result.findings.append(error.finding(all_rules()["WFL001"]))
        return result
    except NothingRead as nothing:
        if selection.wants("WFL003"):
            result.findings.append(nothing.finding(all_rules()["WFL003"]))
        return result
    if workflows is None:
        return None
    result.text = text
    findings = []
    given: list[Analysis | None] = list(analyses) if analyses is not None else [None] * len(workflows)
    for workflow, analyzed in zip(workflows, given):
        checked = check_workflow(workflow, rules, selection.preview, analyzed, text)
        result.results.append(checked)
        findings.extend(checked.findings)
    kept, directives = suppress.apply(collapse_copies(collapse_identical(findings)), text, workflows)
    if selection.wants("WFL002"):
        kept.extend(suppress.unused(result.path, directives, all_rules(), selection.wants))
    kept.sort(key=Finding.sort_key)
    result.findings = kept
    return result


def default_findings(path: str, text: str, config: Config, *, stdin_format: str | None = None,
                     timings: Mapping[str, float] | None = None,
                     analyses: list[Analysis] | None = None) -> list[Finding]:
    """What ``wflint check`` shows by default on one file already read (its configuration and
    suppressions applied): the findings a report lists beside its analysis. ``analyses``: the
    report's own, so the file is read and analysed once."""
    selection = Selection(("ALL",), (), False).merged(config, path, (), cli_select=False)
    checked = lint_file(path, True, selection, config, stdin_format=stdin_format, timings=timings, text=text,
                        analyses=analyses)
    return checked.findings if checked else []
