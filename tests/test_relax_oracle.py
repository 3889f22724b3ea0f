"""The relaxed graph keeps exactly what is needed, checked against networkx on random workflows."""
from __future__ import annotations

from unittest.mock import patch

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from wflint.analysis import analyze
from wflint.ir import Duration, DurationSource, Edge, EdgeKind, Effect, ExecutionModel, Location, Mode, Task, Workflow

RESOURCES = ["db:a", "db:b", "api:c"]


@st.composite
def workflows(draw):
    n = draw(st.integers(2, 9))
    ids = [f"t{i}" for i in range(n)]
    sequential = draw(st.booleans())
    tasks = {}
    for t in ids:
        effects = [Effect(r, draw(st.sampled_from([Mode.READ, Mode.WRITE])))
                   for r in draw(st.lists(st.sampled_from(RESOURCES), max_size=2, unique=True))]
        tasks[t] = Task(t, t, "task", Location(("tasks", t)),
                        Duration(draw(st.integers(0, 5)), DurationSource.DECLARED), effects=effects)
    edges = []
    for j in range(n):
        for i in range(j):
            kind = draw(st.sampled_from([None, None, EdgeKind.DATA, EdgeKind.ORDER]))
            if kind is EdgeKind.ORDER and sequential:
                kind = None
            if kind is not None:
                edges.append(Edge(ids[i], ids[j], kind))
    model = ExecutionModel("spec", "sequential" if sequential else "graph", tuple(ids) if sequential else ())
    return Workflow("w", "spec", "w", model, tasks, edges)


def declared_graph(wf: Workflow) -> nx.DiGraph:
    g = nx.DiGraph()
    g.add_nodes_from(wf.tasks)
    if wf.execution_model.mode == "sequential":
        order = list(wf.execution_model.order)
        g.add_edges_from(zip(order, order[1:]))
    else:
        g.add_edges_from((e.u, e.v) for e in wf.edges)
    return g


def conflict(wf, u, v) -> bool:
    a = {e.resource: e.mode for e in wf.tasks[u].effects}
    b = {e.resource: e.mode for e in wf.tasks[v].effects}
    return any(r in b and Mode.WRITE in (a[r], b[r]) for r in a)


@settings(max_examples=300, deadline=None)
@given(workflows())
def test_relaxed_graph_is_sound_and_minimal(wf):
    analysis = analyze(wf)
    declared = nx.transitive_closure_dag(declared_graph(wf))
    relaxed = nx.DiGraph()
    relaxed.add_nodes_from(wf.tasks)
    relaxed.add_edges_from(analysis.relaxation.strict_edges())
    closure = nx.transitive_closure_dag(relaxed)
    # Sound: nothing ordered that the design does not order.
    assert set(closure.edges) <= set(declared.edges)
    # Complete: every data need and every ordered conflict stays ordered.
    data = {(e.u, e.v) for e in wf.edges if e.kind is EdgeKind.DATA}
    for u, v in declared.edges:
        if (u, v) in data or conflict(wf, u, v):
            assert closure.has_edge(u, v), (u, v)
    # Minimal: each kept edge is a data need or a conflict.
    for u, v in relaxed.edges:
        assert (u, v) in data or conflict(wf, u, v)
    # Races as designed are exactly the unordered conflicting pairs.
    races = {frozenset((c.a, c.b)) for c in analysis.relaxation.conflicts}
    expected = {frozenset((u, v)) for u in wf.tasks for v in wf.tasks if u < v and conflict(wf, u, v)
                and not declared.has_edge(u, v) and not declared.has_edge(v, u)}
    assert races == expected


@settings(max_examples=300, deadline=None)
@given(workflows())
def test_cpm_matches_networkx_and_group_credits_add_up(wf):
    analysis = analyze(wf)
    dur = {t: task.duration.seconds for t, task in wf.tasks.items()}

    def longest(g: nx.DiGraph) -> float:
        h = nx.DiGraph()
        h.add_nodes_from(list(g.nodes) + ["END"])
        h.add_weighted_edges_from([(u, v, dur[u]) for u, v in g.edges] + [(n, "END", dur[n]) for n in g.nodes])
        return nx.dag_longest_path_length(h)

    assert analysis.current.makespan == longest(declared_graph(wf))
    relaxed = nx.DiGraph()
    relaxed.add_nodes_from(wf.tasks)
    relaxed.add_edges_from(analysis.relaxation.strict_edges())
    assert analysis.optimized.makespan == longest(relaxed) == analysis.ideal.makespan
    assert abs(sum(g.saved_s for g in analysis.groups) - analysis.saved_s) < 1e-9


@st.composite
def workflows_with_opaque_tasks(draw):
    wf = draw(workflows())
    for t in wf.tasks.values():
        t.opaque = draw(st.booleans())
    return wf


