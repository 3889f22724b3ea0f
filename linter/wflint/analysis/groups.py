"""Parallel groups: tasks the declared order keeps apart for no reason, with why and what it saves.

A declared ordering u→v is *removable* when the relaxed graph does not order u before v. Tasks
joined by removable orderings form a group. What a group saves is measured end to end: groups are
applied one after another (in workflow order) and each is credited with how much the critical path
shrinks when its orderings go, so the savings add up to the whole gain. The group's own chain
(declared vs. necessary) is kept beside it for the message.
"""
from __future__ import annotations

import heapq
from dataclasses import field

from wflint.records import dataclass

from ..ir import DurationSource, Workflow
from . import graph
from .cpm import EPS
from .relax import Relaxation

_SOURCE_STRENGTH = [s.value for s in DurationSource]
# The groups left are credited in one sweep once shifting them one by one, at the last group's
# count of tasks moved, would move more than this many times the graph's size (tasks and edges).
SWEEP_AFTER = 1


@dataclass
class Group:
    """Tasks that could run side by side once ``removed`` orderings go, with the time that saves."""

    tasks: list[str]
    removed: list[tuple[str, str]]  # declared orderings the group drops
    confidence: str  # "high" when every member's effects are known
    sequential_s: float
    parallel_s: float
    reason: str
    duration_source: str
    needed: list[tuple[str, str, str]] = field(default_factory=list)  # orderings kept inside: (u, v, why)
    declared: list[tuple[str, str]] = field(default_factory=list)  # the design's orderings between its tasks
    saved_s: float = field(default=0.0)  # end to end, set by ``credit_savings``
    # Where it saves nothing in turn: at least what it saves once every other sure group is applied
    # (a path as long beside it decided the run until those went too), set by ``credit_savings``.
    joint_s: float = field(default=0.0)


def find_groups(workflow: Workflow, relaxation: Relaxation, duration: dict[str, float]) -> list[Group]:
    rank = relaxation.rank
    known_succ, _ = relaxation.known
    strict_succ, _ = relaxation.strict
    removable = [(u, v) for u, v in relaxation.candidates
                 if (u, v) not in relaxation.relaxed and not graph.reaches(known_succ, u, v, rank)]
    joined = graph.UnionFind()
    for u, v in removable:
        joined.union(u, v)
    by_root: dict[str, list[tuple[str, str]]] = {}
    for u, v in removable:
        by_root.setdefault(joined.find(u), []).append((u, v))
    root_of = {t: root for root, members in joined.groups().items() for t in members}
    declared_inside: dict[str, list[tuple[str, str]]] = {}
    needed_inside: dict[str, list[tuple[str, str, str]]] = {}
    for u, v in relaxation.candidates:
        if u in root_of and root_of[u] == root_of.get(v):
            declared_inside.setdefault(root_of[u], []).append((u, v))
    for (u, v), why in relaxation.relaxed.items():
        if u in root_of and root_of[u] == root_of.get(v):
            needed_inside.setdefault(root_of[u], []).append((u, v, why))
    groups = []
    for root, members in joined.groups().items():
        members.sort(key=rank.__getitem__)
        removed = by_root[root]
        # With no barrier the strict graph is the known one, where no removed ordering is reached.
        sure = not relaxation.barrier or all((u, v) not in relaxation.barrier
                                             and not graph.reaches(strict_succ, u, v, rank) for u, v in removed)
        needed = needed_inside.get(root, [])
        declared = declared_inside.get(root, [])
        groups.append(Group(
            tasks=members,
            removed=removed,
            confidence="high" if sure else "low",
            sequential_s=longest_chain(members, declared, duration),
            parallel_s=longest_chain(members, [(u, v) for u, v, _ in needed], duration),
            reason=_reason(workflow, members, needed),
            duration_source=weakest_source(workflow, members),
            needed=needed,
            declared=declared,
        ))
    groups.sort(key=lambda g: rank[g.tasks[0]])
    credit_savings(relaxation, groups, duration)
    return groups


