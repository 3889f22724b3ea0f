"""Parallel groups: tasks the declared order keeps apart for no reason, with why and what it saves.

A declared ordering u→v is *removable* when the relaxed graph does not order u before v. Tasks
joined by removable orderings form a group. A group saves the difference between its longest chain
as declared and its longest chain under the necessary orderings alone.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..ir import DurationSource, Workflow
from . import graph
from .durations import fmt_seconds
from .relax import Relaxation

_SOURCE_STRENGTH = [s.value for s in DurationSource]


@dataclass
class Group:
    tasks: list[str]
    removed: list[tuple[str, str]]  # declared orderings the group drops
    confidence: str  # "high" when every member's effects are known
    sequential_s: float
    parallel_s: float
    reason: str
    duration_source: str

    @property
    def saved_s(self) -> float:
        return max(0.0, self.sequential_s - self.parallel_s)


def find_groups(workflow: Workflow, relaxation: Relaxation, duration: dict[str, float]) -> list[Group]:
    rank = relaxation.rank
    known_succ, _ = graph.adjacency(relaxation.order, relaxation.relaxed)
    strict_succ, _ = graph.adjacency(relaxation.order, relaxation.strict_edges())
    removable = [(u, v) for u, v in relaxation.declared
                 if (u, v) not in relaxation.relaxed and not graph.reaches(known_succ, u, v, rank)]
    joined = graph.UnionFind()
    for u, v in removable:
        joined.union(u, v)
    by_root: dict[str, list[tuple[str, str]]] = {}
    for u, v in removable:
        by_root.setdefault(joined.find(u), []).append((u, v))
    groups = []
    for root, members in joined.groups().items():
        members.sort(key=rank.__getitem__)
        removed = by_root[root]
        sure = all((u, v) not in relaxation.barrier and not graph.reaches(strict_succ, u, v, rank)
                   for u, v in removed)
        member_set = set(members)
        declared_internal = [(u, v) for u, v in relaxation.declared if u in member_set and v in member_set]
        needed_internal = [(u, v) for u, v in relaxation.relaxed if u in member_set and v in member_set]
        groups.append(Group(
            tasks=members,
            removed=removed,
            confidence="high" if sure else "low",
            sequential_s=_longest(members, declared_internal, duration),
            parallel_s=_longest(members, needed_internal, duration),
            reason=_reason(workflow, members, relaxation),
            duration_source=weakest_source(workflow, members),
        ))
    groups.sort(key=lambda g: rank[g.tasks[0]])
    return groups


def weakest_source(workflow: Workflow, task_ids) -> str:
    sources = [workflow.tasks[t].duration.source.value for t in task_ids]
    return max(sources, key=_SOURCE_STRENGTH.index) if sources else DurationSource.DEFAULT.value


def _longest(members: list[str], edges: list[tuple[str, str]], duration: dict[str, float]) -> float:
    """Longest node-weighted chain among ``members`` (already in topological order)."""
    preds: dict[str, list[str]] = {m: [] for m in members}
    for u, v in edges:
        preds[v].append(u)
    finish: dict[str, float] = {}
    for m in members:
        finish[m] = duration[m] + max((finish[p] for p in preds[m]), default=0.0)
    return max(finish.values(), default=0.0)


def _reason(workflow: Workflow, members: list[str], relaxation: Relaxation) -> str:
    """Why they can overlap, in words drawn from the facts recorded on the tasks."""
    member_set = set(members)
    internal = [why for (u, v), why in relaxation.relaxed.items() if u in member_set and v in member_set]
    parts = ["no data dependency between them" if not internal
             else "only " + "; ".join(sorted(set(internal))) + " (kept in order)"]
    resources: dict[str, list[str]] = {}
    apis: dict[str, list[str]] = {}
    unknown = []
    for t in members:
        task = workflow.tasks[t]
        if task.opaque or task.dynamic:
            unknown.append(t)
        for effect in task.effects:
            resources.setdefault(effect.system, []).append(t)
        for use in task.apis:
            apis.setdefault(use.api, []).append(t)
    systems = sorted(set(resources) | set(apis))
    if len(systems) > 1:
        parts.append("they touch different systems: " + ", ".join(systems))
    elif len(systems) == 1:
        parts.append(f"they share {systems[0]} without conflicting writes")
    else:
        parts.append("no shared resources")
    shared = [a for a, users in apis.items() if len(set(users)) > 1]
    if shared:
        parts.append("shared API " + ", ".join(sorted(shared)) + " checked against its limit")
    if unknown:
        parts.append("effects of " + ", ".join(unknown) + " are unknown (verify by hand)")
    return "; ".join(parts)


def describe(workflow: Workflow, group: Group, duration: dict[str, float]) -> str:
    """``[Fetch CRM (2s) + Fetch tickets (3s)]`` for blueprints and messages."""
    return "[" + " + ".join(f"{workflow.tasks[t].name} ({fmt_seconds(duration[t])})" for t in group.tasks) + "]"
