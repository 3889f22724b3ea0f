"""n8n workflow exports (JSON): reader, engine model and rewriter (docs/architecture.md, research/n8n.md).

``sniff`` only looks at the text (no parsing); the reader and the rewriter are imported when a
file needs them.
"""
from __future__ import annotations

FORMAT = "n8n"


def sniff(path: str, text: str) -> bool:
    return path.endswith(".json") and '"nodes"' in text and '"connections"' in text


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
