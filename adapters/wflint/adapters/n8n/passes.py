"""Every run of one n8n execution, pass by pass (research/n8n-engine.md §3a; issue 13).

``order.execution_order`` keeps each node's first run. Loops run nodes again: Loop Over Items
emits one batch on its loop output per pass and, once the body has sent every batch back, all
the items on its done output; a node fed twice runs twice. This simulation follows the items:
the trigger emits k items (0..k-1), a node runs once per arrival of data with all the items that
arrived and passes them on (item identity flows through one-to-one nodes), an Execute Once node
passes on its first item only, an output that emits nothing starts nothing, and a node with
several wired inputs waits until each has data (when nothing else can run it runs with what it
has, as n8n 2.8.4 does).
"""
from __future__ import annotations

from collections import deque
from collections.abc import Set
from dataclasses import dataclass, field

Run = tuple[str, tuple[int, ...]]  # a node and the items it ran on
RUNS_PER_NODE = 64  # a loop whose way back never empties its queue would not end: a bound per node


@dataclass
class PassGraph:
    """What the simulation needs of a workflow's wiring."""

    children: dict[str, list[tuple[str, int, int]]]
    wired: dict[str, set[int]]
    position: dict[str, tuple[float, float]]
    v1: bool
    loop_output: dict[str, int] = field(default_factory=dict)  # Loop Over Items → its loop output
    batch_size: dict[str, int] = field(default_factory=dict)
    execute_once: Set[str] = frozenset()


@dataclass
class _Loop:
    queue: list[int]
    returned: list[int] = field(default_factory=list)


def run_log(graph: PassGraph, start: str, items: int, silent: Set[tuple[str, int]] = frozenset(),
            arrivals: list[tuple[str, frozenset[int]]] | None = None) -> tuple[Run, ...]:
    """Every run, in order, of one execution from ``start`` emitting ``items`` items; the outputs
    in ``silent`` (the ways a router's items do not take) emit nothing. ``arrivals`` collects, for
    each run of a node with several wired inputs, the inputs that had data when it ran."""
    log: list[Run] = []
    loops: dict[str, _Loop] = {}
    waiting: dict[str, dict[int, tuple[int, ...]]] = {}
    stack: deque[tuple[str, tuple[int, ...]]] = deque([(start, tuple(range(items)))])
    limit = RUNS_PER_NODE * max(1, len(graph.position))
    while len(log) < limit:
        if not stack:
            if not waiting:
                break
            node, inputs = next(iter(waiting.items()))  # runs with the data it has
            waiting.pop(node)
            if arrivals is not None:
                arrivals.append((node, frozenset(inputs)))
            stack.append((node, _union(inputs.values())))
        node, data = stack.popleft()
        log.append((node, data))
        ready: list[tuple[str, tuple[int, ...]]] = []
        for out, emitted in _outputs(graph, node, data, loops).items():
            if not emitted or (node, out) in silent:
                continue
            for child, o, index in graph.children.get(node, ()):
                if o != out:
                    continue
                if len(graph.wired.get(child, ())) > 1:
                    arrived = waiting.setdefault(child, {})
                    arrived[index] = _union([arrived.get(index, ()), emitted])
                    if set(arrived) < graph.wired[child]:
                        continue
                    emitted = _union(waiting.pop(child).values())
                    if arrivals is not None:
                        arrivals.append((child, frozenset(graph.wired[child])))
                ready.append((child, emitted))
        if graph.v1:
            ready.sort(key=lambda r: (graph.position[r[0]][1], graph.position[r[0]][0]))
            stack.extendleft(reversed(ready))
        else:
            stack.extend(ready)
    return tuple(log)


def run_logs(graph: PassGraph, start: str, counts: tuple[int, ...], silent: Set[tuple[str, int]] = frozenset(),
             ) -> tuple[tuple[tuple[Run, ...], list[tuple[str, frozenset[int]]]], ...]:
    """``run_log`` and its ``arrivals`` for each item count of ``counts``. Where no Loop Over Items
    or Execute Once node is wired, items never decide what runs: every run carries all of them, so
    one simulation gives every count's log."""
    if not counts:
        return ()
    if graph.loop_output or graph.execute_once:
        out = []
        for k in counts:
            arrivals: list[tuple[str, frozenset[int]]] = []
            out.append((run_log(graph, start, k, silent, arrivals), arrivals))
        return tuple(out)
    arrivals = []
    first = run_log(graph, start, counts[0], silent, arrivals)
    return ((first, arrivals),) + tuple((tuple((node, tuple(range(k))) for node, _ in first), arrivals)
                                        for k in counts[1:])


