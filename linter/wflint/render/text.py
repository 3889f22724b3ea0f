"""Terminal output: one line per finding (``path:line:col: CODE message``) and the text report."""
from __future__ import annotations

from collections import Counter
from dataclasses import field

from wflint.records import dataclass

from ..analysis.durations import fmt_seconds, known_figure, known_total, saved_words
from ..display import printable
from ..finding import Finding

_COLOURS = {"error": "31", "warning": "33", "info": "36", "path": "1", "dim": "2", "caret": "31;1"}


@dataclass(frozen=True)
class TextOptions:
    """How ``check`` prints for a person: colours (a terminal without ``NO_COLOR``, or
    ``FORCE_COLOR``), the source line under each finding, fix titles, no summary line (``-q``)."""

    colour: bool = False
    show_source: bool = False
    show_fixes: bool = False
    quiet: bool = False
    sources: dict[str, str] = field(default_factory=dict)  # path → the text read, for --show-source

    def paint(self, text: str, what: str) -> str:
        return f"\x1b[{_COLOURS[what]}m{text}\x1b[0m" if self.colour else text


def check_text(findings: list[Finding], files: int, options: TextOptions | None = None) -> str:
    options = options or TextOptions()
    lines: list[str] = []
    for f in findings:
        lines.append(_finding_line(f, options))
        if options.show_source:
            lines += _snippet(f, options)
        if f.detail and not options.quiet:  # after the source, as ruff puts its help
            lines.append(f"  {options.paint(f.detail, 'dim')}")
        if options.show_fixes and f.fix is not None:
            how = f.fix.applicability.value + (", by hand" if f.fix.by_hand else "")
            lines.append(f"  {options.paint('fix', 'dim')} ({how}): {f.fix.title}")
    if options.quiet:
        return "\n".join(lines)
    if not findings:
        lines.append(f"All checks passed ({files} file{'s' if files != 1 else ''}).")
        return "\n".join(lines)
    counts = Counter(f.severity.value for f in findings)
    parts = [f"{counts[s]} {s}{'s' if counts[s] != 1 else ''}" for s in ("error", "warning", "info") if counts[s]]
    saved = sum(f.saved_s or 0.0 for f in findings)
    tail = f"; parallelizing could save {fmt_seconds(saved)}" if saved > 0 else ""
    lines.append(f"Found {len(findings)} finding{'s' if len(findings) != 1 else ''} "
                 f"({', '.join(parts)}) in {files} file{'s' if files != 1 else ''}{tail}.")
    return "\n".join(lines)


def _finding_line(f: Finding, options: TextOptions) -> str:
    where = options.paint(f"{f.path}:{f.line}:{f.column}:", "path")
    code = options.paint(f.code, f.severity.value)
    confidence = "" if f.confidence.value == "high" else f" [{f.confidence.value} confidence]"
    return f"{where} {code} {f.message}{confidence}"


def _snippet(f: Finding, options: TextOptions) -> list[str]:
    """The finding's source line with its number and a caret under the column, as ruff shows it."""
    text = options.sources.get(f.path)
    lines = text.split("\n") if text else []
    if not 1 <= f.line <= len(lines):
        return []
    source = printable(lines[f.line - 1].replace("\t", " "))
    gutter = " " * len(str(f.line))
    caret = " " * max(f.column - 1, 0) + "^"
    return [options.paint(f"{gutter} |", "dim"), f"{options.paint(f'{f.line} |', 'dim')} {source}",
            f"{options.paint(f'{gutter} |', 'dim')} {options.paint(caret, 'caret')}"]


