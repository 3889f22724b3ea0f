"""Makespan under limits by list scheduling, with a lower bound beside it (docs/architecture.md).

Limits are renewable capacities: the engine's concurrency cap (tasks at once), pools (slots at
once), and API rate limits. A rate limit is treated as a token bucket refilling at ``r``/s with a
task's calls spread evenly over its run, so a running task uses ``calls / duration`` of it; a task
whose own calls exceed the rate alone is stretched to ``calls / r`` seconds. Priority is the
longest remaining path (after the engine's own priority weights, where it has them: Airflow's
``priority_weight`` picks which ready task a pool or cap lets start); tasks with the same pools and
APIs start in priority order.
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass, field

from .cpm import EPS, cpm, tails


@dataclass(frozen=True)
class Demand:
    """What one task holds while it runs."""

    pools: tuple[tuple[str, int], ...] = ()  # (pool, slots)
    rates: tuple[tuple[str, float], ...] = ()  # (api, calls per second while running)
    slots: int = 1  # places it takes under the engine's concurrency cap (a matrix job's instances)

    @property
    def signature(self) -> tuple:
        return (tuple(p for p, _ in self.pools), tuple(a for a, _ in self.rates))


@dataclass
class Capacity:
    concurrency: int | None = None
    pools: dict[str, int] = field(default_factory=dict)
    rates: dict[str, float] = field(default_factory=dict)


@dataclass
class Schedule:
    start: dict[str, float]
    finish: dict[str, float]
    makespan: float
    lower_bound: float
    waits: dict[str, int]  # limit → how many ready tasks had to wait for it
    over_capacity: list[str]  # tasks that need more than a limit allows even alone


def list_schedule(order: list[str], pred: dict[str, list[str]], succ: dict[str, list[str]],
                  duration: dict[str, float], demand: dict[str, Demand], capacity: Capacity,
                  critical_path_s: float | None = None, weights: dict[str, float] | None = None) -> Schedule:
    """``critical_path_s``: the graph's CPM makespan where the caller has it (for the bound);
    ``weights``: the engine's priority per task (higher starts first), where it has one."""
    run = _ListRun(order, pred, succ, duration, demand, capacity, weights or {})
    run.simulate()
    makespan = max(run.finish.values(), default=0.0)
    bound = lower_bound(order, pred, succ, duration, demand, capacity, critical_path_s)
    waits = {limit: len(tasks) for limit, tasks in run.waits.items()}
    return Schedule(run.start, run.finish, makespan, min(bound, makespan), waits, run.over)


