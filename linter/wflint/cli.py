"""The command line (docs/architecture.md).

Built on argparse, and heavy work is imported inside each command: start-up is most of the time a
hook spends on one staged file (issue 10 item 8), and a command-line framework cost more to import
than the whole of ``check``'s own work on a small workflow.
"""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from typing import NoReturn

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
        _echo(text)
        sys.stdout.flush()
    except OSError as exc:
        sys.stdout = open(os.devnull, "w")  # nothing more can be written; exit without a second error
        raise WriteError(f"cannot write to standard output: {exc.strerror or exc}") from None


def _echo(text: str, err: bool = False, nl: bool = True) -> None:
    """One message on standard output, or on standard error for diagnostics."""
    stream = sys.stderr if err else sys.stdout
    stream.write(text + ("\n" if nl else ""))


def main(argv: list[str] | None = None) -> None:
    """Find the steps of a workflow that could run in parallel, the time that saves, and the
    parallel branches that are unsafe. wflint's own errors are one line and exit code 2, never a
    traceback. Run as the command (no ``argv``), the process ends without the interpreter's
    teardown, which frees every object of the run one by one (15 ms after 150 workflows, more
    after more): the system takes the memory back at once."""
    if argv is not None:  # a caller in this process (tests, a library user): SystemExit as always
        _main(argv)
        return
    try:
        _main(None)
    except SystemExit as stop:
        _exit_now(stop.code)


def _exit_now(code) -> NoReturn:
    """``sys.exit(code)`` less the teardown: the same status, output flushed (a failed flush of
    standard output is status 120, as the interpreter's own exit makes it)."""
    status = 0 if code is None else code if isinstance(code, int) else 1
    if not isinstance(code, (int, type(None))):
        _echo(str(code), err=True)
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        status = status or 120
    try:
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    os._exit(status)


def _main(argv: list[str] | None) -> None:
    import gc

    # A short-lived process that builds large acyclic structures: the cyclic collector would
    # rescan them again and again (half the time on a 10,000-task workflow) and free nothing.
    # Off before the imports too: it ran a dozen times while they built their classes.
    gc.disable()
    from .config import forget_configs
    from .fsutil import WriteError

    args = _parser(_command_named(sys.argv[1:] if argv is None else argv)).parse_args(argv)
    forget_configs()  # one process may run several commands (tests, a library user)
    try:
        args.run(args)
    except (UsageError, WriteError) as exc:
        _echo(f"wflint: error: {exc}", err=True)
        sys.exit(2)
    sys.exit(0)


