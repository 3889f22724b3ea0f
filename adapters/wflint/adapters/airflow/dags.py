"""DAG discovery and task creation for the interpreter: DAGs, TaskGroups, operators, TaskFlow,
decorators, mapping, setup/teardown, and the data edges Airflow adds for XComArgs.

A mixin of ``interp.Interpreter`` (which owns statements and expressions); split out to keep the
Airflow-specific object model apart from the generic evaluation.
"""
from __future__ import annotations

import ast
import math
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import deps
from .model import (
    NO_DEFAULT,
    UNKNOWN,
    AssetVal,
    ClassVal,
    DagState,
    DecoratorVal,
    DefaultFactory,
    DurationVal,
    EitherVal,
    EnumMember,
    FuncVal,
    GroupState,
    GroupVal,
    InstanceVal,
    LabelVal,
    ModuleVal,
    NamespaceVal,
    PartialVal,
    PendingTask,
    RefusedDag,
    SetList,
    Splat,
    Sym,
    TaskState,
    XComVal,
)
from .names import (
    BRANCH_DECORATORS,
    BRANCH_OPERATORS,
    MODIFIER_DECORATORS,
    SENSOR_DECORATORS,
    SHORT_CIRCUIT_DECORATORS,
    SHORT_CIRCUIT_OPERATORS,
)
from .ops import is_operator_class, template_fields

if TYPE_CHECKING:
    from .interp import Scope

TASK_DECORATORS_PREFIX = ("task", "setup", "teardown")
ENUM_BASES = {"Enum", "StrEnum", "IntEnum", "Flag", "IntFlag"}


def _refuse_task_id(dag: DagState, task_id: str, node, uncertain: bool) -> None:
    """Airflow refuses an empty task_id (``validate_key``) and one the DAG already has
    (``DuplicateTaskIdFound``): the file then fails to import. A repeat is said only where both
    statements are this file's own, on two lines, in code that surely runs (one call of a helper
    that makes two such tasks may be wflint's misreading of which DAG each fills)."""
    line = getattr(node, "lineno", 1)
    if task_id == "" or task_id.endswith("."):  # "" itself, or inside a group
        raise RefusedDag(f"an empty task_id in DAG `{dag.dag_id}`: Airflow refuses it when it imports the file", line)
    earlier = dag.tasks.get(task_id)
    if earlier is not None and not uncertain and not earlier.dynamic and not earlier.unnamed \
            and getattr(earlier.node, "lineno", line) != line \
            and not any(getattr(n, "_wflint_file", None) for n in (node, earlier.node)):
        raise RefusedDag(f"task_id `{task_id}` is used twice in DAG `{dag.dag_id}` (first at line "
                         f"{getattr(earlier.node, 'lineno', '?')}): Airflow refuses the file (DuplicateTaskIdFound)", line)