def credit_savings(relaxation: Relaxation, groups: list[Group], duration: dict[str, float]) -> None:
    """Drop each group's orderings in turn and credit it with the critical-path time that frees.

    Only the tasks whose earliest start really changes are revisited (each queued once per group,
    a task as its rank in the order), so this stays near linear however many groups there are.
    Sure groups go first; uncertain ones are credited afterwards, with what they would add if
    their effects turn out to be independent.
    """
    order, rank = relaxation.order, relaxation.rank
    succ: list[set[int]] = [set() for _ in order]
    pred: list[set[int]] = [set() for _ in order]
    for edges in (relaxation.declared, relaxation.relaxed, relaxation.barrier):
        for u, v in edges:
            if u != v:
                succ[rank[u]].add(rank[v])
                pred[rank[v]].add(rank[u])
    cost = [duration[n] for n in order]
    start = [0.0] * len(order)
    end = [0.0] * len(order)
    _earliest(start, end, pred, cost)
    run = _Makespan(end, succ, all(c >= 0 for c in cost))
    size = len(order) + sum(map(len, succ))
    ordered = sorted(groups, key=lambda g: (g.confidence != "high", rank[g.tasks[0]]))
    for sure in (True, False):
        phase = [g for g in ordered if (g.confidence == "high") == sure]
        shifted, may_sweep = 0, run.only_last
        for i, group in enumerate(phase):
            before = run.makespan()
            if may_sweep and shifted * (len(phase) - i) > SWEEP_AFTER * size:  # the rest at once is cheaper
                spans = _spans_by_cuts(phase[i:], rank, succ, pred, cost, start, end)
                if spans is not None:
                    for later, after in zip(phase[i:], spans):
                        later.saved_s, before = max(0.0, before - after), after
                    run = _Makespan(end, succ, True)
                    break
                may_sweep = False  # interleaved groups: walk on
            for u, v in group.removed:
                succ[rank[u]].discard(rank[v])
                pred[rank[v]].discard(rank[u])
                run.may_end_here(rank[u])
            shifted = _shift_starts(sorted({rank[v] for _, v in group.removed}), start, end, cost, succ, pred, run)
            group.saved_s = max(0.0, before - run.makespan())
        if sure:
            _credit_joint(phase, rank, succ, cost, end, run.makespan())


def _credit_joint(phase: list[Group], rank: dict[str, int], succ: list[set[int]], cost: list[float],
                  end: list[float], makespan: float) -> None:
    """A group credited nothing in turn may still be needed: two equal parallel chains each save
    nothing alone, and the one credited first gets 0. With every group of ``phase`` applied
    (``succ``/``end`` as they are now), putting one group's ordering u → v back makes the run at
    least u's finish plus the longest path on from v: beyond the makespan, that group is needed."""
    idle = [g for g in phase if g.saved_s <= EPS]
    if not idle:
        return
    tail = _tails(succ, cost)
    for group in idle:
        back = max(end[rank[u]] + tail[rank[v]] for u, v in group.removed)
        group.joint_s = max(0.0, back - makespan) if back > makespan + EPS else 0.0


def _spans_by_cuts(phase: list[Group], rank: dict[str, int], succ: list[set[int]], pred: list[set[int]],
                   cost: list[float], start: list[float], end: list[float]) -> list[float] | None:
    """The makespan after each of ``phase``'s groups in turn goes, where every group's orderings lie
    before the next group's first task (a sequential design's groups are runs of its chain): then
    the tasks before that cut already start as with every group gone, and the tasks from it on as
    with none gone, so the makespan is the latest of the finishes before the cut and of each path
    across it (a finish before it plus the longest path on from the task after it). One sweep does
    every group, where dropping them one by one shifts the rest of the chain once per group.
    None where groups interleave (nothing changed); else the orderings are dropped, starts updated."""
    cuts = [min(rank[u] for u, _ in g.removed) for g in phase[1:]] + [len(cost)]
    reach = 0
    for group, cut in zip(phase, cuts):
        reach = max(reach, max(rank[u] for u, _ in group.removed))
        if reach >= cut:
            return None
    tail = _tails(succ, cost)  # as the graph is before the phase
    became_source: dict[int, list[int]] = {}
    for k, group in enumerate(phase):
        for i, j in {(rank[u], rank[v]) for u, v in group.removed}:
            succ[i].discard(j)
            pred[j].discard(i)
            if not pred[j]:
                became_source.setdefault(k, []).append(j)
    _earliest(start, end, pred, cost)  # every group gone
    return _sweep(cuts, tail, end, succ, became_source, pred)


def _tails(succ: list[set[int]], cost: list[float]) -> list[float]:
    """The longest path on from each task (by rank, a topological order), itself included."""
    tail = [0.0] * len(cost)
    for i in range(len(cost) - 1, -1, -1):
        tail[i] = cost[i] + (max(map(tail.__getitem__, succ[i])) if succ[i] else 0.0)
    return tail


def _earliest(start: list[float], end: list[float], pred: list[set[int]], cost: list[float]) -> None:
    """Every task's earliest start and end, in rank order (a topological order)."""
    finish_of = end.__getitem__
    for i, preds in enumerate(pred):
        start[i] = max(map(finish_of, preds)) if preds else 0.0
        end[i] = start[i] + cost[i]