class _Parser(argparse.ArgumentParser):
    """Usage errors in one line, as wflint's other errors are, with where to read more; options
    are spelt out in full (an abbreviation that works today would break when an option is added)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("allow_abbrev", False)
        kwargs.setdefault("formatter_class", _formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str):
        self.exit(2, f"wflint: error: {message} (see '{self.prog} --help')\n")


def _formatter(prog: str) -> argparse.HelpFormatter:
    """argparse's help formatter, given the terminal's width: left to find it, it imports shutil
    (and its compression modules) for every option declared, a tenth of start-up."""
    return argparse.HelpFormatter(prog, width=_columns() - 2)


def _columns() -> int:
    try:
        return int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        pass
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return 80


def _jobs(value: str) -> int:
    try:
        jobs = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of processes: {value!r}") from None
    if jobs < 1:
        raise argparse.ArgumentTypeError(f"at least 1, not {jobs}")
    return jobs


def _existing_file(value: str) -> str:
    if not os.path.isfile(value):
        raise argparse.ArgumentTypeError(f"{value!r} is a folder, not a file" if os.path.isdir(value)
                                         else f"no such file: {value!r}")
    return value


def _file_target(value: str) -> str:
    if os.path.isdir(value):
        raise argparse.ArgumentTypeError(f"{value!r} is a folder, not a file")
    return value


def _parser(only: str | None = None) -> argparse.ArgumentParser:
    """Every command, each with its options; with ``only`` (the command a run names), the other
    commands without theirs: declaring every command's options was a tenth of start-up, and a
    command's options are read only when it is the one run."""
    parser = _Parser(prog="wflint", description=" ".join((main.__doc__ or "").split(".")[0].split()) + ".")
    parser.add_argument("--version", action="version", version=f"wflint, version {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True, parser_class=_Parser)
    for name, add in _COMMANDS.items():
        if only is None or name == only:
            add(commands)
        else:
            _command(commands, _RUNS[name], name)
    return parser


def _command_named(argv: list[str]) -> str | None:
    """The command ``argv`` runs: its first word that is no option (the top level's options take
    no value), when that is a command's name; else None."""
    first = next((arg for arg in argv if not arg.startswith("-")), None)
    return first if first in _COMMANDS else None


def _command(commands, run, name: str) -> argparse.ArgumentParser:
    """A sub-command whose help is the first paragraph of ``run``'s docstring."""
    doc = (run.__doc__ or "").strip().split("\n\n")[0]
    sub = commands.add_parser(name, help=doc, description=doc)
    sub.set_defaults(run=run)
    return sub


_TIMINGS_HELP = "Measured durations: a JSON map (task → seconds) or an engine's run data; repeatable (median)."
_CONFIG_HELP = "Use this config file instead of searching."
_STDIN_HELP = "Format of '-' (standard input), e.g. spec."


def _shared_options(sub: argparse.ArgumentParser, *names: str) -> None:
    """The options several commands take, spelt once."""
    if "timings" in names:
        sub.add_argument("--timings", type=_existing_file, action="append", default=[], help=_TIMINGS_HELP)
    if "config" in names:
        sub.add_argument("--config", dest="config_path", type=_file_target, help=_CONFIG_HELP)
    if "stdin-format" in names:
        sub.add_argument("--stdin-format", help=_STDIN_HELP)
    if "selection" in names:
        sub.add_argument("--select", help="Comma-separated codes or prefixes (replaces the config's select).")
        sub.add_argument("--ignore", help="Comma-separated codes or prefixes to leave out.")
    if "ignore-unknown" in names:
        sub.add_argument("--ignore-unknown", action="store_true",
                         help="Pass over named files of no workflow format (for hooks).")
    if "jobs" in names:
        sub.add_argument("--jobs", "-j", type=_jobs, default=None, metavar="N",
                         help="Worker processes for many files [default: the number of cores; 1: none].")


def _check_parser(commands) -> None:
    sub = _command(commands, check, "check")
    sub.add_argument("paths", nargs="+")
    sub.add_argument("--format", "--output-format", dest="fmt", choices=["text", "json", "sarif", "github"],
                     default="text", help="Output format [default: text].")
    _shared_options(sub, "selection")
    sub.add_argument("--extend-select", help="Codes or prefixes to report in addition.")
    sub.add_argument("--fail-on", choices=FAIL_ON, default=None,
                     help="Lowest severity that makes the exit code 1 [default: the config's, else error].")
    sub.add_argument("--exit-zero", action="store_true", help="Exit 0 even when findings reach --fail-on.")
    sub.add_argument("--statistics", action="store_true",
                     help="Print the number of findings per code instead of the findings.")
    _shared_options(sub, "config")
    sub.add_argument("--output-file", type=_file_target, help="Write the output here instead of stdout.")
    _shared_options(sub, "stdin-format", "timings", "ignore-unknown", "jobs")
    sub.add_argument("--preview", action="store_true",
                     help="Also show findings that rest on what wflint could not prove (unknown effects, no time saved).")
    sub.add_argument("--sarif-file", type=_file_target, help="Also write the findings as SARIF here.")
    sub.add_argument("--summary-file", type=_file_target,
                     help="Also write a Markdown summary of the findings here (e.g. for a CI job summary).")
    sub.add_argument("--summary-report", action="store_true",
                     help="Put in the summary the report of each workflow with findings or opportunities.")
    sub.add_argument("--min-confidence", choices=["low", "medium", "high"], default="low",
                     help="Leave out findings wflint is less sure of than this [default: low].")
    sub.add_argument("--show-source", action="store_true", help="Text: show the source line of each finding, with a caret.")
    sub.add_argument("--show-fixes", action="store_true", help="Text: show the fix each finding offers.")
    sub.add_argument("-q", "--quiet", action="store_true", help="Text: one line per finding (no detail line), no summary line.")
    sub.add_argument("-v", "--verbose", action="store_true",
                     help="Say what became of each file (read as which format, passed over).")


def check(args: argparse.Namespace) -> None:
    """Report parallelization opportunities and unsafe parallel branches."""
    from .engine import Selection, lint_paths
    from .render.text import TextOptions

    paths, fmt = args.paths, args.fmt
    selection = Selection(_codes(args.select) or ("ALL",), _codes(args.ignore), args.preview)
    selection.validate()
    notices: list[str] = []
    seen: list[tuple[str, str]] = []
    measured = _timings(tuple(args.timings))
    results = lint_paths(list(paths), selection, stdin_format=args.stdin_format, timings=measured,
                         config_path=args.config_path, cli_select=bool(args.select),
                         extend_select=_codes(args.extend_select), ignore_unknown=args.ignore_unknown,
                         notices=notices, seen=seen, jobs=_jobs_wanted(args), progress=_progress(args),
                         finish=_finisher(fmt == "sarif" or bool(args.sarif_file),
                                          bool(args.summary_file and args.summary_report)))
    for path, what in seen if args.verbose else ():
        _echo(f"wflint: {path}: {what}", err=True)
    for notice in notices:
        _echo(f"wflint: notice: {notice}; passed over", err=True)
    _warn_unmatched(measured, [w.workflow for r in results for w in r.results])
    _warn_unused_config(results, paths)
    _keep_confident(results, args.min_confidence)
    findings = [f for r in results for f in r.findings]
    options = TextOptions(colour=_colour(args.output_file), show_source=args.show_source, show_fixes=args.show_fixes,
                          quiet=args.quiet, sources={r.path: r.text for r in results} if args.show_source else {})
    _write(_render_findings(findings, results, fmt, args.statistics, options), args.output_file, paths,
           colour=options.colour and fmt == "text")
    _write_side_files(args, findings, results)
    if _failing(results, args.fail_on) and not args.exit_zero:
        sys.exit(1)


def _finisher(edits: bool, reports: bool):
    """What is made of each file where its workflows were read (a worker process, with --jobs):
    SARIF's verified fixes as replacements, and the reports a summary shows."""
    if not edits and not reports:
        return None

    def finish(result) -> None:
        if edits:
            from .fixer import attach_edits

            attach_edits(result)
        if reports:
            from .report import reports_worth_showing

            result.reports = reports_worth_showing(result)

    return finish


def _write_side_files(args: argparse.Namespace, findings, results) -> None:
    """``--sarif-file`` and ``--summary-file``: the same findings, written beside the main output."""
    if args.sarif_file:
        _write(_render_findings(findings, results, "sarif", False), args.sarif_file, args.paths)
    if args.summary_file:
        from .render.markdown import check_summary

        _write(check_summary(findings, len(results), [r for result in results for r in result.reports]),
               args.summary_file, args.paths)


def _failing(results, fail_on: str | None) -> bool:
    """Whether any file's findings reach its threshold (the command line's, else its config's, else error)."""
    from .finding import Severity

    for result in results:
        threshold = fail_on or result.config.fail_on or "error"
        if threshold != "never" and any(f.severity.rank >= Severity(threshold).rank for f in result.findings):
            return True
    return False


def _warn_unused_config(results, paths) -> None:
    """Config entries that named no task, when a whole folder was checked (a hook names a few
    staged files: an entry for another file's task is no mistake there)."""
    from .config import unused_entries

    if not any(os.path.isdir(p) for p in paths):
        return
    configs = {id(r.config): r.config for r in results if r.config.path}
    for config in configs.values():
        unused = unused_entries(config)
        if unused:
            _echo(f"wflint: warning: {config.path}: {', '.join(unused[:10])} name no task or kind "
                  "of the workflows checked", err=True)


def _keep_confident(results, lowest: str) -> None:
    """``--min-confidence``: findings below it are left out (and so cannot fail the run)."""
    order = ["low", "medium", "high"]
    for result in results:
        result.findings = [f for f in result.findings if order.index(f.confidence.value) >= order.index(lowest)]


def _colour(output_file: str | None) -> bool:
    """Colours for a person at a terminal: never into a file, off with NO_COLOR, on with FORCE_COLOR."""
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
        _echo(f"wflint: warning: {unmatched_note(unmatched, sorted(ids))}", err=True)


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
        _echo(f"{exc.one_line()} [WFL001]", err=True)
        sys.exit(1)
    except NothingRead as nothing:
        _echo(f"{nothing.path}:{nothing.line}:1: {nothing.reason} [WFL003]", err=True)
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
            _echo(f"{workflow.path}:{pos.line}:{pos.column}: dependency cycle: {exc} [GRA001]", err=True)
            sys.exit(1)
        if workflow.dangling:
            ref = workflow.dangling[0]
            pos = workflow.source.resolve(ref.location)
            _echo(f"{workflow.path}:{pos.line}:{pos.column}: {ref.task} refers to {ref.target!r}, "
                  "which is not a task in this workflow [GRA002]", err=True)
            sys.exit(1)
    return out


def _one_file(path: str) -> None:
    """report and graph take one workflow file (or standard input), never a folder."""
    if path != "-" and not _is_file(path):
        what = "a folder" if os.path.isdir(path) else "no such file"
        raise UsageError(f"{path}: {what}; report and graph take one workflow file")


def _is_file(path: str) -> bool:
    return os.path.isfile(path)


def _fix_parser(commands) -> None:
    sub = _command(commands, fix, "fix")
    sub.add_argument("paths", nargs="+")
    sub.add_argument("--unsafe-fixes", action="store_true", help="Also apply fixes that may change behaviour.")
    sub.add_argument("--diff", dest="show_diff", action="store_true",
                     help="Print a unified diff instead of writing; exit 1 if there are changes.")
    _shared_options(sub, "selection", "config", "ignore-unknown", "jobs")
    sub.add_argument("--preview", action="store_true", help="Also fix findings that rest on what wflint could not prove.")


def fix(args: argparse.Namespace) -> None:
    """Rewrite files to run independent steps in parallel (safe fixes only, by default)."""
    from . import discover, pool
    from .engine import Selection, preload_readers
    from .fixer import FixPlan

    paths, select, show_diff = args.paths, args.select, args.show_diff
    selection = Selection(_codes(select) or ("ALL",), _codes(args.ignore), args.preview)
    selection.validate()
    candidates = list(discover.expand(list(paths), args.ignore_unknown))
    if any(path == "-" for path, _ in candidates):
        raise UsageError("fix needs files, not standard input")
    plan = FixPlan(list(paths), selection, args.unsafe_fixes, args.config_path, bool(select))
    tally = _FixTally(show_diff)
    for path, outcome in pool.map_in_order(plan.fix, candidates, _jobs_wanted(args), progress=_progress(args),
                                           prepare=preload_readers(candidates)):
        if isinstance(outcome, ParseError):
            tally.unreadable(outcome)
        elif outcome is not None:
            tally.add(path, outcome)
    _echo(tally.summary() + ".", err=show_diff)
    if (show_diff and tally.files) or tally.failed:
        sys.exit(1)


def _jobs_wanted(args: argparse.Namespace) -> int:
    from .pool import default_jobs

    return args.jobs or default_jobs()


def _progress(args: argparse.Namespace):
    """A progress line on a terminal's standard error for long runs (none with -q or off a terminal)."""
    if getattr(args, "quiet", False) or not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        if total >= PROGRESS_FROM and (done == total or done % 25 == 0):
            sys.stderr.write(f"\rwflint: {done}/{total} files" + ("\r\x1b[K" if done == total else ""))
            sys.stderr.flush()

    return show


PROGRESS_FROM = 100  # files: below this a run is over before a progress line helps


class _FixTally:
    """What ``fix`` did, file by file: written (or shown as a diff), refused, or failed."""

    def __init__(self, show_diff: bool) -> None:
        self.show_diff = show_diff
        self.fixed = self.files = self.rejected = self.unsafe_left = self.manual = self.failed = 0

    def unreadable(self, error) -> None:
        self.failed += 1
        _echo(f"{error.one_line()} [WFL001]", err=True)

    def add(self, path: str, outcome) -> None:
        from .fsutil import WriteError, write_atomic

        if outcome.unreadable is not None:
            return self.unreadable(outcome.unreadable)
        if outcome.refused:
            _echo(f"{path}: not fixed: {outcome.refused}", err=True)
            return None
        self.unsafe_left += outcome.unsafe_left
        self.manual += outcome.manual
        for finding, reason in outcome.rejected:
            self.rejected += 1
            _echo(f"{path}: not fixed: {finding.code} {reason}", err=True)
        if not outcome.changed:
            return None
        if self.show_diff:
            _echo(outcome.diff(), nl=False)
        else:
            try:
                write_atomic(path, outcome.written)
            except WriteError as exc:
                self.failed += 1
                _echo(f"{exc} [fix not written]", err=True)
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


def _report_parser(commands) -> None:
    sub = _command(commands, report, "report")
    sub.add_argument("path")
    sub.add_argument("--format", dest="fmt", choices=["markdown", "json", "text", "html"], default="markdown",
                     help="Output format [default: markdown].")
    _shared_options(sub, "timings")
    sub.add_argument("--output-file", type=_file_target, help="Write the report here instead of stdout.")
    _shared_options(sub, "stdin-format", "config")


def report(args: argparse.Namespace) -> None:
    """Write the full analysis of one workflow file."""
    from .render import jsonout, markdown, text

    path, fmt, output_file = args.path, args.fmt, args.output_file
    reports = _reports(path, args.stdin_format, _timings(tuple(args.timings)), args.config_path)
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
    from .report import run_reports

    _one_file(path)
    try:
        source = read_text(path)
    except ParseError as exc:
        _echo(f"{exc.one_line()} [WFL001]", err=True)
        sys.exit(1)
    analyses = _load_one(path, stdin_format, timings, config_path, text=source)
    findings = default_findings(path, source, find_config(path, config_path), stdin_format=stdin_format,
                                timings=timings, analyses=analyses)
    return [r for a in analyses for r in run_reports(a, [f for f in findings if f.workflow == a.workflow.name])]


def _graph_parser(commands) -> None:
    sub = _command(commands, graph, "graph")
    sub.add_argument("path")
    sub.add_argument("--format", dest="fmt", choices=["mermaid", "dot", "trace"], default="mermaid",
                     help="[default: mermaid] trace: Chrome Trace Event JSON of the schedule before and after "
                          "(chrome://tracing, Perfetto).")
    sub.add_argument("--relaxed", action="store_true",
                     help="Draw only the orderings that are needed (data and conflicts).")
    _shared_options(sub, "stdin-format", "timings", "config")


def graph(args: argparse.Namespace) -> None:
    """Draw the task graph as declared, or relaxed to what is needed, with the critical path marked."""
    from .render import dot, mermaid, trace

    fmt, relaxed = args.fmt, args.relaxed
    analyses = _load_one(args.path, args.stdin_format, _timings(tuple(args.timings)), args.config_path)
    if fmt == "trace":
        _echo(trace.schedules_trace(analyses))
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
    _echo("\n\n".join(pictures))


def _rules_parser(commands) -> None:
    sub = _command(commands, rules, "rules")
    sub.add_argument("code", nargs="?")
    sub.add_argument("--format", dest="fmt", choices=["text", "json"], default="text",
                     help="Output format [default: text].")


def rules(args: argparse.Namespace) -> None:
    """List the rules, or print one rule's documentation."""
    import json

    from .rule import all_rules

    known, code, fmt = all_rules(), args.code, args.fmt
    if code:
        info = known.get(code.upper())
        if info is None:
            raise UsageError(f"unknown rule {code!r} (see `wflint rules`)")
        if fmt == "json":
            _echo(json.dumps({"code": info.code, "name": info.name, "severity": info.severity.value,
                  "summary": info.summary, "doc": info.doc}, indent=2))
        else:
            _echo(f"{info.code} {info.name} ({info.severity.value})\n\n{info.doc}")
        return
    if fmt == "json":
        _echo(json.dumps([{"code": i.code, "name": i.name, "severity": i.severity.value, "summary": i.summary}
                               for i in known.values()], indent=2))
        return
    for info in known.values():
        _echo(f"{info.code}  {info.name:<32} {info.severity.value:<8} {info.summary}")


def _mcp_parser(commands) -> None:
    _command(commands, mcp, "mcp")


def mcp(args: argparse.Namespace) -> None:
    """Serve check, report, fix_preview and rules to agents over MCP (stdio); needs wflint[mcp]."""
    try:
        import mcp.server.mcpserver  # noqa: F401
    except ImportError:
        raise UsageError("wflint mcp needs the MCP SDK: pip install 'wflint[mcp]'") from None
    from .mcp_server import serve

    serve()


_COMMANDS = {"check": _check_parser, "fix": _fix_parser, "report": _report_parser, "graph": _graph_parser,
             "rules": _rules_parser, "mcp": _mcp_parser}
_RUNS = {"check": check, "fix": fix, "report": report, "graph": graph, "rules": rules, "mcp": mcp}
