"""The command line (docs/architecture.md). Heavy work is imported inside each command to keep start-up fast."""
from __future__ import annotations

import sys
from collections.abc import Mapping

import click

from . import __version__
from .errors import NothingRead, ParseError, UsageError

FAIL_ON = ("error", "warning", "info", "never")


def _codes(value: str | None) -> tuple[str, ...]:
    return tuple(c.strip().upper() for c in (value or "").split(",") if c.strip())


def _write(text: str, output_file: str | None, inputs: tuple[str, ...] | list[str] = (), colour: bool = False) -> None:
    from .fsutil import WriteError, check_output_target, write_atomic

    if output_file:
        check_output_target(output_file, list(inputs))
        write_atomic(output_file, text + "\n")
        return
    try:
        click.echo(text, color=True if colour else None)  # click strips colours off a terminal otherwise
        sys.stdout.flush()
    except OSError as exc:
        import os

        sys.stdout = open(os.devnull, "w")  # nothing more can be written; exit without a second error
        raise WriteError(f"cannot write to standard output: {exc.strerror or exc}") from None


class _Group(click.Group):
    """Turns wflint's own errors into one line and exit code 2, never a traceback."""

    def invoke(self, ctx):
        from .config import forget_configs
        from .fsutil import WriteError

        forget_configs()  # one process may run several commands (tests, a library user)
        try:
            return super().invoke(ctx)
        except (UsageError, WriteError) as exc:
            click.echo(f"wflint: error: {exc}", err=True)
            sys.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="wflint")
def main() -> None:
    """Find the steps of a workflow that could run in parallel, the time that saves, and the
    parallel branches that are unsafe."""
    import gc

    # A short-lived process that builds large acyclic structures: the cyclic collector would
    # rescan them again and again (half the time on a 10,000-task workflow) and free nothing.
    gc.disable()


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "--output-format", "fmt", type=click.Choice(["text", "json", "sarif", "github"]), default="text",
              show_default=True)
@click.option("--select", help="Comma-separated codes or prefixes to report (replaces the config's select).")
@click.option("--extend-select", help="Codes or prefixes to report in addition.")
@click.option("--ignore", help="Comma-separated codes or prefixes to leave out.")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default=None,
              help="Lowest severity that makes the exit code 1 [default: the config's, else error].")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings reach --fail-on.")
@click.option("--statistics", is_flag=True, help="Print the number of findings per code instead of the findings.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Use this config file instead of searching.")
@click.option("--output-file", type=click.Path(dir_okay=False), help="Write the output here instead of stdout.")
@click.option("--stdin-format", help="Format of '-' (standard input), e.g. spec.")
@click.option("--timings", type=click.Path(exists=True, dir_okay=False), multiple=True,
              help="Measured durations: a JSON map (task → seconds) or an engine's run data; repeatable (median).")
@click.option("--ignore-unknown", is_flag=True, help="Pass over named files of no workflow format (for hooks).")
@click.option("--preview", is_flag=True,
              help="Also show findings that rest on what wflint could not prove (unknown effects, no time saved).")
@click.option("--sarif-file", type=click.Path(dir_okay=False), help="Also write the findings as SARIF here.")
@click.option("--summary-file", type=click.Path(dir_okay=False),
              help="Also write a Markdown summary of the findings here (e.g. for a CI job summary).")
@click.option("--min-confidence", type=click.Choice(["low", "medium", "high"]), default="low", show_default=True,
              help="Leave out findings wflint is less sure of than this.")
