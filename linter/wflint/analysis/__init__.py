"""Everything wflint computes about one workflow, from the IR alone (docs/architecture.md).

``analyze`` is the single entry: rules and renderers read its result and never recompute.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import field
from functools import cached_property
from itertools import combinations

from wflint.records import dataclass

from ..facets import Instances, RunSettings, Waiting
from ..ir import Workflow
from . import graph
from .batches import Batch, find_batches
from .cpm import Cpm, cpm
from .fanout import Fanout, fanned_demand, find_fanouts
from .groups import Group, find_groups, weakest_source
from .relax import Relaxation, relax
from .schedule import Capacity, Demand, Schedule, critical_chain, list_schedule


@dataclass
class Peak:
    """Highest simultaneous use of one limit in a schedule; for an API also its worst window.

    An API's bucket holds ``burst`` requests and refills at ``capacity``/s: over a window of ``w``
    seconds it admits ``burst + capacity × w``. ``drawn`` is the most the plan takes beyond the
    refill in any window (``sent - capacity × w``); the limit is exceeded when that passes the burst.
    """

    limit: str  # "api crm" / "pool db"
    used: float  # pool: holders at once; api: requests per second at once
    capacity: float
    tasks: list[str]  # pool: the holders at the peak; api: the callers in the worst window
    at_s: float  # when the peak (an API's worst window) starts
    burst: float | None = None  # api only
    drawn: float = 0.0
    until_s: float = 0.0  # api: when the worst window ends

    @property
    def exceeded(self) -> bool:
        if self.burst is not None:
            return self.drawn > self.burst + 1e-9 * max(1.0, self.burst)
        return self.used > self.capacity + 1e-9

    @property
    def sent(self) -> float:
        """Requests the plan sends in its worst window."""
        return self.drawn + self.capacity * (self.until_s - self.at_s)

    @property
    def allowed(self) -> float:
        """Requests the limit admits in that window."""
        return (self.burst or 0.0) + self.capacity * (self.until_s - self.at_s)


@dataclass
class Analysis:
    """Everything computed once per workflow that rules and reports share: relaxation, durations,
    groups and the design's demands, at once; both schedules and the parallel plan when first read
    (``check`` reads them only where a rule needs them, a report always)."""

    workflow: Workflow
    relaxation: Relaxation
    duration: dict[str, float]  # effective seconds (stretched by a task's own rate limits)
    stretched: dict[str, float]  # task → seconds it needs for its calls alone, where that is longer
    demand: dict[str, Demand]
    current_free: Cpm  # as designed with no limits: what the design asks of each limit
    groups: list[Group]
    duration_source: str
    peaks_current: list[Peak] = field(default_factory=list)  # as designed, no limits honoured
    batches: list[Batch] = field(default_factory=list)  # one-task-at-a-time engines: calls to merge

    @cached_property
    def current(self) -> Schedule:
        """As designed, on its engine, under limits."""
        r = self.relaxation
        return list_schedule(r.order, r.declared_pred, r.declared_succ, self.duration, self.demand,
                             capacity_of(self.workflow), self.current_free.makespan,
                             priority_weights(self.workflow, r.order, r.declared_succ, r.declared_pred))

    @cached_property
    def _plan(self) -> _Plan:
        return _parallel_plan(self.workflow, self.relaxation, self.duration, self.demand)

    @property
    def optimized(self) -> Schedule:
        """After the recommended changes, on its engine, under limits."""
        return self._plan.schedule

    @property
    def relaxed_cpm(self) -> Cpm:
        return self._plan.free

    @property
    def fanouts(self) -> list[Fanout]:
        """Per-item work the plan runs side by side."""
        return self._plan.fanouts

    @property
    def plan_duration(self) -> dict[str, float]:
        """The parallel plan's durations: ``duration`` with each fan-out applied."""
        return self._plan.duration

    @property
    def plan_demand(self) -> dict[str, Demand]:
        """... and its holdings."""
        return self._plan.demand

    @cached_property
    def ideal(self) -> Cpm:
        """Critical path of the relaxed graph with no limits at all: every fanned item at once."""
        r = self.relaxation
        ssucc, spred = r.strict
        raw = {t: self.workflow.tasks[t].duration.seconds for t in r.order}
        raw.update({f.task: f.each_s for f in self.fanouts})
        return cpm(r.order, spred, ssucc, raw)

    @cached_property
    def peaks_optimized(self) -> list[Peak]:
        """The parallel plan, held to every limit."""
        return peaks(self.optimized.start, self.optimized.finish, self.plan_demand, capacity_of(self.workflow))

    @cached_property
    def peaks_parallel(self) -> list[Peak]:
        """The parallel plan, rate limits not honoured."""
        return _unthrottled_peaks(self, _engine_capacity(self.workflow))

    @property
    def offered_groups(self) -> list[Group]:
        """The groups wflint can vouch for (every effect known): the ones it suggests and counts.
        None on an engine that runs one task at a time: tasks that need no order still never overlap."""
        return [g for g in self.groups if g.confidence == "high" and self.workflow.execution_model.runs_parallel]

    @property
    def unchecked_groups(self) -> list[Group]:
        """Groups whose orderings are removable only if unknown effects touch nothing: kept in
        order (an ordering is presumed needed), named so that declaring the effects settles them."""
        return [g for g in self.groups if g.confidence != "high" and self.workflow.execution_model.runs_parallel]

    def ordered(self, a: str, b: str) -> bool:
        """Does the declared design order a before b or b before a?"""
        r = self.relaxation
        first, second = (a, b) if r.rank[a] < r.rank[b] else (b, a)
        return graph.reaches(r.design_succ, first, second, r.rank)

    def unordered_among(self, tasks: list[str]) -> list[str]:
        """The ones of ``tasks`` the design leaves unordered with at least one other of them, in
        run order. Asked of every pair, a join of 2,000 branches was 2 million searches; past a few
        tasks, one pass up and one down the ranks between them, with a bit per task, answers all."""
        r = self.relaxation
        members = list(dict.fromkeys(tasks))
        if len(members) <= 8:
            found = {x for a, b in combinations(members, 2) if not self.ordered(a, b) for x in (a, b)}
        else:
            found = _unordered_by_masks(r, members)
        return sorted(found, key=r.rank.__getitem__)

    @property
    def optimized_s(self) -> float:
        """After the recommended changes: the parallel plan, less what merged calls overlap."""
        return max(0.0, self.optimized.makespan - sum(b.saved_s for b in self.batches))

    def critical_path(self, after: bool = True) -> list[str]:
        """The critical path of the run after the recommended changes (or as designed): one
        definition (``schedule.critical_chain``) for every output that shows one, traced once."""
        return list(self._critical_after if after else self._critical_before)

    @cached_property
    def _critical_after(self) -> list[str]:
        return critical_chain(self.optimized, self.relaxation.rank)

    @cached_property
    def _critical_before(self) -> list[str]:
        return critical_chain(self.current, self.relaxation.rank)

    @property
    def saved_s(self) -> float:
        return max(0.0, self.current.makespan - self.optimized_s)

    @property
    def saved_pct(self) -> float:
        return 100.0 * self.saved_s / self.current.makespan if self.current.makespan else 0.0


