"""Which declared orderings are necessary (docs/architecture.md).

The *declared* graph is what the engine runs today: a chain in execution order for sequential
engines, the order/data/control edges otherwise. The *relaxed* graph keeps u→v only where v needs
u's output, or they touch one resource and at least one writes. Conflicts are found through a
per-resource index, never by comparing every pair of tasks.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field
from functools import cached_property

from wflint.records import dataclass

from ..facets import Routes, Starts, Structure
from ..ir import EdgeKind, Mode, Workflow
from . import graph

DECLARED_KINDS = (EdgeKind.ORDER, EdgeKind.DATA, EdgeKind.CONTROL)
NEEDED_KINDS = (EdgeKind.DATA, EdgeKind.CONTROL, EdgeKind.IMPLICIT)
ANYTHING = "*"  # the resource an opaque task may touch


@dataclass(frozen=True)
class Conflict:
    """Two tasks that may run at the same time and touch one resource, at least one writing."""

    a: str
    b: str
    resource: str
    a_mode: Mode
    b_mode: Mode

    @property
    def both_write(self) -> bool:
        return self.a_mode is Mode.WRITE and self.b_mode is Mode.WRITE


@dataclass
class Relaxation:
    """The declared graph and which of its orderings must stay (and why), the ground for every parallelism finding."""

    order: list[str]  # a topological order of the declared graph
    rank: dict[str, int]
    declared: list[tuple[str, str]]
    declared_succ: dict[str, list[str]]
    declared_pred: dict[str, list[str]]
    relaxed: dict[tuple[str, str], str]  # edge → why it must stay (known effects only)
    barrier: dict[tuple[str, str], str]  # extra edges that keep opaque/dynamic tasks in place
    conflicts: list[Conflict] = field(default_factory=list)
    unordered_needs: list[tuple[str, str, str]] = field(default_factory=list)  # (u, v, kind)
    # The design's own ordering: the declared graph, except for a sequential engine with a
    # ``tiebreak``, where it is the declared edges (loops' back edges dropped) and ``declared`` is
    # the engine's serialization of it.
    design_succ: dict[str, list[str]] = field(default_factory=dict)
    design_pred: dict[str, list[str]] = field(default_factory=dict)
    design: list[tuple[str, str]] | None = None  # the design's edges where they differ from ``declared``
    # For a serialized design: which starts (trigger, or task nothing feeds) reach each task, as
    # bits, and the branch outputs that lead to it (the ``Routes`` facet); empty otherwise.
    start_mask: dict[str, int] = field(default_factory=dict)
    routes: dict[str, Mapping] = field(default_factory=dict)

    def together(self, a: str, b: str) -> bool:
        """Can both run in one execution for one item: a common start, not alternative branch outputs?
        A task no start reaches never runs, so it is never together with anything."""
        if self.start_mask and not self.start_mask[a] & self.start_mask[b]:
            return False
        return not alternatives(self.routes.get(a) or {}, self.routes.get(b) or {})

    @property
    def candidates(self) -> list[tuple[str, str]]:
        """Declared orderings a parallelization could drop: the design's own edges."""
        return self.declared if self.design is None else self.design

    def strict_edges(self) -> list[tuple[str, str]]:
        return list(self.relaxed) + [e for e in self.barrier if e not in self.relaxed]

    @cached_property
    def strict(self) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """(successors, predecessors) of the relaxed graph with opaque tasks kept in place (with no
        opaque task, the ``known`` graph itself)."""
        return graph.adjacency(self.order, self.strict_edges()) if self.barrier else self.known

    @cached_property
    def known(self) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """(successors, predecessors) of the relaxed graph trusting unknown effects."""
        return graph.adjacency(self.order, self.relaxed)