@click.option("--show-source", is_flag=True, help="Text: show the source line of each finding, with a caret.")
@click.option("--show-fixes", is_flag=True, help="Text: show the fix each finding offers.")
@click.option("-q", "--quiet", is_flag=True, help="Text: print the findings only, no summary line.")
@click.option("-v", "--verbose", is_flag=True, help="Say what became of each file (read as which format, passed over).")
def check(paths, fmt, select, extend_select, ignore, fail_on, exit_zero, statistics, config_path, output_file,
          stdin_format, timings, ignore_unknown, preview, sarif_file, summary_file, min_confidence, show_source,
          show_fixes, quiet, verbose) -> None:
    """Report parallelization opportunities and unsafe parallel branches."""
    from .engine import Selection, lint_paths
    from .finding import Severity
    from .render.text import TextOptions

    selection = Selection(_codes(select) or ("ALL",), _codes(ignore), preview)
    selection.validate()
    notices: list[str] = []
    seen: list[tuple[str, str]] = []
    measured = _timings(timings)
    results = lint_paths(list(paths), selection, stdin_format=stdin_format, timings=measured,
                         config_path=config_path, cli_select=bool(select), extend_select=_codes(extend_select),
                         ignore_unknown=ignore_unknown, notices=notices, seen=seen)
    for path, what in seen if verbose else ():
        click.echo(f"wflint: {path}: {what}", err=True)
    for notice in notices:
        click.echo(f"wflint: notice: {notice}; passed over", err=True)
    _warn_unmatched(measured, [w.workflow for r in results for w in r.results])
    _warn_unused_config(results, paths)
    _keep_confident(results, min_confidence)
    if fmt == "sarif" or sarif_file:  # the verified fixes as replacements, from the workflows just read
        from .fixer import attach_edits

        for result in results:
            attach_edits(result)
    findings = [f for r in results for f in r.findings]
    options = TextOptions(colour=_colour(output_file), show_source=show_source, show_fixes=show_fixes, quiet=quiet,
                          sources={r.path: r.text for r in results} if show_source else {})
    _write(_render_findings(findings, results, fmt, statistics, options), output_file, paths,
           colour=options.colour and fmt == "text")
    if sarif_file:
        _write(_render_findings(findings, results, "sarif", False), sarif_file, paths)
    if summary_file:
        from .render.markdown import check_summary

        _write(check_summary(findings, len(results)), summary_file, paths)
    failing = False
    for result in results:
        threshold = fail_on or result.config.fail_on or "error"
        if threshold != "never":
            rank = Severity(threshold).rank
            failing = failing or any(f.severity.rank >= rank for f in result.findings)
    if failing and not exit_zero:
        sys.exit(1)


def _warn_unused_config(results, paths) -> None:
    """Config entries that named no task, when a whole folder was checked (a hook names a few
    staged files: an entry for another file's task is no mistake there)."""
    import os

    from .config import unused_entries

    if not any(os.path.isdir(p) for p in paths):
        return
    configs = {id(r.config): r.config for r in results if r.config.path}
    for config in configs.values():
        unused = unused_entries(config)
        if unused:
            click.echo(f"wflint: warning: {config.path}: {', '.join(unused[:10])} name no task or kind "
                       "of the workflows checked", err=True)


def _keep_confident(results, lowest: str) -> None:
    """``--min-confidence``: findings below it are left out (and so cannot fail the run)."""
    order = ["low", "medium", "high"]
    for result in results:
        result.findings = [f for f in result.findings if order.index(f.confidence.value) >= order.index(lowest)]


def _colour(output_file: str | None) -> bool:
    """Colours for a person at a terminal: never into a file, off with NO_COLOR, on with FORCE_COLOR."""
    import os

    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return output_file is None and sys.stdout.isatty()


def _render_findings(findings, results, fmt: str, statistics: bool, options=None) -> str:
    """The findings in ``fmt``; only that renderer is imported."""
    from .rule import all_rules

    files = len(results)
    if statistics and fmt != "text":
        from .render import jsonout

        return jsonout.statistics(findings)
    if fmt == "json":
        from .render import jsonout

        return jsonout.check_json(findings, files, jsonout.workflows_read(results))
    if fmt == "sarif":
        from .render import sarif

        return sarif.check_sarif(findings, all_rules())
    if fmt == "github":
        from .render import github

        return github.check_github(findings)
    from .render import text

    if statistics:
        return text.statistics(findings, all_rules())
    return text.check_text(findings, files, options or text.TextOptions())


