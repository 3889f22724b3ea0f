"""Makespan under limits by list scheduling, with a lower bound beside it (docs/architecture.md).

Limits are renewable capacities: the engine's concurrency cap (tasks at once) and pools (slots at
once); an API rate limit is a token bucket that holds ``burst`` tokens and refills at ``r``/s, and a
running task draws ``calls / duration`` of it (its calls spread evenly over its run). A task starts
only when the bucket, drawn by it and by what already runs, never runs dry; when nothing fits, time
moves to the next finish or to the moment the bucket is full again. Priority is the longest
remaining path (after the engine's own priority weights, where it has them: Airflow's
``priority_weight`` picks which ready task a pool or cap lets start); tasks with the same pools and
APIs start in priority order.
"""
from __future__ import annotations

import heapq
from dataclasses import field

from wflint.records import dataclass

from .cpm import EPS, cpm, tails


@dataclass(frozen=True)
class Demand:
    """What one task holds while it runs."""

    pools: tuple[tuple[str, int], ...] = ()  # (pool, slots)
    rates: tuple[tuple[str, float], ...] = ()  # (api, calls per second while running)
    slots: int = 1  # places it takes under the engine's concurrency cap (a matrix job's instances)
    instant: tuple[tuple[str, float], ...] = ()  # (api, calls) sent at once by a task that takes no time

    @property
    def signature(self) -> tuple:
        return (tuple(p for p, _ in self.pools), tuple(a for a, _ in self.rates))


@dataclass
class Capacity:
    """What the engine and the workflow's limits allow at once: slots, pools, API rates and bursts."""

    concurrency: int | None = None
    pools: dict[str, int] = field(default_factory=dict)
    rates: dict[str, float] = field(default_factory=dict)
    bursts: dict[str, float] = field(default_factory=dict)  # api → tokens the bucket holds (default: 1 s of rate)

    def burst(self, api: str) -> float:
        """Requests the API admits at once: the configured burst, else one second of its rate (at least one)."""
        found = self.bursts.get(api)
        return found if found is not None else max(1.0, self.rates[api])


@dataclass
class Schedule:
    """When each task starts and ends under the engine's limits, and what had to wait for which limit."""

    start: dict[str, float]
    finish: dict[str, float]
    makespan: float
    lower_bound: float
    waits: dict[str, int]  # limit → how many ready tasks had to wait for it
    over_capacity: list[str]  # tasks that need more than a limit allows even alone
    rate_held: bool = False  # a rate limit held some task back (without rates, the same plan otherwise)


def list_schedule(order: list[str], pred: dict[str, list[str]], succ: dict[str, list[str]],
                  duration: dict[str, float], demand: dict[str, Demand], capacity: Capacity,
                  critical_path_s: float | None = None, weights: dict[str, float] | None = None) -> Schedule:
    """``critical_path_s``: the graph's CPM makespan where the caller has it (for the bound);
    ``weights``: the engine's priority per task (higher starts first), where it has one."""
    bound = lower_bound(order, pred, succ, duration, demand, capacity, critical_path_s)
    if not any(_draws_on_limits(d, capacity) for d in demand.values()):
        start, finish, delayed = _slots_only(order, pred, succ, duration, demand, capacity.concurrency, weights or {})
        makespan = max(finish.values(), default=0.0)
        return Schedule(start, finish, makespan, min(bound, makespan), {"concurrency": delayed} if delayed else {}, [])
    run = _ListRun(order, pred, succ, duration, demand, capacity, weights or {})
    run.simulate()
    makespan = max(run.finish.values(), default=0.0)
    waits = {limit: len(tasks) for limit, tasks in run.waits.items()}
    return Schedule(run.start, run.finish, makespan, min(bound, makespan), waits, run.over, run.rate_held)


def _draws_on_limits(d: Demand, capacity: Capacity) -> bool:
    """Does the task hold a sized pool or call a rate-limited API (more than the concurrency cap)?"""
    return (any(pool in capacity.pools for pool, _ in d.pools)
            or any(api in capacity.rates for api, _ in d.rates) or any(api in capacity.rates for api, _ in d.instant))