def relax(workflow: Workflow) -> Relaxation:
    tasks = workflow.task_order()
    sequential = workflow.execution_model.mode == "sequential"
    if sequential:
        chain = list(workflow.execution_model.order) or tasks
        declared = list(zip(chain, chain[1:]))
    else:
        declared = [(e.u, e.v) for e in workflow.edges if e.kind in DECLARED_KINDS]
    succ, pred = graph.adjacency(tasks, declared)
    order = chain if sequential else graph.topo_order(succ, pred)
    rank = {t: i for i, t in enumerate(order)}
    result = Relaxation(order, rank, declared, succ, pred, {}, {}, design_succ=succ, design_pred=pred)
    serialized = sequential and bool(workflow.execution_model.tiebreak)
    if serialized:
        design = [(e.u, e.v) for e in workflow.edges
                  if e.kind in DECLARED_KINDS and e.u in rank and e.v in rank and rank[e.u] < rank[e.v]]
        result.design_succ, result.design_pred = graph.adjacency(tasks, design)
        result.design = list(dict.fromkeys(design))
    _keep_needs(workflow, result, sequential, serialized)
    _keep_structure(workflow, result)
    _keep_unresolved(workflow, result)
    accesses = _accesses(workflow)
    appends = _appends(workflow)
    if serialized:
        # Tasks no common start reaches run in different executions (another trigger): no race.
        result.start_mask = _start_masks(workflow, order, result.design_pred)
        result.routes = {t: _routes(workflow.tasks[t]) for t in order}
        _graph_conflicts(result, accesses, result.design_pred, keep=False, together=result.together,
                         appends=appends)
    if sequential:
        _chain_conflicts(order, accesses, result.relaxed, appends)
        opaque = {t: {ANYTHING: Mode.WRITE} for t in order if _unknowable(workflow, t)}
        if opaque:
            everyone = {t: {ANYTHING: Mode.READ} for t in order}
            everyone.update(opaque)
            _chain_conflicts(order, everyone, result.barrier)
    else:
        _graph_conflicts(result, accesses, result.declared_pred, together=_common_start(workflow), appends=appends)
        _graph_barriers(workflow, result)
    return result


def _common_start(workflow: Workflow):
    """Where an adapter says which runs each task takes part in (``Starts``): tasks with none in
    common are never in one run (GitHub jobs of different events or exclusive `if:`s), nor are
    tasks whose cases (``Starts.cases``) have none in common."""
    facets = {t: s for t, task in workflow.tasks.items() if (s := task.facet(Starts)) is not None}
    if not facets:
        return None
    starts = {t: set(s.starts) for t, s in facets.items()}
    cases = {t: set(s.cases) for t, s in facets.items() if s.cases}
    return lambda a, b: a not in starts or b not in starts or bool(starts[a] & starts[b]) and (
        a not in cases or b not in cases or bool(cases[a] & cases[b]))


def _start_masks(workflow: Workflow, order: list[str], design_pred: dict[str, list[str]]) -> dict[str, int]:
    """task → the starts whose executions reach it, as bits: the adapter's ``Starts`` where it knows
    them (no start: the task never runs), else every task nothing feeds is a start."""
    facets = [workflow.tasks[t].facet(Starts) for t in order]
    known = [f for f in facets if f is not None]
    if len(known) == len(order):
        bit: dict[str, int] = {}
        masks: dict[str, int] = {}
        for t, found in zip(order, known):
            mask = 0
            for start in found.starts:
                mask |= 1 << bit.setdefault(start, len(bit))
            masks[t] = mask
        return masks
    roots = {t: i for i, t in enumerate(t for t in order if not design_pred[t])}
    reach = graph.ancestor_masks(order, design_pred, roots)
    return {t: reach[t] | (1 << roots[t] if t in roots else 0) for t in order}


def _routes(task) -> Mapping[str, tuple[int, ...]]:
    routes = task.facet(Routes)
    return routes.by_router if routes else {}


def alternatives(a: Mapping, b: Mapping) -> bool:
    """Tasks on different outputs of one branching task (the ``Routes`` facet: task → outputs leading
    here) never handle the same item, so they are alternatives rather than parallel branches."""
    return any(r in b and not set(a[r]) & set(b[r]) for r in a)


