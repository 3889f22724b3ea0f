"""Critical path method on node durations (forward and backward pass, docs/architecture.md).

networkx's ``dag_longest_path`` weighs edges, not nodes, so the passes are done here.
"""
from __future__ import annotations

from dataclasses import field
from functools import cached_property

from wflint.records import dataclass

EPS = 1e-9


@dataclass
class Cpm:
    """The critical-path method's figures for a graph without limits: slack and the one critical path.

    The latest starts and finishes (the backward pass) are worked out when first asked for: only a
    report shows slack, and on a large graph they are two more maps of every task."""

    earliest_start: dict[str, float]
    earliest_finish: dict[str, float]
    makespan: float
    critical_path: list[str]
    order: list[str] = field(default_factory=list, repr=False, compare=False)
    succ: dict[str, list[str]] = field(default_factory=dict, repr=False, compare=False)
    duration: dict[str, float] = field(default_factory=dict, repr=False, compare=False)

    @cached_property
    def _latest(self) -> tuple[dict[str, float], dict[str, float]]:
        lf: dict[str, float] = {}
        ls: dict[str, float] = {}
        start_of, succ, duration, makespan = ls.__getitem__, self.succ, self.duration, self.makespan
        for n in reversed(self.order):
            lf[n] = finish = min(map(start_of, succ[n]), default=makespan)
            ls[n] = finish - duration[n]
        return ls, lf

    @property
    def latest_start(self) -> dict[str, float]:
        return self._latest[0]

    @property
    def latest_finish(self) -> dict[str, float]:
        return self._latest[1]

    def slack(self, task: str) -> float:
        return max(0.0, self.latest_start[task] - self.earliest_start[task])

    def critical(self, task: str) -> bool:
        return self.slack(task) <= EPS


def cpm(order: list[str], pred: dict[str, list[str]], succ: dict[str, list[str]],
        duration: dict[str, float]) -> Cpm:
    es: dict[str, float] = {}
    ef: dict[str, float] = {}
    finish_of = ef.__getitem__
    for n in order:  # map over a bound lookup: a generator per task was a third of this pass
        es[n] = start = max(map(finish_of, pred[n]), default=0.0)
        ef[n] = start + duration[n]
    makespan = max(ef.values(), default=0.0)
    return Cpm(es, ef, makespan, _critical_path(order, pred, es, ef, makespan), order, succ, duration)


def _critical_path(order, pred, es, ef, makespan) -> list[str]:
    """Walk back from the last task to finish through predecessors that finish exactly on time."""
    if not order:
        return []
    end = next(n for n in reversed(order) if abs(ef[n] - makespan) <= EPS)
    path = [end]
    rank: dict[str, int] = {}  # made at the first tie: a search of ``order`` per tie is quadratic
    while True:
        before = [p for p in pred[path[-1]] if abs(ef[p] - es[path[-1]]) <= EPS]
        if not before:
            return path[::-1]
        if len(before) > 1 and not rank:
            rank = {n: i for i, n in enumerate(order)}
        path.append(min(before, key=rank.__getitem__) if len(before) > 1 else before[0])


def tails(order: list[str], succ: dict[str, list[str]], duration: dict[str, float]) -> dict[str, float]:
    """Longest remaining path from each task to the end, itself included (list-scheduling priority)."""
    tail: dict[str, float] = {}
    tail_of = tail.__getitem__
    for n in reversed(order):
        tail[n] = duration[n] + max(map(tail_of, succ[n]), default=0.0)
    return tail
