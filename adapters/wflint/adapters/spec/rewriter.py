"""Spec-file fixes as text splices: drop an `after:` ordering (PAR001) or a redundant one (GRA003).

Only explicit `after` entries of a `current: graph` design can be removed this way; the order of a
`current: sequential` design is the list itself, and changing it means choosing a graph for the
whole file, which is left to the author (the finding says what to do).
"""
from __future__ import annotations

from wflint.errors import RewriteError
from wflint.ir import EdgeKind, Workflow
from wflint.yamlsplice import SpliceError, remove_item, remove_key


def supports(workflow: Workflow, change) -> bool:
    if change.op not in ("remove_order", "remove_edge"):
        return False
    edge = workflow.edge(change.u, change.v)
    return (edge is not None and edge.kind is EdgeKind.ORDER and edge.location is not None
            and edge.location.pointer[:3] == ("tasks", change.v, "after"))


def rewrite(text: str, workflow: Workflow, changes) -> str:
    from .reader import read_spec

    for change in changes:
        if not supports(workflow, change):
            raise RewriteError(f"cannot express {change.op} {change.u} → {change.v} in this spec file")
        pointer = workflow.edge(change.u, change.v).location.pointer
        siblings = [e for e in workflow.edges if e.kind is EdgeKind.ORDER and e.v == change.v
                    and e.location is not None and e.location.pointer[:3] == pointer[:3]]
        try:
            if len(pointer) == 4:
                text = remove_item(text, workflow.source, pointer[:3], pointer[3], len(siblings))
            else:
                text = remove_key(text, workflow.source, pointer)
        except SpliceError as exc:
            raise RewriteError(f"cannot remove `after: {change.u}` from {change.v}: {exc}") from None
        workflow = read_spec(workflow.path, text)[0]  # fresh positions for the next change
    return text
