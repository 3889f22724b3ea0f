"""Calls a one-task-at-a-time engine would still overlap, if they were merged into one task.

n8n runs one node at a time, but one HTTP Request node fed N items sends its N requests at once.
Tasks sharing a ``batch`` key (set by the adapter), with no dependency between them and run in
the same execution for the same item, can become one such task: together they take about the
longest one's time instead of the sum. That is the only parallel saving such an engine offers,
so it is what the optimized figure counts there.
"""
from __future__ import annotations

from wflint.records import dataclass

from ..ir import Workflow
from . import graph
from .groups import weakest_source
from .relax import Relaxation


@dataclass
class Batch:
    """Calls of one API by several tasks that one batched call could replace, with the time that saves."""

    tasks: list[str]
    sequential_s: float  # one after another, as today
    batched_s: float  # as one task over one item per call
    duration_source: str  # the weakest of its members

    @property
    def saved_s(self) -> float:
        return max(0.0, self.sequential_s - self.batched_s)


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
                batched = max(max(seconds), _paced_s(workflow, group))
                sequential = max(sum(seconds), _one_at_a_time_s(workflow, group, duration))
                out.append(Batch(group, sequential, batched, weakest_source(workflow, group)))
    return out


def _one_at_a_time_s(workflow: Workflow, group: list[str], duration: dict[str, float]) -> float:
    """The members one after another under their APIs' buckets: a later call may wait for a refill."""
    from .schedule import Capacity, Demand, list_schedule

    limits = workflow.limits.apis
    demand = {}
    for t in group:
        task = workflow.tasks[t]
        rates = tuple((u.api, task.calls(u) / duration[t]) for u in task.apis if u.api in limits and duration[t])
        if rates:
            demand[t] = Demand(rates=rates)
    if not demand:
        return 0.0
    capacity = Capacity(1, rates={a: lim.per_second for a, lim in limits.items()},
                        bursts={a: lim.bucket for a, lim in limits.items()})
    chain = list(group)
    return list_schedule(chain, {t: [] for t in chain}, {t: [] for t in chain}, duration, demand, capacity).makespan


def _paced_s(workflow: Workflow, group: list[str]) -> float:
    """One task sends every call of the batch at once, so a rate-limited API paces it: the calls
    beyond the bucket's burst go at the refill rate."""
    calls: dict[str, float] = {}
    for t in group:
        task = workflow.tasks[t]
        for use in task.apis:
            calls[use.api] = calls.get(use.api, 0.0) + task.calls(use)
    paced = 0.0
    for api, n in calls.items():
        limit = workflow.limits.apis.get(api)
        if limit is not None:
            paced = max(paced, max(0.0, n - limit.bucket) / limit.per_second)
    return paced


def _independent(succ, rank, a: str, b: str) -> bool:
    first, second = (a, b) if rank[a] < rank[b] else (b, a)
    return not graph.reaches(succ, first, second, rank)