def _outputs(graph: PassGraph, node: str, data: tuple[int, ...], loops: dict[str, _Loop]) -> dict[int, tuple[int, ...]]:
    """Output index → the items a run of ``node`` on ``data`` emits there."""
    outs = {o for _, o, _ in graph.children.get(node, ())}
    if node in graph.loop_output:
        loop_out = graph.loop_output[node]
        state = loops.get(node)
        if state is None:
            state = loops[node] = _Loop(list(data))
        else:
            state.returned += data  # the body's items come back for the next pass
        if state.queue:
            size = max(1, graph.batch_size.get(node, 10))
            batch, state.queue = tuple(state.queue[:size]), state.queue[size:]
            return {loop_out: batch}
        del loops[node]
        return {1 - loop_out: tuple(state.returned)}
    if node in graph.execute_once:
        data = data[:1]
    return dict.fromkeys(outs, data)


def starved_inputs(graph: PassGraph, arrivals: list[tuple[str, frozenset[int]]]) -> dict[str, tuple[int, int]]:
    """node → (an input, the run) where a node that first ran with data on every wired input later
    ran without that input's: fed once from outside a loop it sits in, it does not wait for the
    missing input on later passes (measured on n8n 2.8.4, v1 and v0) and runs without its data."""
    runs: dict[str, int] = {}
    full_first: set[str] = set()
    found: dict[str, tuple[int, int]] = {}
    for node, arrived in arrivals:
        runs[node] = runs.get(node, 0) + 1
        if runs[node] == 1 and arrived == graph.wired[node]:
            full_first.add(node)
        elif node in full_first and node not in found and arrived < graph.wired[node]:
            found[node] = (min(graph.wired[node] - arrived), runs[node])
    return found


def _union(parts) -> tuple[int, ...]:
    return tuple(sorted({i for part in parts for i in part}))


def passes(log: tuple[Run, ...]) -> list[tuple[str, int, tuple[int, ...]]]:
    """The log as (node, pass, items): pass counts that node's runs from 1."""
    count: dict[str, int] = {}
    out = []
    for node, data in log:
        count[node] = count.get(node, 0) + 1
        out.append((node, count[node], data))
    return out


def compare(before: tuple[Run, ...], after: tuple[Run, ...], kept: Set[str], keep_order: bool,
            own_items: Set[str] = frozenset(), joined: Set[str] = frozenset()) -> str | None:
    """Why ``after`` does not run the nodes of ``kept`` as ``before`` does (None when it does):
    each the same number of times on the same items (but those of ``own_items``, whose items the
    fix changes on purpose) and, with ``keep_order``, in the same order. A node of ``joined`` (a
    join the fix puts in front of it, and what follows) runs once with every branch's items
    instead of once per branch: it must run no more often, and on the same items in all."""
    def runs(log: tuple[Run, ...]) -> list[Run]:
        return [(n, () if n in own_items else d) for n, d in log if n in kept]

    old, new = runs(before), runs(after)
    for node in sorted(kept & joined):
        runs_old = [d for n, d in old if n == node]
        runs_new = [d for n, d in new if n == node]
        if _union(runs_old) != _union(runs_new) or len(runs_new) > len(runs_old) or bool(runs_old) != bool(runs_new):
            return f"{node} would run {len(runs_new)} times on items {list(_union(runs_new))} " \
                   f"instead of {len(runs_old)} times on items {list(_union(runs_old))}"
    old = [r for r in old if r[0] not in joined]
    new = [r for r in new if r[0] not in joined]
    for node in sorted(kept - joined):
        runs_old = [d for n, d in old if n == node]
        runs_new = [d for n, d in new if n == node]
        if len(runs_old) != len(runs_new):
            return f"{node} would run {len(runs_new)} times instead of {len(runs_old)}"
        for i, (a, b) in enumerate(zip(runs_old, runs_new, strict=True), 1):
            if a != b:
                return f"{node} would run on items {list(b)} instead of {list(a)} in its run {i}"
    if keep_order and old != new:
        at = next(i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b)
        (n1, _), (n2, _) = old[at], new[at]
        return f"run {at + 1} of the execution would be {n2} instead of {n1}"
    return None