class DagBuilder:
    """Creates DAGs, groups and tasks as the file's statements run (see ``Interpreter``)."""

    # The interpreter's state this mixin reads and changes: ``Interpreter.__init__`` sets it.
    path: str
    dags: list[DagState]
    dag_stack: list[DagState]
    group_stack: list[GroupState]
    dynamic_depth: int
    repeat_depth: int
    loop_depth: int

    if TYPE_CHECKING:  # what this mixin calls back into: defined by ``interp.Interpreter``
        def expr(self, node: ast.expr, scope: Scope) -> Any: ...

        def invoke(self, fn: FuncVal, pos: list[Any], kw: dict[str, Any]) -> Any: ...

        def mark_dynamic(self, why: str, dag: DagState | None = None) -> None: ...

        def site(self, node: Any) -> Any: ...

    import_depth: int

    def created_count(self) -> int:
        return sum(len(d.tasks) for d in self.dags)

    def close_setup_teardown(self, managers: list, before: int, node) -> None:
        """``with teardown(setup()):`` wraps the work created inside between them (simplified)."""
        created = [t for d in self.dags for t in d.tasks.values()][before:]
        work = [t for t in created if not t.is_setup and not t.is_teardown]
        if not work:
            return
        dag = managers[0].dag
        roots = [t for t in work if not t.upstream] or [work[0]]
        leaves = [t for t in work if not t.downstream] or [work[-1]]
        teardowns = [m for m in managers if m.is_teardown]
        setups = [m for m in managers if m.is_setup]
        for t in teardowns:
            setups += [dag.tasks[u] for u in t.upstream if dag.tasks[u].is_setup and dag.tasks[u] not in setups]
        for s in setups:
            teardowns += [dag.tasks[d] for d in s.downstream if dag.tasks[d].is_teardown
                          and dag.tasks[d] not in teardowns]
        for s in setups:
            for r in roots:
                deps.link(s, r, node)
        for t in teardowns:
            for leaf in leaves:
                deps.link(leaf, t, node)

    def define_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: Scope):
        value = FuncVal(node, scope)
        for deco in reversed(node.decorator_list):
            d = self.expr(deco, scope)
            value = self.apply_decorator(d, value)
        return value

    def apply_decorator(self, deco, fn):
        if not isinstance(fn, FuncVal):
            return fn
        name, options = None, {}
        if isinstance(deco, Sym):
            name = deco.name
        elif isinstance(deco, DecoratorVal):
            name, options = deco.name, deco.options
        if name is None:
            if isinstance(deco, FuncVal) and deco.role == "plain" and fn.role == "plain" and _wraps_in_task(deco.node):
                # the repository's decorator returns a TaskFlow task of its own making: calling the
                # function makes a task whose id and body wflint does not follow
                return FuncVal(fn.node, fn.closure, "wrapped")
            return UNKNOWN if fn.role == "plain" and deco is UNKNOWN else fn
        if name in MODIFIER_DECORATORS:
            return fn
        if name == "dag":
            return FuncVal(fn.node, fn.closure, "dag", name, options)
        if name == "task_group":
            return FuncVal(fn.node, fn.closure, "task_group", name, options)
        if name == "asset" or name.startswith("asset."):
            return self.make_asset_dag(fn, name, options)
        if name.split(".")[0] in TASK_DECORATORS_PREFIX:
            if fn.role == "task" and name in ("setup", "teardown"):
                return FuncVal(fn.node, fn.closure, "task", fn.decorator, {**fn.options, **options}, (name,))
            if name in ("setup", "teardown"):
                return FuncVal(fn.node, fn.closure, "task", "task", options, (name,))
            return FuncVal(fn.node, fn.closure, "task", name, options, fn.modifiers)
        return fn

    def define_class(self, node: ast.ClassDef, scope):
        """An operator class (an Airflow operator among its bases, directly or through the file's or
        repository's own classes), else a namespace of its literal attributes and methods (Enum
        members and dataclass fields kept)."""
        base, fields, enum = "", None, False
        inherited: dict = {}
        inherited_fields: list = []
        bases = [self.expr(arg, scope) for arg in node.bases]
        for value in bases:
            if isinstance(value, Sym):
                base = value.name
            elif isinstance(value, ClassVal):
                base, fields = (value.base or base), value.template_fields
            elif isinstance(value, NamespaceVal):
                enum = enum or bool(value.attrs.get("__enum__"))
                inherited.update(value.attrs)
                inherited_fields += value.fields or []
            elif isinstance(value, ModuleVal) and value.path.split(".")[-1] in ENUM_BASES:
                enum = True
        attrs = self.class_attributes(node, scope)
        if "template_fields" in attrs:
            value = attrs["template_fields"]
            fields = tuple(value) if isinstance(value, (list, tuple)) else (value,) if isinstance(value, str) else None
        if base:
            return ClassVal(node.name, base, fields, attrs)
        if enum:
            members = {k: EnumMember(node.name, k, v) for k, v in attrs.items()
                       if not k.startswith("_") and not isinstance(v, FuncVal)}
            return NamespaceVal(node.name, {**inherited, **attrs, **members, "__enum__": True})
        is_dataclass = any(_decorator_text(d).endswith("dataclass") for d in node.decorator_list) or any(
            isinstance(v, ModuleVal) and v.path.split(".")[-1] == "NamedTuple" for v in bases)
        own_fields = self.dataclass_fields(node, scope) if is_dataclass else []
        known = {name for name, _ in own_fields}
        all_fields = [f for f in inherited_fields if f[0] not in known] + own_fields
        return NamespaceVal(node.name, {**inherited, **attrs}, all_fields if is_dataclass else None)

    def class_attributes(self, node: ast.ClassDef, scope) -> dict:
        """``NAME = value`` statements and methods of the class body (everything else is unknown)."""
        attrs: dict = {}
        for small in node.body:
            if isinstance(small, (ast.FunctionDef, ast.AsyncFunctionDef)):
                attrs[small.name] = self.define_function(small, scope)
                continue
            if isinstance(small, ast.Assign) and len(small.targets) == 1:
                target, assigned = small.targets[0], small.value
            elif isinstance(small, ast.AnnAssign) and small.value is not None:
                target, assigned = small.target, small.value
            else:
                continue
            if isinstance(target, ast.Name):
                attrs[target.id] = self.expr(assigned, scope)
        return attrs

    def dataclass_fields(self, node: ast.ClassDef, scope) -> list:
        """A dataclass's fields in order, each with its default (``field(default=...)`` read, a
        ``default_factory`` of ``list``/``dict``/``set`` made afresh per object; anything else is
        unknown)."""
        out = []
        for small in node.body:
            if not isinstance(small, ast.AnnAssign) or not isinstance(small.target, ast.Name):
                continue
            if "ClassVar" in ast.unparse(small.annotation):
                continue
            default: Any = NO_DEFAULT
            value = small.value
            if isinstance(value, ast.Call) and _decorator_text(value.func).endswith("field"):
                given = next((k.value for k in value.keywords if k.arg == "default"), None)
                factory = next((k.value for k in value.keywords if k.arg == "default_factory"), None)
                made = _BUILTIN_FACTORIES.get(factory.id) if isinstance(factory, ast.Name) else None
                default = (self.expr(given, scope) if given is not None
                           else DefaultFactory(made) if made is not None else UNKNOWN)
            elif value is not None:
                default = self.expr(value, scope)
            out.append((small.target.id, default))
        return out

    def instantiate(self, cls: NamespaceVal, pos, kw):
        """Calling one of the repository's plain classes: an instance whose attributes come from the
        dataclass fields or from running ``__init__``; an Enum lookup stays unknown."""
        if cls.attrs.get("__enum__"):
            return UNKNOWN
        instance = InstanceVal(cls)
        if cls.fields is not None:
            rest = dict(kw)
            for i, (name, default) in enumerate(cls.fields):
                value = pos[i] if i < len(pos) else rest.pop(name, default)
                if isinstance(value, DefaultFactory):
                    value = value.make()
                instance.attrs[name] = UNKNOWN if value is NO_DEFAULT else value
            post_init = cls.attrs.get("__post_init__")
            if isinstance(post_init, FuncVal):
                self.invoke(post_init, [instance], {})
            return instance
        init = cls.attrs.get("__init__")
        if isinstance(init, FuncVal):
            self.invoke(init, [instance, *pos], kw)
        return instance

    def call_symbol(self, name: str, pos, kw, node, scope):
        node = self.site(node)
        if name in ("DAG", "models.DAG"):
            return self.make_dag(pos, kw, node)
        if name == "TaskGroup":
            return self.make_group(pos, kw, node)
        if name in ("chain", "chain_linear"):
            if any(isinstance(p, Splat) for p in pos):
                raise deps.Dynamic(f"{name}() of values that could not be resolved")
            pos = adopt(self, pos)
            for run in _known_runs(pos):  # pairs beside an unknown item are unknown, the others hold
                (deps.chain if name == "chain" else deps.chain_linear)(run, node)
            if any(p is UNKNOWN for p in pos):
                self.mark_dynamic(f"{name}() of values that could not be resolved")
                segments = [s for s in _segments(pos) if s]
                for before, after in zip(segments, segments[1:]):  # across the unknown: presumed
                    self.presume(deps.rshift, before[-1], after[0], node)
            return None
        if name == "cross_downstream":
            a = pos[0] if pos else kw.get("from_tasks", UNKNOWN)
            b = pos[1] if len(pos) > 1 else kw.get("to_tasks", UNKNOWN)
            if not isinstance(a, (list, tuple)) or b is UNKNOWN:
                raise deps.Dynamic("cross_downstream() of values that could not be resolved")
            deps.cross_downstream(a, b, node)
            return None
        if name in ("Asset", "Dataset", "Asset.ref"):
            uri = pos[0] if pos else kw.get("uri", kw.get("name"))
            return AssetVal(uri) if isinstance(uri, str) else UNKNOWN
        if name == "Label":
            return LabelVal(pos[0] if pos and isinstance(pos[0], str) else "")
        if name == "XComArg":
            target = pos[0] if pos else kw.get("operator")
            return XComVal((target,)) if isinstance(target, TaskState) else UNKNOWN
        if name.startswith("TriggerRule."):
            return name.split(".", 1)[1].lower()
        if name in ("get_airflow_parsing_context", "get_parsing_context"):
            # Parsing a whole file (DagBag, the DAG processor) loads no one DAG: both are None. A
            # worker sets them to build just its DAG, one of those the whole parse makes.
            return InstanceVal(NamespaceVal("AirflowParsingContext"), {"dag_id": None, "task_id": None})
        if name in ("dag", "task_group") or name.split(".")[0] in TASK_DECORATORS_PREFIX + ("asset",):
            if pos and isinstance(pos[0], FuncVal):
                return self.apply_decorator(Sym(name), pos[0])
            if name.startswith("task") and "python_callable" in kw and isinstance(kw["python_callable"], FuncVal):
                return self.apply_decorator(DecoratorVal(name, kw), kw["python_callable"])
            return DecoratorVal(name, kw)
        if name.endswith(".partial") and is_operator_class(name[: -len(".partial")], {"task_id": True}):
            return PartialVal(Sym(name[: -len(".partial")]), kw, node)  # Operator.partial(...).expand(...)
        if is_operator_class(name, kw):
            return self.make_operator(name, pos, kw, node)
        if name.startswith("TriggerRule"):
            return pos[0] if pos and isinstance(pos[0], str) else UNKNOWN
        return UNKNOWN

    def call_function(self, fn: FuncVal, pos, kw, node):
        if fn.role == "task":
            return self.make_taskflow(fn, pos, kw, node)
        if fn.role == "task_group":
            return self.run_task_group(fn, pos, kw, node)
        if fn.role == "dag":
            return self.run_dag_function(fn, pos, kw, node)
        if fn.role == "wrapped":
            return UNKNOWN  # a task of a decorator's making: said as an unfollowed call of the repository's code
        return self.invoke(fn, pos, kw)

    def task_method(self, target, name: str, pos, kw, node):
        node = self.site(node)
        if name in ("set_downstream", "set_upstream"):
            other = pos[0] if pos else kw.get("task_or_task_list", UNKNOWN)
            if other is UNKNOWN:
                raise deps.Dynamic(f"{name}() of a value that could not be resolved")
            if name == "set_downstream":
                deps.set_downstream(target, other, node)
            else:
                deps.set_downstream(other, target, node)
            return None
        if name in ("as_setup", "as_teardown"):
            for task in deps.roots(target) if isinstance(target, GroupVal) else deps._ends(target, False):
                if name == "as_setup":
                    task.is_setup = True
                else:
                    task.is_teardown = True
                    task.kwargs.setdefault("trigger_rule", "all_done_setup_success")
                    task.kwargs["trigger_rule"] = "all_done_setup_success"
            if name == "as_teardown":
                setups = kw.get("setups")
                if setups is not None and setups is not UNKNOWN:
                    for s in deps._ends(setups, False):
                        s.is_setup = True
                    deps.set_downstream(setups, target, node)
                if kw.get("on_failure_fail_dagrun"):
                    for task in deps._ends(target, False):
                        task.kwargs["on_failure_fail_dagrun"] = True
            return target
        if isinstance(target, XComVal) and name in ("map", "zip", "concat"):
            tasks = list(target.tasks)
            for p in pos:
                if isinstance(p, XComVal):
                    tasks.extend(p.tasks)
            return XComVal(tuple(tasks))
        if name == "override":
            return target
        return UNKNOWN

    def task_attribute(self, task: TaskState, name: str, value) -> None:
        """``op.trigger_rule = ...`` and friends after creation."""
        task.kwargs[name] = value
        task.explicit.add(name)
        fields = template_fields(task.operator)  # None when unknown: then every keyword counts
        if (fields is None or name in fields) and not task.taskflow:
            self.data_edges(task, value, task.node)

    def current_dag(self, kw) -> DagState | None:
        explicit = kw.get("dag")
        if isinstance(explicit, DagState):
            return explicit
        group = kw.get("task_group")
        if isinstance(group, GroupVal):
            return group.dag
        if self.dag_stack:
            return self.dag_stack[-1]
        if self.group_stack:  # a TaskGroup(dag=...) context without a DAG context
            return next((d for d in self.dags if _group_dag(self.group_stack[-1], d)), None)
        return None

    def current_group(self, kw, dag: DagState) -> GroupState:
        group = kw.get("task_group")
        if isinstance(group, GroupVal):
            return group.group
        for g in reversed(self.group_stack):
            if _group_dag(g, dag):
                return g
        return dag.root

    def make_dag(self, pos, kw, node, id_node=None):
        """``id_node``: the call whose first argument or ``dag_id=`` is the id as written, where
        that is not ``node`` (a ``@dag`` function is called with its own arguments)."""
        dag_id = pos[0] if pos else kw.get("dag_id", UNKNOWN)
        resolved = isinstance(dag_id, str)
        if not resolved:  # the same expression again (a factory called twice): told apart by count
            made = {d.dag_id for d in self.dags}
            written = _unresolved_id(id_node or node) or "<dynamic>"
            dag_id = _first_free(lambda n: written if n == 1 else f"{written} #{n}", made.__contains__)
        node = self.site(node)
        dag = DagState(dag_id, node, kw, path=self.path, id_resolved=resolved)
        dag.imported = self.import_depth > 0
        dag.root.node = node
        dag.root.default_args = {}
        dag.depth = self.dynamic_depth
        # Made where its existence is uncertain (under a condition wflint cannot evaluate): partial.
        # An unknown id, or copies made by a loop over what wflint cannot read, leave each copy's
        # graph whole.
        dag.dynamic = self.dynamic_depth > self.repeat_depth
        self.dags.append(dag)
        return dag

    def make_group(self, pos, kw, node, label: str | None = None, suffix: bool = False):
        dag = self.current_dag(kw)
        if dag is None:
            return UNKNOWN
        label = label if label is not None else (pos[0] if pos else kw.get("group_id", UNKNOWN))
        if not isinstance(label, str):
            raise deps.Dynamic("a TaskGroup id could not be resolved")
        parent = kw.get("parent_group")
        parent = parent.group if isinstance(parent, GroupVal) else self.current_group({}, dag)
        gid = dag.unique_group_id(parent, label) if suffix else parent.child_id(label)
        prefix = kw.get("prefix_group_id", True)
        defaults = kw.get("default_args") if isinstance(kw.get("default_args"), dict) else {}
        group = GroupState(gid, parent, prefix is not False, defaults, node=self.site(node))
        dag.group_ids.add(gid)
        parent.children.append(group)
        return GroupVal(group, dag)

    def resolved_kwargs(self, dag: DagState, group: GroupState, kw: dict) -> dict:
        """Task keywords over TaskGroup default_args (innermost first) over DAG default_args."""
        merged = dict(dag.default_args)
        chain_groups = []
        g: GroupState | None = group
        while g is not None:
            chain_groups.append(g)
            g = g.parent
        for g in reversed(chain_groups):
            merged.update(g.default_args)
        merged.update(kw)
        return merged

    def new_task(self, dag: DagState, group: GroupState, task_id: str, operator: str, kw, node) -> TaskState:
        maker, node = node, self.site(node)
        _refuse_task_id(dag, task_id, node, self.dynamic_depth > dag.depth or dag.dynamic)
        task = TaskState(task_id, operator, dag, group, node, self.resolved_kwargs(dag, group, kw), set(kw))
        task.dynamic = self.dynamic_depth > dag.depth or dag.dynamic
        if self.loop_depth and getattr(maker, "lineno", None):
            # Copies are the tasks one call makes, the call in a helper file counted as itself.
            where = getattr(maker, "_wflint_file", None)
            task.loop_site = f"line {maker.lineno}" + (f" of {os.path.basename(where)}" if where else "")
        dag.add_task(task_id, task)
        group.children.append(task)
        return task

    def make_foreign_operator(self, path: str, pos, kw, node):
        """A class from a package wflint does not know (a provider outside Airflow, a plugin it
        cannot find) called with a task_id: an operator whose work may be anything, never inert.
        None when the name is no class's (a function of that package)."""
        name = path.split(".")[-1]
        if not is_operator_class(name, kw):
            return None
        task = self.make_operator(name, pos, kw, node)
        if isinstance(task, TaskState):
            task.custom_class = True
        return task

    def presume(self, fn, before, after, node) -> None:
        """``before >> x >> after`` with x unknown: before's tasks are linked to after's, as every
        task x can be orders them, and the links are marked presumed (never offered for removal).
        (Were x empty at run time Airflow would make no such link: unknown is kept, not guessed.)"""
        made = {id(d): len(d.edges) for d in self.dags}
        try:
            fn(before, after, self.site(node))
        except deps.Dynamic:
            return
        for dag in self.dags:
            dag.presumed_edges.update((u, v) for u, v, _ in dag.edges[made.get(id(dag), 0):])

    def make_either(self, either: EitherVal, pos, kw, node):
        """A task of one of two operator classes (``either_class``): its id and wiring are the
        same either way; its work is whichever class the condition picks, so it is not read."""
        names = [either_class(option) for option in either.options]
        if "task_id" not in kw or None in names:
            return UNKNOWN
        task = self.make_operator(" or ".join(n for n in names if n), pos, kw, node)
        if isinstance(task, TaskState):
            task.custom_class = True
            task.sensor = all(_is_sensor(n) for n in names if n)
        return task

    def unnamed_label(self, operator: str, node, dag: DagState, group: GroupState) -> str:
        """A name for a task whose task_id wflint cannot know (``task_id=kwargs.get("id")``), from
        where it is made, so its edges are kept: ``<BashOperator at helpers.py:12>`` (`` #2`` on for
        the next ones made there)."""
        where = getattr(node, "_wflint_file", None) or self.path
        site = f"<{operator.split('.')[-1]} at {os.path.basename(str(where))}:{getattr(node, 'lineno', '?')}"
        return _first_free(lambda n: f"{site}>" if n == 1 else f"{site} #{n}>",
                           lambda label: group.child_id(label) in dag.tasks)

    def make_operator(self, name, pos, kw, node, custom: ClassVal | None = None, mapped_kw=None):
        dag = self.current_dag(kw)
        label = kw.get("task_id", UNKNOWN)
        if dag is None:
            outside = isinstance(label, str) and mapped_kw is None and not self.import_depth
            return PendingTask(name, pos, kw, node, custom) if outside else UNKNOWN
        unnamed = not isinstance(label, str)
        group = self.current_group(kw, dag)
        if unnamed:  # still a task, wired as written: only its name is unknown
            self.mark_dynamic("a task_id could not be resolved", dag)
            label = self.unnamed_label(name, node, dag, group)
        task = self.new_task(dag, group, group.child_id(label), name, kw, node)
        base = custom.base if custom else name
        task.custom_class = custom is not None or unnamed
        task.dynamic = task.dynamic or unnamed
        task.unnamed = unnamed
        task.base = base
        task.branch = name in BRANCH_OPERATORS or base in BRANCH_OPERATORS
        task.short_circuit = name in SHORT_CIRCUIT_OPERATORS or base in SHORT_CIRCUIT_OPERATORS
        task.sensor = _is_sensor(name) or _is_sensor(base)
        callable_ = kw.get("python_callable")
        if isinstance(callable_, FuncVal):
            task.callable_node, task.callable_scope = callable_.node, callable_.closure
        fields = custom.template_fields if custom and custom.template_fields is not None else template_fields(base)
        for key in list(kw) + list(mapped_kw or {}):
            if fields is None or key in fields:
                self.data_edges(task, (mapped_kw or {}).get(key, kw.get(key)), node)
        if mapped_kw is not None:
            task.mapped = True
            task.expand_keys = tuple(mapped_kw)
            task.map_length = _map_length(mapped_kw)
            self.data_edges(task, mapped_kw, node)
        return task

    def make_taskflow(self, fn: FuncVal, pos, kw, node, mapped_kw=None, partial_kw=None):
        options = dict(fn.options)
        dag = self.current_dag(options)
        if dag is None:
            return UNKNOWN
        group = self.current_group(options, dag)
        label = options.get("task_id", fn.node.name)
        if not isinstance(label, str):
            raise deps.Dynamic("a task_id could not be resolved")
        tid = dag.unique_task_id(group, label)
        op_kw = {k: v for k, v in options.items() if k not in ("multiple_outputs",)}
        task = self.new_task(dag, group, tid, f"@{fn.decorator}", op_kw, node)
        task.taskflow = True
        task.callable_node, task.callable_scope = fn.node, fn.closure
        task.branch = fn.decorator in BRANCH_DECORATORS
        task.short_circuit = fn.decorator in SHORT_CIRCUIT_DECORATORS
        task.sensor = fn.decorator in SENSOR_DECORATORS
        if "setup" in fn.modifiers:
            task.is_setup = True
        if "teardown" in fn.modifiers:
            task.is_teardown = True
            task.kwargs["trigger_rule"] = "all_done_setup_success"
        self.data_edges(task, [pos, kw, partial_kw or {}, op_kw], node)
        if mapped_kw is not None:
            task.mapped = True
            task.expand_keys = tuple(mapped_kw) if isinstance(mapped_kw, dict) else ("<kwargs>",)
            task.map_length = _map_length(mapped_kw)
            self.data_edges(task, mapped_kw, node)
        return XComVal((task,))

    def expand(self, partial: PartialVal, how: str, pos, kw, node):
        mapped = kw if how == "expand" else (pos[0] if pos else kw.get("kwargs", UNKNOWN))
        target = partial.target
        if isinstance(target, FuncVal) and target.role == "task":
            mapped_kw = mapped if isinstance(mapped, dict) else {"<kwargs>": mapped}
            return self.make_taskflow(target, [], {}, node, mapped_kw=mapped_kw,
                                      partial_kw=partial.kwargs)
        if isinstance(target, FuncVal) and target.role == "task_group":
            result = self.run_task_group(target, [], dict(partial.kwargs), node, mapped=mapped)
            return result
        name = target.name if isinstance(target, (Sym, ClassVal)) else None
        if name is None:
            return UNKNOWN
        custom = target if isinstance(target, ClassVal) else None
        return self.make_operator(name, [], dict(partial.kwargs), node, custom=custom,
                                  mapped_kw=mapped if isinstance(mapped, dict) else {"<kwargs>": mapped})

    def data_edges(self, task: TaskState, value, node) -> None:
        """Every XComArg inside ``value`` feeds ``task``: a data edge, as Airflow adds one."""
        node = self.site(node)
        for source in _xcom_sources(value):
            if source is task or source.dag is not task.dag:
                continue
            if source.task_id not in task.data_from:
                task.data_from.append(source.task_id)
            deps.link(source, task, node)

    def run_task_group(self, fn: FuncVal, pos, kw, node, mapped=None):
        options = dict(fn.options)
        dag = self.current_dag(options)
        if dag is None:
            return UNKNOWN
        label = options.pop("group_id", fn.node.name)
        group_val = self.make_group([], {**options, "group_id": label}, node, label=label, suffix=True)
        if group_val is UNKNOWN:
            return UNKNOWN
        self.group_stack.append(group_val.group)
        try:
            inner_kw = dict(kw)
            if isinstance(mapped, dict):
                inner_kw.update(mapped)
            retval = self.invoke(fn, pos, inner_kw)
        finally:
            self.group_stack.pop()
        sources = _xcom_sources([pos, kw, mapped])
        if mapped is not None or sources:
            # Arguments reach the tasks that use them; a mapped group's inputs gate its roots.
            if mapped is not None:
                for root in deps.group_roots(group_val):
                    for s in sources:
                        deps.link(s, root, node)
        if retval is not None and retval is not UNKNOWN:
            return retval
        return group_val

    def make_asset_dag(self, fn: FuncVal, name: str, options: dict):
        """``@asset``: a DAG of one task, both named after the function, writing the asset."""
        label = fn.node.name
        dag = self.make_dag([label], options, fn.node)
        dag.registered = True
        task = self.new_task(dag, dag.root, label, f"@{name}", {}, fn.node)
        task.taskflow = True
        task.callable_node = fn.node
        uri = options.get("uri", options.get("name", label))
        outlets = options.get("outlets") if name != "asset" else [AssetVal(uri if isinstance(uri, str) else label)]
        task.kwargs["outlets"] = outlets if outlets is not None else []
        return AssetVal(uri if isinstance(uri, str) else label)

    def run_dag_function(self, fn: FuncVal, pos, kw, node):
        options = dict(fn.options)
        dag_id = options.pop("dag_id", fn.node.name)
        written = next((d for d in fn.node.decorator_list if isinstance(d, ast.Call)
                        and any(k.arg == "dag_id" for k in d.keywords)), None)
        if written is None and not isinstance(dag_id, str):  # an id in **options: named after the function
            dag_id = fn.node.name
        dag = self.make_dag([dag_id], options, node, id_node=written)
        dag.registered = True
        self.dag_stack.append(dag)
        try:
            self.invoke(fn, pos, kw)
        finally:
            self.dag_stack.pop()
        return dag