def _timings(paths: tuple[str, ...]):
    """The merged run data of every ``--timings`` file (``timings.load_timings``), or None."""
    if not paths:
        return None
    from .timings import load_timings

    return load_timings(paths)


def _warn_unmatched(timings, workflows) -> None:
    """Timings that name no task of the workflows read: said, with the closest task id."""
    if not timings:
        return
    from .timings import unmatched_note

    ids = {t for w in workflows for t in w.tasks}
    names = {w.tasks[t].name for w in workflows for t in w.tasks}
    unmatched = [n for n in timings if n not in ids and n not in names]
    if unmatched:
        click.echo(f"wflint: warning: {unmatched_note(unmatched, sorted(ids))}", err=True)


def _load_one(path: str, stdin_format: str | None, timings: Mapping[str, float] | None, config_path: str | None = None,
              text: str | None = None):
    """Workflows and their analyses for report/graph; unreadable input is one line and exit 1."""
    from .analysis import analyze
    from .analysis.graph import CycleError
    from .config import find_config
    from .engine import load_configured

    _one_file(path)
    try:
        workflows = load_configured(path, find_config(path, config_path), text=text, timings=timings, explicit=True,
                                    stdin_format=stdin_format)
    except ParseError as exc:
        click.echo(f"{exc.one_line()} [WFL001]", err=True)
        sys.exit(1)
    except NothingRead as nothing:
        click.echo(f"{nothing.path}:{nothing.line}:1: {nothing.reason} [WFL003]", err=True)
        sys.exit(1)
    if workflows is None:  # cannot happen: an explicit path of no known format raises UsageError
        raise UsageError(f"{path}: not a workflow file wflint can read")
    _warn_unmatched(timings, workflows)
    out = []
    for workflow in workflows:
        try:
            out.append(analyze(workflow))
        except CycleError as exc:
            from .ir import Location

            pos = workflow.source.resolve(workflow.tasks[exc.cycle[-1]].location if exc.cycle else Location())
            click.echo(f"{workflow.path}:{pos.line}:{pos.column}: dependency cycle: {exc} [GRA001]", err=True)
            sys.exit(1)
        if workflow.dangling:
            ref = workflow.dangling[0]
            pos = workflow.source.resolve(ref.location)
            click.echo(f"{workflow.path}:{pos.line}:{pos.column}: {ref.task} refers to {ref.target!r}, "
                       "which is not a task in this workflow [GRA002]", err=True)
            sys.exit(1)
    return out


def _one_file(path: str) -> None:
    """report and graph take one workflow file (or standard input), never a folder."""
    if path != "-" and not _is_file(path):
        import os

        what = "a folder" if os.path.isdir(path) else "no such file"
        raise UsageError(f"{path}: {what}; report and graph take one workflow file")


def _is_file(path: str) -> bool:
    import os

    return os.path.isfile(path)


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--unsafe-fixes", is_flag=True, help="Also apply fixes that may change behaviour.")
@click.option("--diff", "show_diff", is_flag=True, help="Print a unified diff instead of writing; exit 1 if there are changes.")
@click.option("--select", help="Comma-separated codes or prefixes to fix (default: all).")
@click.option("--ignore", help="Comma-separated codes or prefixes to leave alone.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Use this config file instead of searching.")
@click.option("--ignore-unknown", is_flag=True, help="Pass over named files of no workflow format (for hooks).")
@click.option("--preview", is_flag=True, help="Also fix findings that rest on what wflint could not prove.")
def fix(paths, unsafe_fixes, show_diff, select, ignore, config_path, ignore_unknown, preview) -> None:
    """Rewrite files to run independent steps in parallel (safe fixes only, by default)."""
    from . import discover
    from .engine import Selection
    from .fixer import fix_file

    selection = Selection(_codes(select) or ("ALL",), _codes(ignore), preview)
    selection.validate()
    tally = _FixTally(show_diff)
    from .config import find_config

    for path, explicit in discover.expand(list(paths), ignore_unknown):
        if path == "-":
            raise UsageError("fix needs files, not standard input")
        if find_config(path, config_path).excludes(path, named=path in paths):
            continue
        try:
            outcome = fix_file(path, selection, unsafe_fixes, config_path, cli_select=bool(select), explicit=explicit)
        except ParseError as exc:
            tally.unreadable(exc)
            continue
        tally.add(path, outcome)
    click.echo(tally.summary() + ".", err=show_diff)
    if (show_diff and tally.files) or tally.failed:
        sys.exit(1)


