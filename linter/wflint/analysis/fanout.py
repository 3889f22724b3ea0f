"""Per-item work fanned out: a task that handles its items one after another could start them all,
held only by its pool and its APIs' limits (``PerItem``, set by the brief reader).

The fanned time is the later of two bounds, each exact alone: waves of the pool's size
(``ceil(items / slots) × each``), and the bucket admitting the task's calls (the burst at once,
the rest at the refill rate) plus one item's time. A fan-out is proposed only where it shortens
the parallel plan end to end; what it saves there is measured by the caller (``analyze``).
"""
from __future__ import annotations

import math

from wflint.records import dataclass

from ..facets import PerItem
from ..ir import Workflow
from .schedule import Capacity, Demand


@dataclass
class Fanout:
    """One task's items run side by side instead of one after another, as fast as its limits allow."""

    task: str
    items: int
    each_s: float
    sequential_s: float  # as designed: one item after another (stretched by its own rate limits)
    fanned_s: float  # every item started as soon as the task's pool and buckets allow
    in_flight: int  # items at once at most: the size of the smallest pool it holds, else all of them
    pool: str  # that pool ("" when it holds none)
    paced_by: str  # the API whose bucket sets the pace ("" when the pool or one item's time does)
    saved_s: float = 0.0  # end to end in the parallel plan, set by ``analyze``


def find_fanouts(workflow: Workflow, capacity: Capacity, duration: dict[str, float]) -> list[Fanout]:
    """Every task with per-item work whose items could overlap, and how long they would take."""
    if not workflow.execution_model.runs_parallel:
        return []
    out = []
    for t, task in workflow.tasks.items():
        per = task.facet(PerItem)
        if per is None or per.items < 2 or per.each_s <= 0:
            continue
        size, pool = min(((capacity.pools[p], p) for p in task.pools if p in capacity.pools),
                         default=(per.items, ""))
        in_flight = min(size, per.items)
        fanned, paced_by = math.ceil(per.items / in_flight) * per.each_s, ""
        for api, n in sorted(task.api_calls().items()):
            rate = capacity.rates.get(api)
            admitted = max(0.0, n - capacity.burst(api)) / rate + per.each_s if rate else 0.0
            if admitted > fanned + 1e-9:
                fanned, paced_by = admitted, api
        if fanned < duration[t] - 1e-9:
            out.append(Fanout(t, per.items, per.each_s, duration[t], fanned, in_flight, pool, paced_by))
    return out


def fanned_demand(demand: Demand | None, fanout: Fanout) -> Demand | None:
    """What the fanned task holds: ``in_flight`` slots of each pool it uses, and the same calls
    spread over its shorter run."""
    if demand is None:
        return None
    speed_up = fanout.sequential_s / fanout.fanned_s
    return Demand(pools=tuple((p, n * fanout.in_flight) for p, n in demand.pools),
                  rates=tuple((api, r * speed_up) for api, r in demand.rates), slots=demand.slots,
                  instant=demand.instant)
