"""An n8n workflow with no explicit execution order runs with the legacy v0 order.

**What.** The export has no `settings.executionOrder` (or a value other than `"v1"`). n8n then
runs it with the legacy v0 order: breadth-first across branches, and a node with several inputs
forces its other parent chains to run. Workflows created in n8n 1.0 or later default to `"v1"`
(depth-first, sibling branches by canvas position), so the same file can behave differently from
what its author saw.

**Why.** The order decides which of two sibling branches writes first and whether a `$('X')`
reference to a sibling branch finds data. Making it explicit makes the behaviour reviewable.

**Example.**

```json
{"name": "Sync", "nodes": [...], "connections": {...}}          // no settings: runs as v0
{"name": "Sync", "nodes": [...], "connections": {...}, "settings": {"executionOrder": "v1"}}
```

n8n runs one execution per trigger, and a single item leaves an IF, a Switch or a node's error
output by one output only. wflint simulates each such execution (per enabled trigger, per way
through the branches) under both orders; the finding is shown by default only where one of them
shows the switch (legacy v0 also runs the chain feeding a Merge's other input, such as the other
side of an IF, where v1 does not; measured on n8n 2.8.4). A difference that needs items of one run
to leave a branch by different outputs is shown with `--preview`: it rests on data wflint cannot
see.

Disabled nodes, which only pass their items on, are left out of the comparison: whether and when
they run is nothing the workflow shows.

Where v0 and v1 give the same node order for every trigger and every way through the branches,
or where no two nodes that touch one resource or read each other's output change places, the
setting changes nothing the workflow does, and wflint says nothing. Several items of one run can
take different ways of a branch only where a node before it can emit several (a read, a split HTTP
response, a Code node run once for all items, a polling trigger, a loop): where every branch point
of a run gets one item (a webhook, form, chat or schedule trigger through one-item nodes), only
the per-output executions count.

**Fix safety.** Adding `"executionOrder": "v1"` reorders nodes wherever this rule fires, so the
fix is unsafe (`--unsafe-fixes`): review what the message says changes.
"""
from __future__ import annotations

from collections.abc import Iterator

from wflint.analysis.relax import alternatives
from wflint.facets import ExecutionOrder, OrderScenario, Routes
from wflint.finding import Applicability, Finding, Fix, SetExecutionOrder, Severity
from wflint.ir import EdgeKind, Mode, Workflow
from wflint.rule import Context, rule


@rule("PAR102", "n8n-implicit-execution-order", Severity.WARNING, needs_analysis=False, needs=(ExecutionOrder,))
def check(ctx: Context) -> Iterator[Finding]:
    wf = ctx.workflow
    order = wf.facet(ExecutionOrder)
    if order is None or order.modern:
        return
    what = "has no settings.executionOrder" if not order.explicit else f"sets executionOrder {order.value!r}"
    # The same only if every execution runs the same nodes in the same order: the runs from each
    # trigger with each item taking one way, and the run where items take every way at once (each
    # node's first run there; a node fed by two branches runs again later in both orders).
    same = (order.agree and order.first_runs == order.other_runs and order.scenarios_complete
            and all(s.runs == s.other_runs for s in order.scenarios))
    if same:
        return  # the setting changes nothing at run time: nothing to act on
    one_way = _first_observable(wf, order.scenarios)
    # Several items of one run taking different ways of a branch need a node before it that can
    # emit several; where every branch point gets one item, only the scenarios can happen.
    many_ways = None if one_way or order.one_item_per_branch else observable(wf, order.first_runs, order.other_runs)
    if one_way:
        consequence = f"v0 and v1 run its nodes in a different order here, and it shows: {one_way}"
    elif many_ways:
        consequence = (f"v0 and v1 run its nodes in a different order only where items of one run leave a "
                       f"branch (IF, Switch, error output) by different outputs, and then it shows: {many_ways}")
    else:
        return  # no two nodes that touch one resource or read each other's output change places
    yield ctx.finding(
        f"workflow `{wf.name}` {what}, so n8n runs it with the legacy v0 order (breadth-first); "
        f"{consequence}",
        location=order.location or wf.location,
        fix=Fix(Applicability.UNSAFE, 'set settings.executionOrder to "v1"', (SetExecutionOrder("v1"),)),
        # By default only where one execution, from one trigger with each item taking one way
        # through the branches, shows the switch: which nodes run, or the order of two nodes that
        # touch one resource or read each other's output. Differences that need items of one run
        # to take different outputs of a branch rest on data wflint cannot see.
        preview=one_way is None,
    )