def adopt(builder, operands: list) -> list:
    """The operands of one link with every ``PendingTask`` among them made in the DAG of the others
    (Airflow adds a task without a DAG to its relative's); one that joins no DAG stays unknown."""
    dags = {id(d): d for d in _dags_of(operands)}
    if len(dags) != 1:
        return [_joined(o) for o in operands]
    dag = next(iter(dags.values()))
    return [_join(builder, dag, o) for o in operands]


def _join(builder, dag, value):
    """``adopt`` for one operand (a function, not a closure calling itself: that is a cycle per link)."""
    if isinstance(value, PendingTask):
        if value.task is None:
            value.task = builder.make_operator(value.name, value.pos, {**value.kw, "dag": dag}, value.node,
                                               custom=value.custom)
            if isinstance(value.task, TaskState):
                value.task.kwargs = {**value.kw}  # made outside the DAG: none of its default_args
        return value.task
    if isinstance(value, (list, tuple)):
        return type(value)(_join(builder, dag, v) for v in value)
    return value


def _joined(value):
    if isinstance(value, PendingTask):
        return value.task if value.task is not None else UNKNOWN
    if isinstance(value, (list, tuple)):
        return type(value)(_joined(v) for v in value)
    return value


def _dags_of(operands) -> list:
    out = []
    for value in operands:
        if isinstance(value, TaskState):
            out.append(value.dag)
        elif isinstance(value, DagState):  # Airflow 1's ``dag >> task`` assigns the task to it
            out.append(value)
        elif isinstance(value, PendingTask) and value.task is not None:
            out.append(value.task.dag)
        elif isinstance(value, XComVal):
            out += [t.dag for t in value.tasks]
        elif isinstance(value, GroupVal):
            out.append(value.dag)
        elif isinstance(value, (list, tuple)):
            out += _dags_of(value)
    return out