def analyze(workflow: Workflow) -> Analysis:
    """Raises ``graph.CycleError`` when the declared graph has a cycle (a task ordered after itself too)."""
    own = graph.ordered_after_itself(workflow)
    if own:
        raise graph.CycleError([own, own])
    relaxation = relax(workflow)
    capacity = capacity_of(workflow)
    duration, stretched, demand = _durations_and_demand(workflow, capacity)
    current_free = cpm(relaxation.order, relaxation.declared_pred, relaxation.declared_succ, duration)
    result = Analysis(
        workflow=workflow,
        relaxation=relaxation,
        duration=duration,
        stretched=stretched,
        demand=demand,
        current_free=current_free,
        groups=find_groups(workflow, relaxation, duration),
        duration_source=weakest_source(workflow, relaxation.order),
    )
    result.batches = find_batches(workflow, relaxation, duration)
    result.peaks_current = peaks(current_free.earliest_start, current_free.earliest_finish, demand, capacity)
    return result


@dataclass
class _Plan:
    """The parallel plan: its schedule, its critical path with no limits, the fan-outs it applies
    and the durations and holdings they give."""

    schedule: Schedule
    free: Cpm
    fanouts: list[Fanout]
    duration: dict[str, float]
    demand: dict[str, Demand]


def _engine_capacity(workflow: Workflow) -> Capacity:
    """The limits, and on an engine that runs one task at a time, one task at once."""
    capacity = capacity_of(workflow)
    if not workflow.execution_model.runs_parallel:
        capacity = Capacity(1, capacity.pools, capacity.rates, capacity.bursts)
    return capacity


