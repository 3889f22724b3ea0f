"""List scheduling on random graphs and limits: precedence kept, no limit exceeded, bound respected."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from wflint.analysis import peaks
from wflint.analysis.graph import adjacency, topo_order
from wflint.analysis.schedule import Capacity, Demand, list_schedule


@st.composite
def problems(draw):
    n = draw(st.integers(1, 12))
    ids = [f"t{i}" for i in range(n)]
    edges = [(ids[i], ids[j]) for j in range(n) for i in range(j) if draw(st.integers(0, 4)) == 0]
    duration = {t: float(draw(st.integers(0, 6))) for t in ids}
    demand = {}
    for t in ids:
        pools = (("db", 1),) if draw(st.booleans()) else ()
        rates = (("crm", float(draw(st.integers(1, 6)))),) if draw(st.booleans()) else ()
        if pools or rates:
            demand[t] = Demand(pools, rates)
    capacity = Capacity(concurrency=draw(st.one_of(st.none(), st.integers(1, 4))),
                        pools={"db": draw(st.integers(1, 3))}, rates={"crm": 6.0})
    return ids, edges, duration, demand, capacity


@settings(max_examples=400, deadline=None)
@given(problems())
def test_schedule_is_feasible(problem):
    ids, edges, duration, demand, capacity = problem
    succ, pred = adjacency(ids, edges)
    order = topo_order(succ, pred)
    s = list_schedule(order, pred, succ, duration, demand, capacity)
    assert set(s.start) == set(ids)
    for u, v in edges:
        assert s.start[v] >= s.finish[u] - 1e-9
    assert s.makespan >= s.lower_bound - 1e-9
    instants = sorted(set(s.start.values()))
    for at in instants:
        running = [t for t in ids if s.start[t] <= at + 1e-9 < s.finish[t] - 1e-9]
        if capacity.concurrency is not None:
            assert len(running) <= capacity.concurrency
        holders = sum(1 for t in running if t in demand and demand[t].pools)
        assert holders <= capacity.pools["db"]
    (crm,) = [p for p in peaks(s.start, s.finish, demand, capacity) if p.limit == "api crm"] or [None]
    assert crm is None or not crm.exceeded  # the bucket never runs dry
    # Greedy never idles while a task could start: each start is at 0, when something finished, or
    # (for a caller of the API) when its bucket is full again.
    finishes = {round(f, 9) for f in s.finish.values()}
    assert all(round(v, 9) in finishes or v == 0 or demand.get(t, Demand()).rates for t, v in s.start.items())


@st.composite
def slot_problems(draw):
    """Graphs whose only limit is the concurrency cap: tasks of 0 to 3 places, zero durations, ties
    and engine priority weights, the cases where the head-of-line rule decides who starts."""
    n = draw(st.integers(1, 14))
    ids = [f"t{i}" for i in range(n)]
    edges = [(ids[i], ids[j]) for j in range(n) for i in range(j) if draw(st.integers(0, 3)) == 0]
    duration = {t: float(draw(st.integers(0, 4))) for t in ids}
    demand = {t: Demand(slots=draw(st.integers(0, 3))) for t in ids if draw(st.booleans())}
    weights = {t: float(draw(st.integers(0, 3))) for t in ids} if draw(st.booleans()) else None
    return ids, edges, duration, demand, draw(st.one_of(st.none(), st.integers(1, 4))), weights


@settings(max_examples=400, deadline=None)
@given(slot_problems())
def test_slots_only_run_is_the_general_simulation(problem):
    """``list_schedule`` takes a shorter path where only the cap limits; it must be the same run."""
    from wflint.analysis.schedule import _ListRun

    ids, edges, duration, demand, cap, weights = problem
    succ, pred = adjacency(ids, edges)
    order = topo_order(succ, pred)
    fast = list_schedule(order, pred, succ, duration, demand, Capacity(concurrency=cap), weights=weights)
    general = _ListRun(order, pred, succ, duration, demand, Capacity(concurrency=cap), weights or {})
    general.simulate()
    assert fast.start == general.start and fast.finish == general.finish
    assert fast.waits == {limit: len(ts) for limit, ts in general.waits.items()}
    assert fast.over_capacity == general.over == [] and not general.rate_held
