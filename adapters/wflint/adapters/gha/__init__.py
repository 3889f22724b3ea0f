"""GitHub Actions workflows (``.github/workflows/*.yml``): reader, rewriter and checker.

Jobs are tasks and `needs:` entries edges, classified as data, gate or pure order (docs/architecture.md).
Rewrites are text splices on the original file; nothing is re-dumped.
"""
from __future__ import annotations

from wflint.patterns import lazy

FORMAT = "gha"
# A line's start (``^`` in multi-line mode) as a look-behind after the word: a pattern that starts
# with a literal is scanned for it, not tried at every offset of the file.
_ON = lazy(r"(?:on(?<![^\n]on)|\"on\"(?<![^\n]\"on\")|'on'(?<![^\n]'on'))\s*:")
_JOBS = lazy(r"jobs(?<![^\n]jobs)\s*:")


def sniff(path: str, text: str) -> bool:
    if not path.endswith((".yml", ".yaml")) or path.endswith((".wflint.yaml", ".wflint.yml")):
        return False
    parts = ("/" + path.replace("\\", "/")).rsplit("/", 3)
    if parts[-3:-1] == [".github", "workflows"]:  # also a relative .github/workflows/x.yml
        return True
    # GitHub loads only the top of .github/workflows/: a file below it (a composite action's
    # action.yml kept there) is a workflow only if it reads as one.
    return bool(_JOBS.search(text) and _ON.search(text))


def preload(paths: list[str]) -> None:
    """The reader and libyaml's loader, when some of ``paths`` may be workflows (``adapters.preload``)."""
    if any(p.endswith((".yml", ".yaml")) for p in paths):
        from wflint.sourcemap import _loader

        from . import reader  # noqa: F401  (imported for the workers to inherit)

        _loader()


def read(path: str, text: str):
    from .reader import read_workflow

    return read_workflow(path, text)


def supports(workflow, change) -> bool:
    """The changes the rewriter can express (the fixer lists the others to do by hand)."""
    from .rewriter import SUPPORTED

    return isinstance(change, SUPPORTED)


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


def run_setup(data):
    """Seconds per task spent getting ready (set-up steps) in this engine's run data, per run; else None."""
    from .runs import run_setup as _run_setup

    return _run_setup(data)