def _unordered_by_masks(r: Relaxation, members: list[str]) -> set[str]:
    """``unordered_among`` for many tasks: each one's ancestors and descendants among them, as bits,
    from the design's edges within their ranks (a path between two of them stays there)."""
    bit = {m: i for i, m in enumerate(members)}
    lo, hi = min(r.rank[m] for m in members), max(r.rank[m] for m in members)
    window = r.order[lo:hi + 1]
    up = graph.masks_within(window, r.design_pred, bit, r.rank, lo, hi)
    down = graph.masks_within(window[::-1], r.design_succ, bit, r.rank, lo, hi)
    everyone = (1 << len(members)) - 1
    return {m for m in members if up[m] | down[m] | 1 << bit[m] != everyone}


def _parallel_plan(workflow: Workflow, relaxation: Relaxation, duration: dict[str, float],
                   demand: dict[str, Demand]) -> _Plan:
    """The relaxed graph under every limit, with each fan-out that shortens it applied in turn."""
    capacity, engine_capacity = capacity_of(workflow), _engine_capacity(workflow)
    optimized, relaxed_cpm = _plan(workflow, relaxation, duration, demand, engine_capacity)
    fanouts, plan_duration, plan_demand = [], duration, demand
    for fanout in find_fanouts(workflow, capacity, duration):
        trial = ({**plan_duration, fanout.task: fanout.fanned_s}, dict(plan_demand))
        held = fanned_demand(plan_demand.get(fanout.task), fanout)
        if held is not None:
            trial[1][fanout.task] = held
        schedule, trial_cpm = _plan(workflow, relaxation, *trial, engine_capacity)
        if schedule.makespan < optimized.makespan - 1e-9:  # only a fan-out that shortens the plan
            fanout.saved_s = optimized.makespan - schedule.makespan
            fanouts.append(fanout)
            optimized, relaxed_cpm, (plan_duration, plan_demand) = schedule, trial_cpm, trial
    return _Plan(optimized, relaxed_cpm, fanouts, plan_duration, plan_demand)


def _unthrottled_peaks(result: Analysis, capacity: Capacity) -> list[Peak]:
    """Each limit's peak in the parallel plan when nothing holds calls back: would it exceed the limit?"""
    if not result.optimized.rate_held:  # no rate held a task back: the plan without rates is this one
        return result.peaks_optimized
    r = result.relaxation
    ssucc, spred = r.strict
    free = Capacity(capacity.concurrency, capacity.pools)
    plan = list_schedule(r.order, spred, ssucc, result.plan_duration, result.plan_demand, free,
                         result.relaxed_cpm.makespan, priority_weights(result.workflow, r.order, ssucc, spred))
    return peaks(plan.start, plan.finish, result.plan_demand, capacity)


def _plan(workflow: Workflow, relaxation: Relaxation, duration: dict[str, float], demand: dict[str, Demand],
          capacity: Capacity) -> tuple[Schedule, Cpm]:
    """The parallel plan (the relaxed graph under every limit) and its critical path with no limits."""
    ssucc, spred = relaxation.strict
    free = cpm(relaxation.order, spred, ssucc, duration)
    weights = priority_weights(workflow, relaxation.order, ssucc, spred)
    return list_schedule(relaxation.order, spred, ssucc, duration, demand, capacity, free.makespan, weights), free


