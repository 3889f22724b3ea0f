"""DAG file → IR workflows: parse with ``ast``, interpret, then describe each DAG in IR terms."""
from __future__ import annotations

import ast
import math
import os
import re

from wflint.errors import NothingRead, ParseError
from wflint.facets import EngineVersion, LoopCopy, PoolQueueing, ReadAsIfCalled, Structure, TriggerRule, Unresolved
from wflint.ir import (
    Duration,
    DurationSource,
    Edge,
    EdgeKind,
    ExecutionModel,
    Join,
    Limits,
    Location,
    PoolLimit,
    Position,
    SourceIndex,
    Task,
    Workflow,
)

from .branches import ONE, branch_picks
from .effects import covering_prefixes, schema_setup, task_effects
from .facts import DagIdentity, OperatorFacts
from .imports import called_elsewhere
from .interp import Interpreter, pytest_test
from .model import Anchored, DagState, FuncVal, RefusedDag, TaskState
from .ops import INERT_OPERATORS, OPAQUE_OPERATORS, is_check
from .pysyntax import parse_python
from .scheduling import (
    DEFAULT_POOL_SLOTS,
    airflow_version,
    configured_seconds,
    dag_task_cap,
    per_task_cap,
    run_settings,
    waiting,
)

DEFAULT_DURATION_S = 1.0
PARALLEL_FEATURE = "a >> [b, c] >> d (or .expand() for clones)"
FAIL_TOGETHER = ("In Airflow: `[b, c] >> d` with d's default `trigger_rule=\"all_success\"`: d runs only when every branch "
                 "succeeded (it is upstream_failed otherwise)")
FINISH_THE_REST = ("In Airflow: `trigger_rule=\"all_done\"` on d (it runs once every branch has finished, whatever their "
                   "states) or `\"none_failed\"` where skipped branches are fine; a pool (`pool=`, `pool_slots=`) "
                   "holds the branches that share a connection under its size")
ANY_JOIN = {"one_success", "one_failed", "one_done"}
# Trigger rule → the IR's engine-neutral failure policy (None = the engine default, all_success).
FAILURE_POLICY = {
    **dict.fromkeys(("all_done", "always", "one_success", "one_done", "all_done_min_one_success",
                     "all_done_setup_success", "none_skipped"), "continue"),  # runs whatever failed
    **dict.fromkeys(("none_failed", "none_failed_min_one_success"), "skip-tolerant"),
    **dict.fromkeys(("one_failed", "all_failed", "all_skipped"), "on-failure"),
}
_XCOM_PULL = re.compile(r"xcom_pull\(\s*(?:task_ids\s*=\s*)?(\[[^\]]*\]|'[^']*'|\"[^\"]*\")")
_QUOTED = re.compile(r"'([^']*)'|\"([^\"]*)\"")


def read_dag_file(path: str, text: str, pools: dict[str, int] | None = None) -> list[Workflow]:
    try:
        module = parse_python(text, path)
    except SyntaxError as exc:
        raise ParseError(path, f"invalid Python: {exc.msg}", exc.lineno or 1, exc.offset or 1) from None
    except (ValueError, RecursionError) as exc:
        raise ParseError(path, f"invalid Python: {exc}") from None
    interp = Interpreter(module, os.path.splitext(os.path.basename(path))[0], path)
    try:
        dags = interp.run() or interp.run_factories()
    except RecursionError:
        raise ParseError(path, "the file nests too deeply to be read statically") from None
    except RefusedDag as refused:
        raise ParseError(path, refused.reason, refused.line) from None
    except Exception as exc:
        line = getattr(exc, "lineno", 1) or 1
        raise ParseError(path, f"wflint could not interpret this file (internal error "
                               f"{type(exc).__name__}: {exc}; please report it)", line) from None
    if not dags and not interp.bare_factories:  # a module of bare DAG helpers holds no graph: nothing to say
        _nothing_read(path, module)
    if pools is None:
        pools = pool_sizes(path)
    version = airflow_version(module)
    workflows = [_workflow(path, dag, pools, version) for dag in dags]
    for dag, workflow in zip(dags, workflows):
        if dag.dynamic or any(t.dynamic for t in workflow.tasks.values()) or (interp.notes and not workflow.tasks):
            # This DAG's own reasons; the file's when they were found outside any DAG (an import).
            why = _grouped(dag.notes or interp.notes)
            workflow.put(Unresolved(why or ("part of the DAG could not be resolved statically",)))
        elif not workflow.tasks and dag.unfollowed:  # unknown is not none: its tasks may come from these
            calls = ", ".join(f"`{name}` at line {line}" for line, name in sorted(dag.unfollowed))
            workflow.put(Unresolved((f"no task of it could be read: calls wflint cannot follow may make them ({calls})",)))
        if dag.factory:
            workflow.put(ReadAsIfCalled(dag.factory, called_elsewhere(path, dag.factory)))
    for dag in interp.dags:
        dag.release()
    return workflows