class _FixTally:
    """What ``fix`` did, file by file: written (or shown as a diff), refused, or failed."""

    def __init__(self, show_diff: bool) -> None:
        self.show_diff = show_diff
        self.fixed = self.files = self.rejected = self.unsafe_left = self.manual = self.failed = 0

    def unreadable(self, error) -> None:
        self.failed += 1
        click.echo(f"{error.one_line()} [WFL001]", err=True)

    def add(self, path: str, outcome) -> None:
        from .fsutil import WriteError, write_atomic

        if outcome.unreadable is not None:
            return self.unreadable(outcome.unreadable)
        if outcome.refused:
            click.echo(f"{path}: not fixed: {outcome.refused}", err=True)
            return None
        self.unsafe_left += outcome.unsafe_left
        self.manual += outcome.manual
        for finding, reason in outcome.rejected:
            self.rejected += 1
            click.echo(f"{path}: not fixed: {finding.code} {reason}", err=True)
        if not outcome.changed:
            return None
        if self.show_diff:
            click.echo(outcome.diff(), nl=False)
        else:
            try:
                write_atomic(path, outcome.written)
            except WriteError as exc:
                self.failed += 1
                click.echo(f"{exc} [fix not written]", err=True)
                return None
        self.fixed += len(outcome.applied)
        self.files += 1
        return None

    def summary(self) -> str:
        def count(n: int, word: str, plural: str = "s") -> str:
            return f"{n} {word}{plural if n != 1 else ''}"

        text = f"{'would fix' if self.show_diff else 'fixed'} {count(self.fixed, 'finding')} in {count(self.files, 'file')}"
        if self.unsafe_left:
            text += f"; {self.unsafe_left} more with --unsafe-fixes"
        if self.manual:
            text += f"; {self.manual} to change by hand (see `wflint check`)"
        if self.rejected:
            text += f"; {count(self.rejected, 'fix', 'es')} not applied (reasons above)"
        if self.failed:
            text += f"; {count(self.failed, 'file')} could not be read or written (above)"
        return text


@main.command()
@click.argument("path")
@click.option("--format", "fmt", type=click.Choice(["markdown", "json", "text", "html"]), default="markdown", show_default=True)
@click.option("--timings", type=click.Path(exists=True, dir_okay=False), multiple=True,
              help="Measured durations: a JSON map (task → seconds) or an engine's run data; repeatable (median).")
@click.option("--output-file", type=click.Path(dir_okay=False), help="Write the report here instead of stdout.")
@click.option("--stdin-format", help="Format of '-' (standard input), e.g. spec.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Use this config file instead of searching.")
def report(path, fmt, timings, output_file, stdin_format, config_path) -> None:
    """Write the full analysis of one workflow file."""
    from .render import jsonout, markdown, text

    reports = _reports(path, stdin_format, _timings(timings), config_path)
    if fmt == "json":
        _write(jsonout.report_json(reports), output_file, [path])
    elif fmt == "html":
        from .render.html import report_html

        _write(report_html(reports), output_file, [path])
    else:
        render = markdown.report_markdown if fmt == "markdown" else text.report_text
        page = "\n\n".join(render(r) for r in reports)
        _write(markdown.fit_summary(page) if fmt == "markdown" else page, output_file, [path])


