"""``wflint mcp``: the checks, reports, fix previews and rule docs as MCP tools, over stdio.

For agents that build or review workflows: each tool takes a file ``path`` or the workflow's
``text`` (with its ``format``: spec, brief, n8n, airflow, gha) and returns the same JSON the
command line prints. Nothing is ever written: ``fix_preview`` returns a diff. Inline text is
checked as a file of that format in a private temporary folder, so it goes through exactly the
command line's code path. Needs the optional extra: ``pip install 'wflint[mcp]'``.
"""
from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .errors import ParseError, UsageError

# Where inline text of each format is put so that sniffing reads it as that format.
INLINE_NAMES = {"spec": "inline.wflint.yaml", "brief": "inline.wflint.txt", "n8n": "inline.json",
                "airflow": "inline.py", "gha": os.path.join(".github", "workflows", "inline.yml")}
MAX_INLINE_CHARS = 8 * 1024 * 1024


@contextmanager
def _source(path: str | None, text: str | None, fmt: str | None) -> Iterator[str]:
    """The file to read: ``path`` itself, or ``text`` written as a file of ``fmt``."""
    if (path is None) == (text is None):
        raise UsageError("give either path or text")
    if path is not None:
        yield path
        return
    assert text is not None
    if fmt not in INLINE_NAMES:
        raise UsageError(f"inline text needs format, one of {', '.join(INLINE_NAMES)}")
    if len(text) > MAX_INLINE_CHARS:
        raise UsageError(f"inline text is longer than {MAX_INLINE_CHARS:,} characters")
    with tempfile.TemporaryDirectory(prefix="wflint-mcp-") as folder:
        file = os.path.join(folder, INLINE_NAMES[fmt])
        os.makedirs(os.path.dirname(file), exist_ok=True)
        with open(file, "w", encoding="utf-8") as handle:
            handle.write(text)
        yield file


def _shown(data: Any, file: str, path: str | None) -> Any:
    """The JSON with a temporary file's name replaced by ``<inline>``."""
    if path is not None:
        return data
    return json.loads(json.dumps(data).replace(json.dumps(file)[1:-1], "<inline>"))


def check(path: str | None = None, text: str | None = None, format: str | None = None,
          preview: bool = False) -> dict:
    """Findings for a workflow file (or inline text of ``format``), as ``wflint check --format json``."""
    from .engine import Selection, lint_paths
    from .render.jsonout import check_json, workflows_read

    with _source(path, text, format) as file:
        results = lint_paths([file], Selection(preview=preview))
        findings = [f for r in results for f in r.findings]
        return _shown(json.loads(check_json(findings, len(results), workflows_read(results))), file, path)


def report(path: str | None = None, text: str | None = None, format: str | None = None) -> dict:
    """The full analysis: the report's JSON data and its Markdown, per workflow in the file."""
    from .api import analyze
    from .render.markdown import report_markdown

    with _source(path, text, format) as file:
        reports = analyze(file)
        return _shown({"reports": reports, "markdown": "\n\n".join(report_markdown(r) for r in reports)}, file, path)


def fix_preview(path: str | None = None, text: str | None = None, format: str | None = None,
                unsafe: bool = False) -> dict:
    """What ``wflint fix`` would change, as a unified diff; nothing is written."""
    from .api import fix

    with _source(path, text, format) as file:
        outcome = fix(file, unsafe=unsafe)
        return _shown({"diff": outcome.diff, "fixed": [f"{f.code} {f.message}" for f in outcome.fixed],
                       "refused": [f"{f.code}: {reason}" for f, reason in outcome.refused]}, file, path)


def rules(code: str | None = None) -> list[dict]:
    """The rules (code, name, severity, summary), or one rule with its documentation."""
    from .rule import all_rules

    known = all_rules()
    if code is None:
        return [{"code": i.code, "name": i.name, "severity": i.severity.value, "summary": i.summary}
                for i in known.values()]
    info = known.get(code.upper())
    if info is None:
        raise UsageError(f"unknown rule {code!r}")
    return [{"code": info.code, "name": info.name, "severity": info.severity.value, "summary": info.summary,
             "doc": info.doc}]


TOOLS = (check, report, fix_preview, rules)


def _safe(tool):
    """A tool whose wflint errors reach the agent as one-line tool errors (the SDK's ``ToolError``),
    never as a crash with a traceback."""
    import functools

    from mcp.server.mcpserver.exceptions import ToolError

    @functools.wraps(tool)
    def wrapped(*args, **kwargs):
        try:
            return tool(*args, **kwargs)
        except ParseError as exc:
            raise ToolError(f"{exc.one_line()} [WFL001]") from None
        except UsageError as exc:
            raise ToolError(str(exc)) from None
    return wrapped


def serve() -> None:
    """Run the server on stdio until the client closes it."""
    from mcp.server.mcpserver import MCPServer

    from . import __version__

    server = MCPServer("wflint", version=__version__, instructions=(
        "wflint finds workflow steps that could run in parallel (with the time saved) and parallel "
        "branches that are unsafe, for n8n exports, Airflow DAGs, GitHub Actions and wflint specs."))
    for tool in TOOLS:
        server.tool()(_safe(tool))
    server.run("stdio")