def _slots_only(order: list[str], pred: dict[str, list[str]], succ: dict[str, list[str]],
                duration: dict[str, float], demand: dict[str, Demand], cap: int | None,
                weights: dict[str, float]) -> tuple[dict[str, float], dict[str, float], int]:
    """``_ListRun`` where the concurrency cap is the only limit any task meets (most workflows):
    one heap of ready tasks, the same priorities and the same head-of-line rule, without a pool or
    a bucket to ask per try. Returns the starts, the finishes and how many tasks had to wait."""
    rank = {t: i for i, t in enumerate(order)}
    tail = tails(order, succ, duration)
    key = {t: (-weights.get(t, 0.0), -tail[t], rank[t], t) for t in order}
    slots = {t: demand[t].slots if t in demand else 1 for t in order}
    waiting = {t: len(pred[t]) for t in order}
    ready = [key[t] for t in order if not waiting[t]]
    heapq.heapify(ready)
    ready_at = dict.fromkeys((k[-1] for k in ready), 0.0)
    running: list[tuple[float, int, str]] = []
    start: dict[str, float] = {}
    finish: dict[str, float] = {}
    push, pop = heapq.heappush, heapq.heappop
    now, used, delayed = 0.0, 0, 0
    while ready or running:
        while ready:
            t = ready[0][-1]
            if cap is not None and running and used + min(slots[t], cap) > cap:
                break
            pop(ready)
            if now > ready_at[t] + EPS:
                delayed += 1
            used += slots[t]
            start[t] = now
            finish[t] = end = now + duration[t]
            push(running, (end, rank[t], t))
        if not running:
            break
        now = running[0][0]
        while running and running[0][0] <= now + EPS:
            done = pop(running)[2]
            used -= slots[done]
            for s in succ[done]:
                waiting[s] -= 1
                if not waiting[s]:
                    ready_at[s] = now
                    push(ready, key[s])
    return start, finish, delayed


class Buckets:
    """The token level of every rate-limited API while a schedule runs (``Capacity.burst`` when full).

    Levels change linearly between events (a start or a finish), so checking them at events is exact.
    """

    def __init__(self, capacity: Capacity) -> None:
        self.capacity = capacity
        self.level = {api: capacity.burst(api) for api in capacity.rates}
        self.draw = dict.fromkeys(capacity.rates, 0.0)  # calls per second drawn by running tasks
        self.users: dict[str, dict[str, tuple[float, float]]] = {api: {} for api in capacity.rates}
        self.at = 0.0

    def tolerance(self, api: str) -> float:
        return 1e-9 * max(1.0, self.capacity.burst(api))

    def advance(self, now: float) -> None:
        """Refill (or drain) every bucket up to ``now``."""
        dt = now - self.at
        if dt > 0:
            for api, level in self.level.items():
                net = self.capacity.rates[api] - self.draw[api]
                self.level[api] = min(self.capacity.burst(api), level + net * dt)
        self.at = max(self.at, now)

    def fits(self, api: str, rate: float, finish: float, instant: float) -> bool:
        """Would the bucket stay above empty until every running user and this one have finished?"""
        full, refill, tol = self.capacity.burst(api), self.capacity.rates[api], self.tolerance(api)
        level = self.level[api] - instant
        if level < -tol:
            return False
        drawn, t = self.draw[api] + rate, self.at
        for end, r in sorted([*self.users[api].values(), (finish, rate)]):
            level = min(full, level + (refill - drawn) * (end - t))
            if level < -tol:
                return False
            drawn, t = drawn - r, end
        return True

    def take(self, api: str, task: str, rate: float, finish: float, instant: float) -> None:
        self.level[api] -= instant
        self.draw[api] += rate
        self.users[api][task] = (finish, rate)

    def give_back(self, api: str, task: str) -> None:
        _, rate = self.users[api].pop(task)
        self.draw[api] -= rate

    def full_at(self, apis: set[str]) -> float | None:
        """The first moment one of ``apis``' buckets is full again at today's draw (None: never)."""
        out = None
        for api in apis:
            missing = self.capacity.burst(api) - self.level[api]
            net = self.capacity.rates[api] - self.draw[api]
            if missing > self.tolerance(api) and net > 0:
                at = self.at + missing / net
                out = at if out is None else min(out, at)
        return out