def _keep_structure(workflow: Workflow, result: Relaxation) -> None:
    """Orderings into and out of markers and waits are the design's structure, never removable."""
    for u, v in result.candidates:
        for t in (u, v):
            structure = workflow.tasks[t].facet(Structure)
            if structure is not None:
                result.relaxed.setdefault((u, v), f"{t} is {structure.what or 'a ' + structure.kind}: "
                                                  "orderings through it are structure")
                break


def _keep_unresolved(workflow: Workflow, result: Relaxation) -> None:
    """Orderings into and out of a task whose names or edges could not be resolved stay: what it
    reads or is read by may be among what wflint could not see (WFL003 says they are presumed needed)."""
    for u, v in result.candidates:
        for t in (u, v):
            if workflow.tasks[t].dynamic:
                result.relaxed.setdefault((u, v), f"{t} is only partly resolved: orderings through it are presumed needed")
                break


def _unknowable(workflow: Workflow, task_id: str) -> bool:
    task = workflow.tasks[task_id]
    return task.opaque or task.dynamic


def _keep_needs(workflow: Workflow, result: Relaxation, sequential: bool, serialized: bool = False) -> None:
    """Data, control and implicit edges stay, where the declared order already guarantees them.

    In a serialized graph a need the engine happens to meet by its tie-break is kept, and also
    reported as unordered: the design does not guarantee it.
    """
    for edge in workflow.edges:
        if edge.kind not in NEEDED_KINDS or edge.u == edge.v:
            continue
        if serialized and result.rank[edge.u] < result.rank[edge.v]:
            result.relaxed.setdefault((edge.u, edge.v), edge.detail or f"{edge.v} needs {edge.u}'s output")
            guaranteed = graph.reaches(result.design_succ, edge.u, edge.v, result.rank)
            if not guaranteed and not edge.guarded:
                result.unordered_needs.append((edge.u, edge.v, edge.kind.value))
            continue
        if sequential:
            guaranteed = result.rank[edge.u] < result.rank[edge.v]
        elif edge.kind is EdgeKind.IMPLICIT:
            guaranteed = graph.reaches(result.declared_succ, edge.u, edge.v, result.rank)
        else:
            guaranteed = True
        if guaranteed:
            result.relaxed.setdefault((edge.u, edge.v), edge.detail or f"{edge.v} needs {edge.u}'s output")
        elif not edge.guarded:
            result.unordered_needs.append((edge.u, edge.v, edge.kind.value))


def _accesses(workflow: Workflow) -> dict[str, dict[str, Mode]]:
    """task → resource → strongest mode (a task that reads and writes a resource writes it)."""
    out: dict[str, dict[str, Mode]] = {}
    for task in workflow.tasks.values():
        modes: dict[str, Mode] = {}
        for effect in task.effects:
            if modes.get(effect.resource) is not Mode.WRITE:
                modes[effect.resource] = effect.mode
        out[task.id] = modes
    return out


def _appends(workflow: Workflow) -> set[tuple[str, str]]:
    """(task, resource) where every access of the task to the resource is an append."""
    out: set[tuple[str, str]] = set()
    for task in workflow.tasks.values():
        by_resource: dict[str, bool] = {}
        for effect in task.effects:
            by_resource[effect.resource] = by_resource.get(effect.resource, True) and effect.append
        out.update((task.id, r) for r, only_appends in by_resource.items() if only_appends)
    return out


def _why(u: str, v: str, resource: str, mu: Mode, mv: Mode) -> str:
    if resource == ANYTHING:
        return "its effects are unknown, so it keeps its place"
    if mu is Mode.WRITE and mv is Mode.WRITE:
        return f"both write {resource}"
    if mu is Mode.WRITE:
        return f"{v} reads {resource} after {u} writes it"
    return f"{v} writes {resource} that {u} reads"