def _grouped(notes: list[str], shown: int = 3) -> tuple[str, ...]:
    """The reasons a DAG is partial, each once, those of one kind in one: "a dependency operand
    could not be resolved (`a` at line 3, `b` at line 9 and 4 more)", not a sentence per operand."""
    parts: dict[str, list[str]] = {}
    for note in dict.fromkeys(notes):
        head, paren, detail = note.partition(" (")
        if paren and detail.endswith(")"):
            parts.setdefault(head, []).append(detail[:-1])
        else:
            parts.setdefault(note, [])
    out = []
    for head, details in parts.items():
        if not details:
            out.append(head)
            continue
        more = f" and {len(details) - shown} more" if len(details) > shown else ""
        out.append(f"{head} ({', '.join(details[:shown])}{more})")
    return tuple(out)


def _nothing_read(path: str, module: ast.Module) -> None:
    """A file that makes DAGs only inside functions it never calls (a factory used elsewhere).
    Where another file of the repository imports and calls one of its top-level functions or
    classes (``Factory().build()``, ``create_all()`` that calls the maker), that file is read with
    the DAG and this one says nothing, as for a factory read as if called."""
    tops = [n for n in module.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    if any(called_elsewhere(path, top.name, _dag_methods(top)) for top in tops):
        return
    maker = _unread_dag_context(module.body)
    if maker is not None:
        raise NothingRead(path, f"no DAG is made that wflint can read: the DAG at line {maker.lineno} comes from "
                                f"`{ast.unparse(maker.func)}(…)`, a call wflint cannot follow; nothing here was analysed",
                          maker.lineno)
    for node in ast.walk(module):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or pytest_test(path, node.name):
            continue
        for inner in ast.walk(node):
            if _makes_a_dag(inner):
                raise NothingRead(path, f"no DAG is made when this file is read: the DAG at line "
                                        f"{getattr(inner, 'lineno', node.lineno)} is built inside `{node.name}`, which "
                                        "this file does not call; nothing here was analysed", node.lineno)


def _dag_methods(node: ast.stmt) -> tuple[str, ...]:
    """The methods of class ``node`` that make a DAG (``def generate_dag(self): ... @dag``)."""
    if not isinstance(node, ast.ClassDef):
        return ()
    return tuple(m.name for m in node.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))
                 and any(_makes_a_dag(inner) for inner in ast.walk(m)))


def _makes_a_dag(node: ast.AST) -> bool:
    called = node.func if isinstance(node, ast.Call) else None
    name = called.id if isinstance(called, ast.Name) else called.attr if isinstance(called, ast.Attribute) else ""
    return name == "DAG" or any(_decorator_name(d) == "dag" for d in getattr(node, "decorator_list", ()))


def _unread_dag_context(body: list[ast.stmt]) -> ast.Call | None:
    """The first ``with make_dag(...) as dag:`` the module runs when imported (not inside a function
    or class) whose maker names a DAG: a company's helper or factory, where no DAG came out."""
    for node in body:
        if isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                call = item.context_expr
                if isinstance(call, ast.Call) and "dag" in _decorator_name(call).lower() and _decorator_name(call) != "DAG":
                    return call
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) or _never_on_import(node):
            continue
        for field in ("body", "orelse", "finalbody"):
            inner = getattr(node, field, None)
            found = _unread_dag_context(inner) if isinstance(inner, list) else None
            if found is not None:
                return found
        for handler in getattr(node, "handlers", ()):
            found = _unread_dag_context(handler.body)
            if found is not None:
                return found
    return None


def _never_on_import(node: ast.stmt) -> bool:
    """``if 0:`` / ``if False:`` and ``if __name__ == "__main__":``: code an import never runs."""
    if not isinstance(node, ast.If):
        return False
    test = node.test
    if isinstance(test, ast.Constant):
        return not test.value
    return (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__"
            and len(test.comparators) == 1 and isinstance(test.comparators[0], ast.Constant)
            and test.comparators[0].value == "__main__")