def _known_runs(items: list) -> list[list]:
    """``chain(a, b, unknown, c, d)`` links a→b and c→d: the runs of items between unknown ones."""
    return [r for r in _segments(items) if len(r) > 1]


def _segments(items: list) -> list[list]:
    """The items between unknown ones, in order (empty where two unknown ones are adjacent)."""
    runs: list[list] = [[]]
    for item in items:
        if item is UNKNOWN:
            runs.append([])
        else:
            runs[-1].append(item)
    return runs


_BUILTIN_FACTORIES = {"list": list, "dict": dict, "set": SetList}


def _wraps_in_task(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Does a decorator (or a factory of decorators) define a function decorated ``@task...``
    inside it, which is what it gives back?"""
    for inner in ast.walk(node):
        if inner is not node and isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if any(_decorator_text(d).split(".")[0] in TASK_DECORATORS_PREFIX for d in inner.decorator_list):
                return True
    return False


def _decorator_text(node: ast.expr) -> str:
    """``dataclasses.dataclass(frozen=True)`` → ``dataclasses.dataclass``: a decorator's dotted name."""
    target = node.func if isinstance(node, ast.Call) else node
    try:
        return ast.unparse(target)
    except Exception:  # pragma: no cover - unparse handles every expression
        return ""


def _xcom_sources(value, seen=None) -> list[TaskState]:
    out: list[TaskState] = []
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, XComVal):
            out.extend(t for t in v.tasks if isinstance(t, TaskState))
        elif isinstance(v, dict):
            stack.extend(reversed(list(v.values())))
        elif isinstance(v, (list, tuple)):
            stack.extend(reversed(v))
    return out


