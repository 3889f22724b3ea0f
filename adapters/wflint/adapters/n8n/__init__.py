"""n8n workflow exports (JSON): reader, engine model and rewriter (docs/architecture.md, research/n8n.md).

``sniff`` only looks at the text (no parsing); the reader and the rewriter are imported when a
file needs them.
"""
from __future__ import annotations

import re

FORMAT = "n8n"


# An n8n node's type is a package-qualified name: n8n-nodes-base.set, @n8n/n8n-nodes-langchain.agent.
_NODES = re.compile(r'"nodes"\s*:\s*\[')
_CONNECTIONS = re.compile(r'"connections"\s*:\s*\{')
_NODE_TYPE = re.compile(r'"type"\s*:\s*"(?:@[\w.-]+/)?[\w-]+\.[A-Za-z]\w*"')
_NO_NODES = re.compile(r'"nodes"\s*:\s*\[\s*\]')


def sniff(path: str, text: str) -> bool:
    """A ``nodes`` array of typed n8n nodes (or none: n8n imports an empty workflow) and a
    ``connections`` object: a ``graph.json`` of some other tool with those two keys is not an n8n
    export."""
    return (path.endswith(".json") and _NODES.search(text) is not None and _CONNECTIONS.search(text) is not None
            and (_NODE_TYPE.search(text) is not None or _NO_NODES.search(text) is not None))


def read(path: str, text: str):
    from .reader import read_n8n

    return read_n8n(path, text)


def supports(workflow, change) -> bool:
    from .rewriter import supports as _supports

    return _supports(workflow, change)


def rewrite(text: str, workflow, changes) -> list:
    """The text edits (``wflint.edits.TextEdit``, offsets into ``text``) that make ``changes``."""
    from .rewriter import rewrite as _rewrite

    return _rewrite(text, workflow, changes)


def verify(old, new, changes) -> str | None:
    from .rewriter import verify as _verify

    return _verify(old, new, changes)


def run_durations(data):
    """This engine's run data (``--timings``) as seconds per task name, one dict per run; else None."""
    from .runs import run_durations as _run_durations

    return _run_durations(data)
