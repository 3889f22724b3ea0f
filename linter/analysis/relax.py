"""Which declared orderings are necessary (DESIGN §5).

The *declared* graph is what the engine runs today: a chain in execution order for sequential
engines, the order/data/control edges otherwise. The *relaxed* graph keeps u→v only where v needs
u's output, or they touch one resource and at least one writes. Conflicts are found through a
per-resource index, never by comparing every pair of tasks.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

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
    order: list[str]  # a topological order of the declared graph
    rank: dict[str, int]
    declared: list[tuple[str, str]]
    declared_succ: dict[str, list[str]]
    declared_pred: dict[str, list[str]]
    relaxed: dict[tuple[str, str], str]  # edge → why it must stay (known effects only)
    barrier: dict[tuple[str, str], str]  # extra edges that keep opaque/dynamic tasks in place
    conflicts: list[Conflict] = field(default_factory=list)
    unordered_needs: list[tuple[str, str, str]] = field(default_factory=list)  # (u, v, kind)

    def strict_edges(self) -> list[tuple[str, str]]:
        return list(self.relaxed) + [e for e in self.barrier if e not in self.relaxed]

    @cached_property
    def strict(self) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """(successors, predecessors) of the relaxed graph with opaque tasks kept in place."""
        return graph.adjacency(self.order, self.strict_edges())

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
    result = Relaxation(order, rank, declared, succ, pred, {}, {})
    _keep_needs(workflow, result, sequential)
    accesses = _accesses(workflow)
    if sequential:
        _chain_conflicts(order, accesses, result.relaxed)
        opaque = {t: {ANYTHING: Mode.WRITE} for t in order if _unknowable(workflow, t)}
        if opaque:
            everyone = {t: {ANYTHING: Mode.READ} for t in order}
            everyone.update(opaque)
            _chain_conflicts(order, everyone, result.barrier)
    else:
        _graph_conflicts(result, accesses)
        _graph_barriers(workflow, result)
    return result


def _unknowable(workflow: Workflow, task_id: str) -> bool:
    task = workflow.tasks[task_id]
    return task.opaque or task.dynamic


def _keep_needs(workflow: Workflow, result: Relaxation, sequential: bool) -> None:
    """Data, control and implicit edges stay, where the declared order already guarantees them."""
    for edge in workflow.edges:
        if edge.kind not in NEEDED_KINDS or edge.u == edge.v:
            continue
        if sequential:
            guaranteed = result.rank[edge.u] < result.rank[edge.v]
        elif edge.kind is EdgeKind.IMPLICIT:
            guaranteed = graph.reaches(result.declared_succ, edge.u, edge.v, result.rank)
        else:
            guaranteed = True
        if guaranteed:
            result.relaxed.setdefault((edge.u, edge.v), edge.detail or f"{edge.v} needs {edge.u}'s output")
        else:
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


def _why(u: str, v: str, resource: str, mu: Mode, mv: Mode) -> str:
    if resource == ANYTHING:
        return "its effects are unknown, so it keeps its place"
    if mu is Mode.WRITE and mv is Mode.WRITE:
        return f"both write {resource}"
    if mu is Mode.WRITE:
        return f"{v} reads {resource} after {u} writes it"
    return f"{v} writes {resource} that {u} reads"


def _chain_conflicts(order: list[str], accesses: dict[str, dict[str, Mode]], out: dict) -> None:
    """In a total order: each access depends on the last writer; a write also on readers since."""
    last_writer: dict[str, str] = {}
    readers: dict[str, list[str]] = {}
    for t in order:
        for resource, mode in accesses.get(t, {}).items():
            writer = last_writer.get(resource)
            if writer is not None:
                out.setdefault((writer, t), _why(writer, t, resource, Mode.WRITE, mode))
            if mode is Mode.WRITE:
                for r in readers.pop(resource, []):
                    if r != t:
                        out.setdefault((r, t), _why(r, t, resource, Mode.READ, mode))
                last_writer[resource] = t
            else:
                readers.setdefault(resource, []).append(t)


def _graph_conflicts(result: Relaxation, accesses: dict[str, dict[str, Mode]]) -> None:
    """In a partial order: ordered conflicting pairs keep their order, unordered ones are races."""
    by_resource: dict[str, list[tuple[str, Mode]]] = {}
    for t in result.order:
        for resource, mode in accesses.get(t, {}).items():
            by_resource.setdefault(resource, []).append((t, mode))
    contested = {r: users for r, users in by_resource.items()
                 if len(users) > 1 and any(m is Mode.WRITE for _, m in users)}
    if not contested:
        return
    tracked: dict[str, int] = {}
    for users in contested.values():
        for t, _ in users:
            tracked.setdefault(t, len(tracked))
    masks = graph.ancestor_masks(result.order, result.declared_pred, tracked)
    for resource, users in contested.items():
        for i, (a, ma) in enumerate(users):
            for b, mb in users[i + 1:]:
                if ma is Mode.READ and mb is Mode.READ:
                    continue
                if masks[b] >> tracked[a] & 1:
                    result.relaxed.setdefault((a, b), _why(a, b, resource, ma, mb))
                elif masks[a] >> tracked[b] & 1:
                    result.relaxed.setdefault((b, a), _why(b, a, resource, mb, ma))
                else:
                    result.conflicts.append(Conflict(a, b, resource, ma, mb))


def _graph_barriers(workflow: Workflow, result: Relaxation) -> None:
    """An opaque task stays ordered after all its declared ancestors and before all descendants."""
    for t in result.order:
        if not _unknowable(workflow, t):
            continue
        for ancestor in _walk(result.declared_pred, t):
            result.barrier.setdefault((ancestor, t), _why(ancestor, t, ANYTHING, Mode.READ, Mode.WRITE))
        for descendant in _walk(result.declared_succ, t):
            result.barrier.setdefault((t, descendant), _why(t, descendant, ANYTHING, Mode.WRITE, Mode.READ))


def _walk(adjacent: dict[str, list[str]], start: str) -> list[str]:
    seen: set[str] = set()
    stack = list(adjacent[start])
    while stack:
        n = stack.pop()
        if n not in seen:
            seen.add(n)
            stack.extend(adjacent[n])
    return sorted(seen)
