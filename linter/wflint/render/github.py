"""GitHub Actions workflow commands: one annotation per finding, shown on the pull request diff."""
from __future__ import annotations

from ..discover import repo_relative
from ..finding import Finding

COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def check_github(findings: list[Finding]) -> str:
    lines = []
    for f in findings:
        props = [f"file={_escape_property(repo_relative(f.path))}", f"line={f.line}", f"col={f.column}"]
        if f.end_line:
            props.append(f"endLine={f.end_line}")
        props.append(f"title={_escape_property(f'{f.code} {f.name}')}")
        lines.append(f"::{COMMAND[f.severity.value]} {','.join(props)}::{_escape_data(_annotation(f))}")
    return "\n".join(lines)


def _annotation(f) -> str:
    """The annotation's text: the one-line message, and its detail on the next line."""
    text = f"{f.code} {f.message}"
    return text + "\n" + f.detail if f.detail else text