class _ListRun:
    """One list-scheduling simulation: ready tasks wait in one priority heap per signature (same
    pools and APIs), and at each moment the best-ranked head that fits every limit starts."""

    def __init__(self, order: list[str], pred: dict[str, list[str]], succ: dict[str, list[str]],
                 duration: dict[str, float], demand: dict[str, Demand], capacity: Capacity,
                 weights: dict[str, float]) -> None:
        self.order, self.succ, self.duration, self.capacity = order, succ, duration, capacity
        self.weights = weights
        nothing = Demand()  # most tasks hold nothing: one shared demand, its signature made once
        self.demand = {t: demand.get(t, nothing) for t in order}
        self.rank = {t: i for i, t in enumerate(order)}
        self.tail = tails(order, succ, duration)
        empty = nothing.signature
        self.signature = {t: empty if d is nothing else d.signature for t, d in self.demand.items()}
        self.waiting = {t: len(pred[t]) for t in order}  # unfinished predecessors
        self.heads: dict[tuple, list[tuple[float, float, int, str]]] = {}  # signature → ready tasks
        self.running: list[tuple[float, int, str]] = []  # (finish, rank, task)
        self.used_pools: dict[str, int] = {}
        self.buckets = Buckets(capacity)
        self.dry: set[str] = set()  # APIs whose bucket held a ready task back in the last pass
        self.used_slots = 0  # places under the concurrency cap in use
        self.start: dict[str, float] = {}
        self.finish: dict[str, float] = {}
        self.ready_at: dict[str, float] = {}
        self.waits: dict[str, set[str]] = {}  # limit → tasks that had to wait for it
        self.last_block: dict[tuple, str] = {}  # signature → the limit that last held its head back
        self.over: list[str] = []
        self.all_take_a_slot = all(d.slots >= 1 for d in self.demand.values())
        self.rate_held = False
        self.now = 0.0

    def simulate(self) -> None:
        for t in self.order:
            if not self.waiting[t]:
                self.make_ready(t)
        while len(self.finish) < len(self.order) or self.running:
            self.start_what_fits()
            refilled = self.buckets.full_at(self.dry) if self.dry else None
            if not self.running:
                if refilled is not None:
                    self.move_to(refilled)
                elif not self.force_one_over_capacity():
                    break
                continue
            if refilled is not None and refilled < self.running[0][0] - EPS:
                self.move_to(refilled)
                continue
            self.move_to(self.running[0][0])
            while self.running and self.running[0][0] <= self.now + EPS:
                self.complete(heapq.heappop(self.running)[2])

    def move_to(self, at: float) -> None:
        self.now = at
        self.buckets.advance(at)

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
        if not (d.rates or d.instant):  # most tasks call no API: no dicts to build per try
            return None
        instant = dict(d.instant)
        for api in dict.fromkeys([a for a, _ in d.rates] + list(instant)):
            if api in capacity.rates and not self.buckets.fits(api, dict(d.rates).get(api, 0.0),
                                                               self.now + self.duration[t], instant.get(api, 0.0)):
                self.dry.add(api)
                self.rate_held = True
                return f"api {api}"
        return None

    def start_what_fits(self) -> None:
        self.dry = set()
        while True:
            if self.cap_full():  # what ``blocker`` would say of every head, without asking each
                for key, heap in self.heads.items():
                    if heap:
                        self.last_block[key] = "concurrency"
                return
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

    def cap_full(self) -> bool:
        """Is every place under the concurrency cap taken (so no task, each taking one, fits)?"""
        cap = self.capacity.concurrency
        return cap is not None and self.all_take_a_slot and bool(self.running) and self.used_slots >= cap

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
        self.used_slots += d.slots
        self.start[t] = self.now
        self.finish[t] = finish = self.now + self.duration[t]
        if d.rates or d.instant:
            instant = dict(d.instant)
            for api in dict.fromkeys([a for a, _ in d.rates] + list(instant)):
                if api in self.capacity.rates:
                    self.buckets.take(api, t, dict(d.rates).get(api, 0.0), finish, instant.get(api, 0.0))
        heapq.heappush(self.running, (finish, self.rank[t], t))

    def complete(self, t: str) -> None:
        """``t`` finished: give back what it held and ready the successors it was the last wait of."""
        d = self.demand[t]
        self.used_slots -= d.slots
        for pool, slots in d.pools:
            self.used_pools[pool] -= slots
        if d.rates or d.instant:
            for api in self.buckets.draw:
                if t in self.buckets.users[api]:
                    self.buckets.give_back(api, t)
        waiting = self.waiting
        for s in self.succ[t]:
            waiting[s] -= 1
            if not waiting[s]:
                self.make_ready(s)


def lower_bound(order, pred, succ, duration, demand, capacity: Capacity, critical_path_s: float | None = None) -> float:
    """No schedule beats the critical path, nor total work divided by any capacity, nor the time an
    API's bucket needs to refill for every call beyond its burst."""
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
        for api, calls in d.instant:
            api_calls[api] = api_calls.get(api, 0.0) + calls
    for pool, work in pool_work.items():
        if capacity.pools.get(pool):
            bound = max(bound, work / capacity.pools[pool])
    for api, calls in api_calls.items():
        if capacity.rates.get(api):
            bound = max(bound, (calls - capacity.burst(api)) / capacity.rates[api])
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
