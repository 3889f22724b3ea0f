"""How much of a workflow wflint could read: the honesty figure behind every verdict.

A graph that was only partly read (tasks whose ids or edges could not be resolved, helpers or
classes it could not follow) is never judged as if it were whole: the figure is shown in reports
and JSON, and WFL003 says which parts and why.
"""
from __future__ import annotations

from wflint.records import dataclass

from ..facets import Unresolved
from ..ir import Workflow


@dataclass(frozen=True)
class Coverage:
    """How much of a workflow wflint could read, so a partial graph is never judged as a whole one."""

    tasks: int
    effects_known: int  # tasks whose effects wflint can tell (not opaque, not dynamic)
    edges: int  # references and orderings read
    edges_resolved: int  # ... that name a task that exists
    dynamic: tuple[str, ...]  # tasks whose ids or edges could not be resolved statically
    unresolved: tuple[str, ...]  # why, in words, from the adapter

    @property
    def partial(self) -> bool:
        return bool(self.dynamic or self.unresolved)

    def as_dict(self) -> dict:
        return {"tasks": self.tasks, "effects_known": self.effects_known, "edges": self.edges,
                "edges_resolved": self.edges_resolved, "dynamic_tasks": list(self.dynamic),
                "unresolved": list(self.unresolved), "partial": self.partial}

    def summary(self) -> str:
        text = (f"{self.tasks} task(s) read, effects known for {self.effects_known}, "
                f"{self.edges_resolved} of {self.edges} reference(s) resolved")
        if self.partial:
            text += f"; the graph is partial ({len(self.dynamic)} task(s) not resolved statically)"
        return text


def coverage(workflow: Workflow) -> Coverage:
    tasks = workflow.tasks.values()
    unresolved = workflow.facet(Unresolved)
    return Coverage(
        tasks=len(workflow.tasks),
        effects_known=sum(1 for t in tasks if not t.opaque and not t.dynamic),
        edges=len(workflow.edges) + len(workflow.dangling),
        edges_resolved=len(workflow.edges),
        dynamic=tuple(t.id for t in tasks if t.dynamic),
        unresolved=unresolved.reasons if unresolved else (),
    )
