"""Calls a one-task-at-a-time engine would still overlap, if they were merged into one task.

n8n runs one node at a time, but one HTTP Request node fed N items sends its N requests at once.
Tasks sharing a ``batch`` key (set by the adapter), with no dependency between them and run in
the same execution for the same item, can become one such task: together they take about the
longest one's time instead of the sum. That is the only parallel saving such an engine offers,
so it is what the optimized figure counts there.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..ir import Workflow
from . import graph
from .groups import weakest_source
from .relax import Relaxation


@dataclass
class Batch:
    tasks: list[str]
    sequential_s: float  # one after another, as today
    batched_s: float  # as one task over one item per call
    duration_source: str  # the weakest of its members

    @property
    def saved_s(self) -> float:
        return self.sequential_s - self.batched_s


def find_batches(workflow: Workflow, relaxation: Relaxation, duration: dict[str, float]) -> list[Batch]:
    if workflow.execution_model.runs_parallel:
        return []
    rank = relaxation.rank
    # Every ordering the relaxed graph keeps keeps calls apart, control edges too: a call that runs
    # once per item of another, or only on one of its outputs, is fed by it and cannot join it.
    succ, _ = graph.adjacency(relaxation.order, relaxation.strict_edges())
    by_key: dict[str, list[str]] = {}
    for t in relaxation.order:
        task = workflow.tasks[t]
        if task.batch and not task.dynamic and (task.items or 1) == 1:
            by_key.setdefault(task.batch, []).append(t)
    out = []
    for calls in by_key.values():
        groups: list[list[str]] = []
        for t in calls:
            home = next((g for g in groups if all(_independent(succ, rank, m, t) and relaxation.together(m, t)
                                                   for m in g)), None)
            if home is None:
                groups.append([t])
            else:
                home.append(t)
        for group in groups:
            if len(group) > 1:
                seconds = [duration[t] for t in group]
                out.append(Batch(group, sum(seconds), max(seconds), weakest_source(workflow, group)))
    return out


def _independent(succ, rank, a: str, b: str) -> bool:
    first, second = (a, b) if rank[a] < rank[b] else (b, a)
    return not graph.reaches(succ, first, second, rank)