@settings(max_examples=300, deadline=None)
@given(workflows_with_opaque_tasks())
def test_opaque_tasks_stay_between_all_their_ancestors_and_descendants(wf):
    """The barriers stop at the nearest opaque task, yet order exactly what the full closure orders."""
    analysis = analyze(wf)
    declared = nx.transitive_closure_dag(declared_graph(wf))
    strict = nx.DiGraph()
    strict.add_nodes_from(wf.tasks)
    strict.add_edges_from(analysis.relaxation.strict_edges())
    full = nx.DiGraph(strict)
    for t, task in wf.tasks.items():
        if task.opaque and wf.execution_model.mode != "sequential":
            full.add_edges_from((a, t) for a in declared.predecessors(t))
            full.add_edges_from((t, d) for d in declared.successors(t))
    assert set(nx.transitive_closure_dag(strict).edges) == set(nx.transitive_closure_dag(full).edges)
    assert set(nx.transitive_closure_dag(strict).edges) <= set(declared.edges)


@st.composite
def long_workflows(draw):
    """Workflows long enough for several groups, some tasks opaque (their groups are uncertain)."""
    wf = draw(workflows())
    n = draw(st.integers(10, 30))
    ids = [f"t{i}" for i in range(n)]
    tasks = {}
    for t in ids:
        effects = [Effect(r, draw(st.sampled_from([Mode.READ, Mode.WRITE])))
                   for r in draw(st.lists(st.sampled_from(RESOURCES), max_size=1, unique=True))]
        tasks[t] = Task(t, t, "task", Location(("tasks", t)), Duration(draw(st.integers(0, 6)), DurationSource.DECLARED),
                        effects=effects, opaque=draw(st.integers(0, 9)) == 0)
    edges = [Edge(ids[i], ids[j], EdgeKind.DATA) for j in range(n) for i in range(max(0, j - 4), j)
             if draw(st.integers(0, 5)) == 0]
    sequential = wf.execution_model.mode == "sequential"
    model = ExecutionModel("spec", "sequential" if sequential else "graph", tuple(ids) if sequential else ())
    if not sequential:
        edges += [Edge(ids[i], ids[i + 1], EdgeKind.ORDER) for i in range(n - 1) if draw(st.booleans())]
    return Workflow("w", "spec", "w", model, tasks, edges)


def longest_path(nodes: list[str], edges: set[tuple[str, str]], seconds: dict[str, float]) -> float:
    g = nx.DiGraph()
    g.add_nodes_from(nodes)
    g.add_edges_from(edges)
    finish: dict[str, float] = {}
    for n in nx.topological_sort(g):
        finish[n] = seconds[n] + max((finish[p] for p in g.predecessors(n)), default=0.0)
    return max(finish.values(), default=0.0)


@settings(max_examples=300, deadline=None)
@given(long_workflows())
def test_each_group_is_credited_what_dropping_its_orderings_frees(wf):
    """Groups are applied sure first, then uncertain, each in workflow order; a group's credit is
    the critical path before less after, recomputed here from scratch for every group."""
    from wflint.analysis import groups

    with patch.object(groups, "SWEEP_AFTER", 0):  # the sweep from the first group on
        swept = [g.saved_s for g in analyze(wf).groups]
    analysis = analyze(wf)
    assert [g.saved_s for g in analysis.groups] == swept
    r = analysis.relaxation
    edges = {e for e in (*r.declared, *r.relaxed, *r.barrier) if e[0] != e[1]}
    before = longest_path(r.order, edges, analysis.duration)
    for group in sorted(analysis.groups, key=lambda g: (g.confidence != "high", r.rank[g.tasks[0]])):
        edges -= set(group.removed)
        after = longest_path(r.order, edges, analysis.duration)
        assert group.saved_s == max(0.0, before - after)
        before = after


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_priority_weights_of_a_forest_are_the_sums_over_every_task_below_or_above(data):
    """Airflow's weight rules on a graph where each task has one upstream at most, against the sum
    over networkx's descendants and ancestors (the general path uses bit masks)."""
    from wflint.analysis import priority_weights
    from wflint.analysis.graph import adjacency
    from wflint.facets import RunSettings

    n = data.draw(st.integers(1, 25))
    ids = [f"t{i}" for i in range(n)]
    parents = {ids[j]: ids[data.draw(st.integers(0, j - 1))] for j in range(1, n) if data.draw(st.booleans())}
    tasks = {}
    for t in ids:
        tasks[t] = Task(t, t, "task", Location(("tasks", t)), Duration(1, DurationSource.DECLARED))
        tasks[t].put(RunSettings(priority_weight=data.draw(st.integers(1, 9)),
                                 weight_rule=data.draw(st.sampled_from(["downstream", "upstream", "absolute"]))))
    wf = Workflow("w", "spec", "w", ExecutionModel("spec", "graph", ()), tasks, [])
    succ, pred = adjacency(ids, [(p, c) for c, p in parents.items()])
    g = nx.DiGraph([(p, c) for c, p in parents.items()])
    g.add_nodes_from(ids)
    weights = priority_weights(wf, ids, succ, pred)
    assert weights is not None
    for t in ids:
        setting = tasks[t].facet(RunSettings)
        assert setting is not None
        others = {"downstream": nx.descendants(g, t), "upstream": nx.ancestors(g, t)}.get(setting.weight_rule, set())
        assert weights[t] == setting.priority_weight + sum(tasks[o].facet(RunSettings).priority_weight for o in others)