def _chain_conflicts(order: list[str], accesses: dict[str, dict[str, Mode]], out: dict,
                     appends: set[tuple[str, str]] | frozenset = frozenset()) -> None:
    """In a total order: each access depends on the last writer; a write also on readers and
    appends since; an append on readers since; a read on appends since (appends among themselves
    keep no order)."""
    last_writer: dict[str, str] = {}
    readers: dict[str, list[str]] = {}
    appenders: dict[str, list[str]] = {}
    for t in order:
        for resource, mode in accesses.get(t, {}).items():
            writer = last_writer.get(resource)
            if writer is not None:
                out.setdefault((writer, t), _why(writer, t, resource, Mode.WRITE, mode))
            if mode is Mode.READ:
                for a in appenders.get(resource, []):
                    out.setdefault((a, t), _why(a, t, resource, Mode.WRITE, mode))
                readers.setdefault(resource, []).append(t)
                continue
            for r in readers.get(resource, []):
                if r != t:
                    out.setdefault((r, t), _why(r, t, resource, Mode.READ, mode))
            if (t, resource) in appends:
                appenders.setdefault(resource, []).append(t)
                continue
            for a in appenders.pop(resource, []):
                if a != t:
                    out.setdefault((a, t), _why(a, t, resource, Mode.WRITE, mode))
            readers.pop(resource, None)
            last_writer[resource] = t


def _graph_conflicts(result: Relaxation, accesses: dict[str, dict[str, Mode]], pred: dict[str, list[str]],
                     keep: bool = True, together=None, appends: set[tuple[str, str]] | frozenset = frozenset()) -> None:
    """In a partial order: ordered conflicting pairs keep their order, unordered ones are races.

    ``keep=False`` only collects the races (a serialized graph orders every pair by its chain).
    """
    by_resource: dict[str, list[tuple[str, Mode]]] = {}
    for t in result.order:
        for resource, mode in accesses.get(t, {}).items():
            by_resource.setdefault(resource, []).append((t, mode))
    contested = {r: users for r, users in by_resource.items()
                 if len(users) > 1 and any(m is Mode.WRITE for _, m in users)}
    if not contested:
        return
    pairs = [(a, ma, b, mb, resource) for resource, users in contested.items()
             for i, (a, ma) in enumerate(users) for b, mb in users[i + 1:]
             if not (ma is Mode.READ and mb is Mode.READ or (a, resource) in appends and (b, resource) in appends)]
    queries: dict[str, list[str]] = {}
    for a, _, b, _, _ in pairs:
        queries.setdefault(b, []).append(a)
    # Users are listed in ``result.order``, a topological order of ``pred``: b is never above a.
    ordered = graph.ancestor_pairs(result.order, pred, queries)
    for a, ma, b, mb, resource in pairs:
        if (a, b) in ordered:
            if keep:
                result.relaxed.setdefault((a, b), _why(a, b, resource, ma, mb))
        elif together is None or together(a, b):
            result.conflicts.append(Conflict(a, b, resource, ma, mb))


def _graph_barriers(workflow: Workflow, result: Relaxation) -> None:
    """An opaque task stays ordered after all its declared ancestors and before all descendants.

    The edges stop at the nearest opaque task on each side: an ancestor beyond an opaque ancestor
    is already held before it, and that one before this task, so its edge would add nothing but
    size (on a graph of opaque tasks the full closure is quadratic; this is its declared edges).
    """
    opaque = {t for t in result.order if _unknowable(workflow, t)}
    for t in result.order:
        if t not in opaque:
            continue
        for ancestor in _walk(result.declared_pred, t, opaque):
            result.barrier.setdefault((ancestor, t), _why(ancestor, t, ANYTHING, Mode.READ, Mode.WRITE))
        for descendant in _walk(result.declared_succ, t, opaque):
            result.barrier.setdefault((t, descendant), _why(t, descendant, ANYTHING, Mode.WRITE, Mode.READ))


def _walk(adjacent: dict[str, list[str]], start: str, stop: set[str]) -> list[str]:
    """Every task reachable from ``start``, not going on past the tasks in ``stop`` (they are kept)."""
    seen: set[str] = set()
    stack = list(adjacent[start])
    while stack:
        n = stack.pop()
        if n not in seen:
            seen.add(n)
            if n not in stop:
                stack.extend(adjacent[n])
    return sorted(seen)
