"""Spec-file fixes as text splices: drop an `after:` ordering (PAR001) or a redundant one (GRA003).

Only explicit `after` entries of a `current: graph` design can be removed this way; the order of a
`current: sequential` design is the list itself, and changing it means choosing a graph for the
whole file, which is left to the author (the finding says what to do).
"""
from __future__ import annotations

from wflint.edits import EditLog, TextEdit
from wflint.errors import RewriteError
from wflint.finding import FixChange, RemoveEdge, RemoveOrder, change_kind
from wflint.ir import EdgeKind, Workflow
from wflint.yamlsplice import SpliceError, remove_item, remove_key


def supports(workflow: Workflow, change: FixChange) -> bool:
    return _after_entry(workflow, change) is not None


def _after_entry(workflow: Workflow, change: FixChange) -> tuple[str | int, ...] | None:
    """Where the `after:` entry that ``change`` removes is written; None where it is no such entry."""
    if not isinstance(change, (RemoveOrder, RemoveEdge)):
        return None
    edge = workflow.edge(change.u, change.v)
    if edge is None or edge.kind is not EdgeKind.ORDER or edge.location is None:
        return None
    pointer = edge.location.pointer
    return pointer if pointer[:3] == ("tasks", change.v, "after") else None


def rewrite(text: str, workflow: Workflow, changes: list[FixChange]) -> list[TextEdit]:
    """The edits of ``text`` that make ``changes`` (each removal placed on a fresh read of the text
    the earlier ones left)."""
    from .reader import read_spec

    log = EditLog(text)
    for i, change in enumerate(changes):
        if i:
            workflow = read_spec(workflow.path, log.text)[0]  # fresh positions for this change
        if not isinstance(change, (RemoveOrder, RemoveEdge)):
            raise RewriteError(f"cannot express {change_kind(change)} in this spec file")
        pointer = _after_entry(workflow, change)
        if pointer is None:
            raise RewriteError(f"cannot express {change_kind(change)} {change.u} → {change.v} in this spec file")
        siblings = [e for e in workflow.edges if e.kind is EdgeKind.ORDER and e.v == change.v
                    and e.location is not None and e.location.pointer[:3] == pointer[:3]]
        try:
            if len(pointer) == 4 and isinstance(pointer[3], int):  # one item of an `after:` list
                log.apply(remove_item(log.text, workflow.source, pointer[:3], pointer[3], len(siblings)))
            else:
                log.apply(remove_key(log.text, workflow.source, pointer))
        except SpliceError as exc:
            raise RewriteError(f"cannot remove `after: {change.u}` from {change.v}: {exc}") from None
    return log.edits