class _ListRun:
    """One list-scheduling simulation: ready tasks wait in one priority heap per signature (same
    pools and APIs), and at each moment the best-ranked head that fits every limit starts."""

    def __init__(self, order: list[str], pred: dict[str, list[str]], succ: dict[str, list[str]],
                 duration: dict[str, float], demand: dict[str, Demand], capacity: Capacity,
                 weights: dict[str, float]) -> None:
        self.order, self.succ, self.duration, self.capacity = order, succ, duration, capacity
        self.weights = weights
        self.demand = {t: demand.get(t, Demand()) for t in order}
        self.rank = {t: i for i, t in enumerate(order)}
        self.tail = tails(order, succ, duration)
        self.signature = {t: self.demand[t].signature for t in order}
        self.waiting = {t: len(pred[t]) for t in order}  # unfinished predecessors
        self.heads: dict[tuple, list[tuple[float, float, int, str]]] = {}  # signature → ready tasks
        self.running: list[tuple[float, int, str]] = []  # (finish, rank, task)
        self.used_pools: dict[str, int] = {}
        self.used_rates: dict[str, float] = {}
        self.used_slots = 0  # places under the concurrency cap in use
        self.start: dict[str, float] = {}
        self.finish: dict[str, float] = {}
        self.ready_at: dict[str, float] = {}
        self.waits: dict[str, set[str]] = {}  # limit → tasks that had to wait for it
        self.last_block: dict[tuple, str] = {}  # signature → the limit that last held its head back
        self.over: list[str] = []
        self.now = 0.0

    def simulate(self) -> None:
        for t in self.order:
            if not self.waiting[t]:
                self.make_ready(t)
        while len(self.finish) < len(self.order) or self.running:
            self.start_what_fits()
            if not self.running:
                if not self.force_one_over_capacity():
                    break
                continue
            self.now = self.running[0][0]
            while self.running and self.running[0][0] <= self.now + EPS:
                self.complete(heapq.heappop(self.running)[2])

    def make_ready(self, t: str) -> None:
        self.ready_at[t] = self.now
        heapq.heappush(self.heads.setdefault(self.signature[t], []), self.priority(t))

    def priority(self, t: str) -> tuple[float, float, int, str]:
        """The engine's weight first, then the longest remaining path, then the order given."""
        return (-self.weights.get(t, 0.0), -self.tail[t], self.rank[t], t)

    def blocker(self, t: str) -> str | None:
        """The limit that keeps ``t`` from starting now, if any."""
        capacity, d = self.capacity, self.demand[t]
        cap = capacity.concurrency
        if cap is not None and self.running and self.used_slots + min(d.slots, cap) > cap:
            return "concurrency"
        for pool, slots in d.pools:
            size = capacity.pools.get(pool)
            if size is not None and self.used_pools.get(pool, 0) + slots > size:
                return f"pool {pool}"
        for api, rate in d.rates:
            limit = capacity.rates.get(api)
            if limit is not None and self.used_rates.get(api, 0.0) + rate > limit + EPS:
                return f"api {api}"
        return None

    def start_what_fits(self) -> None:
        while True:
            best = None
            for key, heap in self.heads.items():
                if heap and (best is None or heap[0] < self.heads[best][0]):
                    reason = self.blocker(heap[0][-1])
                    if reason is None:
                        best = key
                    else:
                        self.last_block[key] = reason
            if best is None:
                return
            self.launch(heapq.heappop(self.heads[best])[-1])

    def force_one_over_capacity(self) -> bool:
        """Nothing runs and nothing fits: start the best ready task that needs more than a limit
        allows even alone (False when no task is ready at all)."""
        stuck = [h[0][-1] for h in self.heads.values() if h]
        if not stuck:
            return False
        t = min(stuck, key=self.priority)
        self.over.append(t)
        heap = self.heads[self.signature[t]]
        heap.remove(self.priority(t))
        heapq.heapify(heap)
        self.launch(t)
        return True

    def launch(self, t: str) -> None:
        d = self.demand[t]
        if self.now > self.ready_at[t] + EPS:
            self.waits.setdefault(self.last_block.get(self.signature[t], "limits"), set()).add(t)
        for pool, slots in d.pools:
            self.used_pools[pool] = self.used_pools.get(pool, 0) + slots
        for api, rate in d.rates:
            self.used_rates[api] = self.used_rates.get(api, 0.0) + rate
        self.used_slots += d.slots
        self.start[t] = self.now
        self.finish[t] = self.now + self.duration[t]
        heapq.heappush(self.running, (self.finish[t], self.rank[t], t))

    def complete(self, t: str) -> None:
        """``t`` finished: give back what it held and ready the successors it was the last wait of."""
        d = self.demand[t]
        self.used_slots -= d.slots
        for pool, slots in d.pools:
            self.used_pools[pool] -= slots
        for api, rate in d.rates:
            self.used_rates[api] -= rate
        for s in self.succ[t]:
            self.waiting[s] -= 1
            if not self.waiting[s]:
                self.make_ready(s)


def lower_bound(order, pred, succ, duration, demand, capacity: Capacity, critical_path_s: float | None = None) -> float:
    """No schedule beats the critical path, nor total work divided by any capacity."""
    bound = critical_path_s if critical_path_s is not None else cpm(order, pred, succ, duration).makespan
    if capacity.concurrency:
        bound = max(bound, sum(duration.values()) / capacity.concurrency)
    pool_work: dict[str, float] = {}
    api_calls: dict[str, float] = {}
    for t in order:
        d = demand.get(t)
        if d is None:
            continue
        for pool, slots in d.pools:
            pool_work[pool] = pool_work.get(pool, 0.0) + slots * duration[t]
        for api, rate in d.rates:
            api_calls[api] = api_calls.get(api, 0.0) + rate * duration[t]
    for pool, work in pool_work.items():
        if capacity.pools.get(pool):
            bound = max(bound, work / capacity.pools[pool])
    for api, calls in api_calls.items():
        if capacity.rates.get(api):
            bound = max(bound, calls / capacity.rates[api])
    return bound


def critical_chain(schedule: Schedule, rank: dict[str, int]) -> list[str]:
    """The critical path of a schedule, the one definition every output draws: the chain of tasks
    that ends last, each starting when the one before it ends (a tie goes to the earlier task in
    workflow order). Under limits it follows what the run waits for, not only the graph."""
    if not schedule.finish:
        return []
    ending: dict[float, list[str]] = {}
    for t, f in schedule.finish.items():
        ending.setdefault(round(f, 9), []).append(t)
    end = max(schedule.finish, key=lambda t: (schedule.finish[t], -rank[t]))
    path, on_path = [end], {end}
    while schedule.start[path[-1]] > 1e-9:
        before = [t for t in ending.get(round(schedule.start[path[-1]], 9), []) if t not in on_path]
        if not before:
            break
        path.append(min(before, key=rank.__getitem__))
        on_path.add(path[-1])
    return path[::-1]