def _reports(path: str, stdin_format: str | None, timings, config_path: str | None) -> list[dict]:
    """One report per workflow of the file, each listing what ``check`` (default rules, the file's
    configuration and suppressions) finds in that workflow; the file is read once."""
    from .config import find_config
    from .engine import default_findings, read_text
    from .report import build_report

    _one_file(path)
    try:
        source = read_text(path)
    except ParseError as exc:
        click.echo(f"{exc.one_line()} [WFL001]", err=True)
        sys.exit(1)
    analyses = _load_one(path, stdin_format, timings, config_path, text=source)
    findings = default_findings(path, source, find_config(path, config_path), stdin_format=stdin_format,
                                timings=timings)
    return [build_report(a, [f for f in findings if f.workflow == a.workflow.name]) for a in analyses]


@main.command()
@click.argument("path")
@click.option("--format", "fmt", type=click.Choice(["mermaid", "dot", "trace"]), default="mermaid", show_default=True,
              help="trace: Chrome Trace Event JSON of the schedule before and after (chrome://tracing, Perfetto).")
@click.option("--relaxed", is_flag=True, help="Draw only the orderings that are needed (data and conflicts).")
@click.option("--stdin-format", help="Format of '-' (standard input), e.g. spec.")
@click.option("--timings", type=click.Path(exists=True, dir_okay=False), multiple=True,
              help="Measured durations: a JSON map (task → seconds) or an engine's run data; repeatable (median).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Use this config file instead of searching.")
def graph(path, fmt, relaxed, stdin_format, timings, config_path) -> None:
    """Draw the task graph as declared, or relaxed to what is needed, with the critical path marked."""
    from .render import dot, mermaid, trace

    analyses = _load_one(path, stdin_format, _timings(timings), config_path)
    if fmt == "trace":
        click.echo(trace.schedules_trace(analyses))
        return
    pictures = []
    for analysis in analyses:
        r = analysis.relaxation
        if relaxed:
            edges = [(u, v, "needed") for u, v in r.strict_edges()]
        else:
            kinds = {(e.u, e.v): e.kind.value for e in analysis.workflow.edges}
            edges = [(u, v, kinds.get((u, v), "order")) for u, v in r.declared]
        if fmt == "dot":
            pictures.append(dot.digraph(analysis.workflow, edges))
        else:
            pictures.append(mermaid.flowchart(analysis.workflow, edges, set(analysis.critical_path(after=relaxed))))
    click.echo("\n\n".join(pictures))


@main.command()
@click.argument("code", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules(code, fmt) -> None:
    """List the rules, or print one rule's documentation."""
    import json

    from .rule import all_rules

    known = all_rules()
    if code:
        info = known.get(code.upper())
        if info is None:
            raise UsageError(f"unknown rule {code!r} (see `wflint rules`)")
        if fmt == "json":
            click.echo(json.dumps({"code": info.code, "name": info.name, "severity": info.severity.value,
                                   "summary": info.summary, "doc": info.doc}, indent=2))
        else:
            click.echo(f"{info.code} {info.name} ({info.severity.value})\n\n{info.doc}")
        return
    if fmt == "json":
        click.echo(json.dumps([{"code": i.code, "name": i.name, "severity": i.severity.value, "summary": i.summary}
                               for i in known.values()], indent=2))
        return
    for info in known.values():
        click.echo(f"{info.code}  {info.name:<32} {info.severity.value:<8} {info.summary}")


@main.command()
def mcp() -> None:
    """Serve check, report, fix_preview and rules to agents over MCP (stdio); needs wflint[mcp]."""
    try:
        import mcp.server.mcpserver  # noqa: F401
    except ImportError:
        raise UsageError("wflint mcp needs the MCP SDK: pip install 'wflint[mcp]'") from None
    from .mcp_server import serve

    serve()
