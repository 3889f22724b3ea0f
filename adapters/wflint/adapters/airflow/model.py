"""What the static interpreter knows about a DAG file: DAGs, groups, tasks and the values it tracks.

These mirror Airflow's own objects just closely enough to reproduce their edge semantics
(``>>`` on lists, group roots and leaves, TaskFlow id de-duplication).
"""
from __future__ import annotations

import re
from dataclasses import field
from typing import Any

from wflint.records import dataclass


class _Unknown:
    """A value the interpreter cannot know statically (marks what it touches as dynamic)."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()


class SetList(list):
    """A set the file builds (``set(x)``, ``{a, b}``, ``a | b``), kept as a list in first-seen
    order: ``>>`` and ``chain`` take its members alike, in any order, and set algebra applies."""


@dataclass(eq=False)
class Sym:
    """A symbol imported from airflow, by canonical name (``chain``, ``task.branch``, ``BashOperator``)."""

    name: str


@dataclass(eq=False)
class TaskState:
    """A task while the DAG file is interpreted: its keywords as resolved so far and its upstream ids."""

    task_id: str
    operator: str
    dag: DagState
    group: GroupState | None
    node: Any  # the cst node that created it
    kwargs: dict = field(default_factory=dict)  # resolved keyword values (after default_args)
    explicit: set = field(default_factory=set)  # keyword names written on the task itself
    upstream: list = field(default_factory=list)  # task ids, insertion ordered
    downstream: list = field(default_factory=list)
    taskflow: bool = False
    branch: bool = False
    short_circuit: bool = False
    sensor: bool = False  # waits for an outside condition; what follows waits for it
    is_setup: bool = False
    is_teardown: bool = False
    mapped: bool = False
    expand_keys: tuple = ()
    map_length: int | None = None  # instances of a mapped task, when its inputs are literal lists
    opaque: bool = False
    dynamic: bool = False
    callable_node: Any = None  # FunctionDef of the python callable / TaskFlow body, if in the file
    callable_scope: Any = None  # the scope it was defined in: the helpers it calls, by name
    data_from: list = field(default_factory=list)  # task ids whose XCom this task consumes (edges)
    implicit_from: list = field(default_factory=list)  # (task id, detail): xcom_pull without an edge
    custom_class: bool = False
    unnamed: bool = False  # its task_id could not be known: named by where it is made (``unnamed_label``)
    base: str = ""  # the Airflow class a repository's own operator class derives from
    loop_site: str = ""  # where a loop/comprehension created this copy (``line 12``)


@dataclass(eq=False)
class GroupState:
    """A TaskGroup while the DAG file is interpreted: its prefix, default_args and children."""

    group_id: str | None  # None for the root group
    parent: GroupState | None
    prefix: bool = True
    default_args: dict = field(default_factory=dict)
    children: list = field(default_factory=list)  # TaskState | GroupState in creation order
    node: Any = None

    def child_id(self, label: str) -> str:
        if self.group_id and self.prefix:
            return f"{self.group_id}.{label}"
        return label

    def all_tasks(self):
        for child in self.children:
            if isinstance(child, GroupState):
                yield from child.all_tasks()
            else:
                yield child


_SUFFIXED = re.compile(r"(.*)__(\d+)$", re.S)


@dataclass(eq=False)
class DagState:
    """A DAG while its file is interpreted: tasks, groups, edges and labels in creation order."""

    dag_id: str
    node: Any
    kwargs: dict = field(default_factory=dict)
    tasks: dict = field(default_factory=dict)  # task id → TaskState
    root: GroupState = field(default_factory=lambda: GroupState(None, None))
    group_ids: set = field(default_factory=set)
    edges: list = field(default_factory=list)  # (u, v, node) in creation order
    labels: dict = field(default_factory=dict)  # (u, v) → label text
    registered: bool = False
    dynamic: bool = False
    # How deep in code of uncertain execution the DAG was made (a loop over configs it cannot read):
    # its tasks are uncertain only where made deeper still, since every copy of the DAG has them.
    depth: int = 0
    id_resolved: bool = True  # False: named by its id expression as written (or "<dynamic>")
    factory: str = ""  # the uncalled function a factory module is read through (``run_factories``)
    path: str = ""
    loop_edges: set = field(default_factory=set)  # (u, v) linked inside a loop body
    presumed_edges: set = field(default_factory=set)  # (u, v) linked through an operand wflint could not read
    # (u, v) → the conditions wflint could not evaluate it is made under (``Edge.conditions``)
    conditional_edges: dict = field(default_factory=dict)
    imported: bool = False  # made while a repository module's body ran: not a DAG of this file
    notes: list = field(default_factory=list)  # why parts of this DAG could not be resolved
    unfollowed: list = field(default_factory=list)  # (line, callee) of the first calls in its context not followed
    suffixes: dict = field(default_factory=dict)  # id before a `__N` suffix → the highest N among ``tasks``

    def add_task(self, task_id: str, task) -> None:
        """``tasks[task_id] = task``, keeping the suffix index ``unique_task_id`` reads."""
        self.tasks[task_id] = task
        m = _SUFFIXED.match(task_id)
        if m:
            base, n = m.group(1), int(m.group(2))
            self.suffixes[base] = max(self.suffixes.get(base, 0), n)

    def release(self) -> None:
        """Drop the links that make this state one cycle (task → DAG → tasks, group → children →
        group) once the workflow is built: reference counting then frees it at once, where the
        cyclic collector would have to walk every live object to find it (a large file's second)."""
        groups = [self.root]
        while groups:
            group = groups.pop()
            groups.extend(child for child in group.children if isinstance(child, GroupState))
            group.children = []
        self.tasks = {}

    @property
    def default_args(self) -> dict:
        value = self.kwargs.get("default_args")
        return value if isinstance(value, dict) else {}

    def unique_task_id(self, group: GroupState | None, label: str) -> str:
        """Airflow's TaskFlow rule: a taken id gets ``__1``, ``__2``… (the highest suffix + 1)."""
        group = group or self.root
        tid = group.child_id(label)
        if tid not in self.tasks:
            return tid
        base = re.split(r"__\d+$", tid)[0]
        return f"{base}__{self.suffixes.get(base, 0) + 1}"  # an index: a scan of every id made TaskFlow chains quadratic

    def unique_group_id(self, parent: GroupState, label: str) -> str:
        gid = parent.child_id(label)
        if gid not in self.group_ids:
            return gid
        base = re.split(r"__\d+$", gid)[0]
        n = 1
        while f"{base}__{n}" in self.group_ids:
            n += 1
        return f"{base}__{n}"


@dataclass(eq=False)
class XComVal:
    """An XComArg: a TaskFlow call's result, ``op.output``, ``XComArg(op)``; carries data edges."""

    tasks: tuple  # TaskState…


@dataclass(eq=False)
class PendingTask:
    """An operator made outside any DAG: it has none yet, and joins the DAG of the first task it is
    linked with (``a >> b``, ``chain``), as Airflow's ``_set_relatives`` adds it there."""

    name: str
    pos: list
    kw: dict
    node: Any
    custom: Any = None  # the repository's ClassVal, when it is one
    task: Any = None  # its TaskState once it joined a DAG


@dataclass(eq=False)
class GroupVal:
    """The value of a TaskGroup expression, so ``group >> task`` can expand to its members."""

    group: GroupState
    dag: DagState


@dataclass(eq=False)
class LabelVal:
    """The value of ``Label(...)``, the text an edge carries."""

    text: str


@dataclass(eq=False)
class FuncVal:
    """A function defined in the file: a plain helper, or decorated (TaskFlow, group, DAG)."""

    node: Any  # cst.FunctionDef
    closure: Any  # the Scope it was defined in
    role: str = "plain"  # plain | task | task_group | dag | wrapped (made a task by the repository's decorator)
    decorator: str = ""  # canonical decorator (task, task.branch, setup…)
    options: dict = field(default_factory=dict)  # decorator keyword arguments
    modifiers: tuple = ()


@dataclass(eq=False)
class DecoratorVal:
    """``task.branch(...)`` before it is applied to a function."""

    name: str
    options: dict


@dataclass(eq=False)
class PartialVal:
    """``op.partial(...)`` / ``taskflow.partial(...)`` awaiting ``.expand(...)``."""

    target: Any  # Sym (operator class) | FuncVal | ClassVal
    kwargs: dict
    node: Any


@dataclass(eq=False)
class ClassVal:
    """An operator class defined in the file (``class MyOp(BaseOperator)``)."""

    name: str
    base: str  # canonical name of its airflow base
    template_fields: tuple | None = None
    attrs: dict = field(default_factory=dict)  # literal class attributes (``Op.DEFAULT_IMAGE``)


@dataclass(eq=False)
class MethodVal:
    """A bound method looked up on a known value, kept so a later call can be interpreted."""

    target: Any
    name: str


@dataclass(eq=False)
class ModuleVal:
    """An imported module, so attribute access on it resolves to the operator or helper it names."""

    path: str  # an imported module's dotted path (airflow or not)


@dataclass(eq=False)
class EitherVal:
    """One of two operator classes, picked by a condition wflint cannot evaluate
    (``Op = SlackOperator if ENV == "prod" else LogOperator``): either way a call makes one task
    of that id, whose work is the one picked."""

    options: tuple  # Sym | ClassVal | ModuleVal, each an operator class


@dataclass(eq=False)
class DurationVal:
    """``timedelta(minutes=5)`` of literal numbers: a sensor's delay, a timeout."""

    seconds: float


@dataclass(eq=False)
class AssetVal:
    """``Asset("s3://bucket/key")`` (Airflow 2: ``Dataset``): declared lineage for inlets/outlets."""

    uri: str


class Anchored:
    """Where a task or edge made in the repository's code is reported: the DAG file's call that led
    there. It has that call's position, but is not the call: an edge made in a helper is never
    taken for one written at the call (the rewriter edits only what the DAG file itself writes)."""

    def __init__(self, call) -> None:
        self.call = call
        for name in ("lineno", "col_offset", "end_lineno", "end_col_offset"):
            setattr(self, name, getattr(call, name, None))


class Splat:
    """``*something`` that could not be expanded."""


@dataclass(eq=False)
class LocalModule:
    """A module of the DAG's own repository, read (never imported) like the DAG file itself."""

    name: str  # dotted, as imported
    path: str  # the file (``__init__.py`` for a package)
    scope: Any  # the module's global Scope after its body ran
    package: bool = False


class RefusedDag(Exception):
    """What Airflow itself refuses when it imports the file (an empty or a repeated task_id): the file
    is in error (WFL001 at ``line``), not a graph to analyse."""

    def __init__(self, reason: str, line: int) -> None:
        super().__init__(reason)
        self.reason, self.line = reason, line


@dataclass(eq=False)
class NamespaceVal:
    """A class of the file or its repository that is not an operator: its literal class attributes
    (constants, Enum members); anything else on it is unknown."""

    name: str
    attrs: dict = field(default_factory=dict)  # literal attributes and methods (FuncVal)
    fields: list | None = None  # a dataclass's fields in order: (name, default or a missing marker)


@dataclass(eq=False)
class InstanceVal:
    """An object of one of the repository's plain classes or dataclasses: its attributes as far as
    ``__init__`` (or the dataclass fields) set them from known values."""

    cls: NamespaceVal
    attrs: dict = field(default_factory=dict)


NO_DEFAULT = object()


@dataclass(eq=False)
class DefaultFactory:
    """A dataclass field's ``default_factory`` of a builtin container: a fresh one per object."""

    make: Any  # list, dict or SetList


@dataclass(eq=False)
class EnumMember:
    """``Color.RED``: one object per member (identity comparisons hold), with ``.name``/``.value``."""

    owner: str
    name: str
    value: Any


@dataclass(eq=False)
class BoundPartial:
    """``functools.partial(f, *args, **kwargs)``: calling it calls ``f`` with the arguments merged."""

    target: Any
    args: tuple
    kwargs: dict
