"""Airflow's dependency constructs with its exact semantics (research §1.1).

``>>``/``<<`` with lists, ``set_upstream``/``set_downstream``, ``chain`` (pairwise between adjacent
lists), ``chain_linear`` (full bipartite), ``cross_downstream``, ``Label``, and TaskGroup
root/leaf expansion evaluated at the moment the statement runs, as Airflow does.
"""
from __future__ import annotations

from .model import UNKNOWN, DagState, GroupVal, InstanceVal, LabelVal, TaskState, XComVal


class Dynamic(Exception):
    """An operand the interpreter cannot resolve: the statement's edges are unknown."""


def roots(value) -> list[TaskState]:
    return _ends(value, upstream_side=False)


def leaves(value) -> list[TaskState]:
    return _ends(value, upstream_side=True)


def _ends(value, upstream_side: bool) -> list[TaskState]:
    if isinstance(value, TaskState):
        return [value]
    if isinstance(value, XComVal):
        return list(value.tasks)
    if isinstance(value, GroupVal):
        return group_leaves(value) if upstream_side else group_roots(value)
    if isinstance(value, (list, tuple)):
        out = []
        for item in value:
            out.extend(_ends(item, upstream_side))
        return out
    raise Dynamic(f"a dependency operand is {kind_of(value)}, which wflint cannot resolve to tasks")


def kind_of(value) -> str:
    """What an operand is, in words for a reason line (never its repr: that is internal state)."""
    if value is UNKNOWN:
        return "a value it could not read"
    if isinstance(value, DagState):
        return "a DAG object"
    if isinstance(value, (str, int, float, bool, type(None))):
        return f"the literal {value!r}"[:80]
    if isinstance(value, InstanceVal):
        return f"an object of the repository's class `{value.cls.name}`"
    kind = type(value).__name__.removesuffix('Val').lower() or 'value'
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind} value"


def group_roots(group: GroupVal) -> list[TaskState]:
    tasks = list(group.group.all_tasks())
    ids = {t.task_id for t in tasks}
    return [t for t in tasks if ids.isdisjoint(t.upstream)]


def group_leaves(group: GroupVal) -> list[TaskState]:
    """``TaskGroup.get_leaves``: teardowns are looked through to the work they tear down."""
    tasks = list(group.group.all_tasks())
    ids = {t.task_id for t in tasks}
    dag = group.dag

    def non_teardown_downstream(task: TaskState, exclude: str) -> bool:
        return any(d != exclude and d in ids and not dag.tasks[d].is_teardown for d in task.downstream)

    def first_non_teardown(task: TaskState):
        for up_id in task.upstream:
            up = dag.tasks[up_id]
            if up_id not in ids:
                continue
            if up.is_teardown:
                yield from first_non_teardown(up)
            elif task.is_teardown and up.is_setup:
                continue
            elif not non_teardown_downstream(up, task.task_id):
                yield up

    out = []
    for task in tasks:
        if ids.isdisjoint(task.downstream):
            if not task.is_teardown:
                out.append(task)
            else:
                out.extend(first_non_teardown(task))
    return out


def link(up: TaskState, down: TaskState, node, label: str | None = None) -> None:
    dag = up.dag
    if down.task_id not in up.downstream:
        up.downstream.append(down.task_id)
        down.upstream.append(up.task_id)
        dag.edges.append((up.task_id, down.task_id, node))
    if label is not None:
        dag.labels[(up.task_id, down.task_id)] = label


def set_downstream(left, right, node, label: str | None = None) -> None:
    """``left >> right`` for one operand on each side (Airflow rejects list >> list)."""
    if isinstance(left, (list, tuple)) and isinstance(right, (list, tuple)):
        raise Dynamic("list >> list is a TypeError in Airflow")
    ups = leaves(left)
    downs = roots(right)
    for u in ups:
        for d in downs:
            link(u, d, node, label)


def rshift(left, right, node):
    """Evaluate ``left >> right``; returns what Airflow returns (the right operand)."""
    if left is UNKNOWN or right is UNKNOWN:
        raise Dynamic("unknown operand")
    if isinstance(right, LabelVal):
        return _Labelled(left, right.text)
    if isinstance(left, _Labelled):
        set_downstream(left.left, right, node, left.text)
        return right
    if isinstance(left, LabelVal):
        raise Dynamic("a Label must sit between two tasks")
    set_downstream(left, right, node)
    return right


def dag_shift(left, right):
    """Airflow 1's ``dag >> task`` (and ``task >> dag``, either with ``<<``): the task is assigned
    to the DAG and no edge is made. The task's own operator answers, so the value is the task
    where the DAG is the left operand (``dag >> a >> b`` links a to b) and the DAG where it is the
    right one. Airflow 2 and later refuse such a file (a DAG is no task); Airflow 1 refuses a task
    of another DAG, and Python a list beside a DAG."""
    dag, other = (left, right) if isinstance(left, DagState) else (right, left)
    if not isinstance(other, TaskState):
        raise Dynamic(f"a DAG object was shifted with {kind_of(other)}, which Python or Airflow refuses")
    if other.dag is not dag:
        raise Dynamic(f"task {other.task_id!r} belongs to another DAG than the one shifted with it")
    return other if left is dag else dag


def lshift(left, right, node):
    """``left << right``: right is upstream of left; returns right."""
    if left is UNKNOWN or right is UNKNOWN:
        raise Dynamic("unknown operand")
    if isinstance(right, LabelVal):
        return _Labelled(left, right.text, upstream=True)
    if isinstance(left, _Labelled) and left.upstream:
        set_downstream(right, left.left, node, left.text)
        return right
    set_downstream(right, left, node)
    return right


class _Labelled:
    """``a >> Label("x")`` waiting for its right-hand side."""

    def __init__(self, left, text: str, upstream: bool = False) -> None:
        self.left, self.text, self.upstream = left, text, upstream


def chain(items: list, node) -> None:
    """``chain``: singles link to everything next to them; adjacent lists link pairwise."""
    for up, down in zip(items, items[1:]):
        if isinstance(up, (list, tuple)) and isinstance(down, (list, tuple)):
            if len(up) != len(down):
                raise Dynamic("chain() of lists of different lengths")
            for a, b in zip(up, down):
                set_downstream(a, b, node)
        else:
            set_downstream(up, down, node)


def chain_linear(items: list, node) -> None:
    """``chain_linear``: every element of one item links to every element of the next."""
    for up, down in zip(items, items[1:]):
        ups = up if isinstance(up, (list, tuple)) else [up]
        downs = down if isinstance(down, (list, tuple)) else [down]
        for a in ups:
            for b in downs:
                set_downstream(a, b, node)


def cross_downstream(from_tasks, to_tasks, node) -> None:
    for a in from_tasks:
        set_downstream(a, to_tasks, node)