def capacity_of(workflow: Workflow) -> Capacity:
    limits = workflow.limits
    return Capacity(
        concurrency=limits.concurrency,
        pools={name: p.size for name, p in limits.pools.items()},
        rates={name: a.per_second for name, a in limits.apis.items()},
        bursts={name: a.bucket for name, a in limits.apis.items()},
    )


def makespan_without_pool(analysis: Analysis, pool: str) -> float:
    """The designed run's makespan under every limit but ``pool``: what queueing for it costs is
    ``analysis.current.makespan`` less this."""
    capacity = capacity_of(analysis.workflow)
    capacity.pools.pop(pool, None)
    r = analysis.relaxation
    return list_schedule(r.order, r.declared_pred, r.declared_succ, analysis.duration, analysis.demand,
                         capacity, analysis.current_free.makespan,
                         priority_weights(analysis.workflow, r.order, r.declared_succ, r.declared_pred)).makespan


def priority_weights(workflow: Workflow, order: list[str], succ: dict[str, list[str]],
                     pred: dict[str, list[str]]) -> dict[str, float] | None:
    """Each task's effective priority where the engine weighs them (``RunSettings``): its own weight
    plus, by its rule, every task below (``downstream``) or above (``upstream``) it in this graph."""
    settings = {t: s for t in order if (s := workflow.tasks[t].facet(RunSettings)) is not None}
    if not settings:
        return None
    own = {t: float(settings[t].priority_weight) if t in settings else 0.0 for t in order}
    rule = {t: settings[t].weight_rule if t in settings else "absolute" for t in order}
    if all(len(p) <= 1 for p in pred.values()):  # a forest: no two paths meet, so sums add up
        return _forest_weights(order, succ, pred, own, rule)
    bit = {t: i for i, t in enumerate(order)}
    uniform = len(set(own.values())) == 1

    def weight(t: str, mask: int) -> float:
        if uniform:
            return own[t] * (1 + mask.bit_count())
        return own[t] + sum(own[order[i]] for i in graph.bits(mask))

    weights = {t: weight(t, 0) for t in order}
    rules = set(rule.values())
    if "downstream" in rules:
        weights.update((t, weight(t, mask)) for t, mask in graph.streamed_masks(order[::-1], succ, bit)
                       if rule[t] == "downstream")
    if "upstream" in rules:
        weights.update((t, weight(t, mask)) for t, mask in graph.streamed_masks(order, pred, bit)
                       if rule[t] == "upstream")
    return weights


def _forest_weights(order: list[str], succ: dict[str, list[str]], pred: dict[str, list[str]],
                    own: dict[str, float], rule: dict[str, str]) -> dict[str, float]:
    """``priority_weights`` where every task has one upstream at most: the tasks below one task are
    its children and theirs, never shared, so each sum is its children's (or its parent's) plus
    their own, in one pass each way, where the masks of every task below cost a bit per task."""
    below: dict[str, float] = {}
    for t in reversed(order):
        below[t] = sum(own[s] + below[s] for s in succ[t])
    above: dict[str, float] = {}
    for t in order:
        above[t] = sum(own[p] + above[p] for p in pred[t])
    return {t: own[t] + (below[t] if rule[t] == "downstream" else above[t] if rule[t] == "upstream" else 0.0)
            for t in order}


def _durations_and_demand(workflow: Workflow, capacity: Capacity):
    duration: dict[str, float] = {}
    stretched: dict[str, float] = {}
    demand: dict[str, Demand] = {}
    for t, task in workflow.tasks.items():
        seconds = task.duration.seconds
        calls = task.api_calls()
        for api, n in calls.items():
            paced = _paced_s(n, capacity, api)
            if paced > seconds + 1e-9:
                seconds = paced
                stretched[t] = seconds
        duration[t] = seconds
        limited = {api: n for api, n in calls.items() if api in capacity.rates}
        rates = tuple((api, n / seconds) for api, n in limited.items()) if seconds else ()
        instant = () if seconds else tuple(limited.items())
        pools = tuple(Counter(task.pools).items())  # a pool named twice holds two slots
        instances = task.facet(Instances)
        slots = instances.at_once if instances else 1
        if task.facet(Waiting) is not None:
            pools, slots = (), 0  # gives its slots back between checks: it holds none while it waits
        if rates or instant or pools or slots != 1:
            demand[t] = Demand(pools=pools, rates=rates, slots=slots, instant=instant)
    return duration, stretched, demand