def _group_dag(group: GroupState, dag: DagState) -> bool:
    g = group
    while g.parent is not None:
        g = g.parent
    return g is dag.root


def _map_length(mapped) -> int | None:
    """``expand(x=[1, 2], y=[3])`` makes the cross product: 2 instances; unknown inputs give None."""
    if isinstance(mapped, dict) and set(mapped) == {"<kwargs>"}:
        mapped = mapped["<kwargs>"]
        return len(mapped) if isinstance(mapped, (list, tuple)) else None
    if not isinstance(mapped, dict) or not mapped:
        return None
    total = 1
    for value in mapped.values():
        if not isinstance(value, (list, tuple, dict)):
            return None
        total *= len(value)
    return total


def _first_free(name: Callable[[int], str], taken: Callable[[str], bool]) -> str:
    """``name(1)``, else ``name(2)``… the first that is not ``taken``: copies told apart by count."""
    n = 1
    while taken(name(n)):
        n += 1
    return name(n)


def either_class(value) -> str | None:
    """The class name of an operator class value that a task can be made of either way, or None:
    not a class, or one that decides what runs next (a branch, a short circuit)."""
    if isinstance(value, ClassVal):
        name, base = value.name, value.base
    elif isinstance(value, (Sym, ModuleVal)):
        name = base = (value.name if isinstance(value, Sym) else value.path).split(".")[-1]
        if not is_operator_class(name, {} if isinstance(value, Sym) else {"task_id": True}):
            return None
    else:
        return None
    skips = BRANCH_OPERATORS | SHORT_CIRCUIT_OPERATORS
    return None if name in skips or base in skips else name