def _decorator_name(node: ast.expr) -> str:
    target = node.func if isinstance(node, ast.Call) else node
    return target.id if isinstance(target, ast.Name) else target.attr if isinstance(target, ast.Attribute) else ""


POOLS_FILE = "pools.json"
_POOL_CACHE: dict[str, dict[str, int]] = {}


def pool_sizes(path: str) -> dict[str, int]:
    """Pool sizes from the nearest ``pools.json`` above the DAG file (``airflow pools export``
    format: ``{"name": {"slots": 4}}``); Airflow keeps pools in its database, not in DAG files."""
    folder = os.path.dirname(os.path.abspath(path))
    for _ in range(6):
        candidate = os.path.join(folder, POOLS_FILE)
        if candidate in _POOL_CACHE:
            return _POOL_CACHE[candidate]
        if os.path.isfile(candidate):
            _POOL_CACHE[candidate] = _load_pools(candidate)
            return _POOL_CACHE[candidate]
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return {}


def _load_pools(candidate: str) -> dict[str, int]:
    import json

    try:
        with open(candidate, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return {}
    out = {}
    if isinstance(data, dict):
        for name, value in data.items():
            slots = value.get("slots") if isinstance(value, dict) else value
            if isinstance(slots, int) and not isinstance(slots, bool) and slots >= 0:
                out[str(name)] = slots
    return out


def _position(node) -> Position | None:
    line = getattr(node, "lineno", None)
    if line is None:
        return None
    return Position(line, node.col_offset + 1, getattr(node, "end_lineno", None),
                    (node.end_col_offset + 1) if getattr(node, "end_col_offset", None) is not None else None)


def _workflow(path: str, dag: DagState, pools: dict[str, int], version: EngineVersion) -> Workflow:
    nodes: dict[tuple, object] = {("dag",): dag.node}
    tasks: dict[str, Task] = {}
    cap, cap_source = dag_task_cap(dag.kwargs, version)
    for tid, ts in dag.tasks.items():
        tasks[tid] = _task(ts, cap, version)
        linked = tuple(u for u in ts.upstream if (u, tid) in dag.loop_edges)
        if ts.loop_site:
            tasks[tid].put(LoopCopy(site=str(ts.loop_site), linked_from=linked))
        nodes[("task", tid)] = ts.node
    covering_prefixes(tasks.values())
    edges = _edges(dag, nodes)
    limits = _limits(dag, pools, cap, cap_source)

    index = SourceIndex()
    for pointer, node in nodes.items():
        pos = _position(node)
        if pos is not None:
            index.add(pointer, pos)
    dag_position = _position(dag.node)
    if dag_position is not None:  # the workflow itself is where the DAG is made
        index.add((), dag_position)

    notes = ("max_active_tasks caps tasks running at once in one DAG run",)
    model = ExecutionModel(name="airflow", mode="graph", parallel_feature=PARALLEL_FEATURE, notes=notes,
                           fail_together=FAIL_TOGETHER, finish_the_rest=FINISH_THE_REST)
    workflow = Workflow(name=dag.dag_id, format="airflow", path=path, execution_model=model, tasks=tasks,
                        edges=edges, limits=limits, source=index, location=Location(("dag",)))
    workflow.put(version)
    workflow.put(PoolQueueing("Airflow"))
    workflow.put(DagIdentity(dag.id_resolved))
    return workflow


# Airflow 2's deprecated spellings, which it rewrites to these when the task is made.
_TRIGGER_ALIASES = {"none_failed_or_skipped": "none_failed_min_one_success", "dummy": "always"}


def trigger_rule_of(ts: TaskState) -> str:
    """The task's trigger rule as Airflow runs it (a deprecated alias replaced); the default when
    it is not a string wflint could read."""
    rule = ts.kwargs.get("trigger_rule", "all_success")
    rule = rule.lower() if isinstance(rule, str) else "all_success"
    return _TRIGGER_ALIASES.get(rule, rule)


def _task(ts: TaskState, cap: int, version: EngineVersion) -> Task:
    kw = ts.kwargs
    trigger = trigger_rule_of(ts)
    base = (ts.base or ts.operator).split(".")[-1]
    structure = _structure(base, bool(ts.sensor), bool(ts.custom_class)) or _setup(ts)
    seconds = 0.0 if structure and structure.kind == "marker" else DEFAULT_DURATION_S
    per_run = kw.get("max_active_tis_per_dagrun")
    per_run = per_run if ts.mapped and isinstance(per_run, int) and per_run > 0 else None
    if ts.mapped:
        for own_cap in (per_run, per_task_cap(kw, version)):
            cap = min(cap, own_cap) if own_cap else cap
        if ts.map_length is not None:
            # One node for the mapped task: its instances run in waves of at most `cap`.
            seconds = DEFAULT_DURATION_S * max(1, math.ceil(ts.map_length / cap))
    pool = kw.get("pool")
    pools: list[str] = []
    slots = 1
    if isinstance(pool, str):
        slots = kw.get("pool_slots", 1)
        slots = slots if isinstance(slots, int) and slots > 0 else 1
        pools = [pool] * slots
    operator = OperatorFacts(
        operator=ts.operator, branch=bool(ts.branch), short_circuit=bool(ts.short_circuit), sensor=bool(ts.sensor),
        is_setup=bool(ts.is_setup), is_teardown=bool(ts.is_teardown), mapped=bool(ts.mapped),
        taskflow=bool(ts.taskflow), expand=tuple(ts.expand_keys) if ts.mapped else (),
        max_active_tis_per_dagrun=per_run, instances=ts.map_length if ts.mapped else None,
        pool=pool if isinstance(pool, str) else None, pool_slots=slots,
    )
    effects, known = task_effects(ts)
    # A repository's own operator class may do anything beyond its base: never known to be inert.
    opaque = ts.custom_class or not known and (ts.taskflow or base in OPAQUE_OPERATORS
                                               or base not in INERT_OPERATORS)
    role = "setup" if ts.is_setup else "teardown" if ts.is_teardown else ""
    picks = branch_picks(ts.callable_node, kw, bool(ts.custom_class)) if ts.branch else ""
    trigger_rule = TriggerRule(rule=trigger, role=role, chooses_branch=bool(ts.branch), picks_one=picks == ONE,
                               # a rule wflint cannot read (an unknown constant) is none of them
                               skips_if_one_skips=isinstance(kw.get("trigger_rule", "all_success"), str)
                               and trigger in ("all_success", "none_skipped"),
                               # read only where it matters: a join that runs whatever its branches did
                               reads_states=FAILURE_POLICY.get(trigger) == "continue" and ts.callable_node is not None
                               and _reads_states(ts.callable_node, ts.callable_scope),
                               handles_failure=FAILURE_POLICY.get(trigger) == "on-failure",
                               needs_a_success=trigger == "one_success", alerts_on_failure=_alerts(kw))
    task = Task(
        id=ts.task_id,
        name=kw["task_display_name"] if isinstance(kw.get("task_display_name"), str) else ts.task_id,
        kind=ts.operator,
        location=Location(("task", ts.task_id)),
        duration=_duration(seconds, configured_seconds(base, kw)),
        items=ts.map_length,
        effects=effects,
        pools=pools,
        join=Join.ANY if trigger in ANY_JOIN else Join.ALL,
        failure_policy=FAILURE_POLICY.get(trigger),
        opaque=opaque,
        dynamic=ts.dynamic or ts.dag.dynamic,
        facets={OperatorFacts: operator, TriggerRule: trigger_rule, **({Structure: structure} if structure else {})},
    )
    task.put(run_settings(kw, version))
    frees = waiting(kw) if ts.sensor else None
    if frees is not None:
        task.put(frees)
    return task


MARKERS = {"EmptyOperator", "DummyOperator", "ExternalTaskMarker"}
GATES = {"LatestOnlyOperator"}


def _duration(default: float, configured: float | None) -> Duration:
    return Duration(configured, DurationSource.CONFIGURED) if configured is not None \
        else Duration(default, DurationSource.DEFAULT)


# Sensors that wait for a time of day, a date or a delay, and nothing else: they check no data.
CLOCK_SENSORS = {"TimeSensor", "TimeSensorAsync", "DateTimeSensor", "DateTimeSensorAsync", "TimeDeltaSensor",
                 "TimeDeltaSensorAsync", "WaitSensor"}


def _structure(base: str, sensor: bool, custom: bool) -> Structure | None:
    """Markers take no time; sensors wait for a condition; a latest-only gate skips old runs."""
    if sensor:
        return Structure("wait", f"the sensor `{base}`", clock=base in CLOCK_SENSORS)
    if custom:
        return None  # a repository's own subclass may do work: judged by what it does
    if base in MARKERS:
        return Structure("marker", f"`{base}` marker")
    if base in GATES:
        return Structure("gate", f"`{base}` gate")
    return None


def _setup(ts: TaskState) -> Structure | None:
    """A task whose SQL only defines schema makes sure a table exists before the work that fills it:
    a fail-fast check taking no time to speak of, kept in place like a marker."""
    created = schema_setup(ts)
    if created is None:
        return None
    shown = ", ".join(f"`{name}`" for name in created[:3] if name) + (" and more" if len(created) > 3 else "")
    return Structure("setup", "a schema setup" + (f" for {shown}" if shown else ""))


def _edges(dag: DagState, nodes: dict) -> list[Edge]:
    out: list[Edge] = []
    gated = _below_branches(dag)
    for n, (u, v, node) in enumerate(dag.edges):
        up, down = dag.tasks[u], dag.tasks[v]
        kind, detail = _kind(up, down)
        if (u, v) in dag.presumed_edges:  # not written: what lies between them could not be read
            kind, detail = EdgeKind.CONTROL, f"{u} comes before {v} through an operand wflint could not read: presumed"
        if kind is EdgeKind.ORDER and u in gated:
            kind, detail = EdgeKind.CONTROL, f"{u} runs only if {gated[u]} chose its path; the skip reaches {v} through this edge"
        label = dag.labels.get((u, v))
        if label:
            detail += f' (Label "{label}")'
        # An edge a helper made is reported at the DAG file's call, but is not written there.
        pointer = ("helper-edge", n) if isinstance(node, Anchored) else ("edge", n)
        nodes[pointer] = node
        out.append(Edge(u, v, kind, Location(pointer), detail, conditions=dag.conditional_edges.get((u, v), ())))
    data = {(e.u, e.v) for e in out if e.kind is EdgeKind.DATA}  # once: a set per pull made a DAG of pulls quadratic
    for tid, ts in dag.tasks.items():
        for source, detail in _implicit_sources(dag, ts):
            if (source, tid) in data:
                continue
            out.append(Edge(source, tid, EdgeKind.IMPLICIT, Location(("task", tid)), detail))
    return out


def _below_branches(dag: DagState) -> dict[str, str]:
    """Tasks downstream of a branch or short-circuit operator → that operator. Skips propagate along
    every edge below it, so those edges decide whether a task runs and are never relaxed."""
    out: dict[str, str] = {}
    for tid, ts in dag.tasks.items():
        if not (ts.branch or ts.short_circuit):
            continue
        stack = list(ts.downstream)
        while stack:
            n = stack.pop()
            if n not in out:
                out[n] = tid
                stack.extend(dag.tasks[n].downstream)
    return out


def _kind(up: TaskState, down: TaskState) -> tuple[EdgeKind, str]:
    if up.task_id in down.data_from:
        return EdgeKind.DATA, f"{down.task_id} receives {up.task_id}'s XCom (TaskFlow/XComArg)"
    if up.sensor:
        return EdgeKind.CONTROL, f"{up.task_id} is a sensor: {down.task_id} waits for its condition"
    if is_check(up.base or up.operator) and trigger_rule_of(down) == "all_success":
        return EdgeKind.CONTROL, f"{up.task_id} is a check: when it fails, {down.task_id} does not run"
    if up.branch or up.short_circuit:
        what = "branch" if up.branch else "short-circuit"
        return EdgeKind.CONTROL, f"{up.task_id} is a {what} operator: it decides whether {down.task_id} runs"
    rule = trigger_rule_of(down)
    if rule != "all_success":
        return EdgeKind.CONTROL, f"{down.task_id} has trigger_rule={rule}"
    if up.is_setup or up.is_teardown or down.is_setup or down.is_teardown:
        return EdgeKind.CONTROL, "setup/teardown ordering"
    return EdgeKind.ORDER, f"{up.task_id} >> {down.task_id} (declared order, no data)"


def _implicit_sources(dag: DagState, ts: TaskState):
    """``xcom_pull(task_ids=...)`` in a task's template strings or its callable in this file."""
    seen: set[str] = set()
    for text in _strings(ts.kwargs):
        for match in _XCOM_PULL.finditer(text):
            for target in _quoted(match.group(1)):
                yield from _resolve(dag, ts, target, "in a template", seen)
    if ts.callable_node is not None:
        for target in _callable_pulls(ts.callable_node):
            yield from _resolve(dag, ts, target, "in its Python callable", seen)


def _resolve(dag: DagState, ts: TaskState, target: str, where: str, seen: set[str]):
    candidates = [target]
    if ts.group is not None and ts.group.group_id:
        candidates.append(ts.group.child_id(target))
    for c in candidates:
        if c in dag.tasks and c != ts.task_id and c not in seen:
            seen.add(c)
            yield c, f"{ts.task_id} pulls {c}'s XCom {where} (xcom_pull: no edge in Airflow)"
            return


def _strings(value):
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            yield v
        elif isinstance(v, dict):
            stack.extend(v.values())
        elif isinstance(v, (list, tuple)):
            stack.extend(v)


def _quoted(text: str) -> list[str]:
    return [a or b for a, b in _QUOTED.findall(text)]


_STATE_READERS = {"get_task_instances", "get_task_instance", "get_state", "get_previous_ti"}


def _alerts(kw: dict) -> bool:
    """Does the task tell someone when it fails: an `on_failure_callback` (its own or default_args'),
    or an `email` with `email_on_failure` not turned off (Airflow mails failures by default)?"""
    callback = kw.get("on_failure_callback")
    if callback is not None and callback != [] and callback != ():
        return True
    email = kw.get("email")
    return bool(email) and kw.get("email_on_failure", True) is not False


def _reads_states(fn: ast.FunctionDef, scope=None, depth: int = 0) -> bool:
    """Does the callable, or a helper of the file it calls (three calls deep), read task instances'
    states (``dag_run.get_task_instances()``, ``ti.state``), or pull what the tasks before it
    recorded and raise (a checker's "FAIL" read back, the run failed on it)?"""
    if _callable_pulls(fn) and any(isinstance(node, ast.Raise) for node in ast.walk(fn)):
        return True
    for node in ast.walk(fn):
        if isinstance(node, ast.Attribute) and (node.attr in _STATE_READERS or node.attr == "state"):
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and scope is not None and depth < 3:
            helper = scope.get(node.func.id)
            if isinstance(helper, FuncVal) and helper.node is not fn and _reads_states(helper.node, helper.closure,
                                                                                     depth + 1):
                return True
    return False


def _callable_pulls(fn: ast.FunctionDef) -> list[str]:
    """The task ids the callable pulls XComs of, but for pulls whose value it throws away."""
    found: list[str] = []
    unused = _discarded_calls(fn)
    for node in ast.walk(fn):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "xcom_pull" \
                and id(node) not in unused:
            arg = next((k.value for k in node.keywords if k.arg == "task_ids"), None)
            if arg is None and node.args:
                arg = node.args[0]
            if arg is not None:
                found.extend(_literal_strings(arg))
    return found


_NAMESPACE_READERS = {"locals", "vars", "eval", "exec"}  # what reads a name without naming it


def _discarded_calls(fn: ast.FunctionDef) -> set[int]:
    """The ids of calls whose value the function throws away: a call on a line of its own, or
    assigned to a name it never reads (anywhere in it, nested functions too). None where it reads
    its namespace some other way (``locals()``)."""
    loaded = {n.id for n in ast.walk(fn) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    if loaded & _NAMESPACE_READERS:
        return set()
    out = set()
    for node in ast.walk(fn):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            out.add(id(node.value))
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Call):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if all(isinstance(t, ast.Name) and t.id not in loaded for t in targets):
                out.add(id(node.value))
    return out


def _literal_strings(node) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, (ast.List, ast.Tuple)):
        return [s for el in node.elts for s in _literal_strings(el)]
    return []


def _limits(dag: DagState, pools: dict[str, int], cap: int, cap_source: str) -> Limits:
    limits = Limits(concurrency=cap, concurrency_source=cap_source)
    used = {p for ts in dag.tasks.values() for p in [ts.kwargs.get("pool")] if isinstance(p, str)}
    for name in sorted(used):
        if name in pools:
            limits.pools[name] = PoolLimit(name, pools[name], Location(("dag",)))
        elif name == "default_pool":
            limits.pools[name] = PoolLimit(name, DEFAULT_POOL_SLOTS, Location(("dag",)))
    return limits