def report_text(report: dict) -> str:
    tasks = {t["id"]: t for t in report["tasks"]}

    def label(t: str) -> str:
        return tasks[t]["name"]

    shape = report["structure"]
    out = [f"{report['title']} ({report['path']}, {report['format']}, {report['engine']['mode']})",
           f"durations: {report['duration_source']}", "", "Current flow:"]
    if shape["timed"]:
        for t in sorted(report["tasks"], key=lambda x: (x["current_start_s"], x["id"])):
            out.append(f"  {fmt_seconds(t['current_start_s']):>7}  {t['name']} ({fmt_seconds(t['duration_s'])}, "
                       f"{t['duration_source']})")
        out.append(f"  total {fmt_seconds(report['current_s'])}")
    else:
        for t in sorted(report["tasks"], key=lambda x: (shape["stage_before"][x["id"]], x["id"])):
            figure = known_figure(t)
            out.append(f"  stage {shape['stage_before'][t['id']]:>3}  {t['name']}"
                       + ("" if figure == "unknown" else f": {figure}"))
        out.append(f"  {shape['depth_before']} stage(s) deep, up to {shape['width_before']} side by side "
                   f"({known_total(report)}; pass --timings)")
    out += ["", "Opportunities:"]
    if not report["groups"] and not report["batches"] and not report["fanouts"]:
        out.append("  none")
    for i, g in enumerate(report["groups"], start=1):
        out.append(f"  {i}. {' + '.join(label(t) for t in g['tasks'])}: {saved_words(report, g['saved_s'])}")
        out.append(f"     {g['reason']}")
    for b in report["batches"]:
        out.append(f"  - {' + '.join(label(t) for t in b['tasks'])}: one task fed one item per call sends them at "
                   f"once, about {fmt_seconds(b['sequential_s'])} → {fmt_seconds(b['batched_s'])} "
                   f"({b['duration_source']} durations)")
    for f in report["fanouts"]:
        out.append(f"  - {label(f['task'])} per item: {fmt_seconds(f['sequential_s'])} → {fmt_seconds(f['fanned_s'])}, "
                   f"saves {fmt_seconds(f['saved_s'])}")
        out.append(f"     {f['reason']}")
    if report["unchecked"]:
        out += ["", "Not checked (kept in order: effects unknown, declare them to have these checked):"]
        out += [f"  - {len(u['orderings'])} ordering(s) among {', '.join(label(t) for t in u['tasks'])}: "
                + ("no task's effects are known" if u["unknown"] == u["tasks"]
                   else f"effects of {', '.join(label(t) for t in u['unknown'])} unknown")
                for u in report["unchecked"]]
    races = report["dependency_check"]["races_as_designed"]
    if races:
        out += ["", "Races as designed:"]
        out += [f"  {' and '.join(r['tasks'])}: {r['kind']} on {r['resource']}" for r in races]
    if shape["timed"]:
        out += ["", f"Before: {fmt_seconds(report['current_s'])}   after: {fmt_seconds(report['optimized_s'])}   "
                f"ideal: {fmt_seconds(report['ideal_s'])}   saved: {fmt_seconds(report['saved_s'])} "
                f"({report['saved_pct']:.1f}%)"]
        out.append("Critical path: " + " → ".join(label(t) for t in report["critical_path"]))
        out.append("Critical path as designed: " + " → ".join(label(t) for t in report["critical_path_before"]))
    else:
        out += ["", f"Before: {shape['depth_before']} stage(s) deep   after: {shape['depth_after']} stage(s) deep   "
                f"orderings removed: {shape['removable_orderings']}   time saved: unknown without timings"]
    conc = report["resource_check"]["concurrency"]
    if conc["limit"]:
        out.append(f"Concurrency cap: {conc['limit']} task(s) at once ({conc['source']}); "
                   f"the parallel plan holds {conc['peak_optimized']} at most")
    from ..cost import cost_sentences

    said = cost_sentences(report, {t: label(t) for t in tasks})
    if said:
        out += ["", "Cost of running in parallel:", *(f"  {s}" for s in said)]
    out += ["", "Recommendations:"]
    out += [f"  - {r['text']}" + (f" {r['partial_failure']}" if r["partial_failure"] else "")
            for r in report["recommendations"]]
    return "\n".join(out)


def statistics(findings: list[Finding], rules) -> str:
    """ruff-style ``--statistics``: count, code, ``[*]`` where ``fix`` applies to some by default, name."""
    counts = Counter(f.code for f in findings)
    fixable = {f.code for f in findings if f.fix is not None and f.fix.changes and not f.fix.by_hand
               and f.fix.applicability.value == "safe"}
    return "\n".join(f"{n:>5}  {code}  {'[*]' if code in fixable else '   '} {rules[code].name}" for code, n in
                     sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