def _sweep(cuts: list[int], tail: list[float], end: list[float], succ: list[set[int]],
           became_source: dict[int, list[int]], pred: list[set[int]]) -> list[float]:
    """``_spans_by_cuts``' sweep: paths across each cut in one heap, entries dropped once behind it."""
    later = {v for vs in became_source.values() for v in vs}  # sources only once their group goes
    # (-(finish before the cut + longest path on), where it lands); a task nothing precedes starts at 0
    across = [(-tail[j], j) for j in range(len(tail)) if not pred[j] and j not in later]
    heapq.heapify(across)
    spans, before_cut, swept = [], 0.0, 0
    for k, cut in enumerate(cuts):
        for j in became_source.get(k, ()):
            heapq.heappush(across, (-tail[j], j))
        while swept < cut:
            before_cut = max(before_cut, end[swept])
            for j in succ[swept]:
                heapq.heappush(across, (-(end[swept] + tail[j]), j))
            swept += 1
        while across and across[0][1] < cut:
            heapq.heappop(across)
        spans.append(max(before_cut, -across[0][0]) if across else before_cut)
    return spans


def _shift_starts(dirty: list[int], start: list[float], end: list[float], cost: list[float],
                  succ: list[set[int]], pred: list[set[int]], run: _Makespan) -> int:
    """Recompute the earliest starts from the ``dirty`` tasks down (rank order, each task once).

    A successor is revisited only where the task that moved was what held it back (its old end
    was the successor's start): starts only move earlier here, so a task that finished before
    its successor began cannot change when it starts. The loop is the hot path of a long chain.
    Returns how many tasks moved.
    """
    moved = 0
    queued = set(dirty)
    seen, pop, push, finish_of = queued.__contains__, heapq.heappop, heapq.heappush, end.__getitem__
    watch_all, finishes = not run.only_last, run.finishes
    while dirty:
        i = pop(dirty)
        preds = pred[i]
        new_start = max(map(finish_of, preds)) if preds else 0.0
        if new_start == start[i]:
            continue
        moved += 1
        old_end = end[i]
        start[i] = new_start
        end[i] = new_end = new_start + cost[i]
        after = succ[i]
        if watch_all or not after:
            push(finishes, (-new_end, i))
        for m in after:
            if start[m] == old_end and not seen(m):
                queued.add(m)
                push(dirty, m)
    return moved


class _Makespan:
    """The latest finish, kept in a heap with stale entries skipped. With no negative durations a
    task that has a successor never finishes after it, so only the tasks with none are watched:
    a shift that runs down a long chain pushes one entry, not one per task."""

    def __init__(self, end: list[float], succ: list[set[int]], only_last: bool) -> None:
        self.end, self.succ, self.only_last = end, succ, only_last
        self.finishes = [(-f, i) for i, f in enumerate(end) if not (only_last and succ[i])]
        heapq.heapify(self.finishes)

    def makespan(self) -> float:
        finishes, end = self.finishes, self.end
        while finishes and -finishes[0][0] != end[finishes[0][1]]:
            heapq.heappop(finishes)
        return -finishes[0][0] if finishes else 0.0

    def may_end_here(self, i: int) -> None:
        """Task ``i`` lost a successor: with none left its finish counts."""
        if self.only_last and not self.succ[i]:
            heapq.heappush(self.finishes, (-self.end[i], i))


def seconds_known(workflow: Workflow) -> bool:
    """Whether figures in seconds mean something: run data or configured durations were given, or
    every task that takes time has a figure from its own parameters (a wait's amount, a declared
    duration). Otherwise a total would add up kind defaults, and the report speaks in stages."""
    tasks = workflow.tasks.values()
    if any(t.duration.source in (DurationSource.MEASURED, DurationSource.CONFIGURED) for t in tasks):
        return True
    return all(t.duration.source is not DurationSource.DEFAULT or t.duration.seconds == 0 for t in tasks)


def weakest_source(workflow: Workflow, task_ids) -> str:
    sources = [workflow.tasks[t].duration.source.value for t in task_ids]
    return max(sources, key=_SOURCE_STRENGTH.index) if sources else DurationSource.DEFAULT.value


def longest_chain(members: list[str], edges: list[tuple[str, str]], duration: dict[str, float]) -> float:
    """Longest node-weighted chain among ``members`` (already in topological order)."""
    preds: dict[str, list[str]] = {m: [] for m in members}
    for u, v in edges:
        preds[v].append(u)
    finish: dict[str, float] = {}
    for m in members:
        finish[m] = duration[m] + max((finish[p] for p in preds[m]), default=0.0)
    return max(finish.values(), default=0.0)


def _reason(workflow: Workflow, members: list[str], needed: list[tuple[str, str, str]]) -> str:
    """Why they can overlap, in words drawn from the facts recorded on the tasks."""
    internal = [why for _, _, why in needed]
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