def _first_observable(wf: Workflow, scenarios: tuple[OrderScenario, ...]) -> str | None:
    """How the switch shows in one execution (one trigger, each branch taking one output), if any."""
    for scenario in scenarios:
        seen = observable(wf, scenario.runs, scenario.other_runs)
        if seen:
            stall = ""
            if scenario.legacy_stalls:
                loops = ", ".join(f"`{t}`" for t in scenario.legacy_stalls)
                stall = (f"; worse, on a later pass of {loops} that goes the same way, v0 forces nothing more "
                         f"(that chain has run), the Merge in its body waits for ever and the loop stops there "
                         f"(its done branch never runs)")
            return f"{seen}, in a run {_scenario_words(scenario)}{stall}"
    return None


def _scenario_words(scenario: OrderScenario) -> str:
    text = f"started by `{scenario.start}`"
    words = scenario.outputs or tuple(f"output {out}" for _, out in scenario.choices)
    taken = [f"`{router}` takes its {word}" for (router, _), word in zip(scenario.choices, words)]
    if taken:
        text += " where " + ", ".join(taken[:3]) + (" ..." if len(taken) > 3 else "")
    return text


def observable(wf: Workflow, now: tuple[str, ...], other: tuple[str, ...]) -> str | None:
    """How switching from ``now`` to ``other`` (first runs) shows in what the workflow does, or None.
    Tasks that only pass their input on (``ExecutionOrder.inert``, disabled nodes) show nothing."""
    order = wf.facet(ExecutionOrder)
    if order is not None and order.inert:
        now, other = tuple(t for t in now if t not in order.inert), tuple(t for t in other if t not in order.inert)
    if set(now) != set(other):
        names = lambda ts: ", ".join(f"`{t}`" for t in sorted(ts)[:3]) + (" ..." if len(ts) > 3 else "")
        only_now, only_other = set(now) - set(other), set(other) - set(now)
        parts = [f"{names(only_now)} run(s) today but not under v1"] if only_now else []
        parts += [f"{names(only_other)} run(s) under v1 but not today"] if only_other else []
        return "; ".join(parts)
    before = {t: i for i, t in enumerate(now)}
    after = {t: i for i, t in enumerate(other)}

    def flips(a: str, b: str) -> bool:
        return a in before and b in before and (before[a] < before[b]) != (after[a] < after[b])

    for edge in wf.edges:
        if edge.kind is EdgeKind.IMPLICIT and flips(edge.u, edge.v):
            return f"`{edge.v}` reads `{edge.u}`'s output and the two change places"
    users: dict[str, list[tuple[str, Mode]]] = {}
    for t in now:
        for effect in wf.tasks[t].effects:
            users.setdefault(effect.resource, []).append((t, effect.mode))
    for resource, touching in users.items():
        writers = [t for t, mode in touching if mode is Mode.WRITE]
        for w in writers:
            for t, _ in touching:
                if t != w and not _alternatives(wf, t, w) and flips(w, t):
                    return f"`{w}` and `{t}` both touch `{resource}` and change places"
    return None


def _alternatives(wf: Workflow, a: str, b: str) -> bool:
    ra, rb = wf.tasks[a].facet(Routes), wf.tasks[b].facet(Routes)
    return alternatives(ra.by_router if ra else {}, rb.by_router if rb else {})
