"""Makespan under limits by list scheduling, with a lower bound beside it (docs/architecture.md).

Limits are renewable capacities: the engine's concurrency cap (tasks at once), pools (slots at
once), and API rate limits. A rate limit is treated as a token bucket refilling at ``r``/s with a
task's calls spread evenly over its run, so a running task uses ``calls / duration`` of it; a task
whose own calls exceed the rate alone is stretched to ``calls / r`` seconds. Priority is the
longest remaining path; tasks with the same pools and APIs start in priority order.
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
                  critical_path_s: float | None = None) -> Schedule:
    """``critical_path_s``: the graph's CPM makespan where the caller has it (for the bound)."""
    rank = {t: i for i, t in enumerate(order)}
    tail = tails(order, succ, duration)
    waiting = {t: len(pred[t]) for t in order}
    heads: dict[tuple, list] = {}
    used_pools: dict[str, int] = {}
    used_rates: dict[str, float] = {}
    running: list[tuple[float, int, str]] = []
    used_slots = [0]
    start: dict[str, float] = {}
    finish: dict[str, float] = {}
    waits: dict[str, set[str]] = {}
    last_block: dict[tuple, str] = {}
    ready_at: dict[str, float] = {}
    over: list[str] = []
    empty = Demand()
    signature = {t: demand.get(t, empty).signature for t in order}
    now = 0.0

    def make_ready(t: str) -> None:
        ready_at[t] = now
        heapq.heappush(heads.setdefault(signature[t], []), (-tail[t], rank[t], t))

    def blocker(t: str) -> str | None:
        d = demand.get(t, empty)
        cap = capacity.concurrency
        if cap is not None and running and used_slots[0] + min(d.slots, cap) > cap:
            return "concurrency"
        for pool, slots in d.pools:
            size = capacity.pools.get(pool)
            if size is not None and used_pools.get(pool, 0) + slots > size:
                return f"pool {pool}"
        for api, rate in d.rates:
            limit = capacity.rates.get(api)
            if limit is not None and used_rates.get(api, 0.0) + rate > limit + EPS:
                return f"api {api}"
        return None

    def launch(t: str, now: float) -> None:
        d = demand.get(t, empty)
        if now > ready_at[t] + EPS:
            waits.setdefault(last_block.get(signature[t], "limits"), set()).add(t)
        for pool, slots in d.pools:
            used_pools[pool] = used_pools.get(pool, 0) + slots
        for api, rate in d.rates:
            used_rates[api] = used_rates.get(api, 0.0) + rate
        used_slots[0] += d.slots
        start[t] = now
        finish[t] = now + duration[t]
        heapq.heappush(running, (finish[t], rank[t], t))

    def start_what_fits(now: float) -> None:
        while True:
            best = None
            for key, heap in heads.items():
                if heap and (best is None or heap[0] < heads[best][0]):
                    reason = blocker(heap[0][2])
                    if reason is None:
                        best = key
                    else:
                        last_block[key] = reason
            if best is None:
                return
            launch(heapq.heappop(heads[best])[2], now)

    for t in order:
        if not waiting[t]:
            make_ready(t)
    while len(finish) < len(order) or running:
        start_what_fits(now)
        if not running:
            stuck = [h[0][2] for h in heads.values() if h]
            if not stuck:
                break
            t = min(stuck, key=lambda x: (-tail[x], rank[x]))  # needs more than a limit allows
            over.append(t)
            heads[signature[t]].remove((-tail[t], rank[t], t))
            heapq.heapify(heads[signature[t]])
            launch(t, now)
            continue
        now = running[0][0]
        while running and running[0][0] <= now + EPS:
            _, _, t = heapq.heappop(running)
            d = demand.get(t, empty)
            used_slots[0] -= d.slots
            for pool, slots in d.pools:
                used_pools[pool] -= slots
            for api, rate in d.rates:
                used_rates[api] -= rate
            for s in succ[t]:
                waiting[s] -= 1
                if not waiting[s]:
                    make_ready(s)
    makespan = max(finish.values(), default=0.0)
    bound = lower_bound(order, pred, succ, duration, demand, capacity, critical_path_s)
    return Schedule(start, finish, makespan, min(bound, makespan), {k: len(v) for k, v in waits.items()}, over)


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