def _is_sensor(name: str) -> bool:
    last = name.split(".")[-1]
    return last.endswith(("Sensor", "SensorAsync")) or last == "BaseSensorOperator"


TIMEDELTA_UNITS = {"weeks": 604800.0, "days": 86400.0, "hours": 3600.0, "minutes": 60.0, "seconds": 1.0,
                   "milliseconds": 0.001, "microseconds": 0.000001}
_TIMEDELTA_ORDER = ("days", "seconds", "microseconds", "milliseconds", "minutes", "hours", "weeks")


def timedelta_value(pos: list, kw: dict):
    """``timedelta(...)`` of literal numbers as its seconds, as Python's own argument order has them."""
    given = dict(zip(_TIMEDELTA_ORDER, pos))
    if len(pos) > len(_TIMEDELTA_ORDER) or set(given) & set(kw) or set(kw) - set(TIMEDELTA_UNITS):
        return UNKNOWN
    given.update(kw)
    numbers = {k: v for k, v in given.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    if len(numbers) != len(given):
        return UNKNOWN
    seconds = sum(TIMEDELTA_UNITS[k] * v for k, v in numbers.items())
    return DurationVal(seconds) if math.isfinite(seconds) else UNKNOWN


def _unresolved_id(node) -> str | None:
    """A DAG whose id is computed (``dag_id=f"{prefix()}_daily"``) is still one DAG with a static
    graph: it is named by the expression as written (None where there is none: an id passed on in
    ``**kwargs``)."""
    expr = node.args[0] if getattr(node, "args", None) else next(
        (k.value for k in getattr(node, "keywords", ()) if k.arg == "dag_id"), None)
    if expr is None:
        return None
    text = ast.unparse(expr)
    return text if len(text) <= MAX_ID_SHOWN else text[:MAX_ID_SHOWN - 1] + "…"


MAX_ID_SHOWN = 80
