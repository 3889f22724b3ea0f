"""The public Python API: what the command line does, as functions that return data.

    import wflint
    findings = wflint.check_paths(["dags/", ".github/workflows/"])
    reports = wflint.analyze("workflow.json")
    outcome = wflint.fix("workflow.json")          # nothing is written unless write=True

Each function reads files the way ``wflint check`` does (discovery, the nearest configuration,
suppressions) and raises ``wflint.UsageError`` where the command would exit 2. Findings are
``wflint.Finding`` objects; reports are the dictionaries ``wflint report --format json`` prints
(``schemas/report.schema.json``).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import field

from wflint.records import dataclass

from .errors import ParseError, UsageError
from .finding import Finding


def check_paths(paths: Iterable[str], *, select: Iterable[str] = ("ALL",), ignore: Iterable[str] = (),
                preview: bool = False, config: str | None = None) -> list[Finding]:
    """The findings for every workflow file under ``paths``, sorted by file and position."""
    from .engine import Selection, lint_paths

    selection = Selection(tuple(select), tuple(ignore), preview)
    selection.validate()
    results = lint_paths([str(p) for p in paths], selection, config_path=config, cli_select=tuple(select) != ("ALL",))
    return [f for r in results for f in r.findings]


def analyze(path: str, *, text: str | None = None, timings: dict[str, float] | None = None,
            config: str | None = None) -> list[dict]:
    """The full analysis of each workflow in one file (``text`` instead of reading ``path``), as the
    report's JSON data with what ``check`` finds in it. An unreadable file raises ``wflint.ParseError``."""
    from .analysis import analyze as analyze_workflow
    from .config import find_config
    from .engine import default_findings, load_configured, read_text
    from .report import run_reports

    settings = find_config(str(path), config)
    source = read_text(str(path)) if text is None else text
    workflows = load_configured(str(path), settings, text=source, timings=timings)
    if workflows is None:
        raise UsageError(f"{path}: not a workflow file wflint can read")
    analyses = [analyze_workflow(w) for w in workflows]
    findings = default_findings(str(path), source, settings, timings=timings, analyses=analyses)
    return [r for a in analyses for r in run_reports(a, [f for f in findings if f.workflow == a.workflow.name])]


@dataclass
class FixResult:
    """What ``fix`` would write: the new text, a unified diff, the findings fixed and those refused."""

    path: str
    text: str
    diff: str
    fixed: list[Finding] = field(default_factory=list)
    refused: list[tuple[Finding, str]] = field(default_factory=list)
    written: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.diff)


def fix(path: str, *, unsafe: bool = False, preview: bool = False, write: bool = False,
        config: str | None = None) -> FixResult:
    """The verified rewrite of one file (safe fixes only unless ``unsafe``); written only if ``write``."""
    from .engine import Selection
    from .fixer import fix_file
    from .fsutil import write_atomic

    outcome = fix_file(str(path), Selection(preview=preview), unsafe, config)
    if outcome.unreadable is not None:
        raise outcome.unreadable
    if outcome.refused:
        raise UsageError(f"{path}: not fixed: {outcome.refused}")
    result = FixResult(str(path), outcome.written, outcome.diff() if outcome.changed else "",
                       list(outcome.applied), list(outcome.rejected))
    if write and result.changed:
        write_atomic(str(path), outcome.written)
        result.written = True
    return result


__all__ = ["FixResult", "ParseError", "UsageError", "analyze", "check_paths", "fix"]
