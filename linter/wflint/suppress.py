"""Inline suppressions: ``# wflint: ignore[CODE,...] reason`` (docs/architecture.md), and for a
whole file ``# wflint: ignore-file[CODE,...] reason`` anywhere in it.

A directive silences the codes it names (all codes when it names none) for findings reported on
its line, or on the line of a task the finding is about (its key, job, step or operator). In JSON
formats, where there are no comments, an adapter puts a task's free-text notes in
a task's ``Notes`` facet (n8n node notes) and the same directive there covers that task. A directive that silences
nothing is itself reported (WFL002), like ruff's unused ``noqa``.
"""
from __future__ import annotations

import re
from dataclasses import field

from wflint.patterns import lazy
from wflint.records import dataclass

from .facets import Notes
from .finding import Finding
from .ir import Workflow

DIRECTIVE = lazy(r"wflint:\s*ignore(-file)?(?:\[([^\]]*)\])?", re.I)


@dataclass
class Directive:
    """One ``wflint: ignore[...]`` comment or note, with the codes it silenced, so unused ones can be reported."""

    line: int
    column: int
    codes: tuple[str, ...] | None  # None: every code
    task: str | None = None  # set for directives found in a task's notes
    used: set[str] = field(default_factory=set)
    whole_file: bool = False  # ``wflint: ignore-file[...]``: every finding of the file

    def covers(self, code: str) -> bool:
        return self.codes is None or any(code.startswith(c) for c in self.codes)


def parse(text: str, line: int = 0, task: str | None = None) -> list[Directive]:
    if "wflint" not in text:
        return []
    out = []
    for number, content in enumerate(text.splitlines(), start=1):
        for m in DIRECTIVE.finditer(content):
            codes = None if m.group(2) is None else tuple(c.strip().upper() for c in m.group(2).split(",") if c.strip())
            out.append(Directive(line or number, m.start() + 1, codes, task, whole_file=bool(m.group(1))))
    return out


def apply(findings: list[Finding], text: str, workflows: list[Workflow]) -> tuple[list[Finding], list[Directive]]:
    """Findings that survive, and every directive (with what it silenced) for the WFL002 check.

    JSON has no comments: a directive in a JSON file's text sits inside a string (a node's notes),
    and is taken from the Notes facet only, once; read from the text as well, it would be a second,
    unused copy (a spurious WFL002)."""
    directives = [] if text.lstrip().startswith(("{", "[")) else parse(text)
    for wf in workflows:
        for task in wf.tasks.values():
            notes = task.facet(Notes)
            if notes is not None:
                line = wf.source.resolve(task.location).line
                directives.extend(parse(notes.text, line=line, task=task.id))
    if not directives:
        return findings, []
    by_line: dict[int, list[Directive]] = {}
    for d in directives:
        by_line.setdefault(d.line, []).append(d)
    task_lines = {(wf.name, t): wf.source.resolve(task.location).line
                  for wf in workflows for t, task in wf.tasks.items()}
    whole_file = [d for d in directives if d.whole_file]
    kept = []
    for f in findings:
        lines = {f.line} | {task_lines[(f.workflow, t)] for t in f.tasks if (f.workflow, t) in task_lines}
        hit = next((d for line in sorted(lines) for d in by_line.get(line, ()) if d.covers(f.code)
                    and not d.whole_file and (d.task is None or d.task in f.tasks)), None)
        hit = hit or next((d for d in whole_file if d.covers(f.code)), None)
        if hit is None:
            kept.append(f)
        else:
            hit.used.add(f.code)
    return kept, directives


def unused(path: str, directives: list[Directive], rules: dict, selected) -> list[Finding]:
    """WFL002 findings: directives that silenced nothing, or name codes no rule has."""
    info = rules["WFL002"]
    known_codes = list(rules)
    out = []
    for d in directives:
        named = d.codes if d.codes is not None else ()
        unknown = [c for c in named if not any(k.startswith(c) for k in known_codes)]
        unused = [c for c in named if c not in unknown and not any(u.startswith(c) for u in d.used)
                  and any(selected(k) for k in known_codes if k.startswith(c))]
        if d.codes is None and not d.used:
            message = f"suppression `wflint: {'ignore-file' if d.whole_file else 'ignore'}` suppresses nothing here"
        elif unknown:
            message = f"suppression names unknown code{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}"
        elif unused:
            message = f"suppression of {', '.join(unused)} suppresses nothing here"
        else:
            continue
        out.append(Finding(code=info.code, name=info.name, severity=info.severity, message=message,
                           path=path, line=d.line, column=d.column, tasks=(d.task,) if d.task else ()))
    return out
