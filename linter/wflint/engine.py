"""Lint orchestration: file → adapter → IR → analysis → rules → findings (docs/architecture.md)."""
from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass, field

from . import discover, suppress
from .analysis import Analysis, analyze
from .analysis.graph import CycleError
from .config import Config, find_config
from .errors import NothingRead, ParseError, UsageError
from .finding import Finding
from .ir import Duration, DurationSource, Workflow
from .rule import RuleInfo, all_rules, run_rules


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
            if pattern != "ALL" and not any(c.startswith(pattern) for c in codes):
                raise UsageError(f"{where}unknown rule code or prefix: {pattern!r} (see `wflint rules`)")

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
    workflow: Workflow
    analysis: Analysis | None
    findings: list[Finding] = field(default_factory=list)


@dataclass
class FileResult:
    path: str
    results: list[WorkflowResult] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    config: Config = field(default_factory=Config)
    text: str = ""  # what was read (the workflows in ``results`` are its reading)


def read_text(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except UnicodeDecodeError as exc:
        raise ParseError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise UsageError(f"{path}: {exc.strerror}") from None


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
            raise UsageError(f"{name}: not a workflow file wflint can read "
                             f"(known formats: {', '.join(adapters.format_names())})")
        return None
    return module.read(name, text)


def apply_timings(workflow: Workflow, timings: dict[str, float]) -> None:
    for task_id, seconds in timings.items():
        if task_id in workflow.tasks:
            workflow.tasks[task_id].duration = Duration(seconds, DurationSource.MEASURED)


def check_workflow(workflow: Workflow, rules: Iterable[RuleInfo], preview: bool = False) -> WorkflowResult:
    """The workflow's findings; those that rest on what wflint could not prove only with ``preview``."""
    rules = list(rules)
    try:
        analysis: Analysis | None = analyze(workflow)
    except CycleError:
        analysis = None  # only the rules that need no analysis run (GRA001 names the cycle)
    findings = [f for f in run_rules(workflow, analysis, rules) if preview or not f.preview]
    for finding in findings:
        position = workflow.source.resolve(finding.location)
        finding.line, finding.column = position.line, position.column
        finding.end_line, finding.end_column = position.end_line, position.end_column
        finding.related = tuple(_resolved(r, workflow) for r in finding.related)
    findings.sort(key=Finding.sort_key)
    return WorkflowResult(workflow, analysis, findings)


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


def _resolved(related, workflow: Workflow):
    from dataclasses import replace

    position = workflow.source.resolve(related.location)
    return replace(related, line=position.line, column=position.column)


def load_configured(path: str, config: Config, text: str | None = None, **kwargs) -> list[Workflow] | None:
    """``load`` with the file's configuration (durations, limits, effects) applied."""
    workflows = load(path, text=text, **kwargs)
    for workflow in workflows or ():
        config.apply(workflow)
    return workflows


def lint_paths(paths: list[str], selection: Selection, *, stdin_format: str | None = None,
               timings: dict[str, float] | None = None, config_path: str | None = None,
               cli_select: bool = True, extend_select: tuple[str, ...] = (),
               ignore_unknown: bool = False) -> list[FileResult]:
    """Check every workflow file under ``paths``; each file under its own nearest configuration."""
    results = []
    for path, explicit in discover.expand(paths, ignore_unknown):
        config = find_config(path, config_path)
        chosen = selection.merged(config, path, extend_select, cli_select)
        result = lint_file(path, explicit, chosen, config, stdin_format=stdin_format, timings=timings)
        if result is not None:
            results.append(result)
    return results


def lint_file(path: str, explicit: bool, selection: Selection, config: Config, *,
              stdin_format: str | None = None, timings: dict[str, float] | None = None) -> FileResult | None:
    result = FileResult("<stdin>" if path == "-" else path, config=config)
    rules = [info for code, info in all_rules().items() if selection.wants(code)]
    try:
        text = read_text(path)
        workflows = load(path, explicit=explicit, stdin_format=stdin_format, text=text)
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
    for workflow in workflows:
        config.apply(workflow)
        if timings:
            apply_timings(workflow, timings)
        checked = check_workflow(workflow, rules, selection.preview)
        result.results.append(checked)
        findings.extend(checked.findings)
    kept, directives = suppress.apply(collapse_identical(findings), text, workflows)
    if selection.wants("WFL002"):
        kept.extend(suppress.unused(result.path, directives, all_rules(), selection.wants))
    kept.sort(key=Finding.sort_key)
    result.findings = kept
    return result
