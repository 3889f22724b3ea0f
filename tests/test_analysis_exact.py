"""Exact numbers for CPM and list scheduling on hand-built graphs."""
from __future__ import annotations

import pytest

from wflint.analysis.cpm import cpm
from wflint.analysis.graph import CycleError, adjacency, topo_order
from wflint.analysis.schedule import Capacity, Demand, list_schedule


def build(durations: dict[str, float], edges: list[tuple[str, str]]):
    succ, pred = adjacency(durations, edges)
    return topo_order(succ, pred), pred, succ


def test_chain_adds_up_and_everything_is_critical():
    d = {"a": 2, "b": 3, "c": 1}
    order, pred, succ = build(d, [("a", "b"), ("b", "c")])
    r = cpm(order, pred, succ, d)
    assert r.makespan == 6
    assert [r.earliest_start[t] for t in "abc"] == [0, 2, 5]
    assert all(r.slack(t) == 0 for t in "abc")
    assert r.critical_path == ["a", "b", "c"]


def test_diamond_has_slack_on_the_short_side():
    d = {"s": 1, "long": 5, "short": 2, "j": 1}
    order, pred, succ = build(d, [("s", "long"), ("s", "short"), ("long", "j"), ("short", "j")])
    r = cpm(order, pred, succ, d)
    assert r.makespan == 7
    assert r.earliest_start["short"] == 1 and r.latest_start["short"] == 4
    assert r.slack("short") == 3 and r.slack("long") == 0
    assert r.latest_finish["short"] == 6
    assert r.critical_path == ["s", "long", "j"]


def test_wide_fan_out_under_a_pool_of_two():
    d = {f"t{i}": 2 for i in range(5)}
    order, pred, succ = build(d, [])
    demand = {t: Demand(pools=(("db", 1),)) for t in d}
    s = list_schedule(order, pred, succ, d, demand, Capacity(pools={"db": 2}))
    assert s.makespan == 6  # ceil(5 / 2) waves of 2s
    assert s.lower_bound == 5  # 10 slot-seconds over 2 slots
    assert sorted(s.start.values()) == [0, 0, 2, 2, 4]
    assert s.waits == {"pool db": 3}


def test_rate_limited_fan_out_is_throttled_to_the_limit():
    # Six 1s tasks each making 10 calls (10/s while running) against 10/s with a bucket of 10: the
    # burst lets a second run beside the first, then the empty bucket admits one at a time.
    d = {f"t{i}": 1 for i in range(6)}
    order, pred, succ = build(d, [])
    demand = {t: Demand(rates=(("crm", 10.0),)) for t in d}
    s = list_schedule(order, pred, succ, d, demand, Capacity(rates={"crm": 10.0}, bursts={"crm": 10.0}))
    assert sorted(s.start.values()) == [0, 0, 1, 2, 3, 4]
    assert s.makespan == 5
    assert s.lower_bound == 5  # the 50 calls beyond the burst of 10 at 10/s
    assert s.waits == {"api crm": 4}


def test_calls_within_the_burst_run_together():
    # Four 1s tasks making 5 calls each: 20 calls in the first second, what a bucket of 10 refilled
    # at 10/s admits (10 at once, 10 more over the second), so none waits.
    d = {f"t{i}": 1 for i in range(4)}
    order, pred, succ = build(d, [])
    demand = {t: Demand(rates=(("crm", 5.0),)) for t in d}
    s = list_schedule(order, pred, succ, d, demand, Capacity(rates={"crm": 10.0}))
    assert s.makespan == 1 and s.waits == {}


def test_an_empty_bucket_refills_while_nothing_runs():
    # Each task draws 20/s for 1s: 10 beyond the refill, the whole bucket. The second waits 1s with
    # nothing running until the bucket is full again.
    d = {"a": 1, "b": 1}
    order, pred, succ = build(d, [])
    demand = {t: Demand(rates=(("crm", 20.0),)) for t in d}
    s = list_schedule(order, pred, succ, d, demand, Capacity(rates={"crm": 10.0}, bursts={"crm": 10.0}))
    assert s.start == {"a": 0, "b": 2} and s.makespan == 3
    assert s.lower_bound == 3  # (40 - 10) / 10


def test_concurrency_cap():
    d = {"a": 3, "b": 3, "c": 3}
    order, pred, succ = build(d, [])
    s = list_schedule(order, pred, succ, d, {}, Capacity(concurrency=2))
    assert s.makespan == 6 and s.lower_bound == 4.5


def test_list_scheduling_anomaly_schedule_above_lower_bound():
    # 9 task-seconds on 2 lanes bound the run at 4.5s, but whole tasks cannot split: 5s.
    d = {"a": 3, "b": 2, "c": 2, "x": 2}
    order, pred, succ = build(d, [])
    s = list_schedule(order, pred, succ, d, {}, Capacity(concurrency=2))
    assert s.lower_bound == 4.5
    assert s.makespan == 5
    assert s.start == {"a": 0, "b": 0, "c": 2, "x": 3}


def test_task_larger_than_its_pool_runs_over_capacity_instead_of_hanging():
    d = {"big": 1}
    order, pred, succ = build(d, [])
    s = list_schedule(order, pred, succ, d, {"big": Demand(pools=(("db", 3),))}, Capacity(pools={"db": 2}))
    assert s.over_capacity == ["big"] and s.makespan == 1


def test_cycle_is_named():
    succ, pred = adjacency(["a", "b", "c"], [("a", "b"), ("b", "c"), ("c", "a")])
    with pytest.raises(CycleError) as err:
        topo_order(succ, pred)
    assert err.value.cycle[0] == err.value.cycle[-1]
    assert set(err.value.cycle) == {"a", "b", "c"}