def _paced_s(calls: float, capacity: Capacity, api: str) -> float:
    """The least time ``calls`` to ``api`` take from a full bucket: the burst goes at once, the rest
    at the refill rate (0 when the burst covers them all, or the API has no limit)."""
    rate = capacity.rates.get(api)
    if not rate:
        return 0.0
    return max(0.0, calls - capacity.burst(api)) / rate


def peaks(start: dict[str, float], finish: dict[str, float], demand: dict[str, Demand],
          capacity: Capacity) -> list[Peak]:
    """Sweep the schedule's start/finish events; report the peak of every limited pool and API."""
    events: dict[str, list[tuple[float, int, float, str, float]]] = {}
    for t, d in demand.items():
        for pool, slots in d.pools:
            if pool in capacity.pools:
                events.setdefault(f"pool {pool}", []).extend([(start[t], 1, slots, t, 0.0), (finish[t], 0, -slots, t, 0.0)])
        instant = dict(d.instant)
        for api in dict.fromkeys([a for a, _ in d.rates] + list(instant)):
            if api in capacity.rates:
                rate = dict(d.rates).get(api, 0.0)
                events.setdefault(f"api {api}", []).extend([(start[t], 1, rate, t, instant.get(api, 0.0)),
                                                            (finish[t], 0, -rate, t, 0.0)])
    out = []
    for limit, items in sorted(events.items()):
        kind, name = limit.split(" ", 1)
        items.sort(key=lambda e: (e[0], e[1]))  # finishes before starts at the same instant
        if kind == "pool":
            out.append(_pool_peak(limit, items, capacity.pools[name]))
        else:
            out.append(_api_peak(limit, items, capacity.rates[name], capacity.burst(name)))
    return out


def _pool_peak(limit: str, items: list[tuple[float, int, float, str, float]], size: int) -> Peak:
    level, best, best_at = 0.0, -1.0, 0.0
    active: set[str] = set()
    best_tasks: list[str] = []
    for at, is_start, amount, t, _ in items:
        level += amount
        (active.add if is_start else active.discard)(t)
        if level > best + 1e-9:
            best, best_at, best_tasks = level, at, sorted(active)
    return Peak(limit, max(best, 0.0), size, best_tasks, best_at)


def _api_peak(limit: str, items: list[tuple[float, int, float, str, float]], refill: float, burst: float) -> Peak:
    """The peak call rate, and the window in which the plan draws most beyond the bucket's refill:
    the deficit grows while the calls outpace the refill and is forgotten once the bucket is full."""
    rate = peak_rate = deficit = 0.0
    best = Peak(limit, 0.0, refill, [], 0.0, burst, 0.0, 0.0)
    opened, now = 0.0, 0.0
    active: set[str] = set()
    window: set[str] = set()
    for at, is_start, amount, t, instant in items:
        if at > now:
            deficit += (rate - refill) * (at - now)
            if deficit <= 0:  # the bucket is full again by ``at``: the next window opens there
                opened, deficit, window = at, 0.0, set(active)
            now = at
        rate += amount
        deficit += instant
        if is_start:
            window.add(t)
            if amount:
                active.add(t)
        else:
            active.discard(t)
        peak_rate = max(peak_rate, rate)
        if deficit > best.drawn + 1e-12:
            best = Peak(limit, 0.0, refill, sorted(window), opened, burst, deficit, at)
    best.used = peak_rate
    if not best.tasks:
        best.tasks = sorted({t for _, is_start, _, t, _ in items if is_start})
    return best
