"""The native spec format (``*.wflint.yaml``) and the plain-text brief (docs/architecture.md).

Both describe a workflow that runs on no particular engine: tasks run one at a time in the listed
order (``current: sequential``, the brief's "current sequential task list") or as a graph.
"""
from __future__ import annotations

import re

FORMAT = "spec"
SPEC_SUFFIXES = (".wflint.yaml", ".wflint.yml", ".wflint.json")
BRIEF_SUFFIXES = (".wflint.txt", ".wflint.md")
_BRIEF_HEADING = re.compile(r"^[#*\s]*current\s+(sequential\s+)?task\s+list\s*\**:?\s*$", re.I | re.M)


def is_brief(path: str, text: str) -> bool:
    if path.endswith(BRIEF_SUFFIXES):
        return True
    # Every file is sniffed here first: the heading's one fixed word, looked for in C, spares most
    # files the pattern (only ASCII letters fold to those of "current", so nothing is missed).
    return not path.endswith(SPEC_SUFFIXES) and "current" in text.lower() and bool(_BRIEF_HEADING.search(text))


def sniff(path: str, text: str) -> bool:
    return path.endswith(SPEC_SUFFIXES) or is_brief(path, text)


def read(path: str, text: str):
    if is_brief(path, text):
        from .brief import read_brief

        return read_brief(path, text)
    from .reader import read_spec

    return read_spec(path, text)


def supports(workflow, change) -> bool:
    from .rewriter import supports as spec_supports

    return spec_supports(workflow, change)


def rewrite(text: str, workflow, changes) -> list:
    """The text edits (``wflint.edits.TextEdit``, offsets into ``text``) that make ``changes``."""
    from .rewriter import rewrite as spec_rewrite

    return spec_rewrite(text, workflow, changes)
