"""Read an n8n export (one workflow, or an array of them as ``n8n import:workflow`` takes) into the IR.

Task id = node name (n8n's identity in connections and expressions). ``main`` connections (and the
old ``error`` type) are order edges; references in expressions and Code are implicit data edges
(n8n does not order by them); ``$json``/``$input`` are data edges from the direct parents. AI
sub-nodes (model, memory, tools: sources of ``ai_*`` connections) are folded into the root node
that calls them; sticky notes are not tasks.
"""
from __future__ import annotations

import dataclasses
import math
import os
import re
from dataclasses import field

from wflint.errors import ParseError
from wflint.facets import (
    ChildRun,
    ExecutionOrder,
    InvalidSetting,
    ItemFanout,
    JoinCheck,
    LineageReads,
    Notes,
    OrderScenario,
    PerArrival,
    Routes,
    Starts,
    Structure,
    TriggerRule,
    Unobserved,
)
from wflint.ir import (
    Dangling,
    Duration,
    DurationSource,
    Edge,
    EdgeKind,
    Effect,
    ExecutionModel,
    Join,
    Location,
    Task,
    Workflow,
)
from wflint.records import dataclass
from wflint.sourcemap import load_json

from . import effects as fx
from .facts import NodeFacts, facts, update
from .handback import handed_back, unobserved
from .items import one_item_at_every_branch
from .order import (
    after_loops,
    back_edges,
    before_every_branch,
    exclusive,
    execution_order,
    linearize,
    loop_bodies,
    reach,
    routes,
    scenarios,
    silenced,
)
from .passes import PassGraph, run_logs, starved_inputs
from .references import scan

STICKY = "n8n-nodes-base.stickyNote"
EXPRESSION = re.compile(r"\{\{(.*?)\}\}", re.S)
# Nodes that use their input items only through expressions: wired after an unrelated node they
# need its item count, not its data. Every other node (filters, splitters, merges, AI chains,
# database and sheet nodes that auto-map input columns) reads its input by its nature.
# Wait and No Operation pass their input through and Execute Workflow hands it to the sub-workflow,
# so they do read it.
NO_IMPLICIT_INPUT = {"httpRequest", "slack", "telegram", "gmail", "emailSend", "discord", "microsoftTeams",
                     "mattermost"}
MERGE_TYPES = {"merge", "compareDatasets"}
CODE_KEYS = {"jsCode": False, "functionCode": False, "pythonCode": True, "code": False}
# Reads of a node's own run as a whole (every input item, or which run it is): one run over every
# branch's items then differs from one run per branch (SAF003's join fix).
WHOLE_RUN = re.compile(r"(?<![\w$])[$_](input\s*\.\s*(all|first|last)\s*\(|runIndex\b|items\s*\(\s*\))")
LOGIC_S = 0.01  # default for nodes that only reshape items in memory
CALL_S = 1.0  # default per item for nodes that call something
WAIT_UNITS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
FAIL_TOGETHER = ("In n8n: a node's error stops the execution (its default On Error: 'Stop Workflow'), so the branches "
                 "not yet run do not run, and a Merge joins the branches that ran")
FINISH_THE_REST = ("In n8n: On Error 'Continue' (`onError: continueRegularOutput`, or `continueErrorOutput` to route the "
                   "error to its own output) on each branch's nodes, so the other branches still run, and handle "
                   "the errors where the branches meet; work nothing waits for can go to Execute Sub-workflow "
                   "with 'Wait for Sub-Workflow Completion' off")
PARALLEL_FEATURE = ("n8n runs one node at a time per execution; real concurrency comes only from one "
                    "HTTP Request node fed many items (all requests in flight at once), a Code node "
                    "awaiting Promise.all, or Execute Sub-workflow without waiting for it to finish")


class N8nError(Exception):
    def __init__(self, pointer: tuple, message: str) -> None:
        super().__init__(message)
        self.pointer = pointer


def read_n8n(path: str, text: str) -> list[Workflow]:
    data, index = load_json(text, path)
    try:
        if isinstance(data, list):
            if not data:
                raise N8nError((), "an empty array: no workflow in it")
            workflows = [_workflow(path, wf, (i,), index, f"#{i}") for i, wf in enumerate(data)]
        else:
            workflows = [_workflow(path, data, (), index, "")]
    except N8nError as exc:
        pos = index.resolve(Location(exc.pointer))
        raise ParseError(path, str(exc), pos.line, pos.column) from None
    names = [w.name for w in workflows]
    for i, wf in enumerate(workflows):  # workflow names identify findings; keep them distinct
        if names.count(wf.name) > 1:
            wf.name = f"{wf.name} #{i}"
    return workflows


def _expect(cond: bool, pointer: tuple, message: str) -> None:
    if not cond:
        raise N8nError(pointer, message)


@dataclass
class _Wiring:
    """The main connections between tasks, as the reader's later passes need them."""

    children: dict[str, list[tuple[str, int, int]]]  # node → (child, output, input)
    wired: dict[str, set[int]]  # node → its inputs that something feeds
    parents: dict[str, list[str]]
    inputs: dict[str, list[tuple[str, int, int, tuple]]]  # node → (parent, output, input, pointer)
    edges: list[Edge] = field(default_factory=list)
    dangling: list[Dangling] = field(default_factory=list)


@dataclass
class _Order:
    """How n8n runs the nodes: each node's first run, the loops' back edges and one linear order."""

    first: list[str]
    back: set[tuple[str, str]]
    order: list[str]
    other_first: list[str]  # first runs under the other executionOrder setting
    other: list[str]
    scenarios: tuple[OrderScenario, ...] = ()  # one execution per start and way through the branches
    scenarios_complete: bool = False
    starts: list[str] = field(default_factory=list)  # where executions start (enabled triggers)
    routers: set[str] = field(default_factory=set)  # nodes whose outputs never carry one item both ways
    starved: dict[str, tuple[int, int]] = field(default_factory=dict)  # Merge → (input, run) it ran without
    bodies: dict[str, set[str]] = field(default_factory=dict)  # Loop Over Items node → its body
    done: dict[str, int] = field(default_factory=dict)  # Loop Over Items node → its done output


def _workflow(path: str, doc, p: tuple, index, suffix: str) -> Workflow:
    _expect(isinstance(doc, dict), p, "expected a workflow object")
    nodes, connections = doc.get("nodes"), doc.get("connections")
    _expect(isinstance(nodes, list), p + ("nodes",), "'nodes' must be an array")
    _expect(isinstance(connections, dict), p + ("connections",), "'connections' must be an object")
    settings = doc.get("settings") if isinstance(doc.get("settings"), dict) else {}
    order_setting = settings.get("executionOrder")
    v1 = order_setting == "v1"
    shadowed: dict[str, list[int]] = {}
    by_name = _nodes_by_name(nodes, p, shadowed)
    effects = {name: fx.infer(node) for name, (_, node) in by_name.items()}  # once per node: SQL is parsed here
    one_to_one = {name: _one_to_one(node, effects[name]) for name, (_, node) in by_name.items()}
    links = connection_links(connections, p, by_name)
    # n8n follows `main` connections only: an error output is an extra `main` output of a node set
    # to continueErrorOutput; connections filed under an `error` key never run (n8n 2.8.4)
    main = [link for link in links if link["type"] == "main"]
    ai = [link for link in links if link["type"].startswith("ai_")]
    main_nodes = {link["from"] for link in main} | {link["to"] for link in main}
    root_of = _fold(ai, main_nodes)
    task_names = [n for n, (_, node) in by_name.items()
                  if node["type"] != STICKY and n not in root_of]
    pin = doc.get("pinData") if isinstance(doc.get("pinData"), dict) else {}
    wiring = _wire(main, task_names, by_name, one_to_one)
    keyed_by_id = _keyed_by_id(connections, by_name, p)
    wiring.dangling += keyed_by_id
    _start_and_wait_edges(main, wiring, by_name, one_to_one)
    folded: dict[str, list[str]] = {}
    for sub, root in root_of.items():
        folded.setdefault(root, []).append(sub)
    tasks: dict[str, Task] = {}
    for name in task_names:
        i, node = by_name[name]
        tasks[name] = _task(name, node, p + ("nodes", i), folded.get(name, []), by_name, pin, effects)
    for name in task_names:
        _references(name, tasks, by_name, folded.get(name, []), wiring.parents, root_of, wiring.edges,
                    wiring.dangling, p)
    _say_shadowed(tasks, shadowed, p)
    _put_failure_handlers(tasks, by_name, wiring)
    runs = _run_order(task_names, tasks, by_name, wiring, v1)
    # A main connection back to an earlier node closes a loop (Loop Over Items): the loop body's
    # data comes round on the next pass, not before the first, so it is not a dependency.
    # A node wired to itself runs again on what it emitted: a loop too, never an ordering.
    edges = [e for e in wiring.edges if e.u != e.v
             and (e.kind not in (EdgeKind.DATA, EdgeKind.CONTROL) or (e.u, e.v) not in runs.back)]
    edges += _lineage(tasks, wiring.children, runs.back, edges)
    edges += _after_loop_edges(wiring, runs)
    _items_and_durations(tasks, wiring.parents, pin)
    _batch_keys(tasks, by_name)
    _branch_facets(task_names, tasks, by_name, wiring, runs, v1)
    wf = Workflow(name=_name(doc, path, suffix), format="n8n", path=path,
                  execution_model=_model(v1, order_setting, runs.order, runs.starts), tasks=tasks, edges=edges,
                  dangling=wiring.dangling, source=index, location=Location(p))
    wf.put(ExecutionOrder(
        explicit=order_setting is not None, modern=v1, value=order_setting, agree=runs.order == runs.other,
        first_runs=tuple(runs.first),  # the order of each node's first run, as n8n runs it
        other_runs=tuple(runs.other_first),  # ... and under the other setting (v1 for a v0 file)
        location=Location(p + ("settings",)) if "settings" in doc else Location(p),
        scenarios=runs.scenarios, scenarios_complete=runs.scenarios_complete,
        one_item_per_branch=one_item_at_every_branch(runs.order, {n: by_name[n][1] for n in task_names},
                                                     wiring.parents, set(runs.starts), runs.routers,
                                                     one_to_one, runs.back),
        inert=frozenset(n for n in task_names if facts(tasks[n]).disabled is True),  # they pass items on
    ))
    in_loops = set().union(*runs.bodies.values())
    closers = {u for u, _ in runs.back}  # each run of one sends the loop round once more
    for name, task in tasks.items():
        _put_shared_facets(task, name in in_loops, name in closers)
    if main and not keyed_by_id:  # no wiring at all (an export that lost it): none to read intent from
        starts = any(_is_trigger(by_name[n][1]["type"]) and by_name[n][1].get("disabled") is not True
                     for n in task_names)
        _mark_dead_references(wf, every=not starts)
    return wf


def _mark_dead_references(wf: Workflow, every: bool = False) -> None:
    """A missing name read by a node nothing starts is never evaluated (the node never runs); with
    ``every``, no node runs at all (no enabled trigger: n8n says "Missing node to start execution").
    Not called where connections are filed under ids (that wiring is the author's, only n8n ignores
    it, so the nodes are meant to run; GRA002 reports the wiring once), nor where there are none."""
    def never_runs(name: str) -> bool:
        if every:
            return True
        task = wf.tasks.get(name)
        starts = task.facet(Starts) if task is not None else None
        return starts is not None and not starts.starts

    wf.dangling = [dataclasses.replace(ref, dead=True) if never_runs(ref.task) else ref for ref in wf.dangling]


def _batch_keys(tasks: dict[str, Task], by_name: dict) -> None:
    """One HTTP Request node over N items sends them all at once: requests to one endpoint, as one
    caller, may become one such node. Not a node some other node reads through item lineage
    (``$('X').item``): merged into another node, X's items lose the pairing the reader follows."""
    lineage = {ref for task in tasks.values() for ref in facts(task).paired_refs}
    for name, task in tasks.items():
        if fx.short_type(task.kind) != "httpRequest" or facts(task).disabled or name in lineage:
            continue
        endpoint = fx.http_endpoint(by_name[name][1])
        if endpoint is not None:
            task.batch = f"http:{endpoint}"


def _nodes_by_name(nodes: list, p: tuple, shadowed: dict[str, list[int]]) -> dict[str, tuple[int, dict]]:
    """name → (index in ``nodes``, node); every node must be an object with a name and a type. Of
    two nodes with one name n8n keeps the last (measured on n8n 2.8.4), as here; the indexes of the
    earlier ones go to ``shadowed``."""
    by_name: dict[str, tuple[int, dict]] = {}
    for i, node in enumerate(nodes):
        _expect(isinstance(node, dict), p + ("nodes", i), "a node must be an object")
        name, kind = node.get("name"), node.get("type")
        _expect(isinstance(name, str) and name != "", p + ("nodes", i), "node without a 'name'")
        _expect(isinstance(kind, str) and kind != "", p + ("nodes", i), f"node {name!r} has no 'type'")
        if name in by_name:
            shadowed.setdefault(name, []).append(by_name[name][0])
        by_name[name] = (i, node)
    return by_name


def _say_shadowed(tasks: dict[str, Task], shadowed: dict[str, list[int]], p: tuple) -> None:
    """A node whose name an earlier node has too: the earlier one never runs (WFL004)."""
    for name, earlier in shadowed.items():
        task = tasks.get(name)
        if task is None or task.facet(InvalidSetting) is not None:
            continue
        where = ", ".join(f"nodes[{i}]" for i in earlier)
        task.put(InvalidSetting("its name", f"given to {len(earlier)} earlier node(s) too ({where}): "
                                "n8n keeps only the last node of a name, so the earlier one never runs and every "
                                "connection and reference to the name means this one",
                                location=Location(p + ("nodes", earlier[0], "name"))))


def _wire(main: list[dict], task_names: list[str], by_name: dict, one_to_one: dict[str, bool]) -> _Wiring:
    """Order edges for every main connection between tasks, and a control edge where the parent
    does not emit one item per input (the child's run count hangs on it)."""
    wiring = _Wiring(children={n: [] for n in task_names}, wired={n: set() for n in task_names},
                     parents={n: [] for n in task_names}, inputs={n: [] for n in task_names})
    for link in main:
        u, v = link["from"], link["to"]
        if v not in by_name:
            wiring.dangling.append(Dangling(u, v, Location(link["pointer"]), f"connection to `{v}`"))
            continue
        if u not in wiring.children or v not in wiring.children:
            continue  # a connection from/to a sticky note or folded sub-node
        wiring.children[u].append((v, link["out"], link["in"]))
        wiring.wired[v].add(link["in"])
        wiring.inputs[v].append((u, link["out"], link["in"], link["pointer"]))
        if u not in wiring.parents[v]:
            wiring.parents[v].append(u)
        wiring.edges.append(Edge(u, v, EdgeKind.ORDER, Location(link["pointer"]),
                                 f"main connection {u} output {link['out']} → {v} input {link['in']}"))
        if not one_to_one[u]:
            wiring.edges.append(Edge(u, v, EdgeKind.CONTROL, Location(link["pointer"]),
                                     f"{v} runs once per item {u} emits, and only if it emits any"))
    return wiring


def _start_and_wait_edges(main: list[dict], wiring: _Wiring, by_name: dict, one_to_one: dict[str, bool]) -> None:
    """Control edges out of where an execution starts and out of a Wait: both are there on purpose."""
    fed = {link["to"] for link in main}
    for link in main:
        u, v = link["from"], link["to"]
        if u not in wiring.children or v not in wiring.children or not one_to_one[u]:
            continue
        if u not in fed:  # where an execution starts: the children need it to run at all
            why = f"an execution starts at {u}; {v} runs only when it is reached from there"
        elif fx.short_type(by_name[u][1]["type"]) == "wait":  # a pause is there to delay what follows
            why = f"{v} runs after the pause {u} on purpose"
        else:
            continue
        wiring.edges.append(Edge(u, v, EdgeKind.CONTROL, Location(link["pointer"]), why))


def _run_order(task_names: list[str], tasks: dict[str, Task], by_name: dict, wiring: _Wiring, v1: bool) -> _Order:
    """Simulate n8n's run order under the file's setting and the other one."""
    position = {n: _position(by_name[n][1]) for n in task_names}
    triggers = {n for n in task_names if _is_trigger(by_name[n][1]["type"])}
    loops = {n: facts(tasks[n]).loop_output for n in task_names}
    done = {n: 1 - out for n, out in loops.items() if out is not None}
    children, wired = wiring.children, wiring.wired
    first = execution_order(task_names, children, wired, position, v1, triggers, done)
    back = back_edges(task_names, children, [n for n in first if n in triggers] + first,
                      {n: out for n, out in loops.items() if out is not None})
    order = linearize(first, children, back)
    other_first = execution_order(task_names, children, wired, position, not v1, triggers, done)
    runs = _Order(first, back, order, other_first, linearize(other_first, children, back))
    starts = _enabled_starts(task_names, tasks, children, triggers)
    exclusive, fixed = _exclusive_routers(task_names, tasks, by_name, children)
    runs.starts = starts
    runs.routers = _item_routers(task_names, by_name, children)
    ways, runs.scenarios_complete = scenarios(starts, children, exclusive, fixed)
    runs.bodies = bodies = loop_bodies(children, done, back)
    runs.done = done

    def one_run(start: str, choices: tuple, modern: bool, forced: list[str] | None = None) -> tuple[str, ...]:
        return tuple(execution_order(task_names, children, wired, position, modern, triggers, done, start=start,
                                     silent=silenced(children, choices), back=back, forced_log=forced))

    graph = _pass_graph(task_names, tasks, by_name, wiring, position, v1)
    scenarios_found = []
    for start, choices in ways:
        forced: list[str] = []
        legacy = one_run(start, choices, False, forced)
        stalls = tuple(loop for loop, body in bodies.items() if any(m in body for m in forced))
        modern = one_run(start, choices, True)
        scenarios_found.append(OrderScenario(
            start, choices, modern if v1 else legacy, legacy if v1 else modern,
            tuple(_output_name(by_name[r][1], o, children[r]) for r, o in choices), stalls,
            _logged(graph, start, silenced(children, choices), runs.starved)))
    runs.scenarios = tuple(scenarios_found)
    runs.starved = _fed_from_outside(runs.starved, bodies, wiring.inputs)
    return runs


def _after_loop_edges(wiring: _Wiring, runs: _Order) -> list[Edge]:
    """What follows a loop's done output waits for the whole body (``order.after_loops``), so a
    ``$('X')`` read there of a node in the body is ordered, not a race."""
    pairs = after_loops(wiring.children, runs.done, runs.back, runs.bodies, runs.order)
    where = {(u, v, out): pointer for v, links in wiring.inputs.items() for u, out, _, pointer in links} if pairs else {}
    return [Edge(u, child, EdgeKind.CONTROL, Location(where.get((loop, child, runs.done[loop]), ())),
                 f"{child} runs on the done output of {loop}, after its body ({u}) has run for every batch")
            for u, child, loop in pairs]


def _fed_from_outside(starved: dict[str, tuple[int, int]], bodies: dict[str, set[str]],
                      inputs: dict[str, list[tuple]]) -> dict[str, tuple[int, int]]:
    """The starved Merges that sit in a Loop Over Items body while every node on the starved input
    is outside it: fed once before the loop, not on each pass (a Merge starved because a parent
    runs once per branch is another matter)."""
    kept = {}
    for node, (index, run) in starved.items():
        sources = {u for u, _, idx, _ in inputs[node] if idx == index}
        if any(node in body and not sources & body for body in bodies.values()):
            kept[node] = (index, run)
    return kept


ITEM_COUNTS = (1, 2, 3)  # items a start emits in the run logs a fix is verified against


def _logged(graph: PassGraph, start: str, silent, found: dict[str, tuple[int, int]]) -> tuple:
    """One execution's run log per count of ``ITEM_COUNTS``; the nodes it runs without an input
    they had on their first run are added to ``found`` (node → (input, run))."""
    logs = []
    for log, arrivals in run_logs(graph, start, ITEM_COUNTS, silent):
        logs.append(log)
        for node, starved in starved_inputs(graph, arrivals).items():
            found.setdefault(node, starved)
    return tuple(logs)


def _pass_graph(task_names: list[str], tasks: dict[str, Task], by_name: dict, wiring: _Wiring,
                position: dict[str, tuple[float, float]], v1: bool) -> PassGraph:
    """The wiring, loops and Execute Once nodes, for the simulation of every pass."""
    loops = {n: out for n in task_names if (out := facts(tasks[n]).loop_output) is not None}
    sizes = {}
    for n in loops:
        node = by_name[n][1]
        default = 1 if _number(node.get("typeVersion")) >= 3 else 10  # Loop Over Items v3 defaults to 1
        size = (node.get("parameters") or {}).get("batchSize", default)
        sizes[n] = size if isinstance(size, int) and not isinstance(size, bool) else 1
    once = {n for n in task_names if facts(tasks[n]).execute_once is True}
    return PassGraph(wiring.children, wiring.wired, position, v1, loops, sizes, once)


def _output_name(node: dict, out: int, kids: list[tuple[str, int, int]]) -> str:
    """An output as the n8n canvas labels it: an IF's true/false, a Filter's kept/discarded, the
    error output of a node that continues on error, else its index."""
    short = fx.short_type(node["type"])
    on_error = node.get("onError") == "continueErrorOutput"
    if out == _error_output(node, kids):
        return "error output"
    if short in ("if", "filter") and out in (0, 1):
        return ("true", "false")[out] + " output" if short == "if" else ("kept", "discarded")[out] + " output"
    if on_error and short != "switch":
        return "success output"
    return f"output {out}"


def _error_output(node: dict, kids: list[tuple[str, int, int]]) -> int | None:
    """The output a node set to continue on error sends its failed items to (its last, after the
    regular ones), where it is wired; None for a node that stops on error."""
    if node.get("onError") != "continueErrorOutput" or not kids:
        return None
    last = max(o for _, o, _ in kids)
    return last if last > 0 else None


def _put_failure_handlers(tasks: dict[str, Task], by_name: dict, wiring: _Wiring) -> None:
    """A node fed only by error outputs runs for a failure, once per node that failed: one shared
    handler of several nodes' errors is built to run once per failure (SAF003 leaves it alone).
    So is a node fed only by such handlers (a logger behind each step's own error formatter)."""
    def handles(v: str) -> bool:
        links = wiring.inputs.get(v, [])
        return v in tasks and bool(links) and all(
            u in handlers or out == _error_output(by_name[u][1], wiring.children.get(u, [])) for u, out, _, _ in links)

    handlers: set[str] = set()
    todo = [v for v in wiring.inputs if handles(v)]
    while todo:
        v = todo.pop()
        if v in handlers:
            continue
        handlers.add(v)
        tasks[v].put(TriggerRule(handles_failure=True))
        todo += [child for child, _, _ in wiring.children.get(v, []) if child not in handlers and handles(child)]


def _enabled_starts(task_names: list[str], tasks: dict[str, Task], children: dict, triggers: set[str]) -> list[str]:
    """Where an execution can start: each enabled trigger (a disabled one starts nothing), or,
    in a workflow with none, each enabled node nothing feeds."""
    enabled = [n for n in task_names if facts(tasks[n]).disabled is not True]
    found = [n for n in enabled if n in triggers]
    if found:
        return found
    fed = {v for kids in children.values() for v, _, _ in kids}
    return [n for n in enabled if n not in fed]


def _item_routers(task_names: list[str], by_name: dict, children: dict) -> set[str]:
    """Nodes with several used outputs that send each item out of one of them (IF, Switch, Filter,
    error outputs, Compare Datasets) or run them one after the other (Loop Over Items: the loop,
    then done); not a Switch that sends an item to every matching output, nor a classifier that
    may give an item several categories."""
    out = set()
    for name in task_names:
        if len({o for _, o, _ in children[name]}) < 2:
            continue
        node = by_name[name][1]
        options = node.get("parameters", {}).get("options") if isinstance(node.get("parameters"), dict) else None
        several = isinstance(options, dict) and (options.get("allMatchingOutputs") is True
                                                 or options.get("multiClass") is True)
        if not several:
            out.add(name)
    return out


# Nodes whose used outputs all emit in one run (Loop Over Items: loop, then done), never one per item.
ALL_OUTPUTS = {"splitInBatches", "compareDatasets"}


def _exclusive_routers(task_names: list[str], tasks: dict[str, Task], by_name: dict,
                       children: dict) -> tuple[set[str], dict[str, int]]:
    """Nodes that send one item out of one of their outputs: IF, Filter, Switch, classifiers,
    error outputs, and node types wflint does not know (presumed so: a run is then never claimed
    to take two ways at once); not a Switch that sends an item to every matching output, a
    classifier that gives it several categories, nor Loop Over Items or Compare Datasets, whose
    outputs all emit in one run. Disabled ones pass every item to their first output."""
    exclusive: set[str] = set()
    fixed: dict[str, int] = {}
    routers = _item_routers(task_names, by_name, children)
    for name in task_names:
        if facts(tasks[name]).disabled is True and len({o for _, o, _ in children[name]}) > 1:
            exclusive.add(name)
            fixed[name] = 0
        elif name in routers and fx.short_type(by_name[name][1]["type"]) not in ALL_OUTPUTS:
            exclusive.add(name)
    return exclusive, fixed


def _branch_facets(task_names: list[str], tasks: dict[str, Task], by_name: dict, wiring: _Wiring,
                   runs: _Order, v1: bool) -> None:
    """Routes (which router outputs lead to a node), Starts (where several starts, or nodes no
    start reaches: those never run and cost nothing) and the join checks."""
    children = wiring.children
    route = routes(task_names, children, runs.back, runs.routers)
    starts = _starts(runs.order, children, runs.back, set(runs.starts))
    never = [n for n in task_names if not starts[n]]
    if len(runs.starts) > 1 or never:
        for name in task_names:  # which executions reach each node (none: it never runs)
            tasks[name].put(Starts(tuple(sorted(starts[name]))))
    for name in never:
        tasks[name].duration = Duration(0.0, DurationSource.DECLARED)
    for name in task_names:
        if route[name]:
            tasks[name].put(Routes({r: tuple(sorted(o)) for r, o in route[name].items()}))
        inputs = wiring.inputs[name]
        labels = _labels(name, inputs, route, starts, runs.routers)
        _joins(tasks[name], by_name[name][1], inputs, labels, v1, runs.back)
        if v1:  # v0 runs the other input's chain too, so the Merge gets a pair (oracle)
            _pairless(tasks[name], by_name[name][1], inputs, labels)
        if name in runs.starved:
            _fed_once(tasks[name], inputs, *runs.starved[name])
    onward = {u: [v for v, _, _ in kids if (u, v) not in runs.back] for u, kids in children.items()}
    nodes = {n: by_name[n][1] for n in task_names}
    returned = handed_back(task_names, tasks, nodes, onward, starts)
    for name in task_names:
        if facts(tasks[name]).join_fix == "safe" and not _joined_alike(name, tasks, wiring, onward, returned):
            update(tasks[name], join_fix="unsafe")
        if tasks[name].join is Join.EACH and unobserved(name, tasks, nodes, wiring.parents, children, returned):
            tasks[name].put(Unobserved("it and every node after it work in memory, and no one gets their items"))


def _model(v1: bool, order_setting: object, order: list[str], starts: list[str]) -> ExecutionModel:
    notes = [
        "executionOrder " + _order_note(v1, order_setting),
        f"node durations are defaults ({CALL_S:g} s per item for nodes that call out, {LOGIC_S:g} s for "
        "in-memory nodes) unless measured timings are given",
    ]
    if len(starts) > 1:
        notes.append(f"{len(starts)} triggers ({', '.join(starts[:4])}{' ...' if len(starts) > 4 else ''}) each "
                     "start their own execution: the figures add up the nodes of every trigger's run, and "
                     "nodes on different triggers' paths never run together")
    tiebreak = ("canvas position (v1 runs the top-most branch first, then the left-most)" if v1
                else "connection order (legacy v0 runs branches breadth-first in the order they were connected)")
    return ExecutionModel(name="n8n", mode="sequential", order=tuple(order), runs_parallel=False,
                          parallel_feature=PARALLEL_FEATURE, fail_together=FAIL_TOGETHER,
                          finish_the_rest=FINISH_THE_REST, notes=tuple(notes), tiebreak=tiebreak,
                          join_task="n8n-nodes-base.merge")


def _name(doc: dict, path: str, suffix: str) -> str:
    """The workflow's own name, or the file's name (with its index in an array export)."""
    name = doc.get("name")
    return name if isinstance(name, str) and name else os.path.basename(path).rsplit(".", 1)[0] + suffix


STRUCTURE = {"noOp": Structure("marker", "a No Operation node"), "wait": Structure("wait", "a Wait node")}


def _put_shared_facets(task: Task, in_loop: bool, closes_loop: bool = False) -> None:
    """What rules read about a node, in the engine-neutral words of ``wflint.facets``; ``in_loop``:
    it is in a Loop Over Items body. A No Operation node that closes a loop is no mere marker: each
    of its runs sends the loop round once more, so how often it runs matters."""
    node = facts(task)
    short = fx.short_type(task.kind)
    if short in STRUCTURE and not (closes_loop and STRUCTURE[short].kind == "marker"):
        task.put(STRUCTURE[short])
    if isinstance(node.notes, str):
        task.put(Notes(node.notes))
    if node.pinned_items is not None or node.per_item_s is not None or node.execute_once is True:
        task.put(ItemFanout(emitted=node.pinned_items, per_item_s=node.per_item_s,
                            runs_once=node.execute_once is True))
    if node.child_run is not None:
        task.put(ChildRun(*node.child_run, setting="Wait For Sub-Workflow Completion", paced=in_loop))
    if node.join_issues or node.join_fix:
        task.put(JoinCheck(issues=node.join_issues, fix=node.join_fix or "display"))
    if node.paired_refs:
        task.put(LineageReads(node.paired_refs, PAIRED_ITEM_FAILURE))


# Measured on n8n 2.8.4 (tests/test_n8n_oracle.py): a sibling branch's `$('X').item` stops the run.
PAIRED_ITEM_FAILURE = ("n8n stops the run with 'Invalid expression' (no paired item); `$('{u}').first()` "
                       "reads {u}'s output without following the items")


def _keyed_by_id(connections: dict, by_name: dict, p: tuple) -> list[Dangling]:
    """Connections filed under a node's id rather than its name: n8n looks them up by name, so it
    ignores them (measured on n8n 2.8.4: only the trigger runs), as ``connection_links`` does; a
    file made by a script rather than the editor, whose wiring does nothing."""
    ids = {node.get("id"): name for name, (_, node) in by_name.items() if isinstance(node.get("id"), str)}
    keyed = [src for src in connections if src not in by_name and src in ids]
    if not keyed:
        return []
    first = keyed[0]
    more = f" (and those of {len(keyed) - 1} more nodes)" if len(keyed) > 1 else ""
    return [Dangling(ids[first], first, Location(p + ("connections", first)),
                     f"connections filed under `{first}`, the id of node `{ids[first]}`{more}: n8n finds a node's "
                     "connections by its name and ignores these")]  # one finding: the whole wiring is off


def connection_links(connections: dict, p: tuple, by_name) -> list[dict]:
    """Every connection of a workflow as {from, to, type, out, in, pointer}; sources not in
    ``by_name`` (left behind by a deleted node) are skipped, as n8n does."""
    out = []
    for src, types in connections.items():
        _expect(isinstance(types, dict), p + ("connections", src), f"connections of {src!r} must be an object")
        if src not in by_name:
            continue  # connections left behind by a deleted node: n8n ignores them too
        for ctype, outputs in types.items():
            if outputs is None:
                continue
            _expect(isinstance(outputs, list), p + ("connections", src, ctype), "expected an array of outputs")
            for o, slot in enumerate(outputs):
                if slot is None:
                    continue
                _expect(isinstance(slot, list), p + ("connections", src, ctype, o), "expected an array of connections")
                for j, conn in enumerate(slot):
                    ptr = p + ("connections", src, ctype, o, j)
                    if conn is None:
                        continue
                    _expect(isinstance(conn, dict) and isinstance(conn.get("node"), str), ptr,
                            "a connection needs a target 'node'")
                    idx = conn.get("index", 0)
                    _expect(isinstance(idx, int) and not isinstance(idx, bool) and idx >= 0, ptr,
                            "a connection's 'index' must be a whole number")
                    out.append({"from": src, "to": conn["node"], "type": ctype, "out": o, "in": idx, "pointer": ptr})
    return out


def _child_run(node: dict) -> tuple[bool, bool] | None:
    """An Execute Workflow node's (waits, one run per item), as n8n-nodes-base 2.8.4 reads them
    (ExecuteWorkflow.node.js: ``options.waitForSubWorkflow`` defaults to true; only mode ``each``
    runs the sub-workflow per item). None where a setting is an expression or the node is off."""
    raw = node.get("parameters")
    params = raw if isinstance(raw, dict) else {}
    raw_options = params.get("options")
    options = raw_options if isinstance(raw_options, dict) else {}
    waits = options.get("waitForSubWorkflow", True)
    if node.get("disabled") is True or not isinstance(waits, bool) or str(params.get("mode", "")).startswith("="):
        return None
    return waits, params.get("mode") == "each"


ONE_TO_ONE = {"set", "noOp", "dateTime", "markdown", "crypto", "xml", "renameKeys", "html", "wait",
              "respondToWebhook", "stopAndError", "executionData"}


def _is_trigger(kind: str) -> bool:
    short = fx.short_type(kind)
    return short.lower().endswith("trigger") or short in ("webhook", "start", "cron", "interval")


def _one_to_one(node: dict, found: fx.NodeEffects) -> bool:
    """Does the node emit exactly one item per input item (so a child's run count does not hang on it)?

    Triggers, Execute Once nodes, branches, filters, splitters, aggregators, reads (a query or GET
    returns any number of rows) and code do not: a child wired after them depends on them for how
    often, and whether, it runs, even when it reads none of their data.
    """
    short = fx.short_type(node["type"])
    if _is_trigger(short) or node.get("executeOnce") is True:
        return False  # an execution starts here; Execute Once emits one item whatever comes in
    if node.get("disabled") is True:
        return True  # a disabled node passes its input through
    if short in ONE_TO_ONE:
        return True
    if short == "httpRequest":
        return False  # an array response is split into items
    return bool(found.effects) and all(m.value == "write" for _, m, _ in found.effects)


def _fold(ai: list[dict], main_nodes: set[str]) -> dict[str, str]:
    """sub-node → the root node that calls it (following chains such as model → tool → agent)."""
    target: dict[str, str] = {}
    for link in ai:
        if link["from"] not in main_nodes:
            target.setdefault(link["from"], link["to"])
    root_of = {}
    for sub in target:
        root, seen = target[sub], {sub}
        while root in target and root not in seen:
            seen.add(root)
            root = target[root]
        if root not in seen:
            root_of[sub] = root
    return root_of


def _order_note(v1: bool, order_setting: object) -> str:
    if v1:
        return "v1: depth-first, sibling branches by canvas position (top-most, then left-most)"
    what = "absent" if order_setting is None else repr(order_setting)
    return f"{what}: runs as legacy v0, breadth-first"


def _position(node: dict) -> tuple[float, float]:
    pos = node.get("position")
    if isinstance(pos, list) and len(pos) >= 2 and all(isinstance(c, (int, float)) for c in pos[:2]):
        return float(pos[0]), float(pos[1])
    return 0.0, 0.0


def _task(name: str, node: dict, pointer: tuple, subs: list[str], by_name: dict, pin: dict,
          inferred: dict[str, fx.NodeEffects]) -> Task:
    kind = node["type"]
    short = fx.short_type(kind)
    found = inferred[name]
    opaque = found.opaque
    effects = [Effect(r, m, Location(pointer + ("parameters",) + tail), append=r in found.appends)
               for r, m, tail in found.effects]
    apis, pools = list(found.apis), list(found.pools)
    for sub in subs:
        si, sub_node = by_name[sub]
        sub_found = inferred[sub]
        opaque = opaque or sub_found.opaque
        effects += [Effect(r, m, Location(pointer[:-1] + (si, "parameters") + tail), append=r in sub_found.appends)
                    for r, m, tail in sub_found.effects]
        apis += sub_found.apis
        pools += [x for x in sub_found.pools if x not in pools]
    node_facts = NodeFacts(
        type=kind, type_version=node.get("typeVersion"), position=_position(node), notes=node.get("notes"),
        disabled=node.get("disabled"), execute_once=node.get("executeOnce"), on_error=node.get("onError"),
        continue_on_fail=node.get("continueOnFail"), retry_on_fail=node.get("retryOnFail"),
        max_tries=node.get("maxTries"), always_output_data=node.get("alwaysOutputData"), sub_nodes=tuple(subs),
        operation=found.operation or "",
        # v1-v2 name their outputs [loop, done]; v3+ [done, loop]
        loop_output=(0 if fx.version(node) < 3 else 1) if short == "splitInBatches" else None,
        effect_notes=tuple(found.notes or ()), credential=fx.credential(node) or "",
        pinned_items=len(pin[name]) if name in pin and isinstance(pin[name], list) else None,
        child_run=_child_run(node) if short == "executeWorkflow" else None,
    )
    policy = None
    if node.get("onError") in ("continueRegularOutput", "continueErrorOutput") or node.get("continueOnFail") is True:
        policy = "continue"
    elif node.get("onError") == "stopWorkflow":
        policy = "stop"
    task = Task(id=name, name=name, kind=kind, location=Location(pointer), duration=_base_duration(short, node),
                effects=effects, apis=apis, pools=pools, opaque=opaque, failure_policy=policy,
                facets={NodeFacts: node_facts})
    if short == "wait" and node.get("disabled") is not True:
        seconds, problem = wait_seconds(node)
        if problem is not None:
            task.put(InvalidSetting(*problem, location=Location(pointer + ("parameters", "amount"))))
            task.duration = Duration(0.0, DurationSource.DECLARED)
        elif seconds is not None:
            task.duration = Duration(seconds, DurationSource.DECLARED)
    return task


def _base_duration(short: str, node: dict) -> Duration:
    if node.get("disabled") is True or short == "noOp":  # structure takes no time
        return Duration(0.0, DurationSource.DEFAULT)
    if short in fx.PURE or _is_trigger(short):
        return Duration(LOGIC_S, DurationSource.DEFAULT)
    return Duration(CALL_S, DurationSource.DEFAULT)


def wait_seconds(node: dict) -> tuple[float | None, tuple[str, str] | None]:
    """How long a Wait node waits "after a time interval", as n8n-nodes-base 2.8 reads it:
    typeVersion 1 defaults to 1 hour (amount 1, unit hours), 1.1 to 5 seconds; the amount must be
    a number ≥ 0 and the unit one of four, else the node fails the run. (seconds, None), where a
    NaN or infinite amount stays as it is for the engine's duration check; (None, None) where it
    cannot be known (another resume mode, an expression); (None, (what, why)) for a value n8n
    rejects when the node runs."""
    raw = node.get("parameters")
    params: dict = raw if isinstance(raw, dict) else {}
    if params.get("resume", "timeInterval") != "timeInterval":
        return None, None  # until a date, a webhook call or a form: not a fixed delay
    legacy = fx.version(node) < 1.1
    amount = params.get("amount", 1 if legacy else 5)
    unit = params.get("unit", "hours" if legacy else "seconds")
    if isinstance(unit, str) and unit.startswith("="):
        return None, None
    if unit not in WAIT_UNITS:
        return None, (f"Wait unit {unit!r}", "n8n fails the run with 'Invalid wait unit'")
    if not isinstance(amount, (int, float)) or isinstance(amount, bool):
        return None, None  # an expression or text: known only when it runs
    seconds = float(amount) * WAIT_UNITS[unit]
    if not math.isfinite(seconds):
        return seconds, None  # NaN or infinite: not JSON n8n can import; the engine reports the file (WFL001)
    if seconds < 0:
        return None, (f"Wait amount {amount:g}", "negative: n8n fails the run with 'Invalid wait amount'")
    return seconds, None


# Parameters that name a binary property of the input items to send (upload, attach).
BINARY_KEYS = {"inputDataFieldName", "binaryPropertyName", "binaryData", "dataPropertyName", "attachments"}


def _reads_binary(node: dict) -> bool:
    """Does the node send a binary file from its input items (set by a field name, not an expression)?"""
    for text, ptr, key in _strings(node.get("parameters") or {}, ()):
        if key in BINARY_KEYS or "attachmentsBinary" in ptr or text in ("formBinaryData", "binaryData"):
            return True
    return any(k in BINARY_KEYS for k in (node.get("parameters") or {}))


def _strings(value, pointer: tuple, key: str = ""):
    """(text, pointer, key) of every string leaf under a parameters object."""
    if isinstance(value, str):
        yield value, pointer, key
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, pointer + (k,), k if isinstance(k, str) else key)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, pointer + (i,), key)


def _evaluated(value, pointer: tuple, key: str = "", out: list | None = None) -> list[tuple[str, tuple, str]]:
    """(text, pointer, key) of the string leaves n8n evaluates: an expression (``=...``) or a
    Code node's source (``CODE_KEYS``). A leaf's pointer is made only for those: most leaves (ids,
    names, plain text) are neither."""
    out = [] if out is None else out
    if isinstance(value, str):
        if value.startswith("=") or key in CODE_KEYS:
            out.append((value, pointer, key))
        return out
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for k, v in items:
        own = k if isinstance(k, str) else key
        if isinstance(v, str):
            if v.startswith("=") or own in CODE_KEYS:
                out.append((v, pointer + (k,), own))
        elif isinstance(v, (dict, list)):
            _evaluated(v, pointer + (k,), own, out)
    return out


def _references(name: str, tasks: dict, by_name: dict, subs: list[str], parents: dict, root_of: dict,
                edges: list, dangling: list, p: tuple) -> None:
    task = tasks[name]
    reads_input = False
    seen: dict[str, int] = {}  # node read → the index of its edge in ``edges``
    # A disabled node passes its input through: n8n evaluates none of its parameters, so what they
    # name is read by nothing (measured on n8n 2.8.4: no "Invalid expression" for a missing node).
    disabled = by_name[name][1].get("disabled") is True
    # Reads inside a try/catch that name no node: code trying one name after another (a node
    # renamed across copies) catches the error of each missing one. Missing only if none is there.
    probes: list[Dangling] = []
    probed_one = False
    for holder in [] if disabled else [name] + subs:
        i, node = by_name[holder]
        params = node.get("parameters")
        if not isinstance(params, dict):
            continue
        for text, ptr, key in _evaluated(params, p + ("nodes", i, "parameters")):
            is_code = key in CODE_KEYS and not text.startswith("=")  # else an expression (``_evaluated``)
            source = text if is_code else "\n".join(EXPRESSION.findall(text))  # only {{ }} is evaluated
            found = scan(source, python=is_code and CODE_KEYS.get(key, False))
            reads_input = reads_input or found.reads_input or is_code
            if WHOLE_RUN.search(source):
                update(task, reads_own_run=True)
            checked = {ref.name for ref in found.references if ref.status_only}  # `$('X').isExecuted` here
            for ref in found.references:
                if ref.name is None:
                    task.dynamic = True
                    update(task, dynamic_references=(*facts(task).dynamic_references, ref.text))
                    continue
                target = root_of.get(ref.name, ref.name)
                if ref.caught:
                    probed_one = probed_one or ref.name in by_name
                if target not in by_name or target not in tasks:
                    if ref.name not in by_name and ref.caught:
                        probes.append(Dangling(name, ref.name, Location(ptr), f"reads {ref.text} inside a try/catch"))
                    elif ref.name not in by_name:
                        dangling.append(Dangling(name, ref.name, Location(ptr), f"reads {ref.text}",
                                                 fallback=ref.fallback))
                    continue
                if ref.paired and target != name:
                    paired = facts(task).paired_refs
                    if target not in paired:
                        update(task, paired_refs=(*paired, target))
                if target == name or ref.status_only:
                    continue
                if not ref.paired and target not in facts(task).run_reads:
                    update(task, run_reads=(*facts(task).run_reads, target))
                # `$('X').isExecuted ? $('X')... : ...` on a loop through X: the first pass takes the
                # other way, every later one reads what X made the pass before (n8n 2.8.4)
                guarded = ref.name in checked and _on_one_loop(target, name, parents)
                if target in seen:  # one edge per node read: unguarded where any of its reads is
                    if edges[seen[target]].guarded and not guarded:
                        edges[seen[target]] = dataclasses.replace(edges[seen[target]], guarded=False)
                    continue
                seen[target] = len(edges)
                edges.append(Edge(target, name, EdgeKind.IMPLICIT, Location(ptr), f"{name} reads {ref.text}",
                                  guarded=guarded))
    if probes and not probed_one:
        names = ", ".join(f"`{d.target}`" for d in probes)
        dangling.append(Dangling(name, probes[0].target, probes[0].location,
                                 f"reads {names} inside a try/catch: none of them is a node, so it always gets nothing"))
    if reads_input or fx.short_type(task.kind) not in NO_IMPLICIT_INPUT or _reads_binary(by_name[name][1]):
        for parent in parents[name]:
            edges.append(Edge(parent, name, EdgeKind.DATA, task.location, f"{name} reads its input from {parent}"))


def _on_one_loop(a: str, b: str, parents: dict[str, list[str]]) -> bool:
    """Do ``a`` and ``b`` sit on one loop of the wiring (each upstream of the other)?"""
    return _upstream_of(a, b, parents) and _upstream_of(b, a, parents)


def _upstream_of(a: str, b: str, parents: dict[str, list[str]]) -> bool:
    """Does a chain of connections lead from ``a`` to ``b``?"""
    seen, stack = {b}, [b]
    while stack:
        for p in parents.get(stack.pop(), ()):
            if p == a:
                return True
            if p not in seen:
                seen.add(p)
                stack.append(p)
    return False


def _lineage(tasks: dict[str, Task], children: dict, back: set, edges: list[Edge]) -> list[Edge]:
    """``$('X').item`` follows each item's lineage back to X, so the reader must stay downstream of
    X's output: moving a node between them off X's output silently gives empty values (measured on
    n8n 2.8.4). Nodes further up the path can be bypassed (the lineage then runs through their
    parent), so only the connections out of X towards the reader are kept, as control edges: they
    fix the wiring, not which data the next node reads."""
    succ = {u: [v for v, _, _ in kids if (u, v) not in back] for u, kids in children.items()}
    pred: dict[str, list[str]] = {n: [] for n in succ}
    for u, vs in succ.items():
        for v in vs:
            pred[v].append(u)
    data = {(e.u, e.v) for e in edges if e.kind is EdgeKind.CONTROL}
    out: list[Edge] = []
    rank = _ranks(succ, pred)
    for reader, task in tasks.items():
        refs = facts(task).paired_refs
        if not refs:
            continue
        # only what lies between the connections out of the nodes read and the reader: a walk up
        # from each reader to the start made a chain of such reads quadratic
        floor = min((rank.get(v, -1) for source in refs for v in succ.get(source, ())), default=0)
        upstream = reach(pred, reader, rank, floor)
        for source in refs:
            for v in succ.get(source, ()):
                if v in upstream and (source, v) not in data:
                    data.add((source, v))
                    out.append(Edge(source, v, EdgeKind.CONTROL, task.location,
                                    f"{reader} reads $('{source}').item, which n8n resolves through the "
                                    f"items' lineage, so it must stay downstream of {source} → {v}"))
    return out


def _ranks(succ: dict[str, list[str]], pred: dict[str, list[str]]) -> dict[str, int]:
    """Each node's place in a topological order of the wiring less its loops' ways back; empty
    where a cycle is left (then every walk goes all the way)."""
    from wflint.analysis.graph import CycleError, topo_order

    try:
        return {n: i for i, n in enumerate(topo_order(succ, pred))}
    except CycleError:
        return {}


def _items_and_durations(tasks: dict[str, Task], parents: dict[str, list[str]], pin: dict) -> None:
    """Items a node processes where its parents' outputs are pinned; per-item nodes take N times longer.

    An HTTP Request node sends all its items' requests at once, so its time does not multiply.
    """
    for name, task in tasks.items():
        if facts(task).execute_once is True:
            task.items = 1
            continue
        counts = [facts(tasks[u]).pinned_items for u in parents[name]]
        known = [c for c in counts if c is not None]
        if not counts or len(known) < len(counts):
            continue
        task.items = sum(known)
        concurrent = fx.short_type(task.kind) == "httpRequest"
        if task.items > 1 and not concurrent and task.duration.source is DurationSource.DEFAULT \
                and task.duration.seconds >= CALL_S:
            task.duration = Duration(task.duration.seconds * task.items, DurationSource.DEFAULT)
            update(task, per_item_s=CALL_S)


def _starts(order: list[str], children: dict, back: set, starts: set[str]) -> dict[str, set[str]]:
    """node → the starts (enabled triggers, or enabled nodes without input where there is no
    trigger) whose executions reach it; empty for a node that never runs."""
    reach: dict[str, set[str]] = {n: ({n} if n in starts else set()) for n in order}
    for n in order:
        for v, _, _ in children.get(n, ()):
            if (n, v) not in back:
                reach[v] |= reach[n]
    return reach


def _labels(name: str, inputs: list[tuple], route: dict, starts: dict, routers: set) -> dict:
    """(source, output) of each incoming connection → what it is exclusive by: the routers whose
    outputs lead into it (the source itself when it routes) and the starts that reach it."""
    labels = {}
    for u, out, _idx, _ptr in inputs:
        through = dict(route.get(u, {}))
        if u in routers:
            through[u] = frozenset({out})
        labels[(u, out)] = (through, frozenset(starts.get(u, ())))
    return labels


def _apart(a, b) -> bool:
    """Two incoming connections that never carry data in the same execution for the same item."""
    (ra, sa), (rb, sb) = a, b
    return not (sa & sb) or exclusive(ra, rb)


def _by_position(node: dict) -> bool:
    """A Merge v3 that combines by position and drops unpaired items (n8n-nodes-base 2.8,
    Merge/v3/actions/mode/combineByPosition.js: as many items as the shortest input)."""
    raw = node.get("parameters")
    params = raw if isinstance(raw, dict) else {}
    options = params.get("options")
    unpaired = isinstance(options, dict) and options.get("includeUnpaired") is True
    return (fx.short_type(str(node.get("type", ""))) == "merge" and fx.version(node) >= 3 and params.get("mode") == "combine"
            and params.get("combineBy") == "combineByPosition" and not unpaired)


def _pairless(task: Task, node: dict, inputs: list[tuple], labels: dict) -> None:
    """A combine-by-position Merge whose inputs never carry data for one item together (both
    outputs of one IF, or two triggers' runs) pairs nothing under v1: a real loss nothing else flags."""
    if not _by_position(node):
        return
    first: dict[int, tuple] = {}
    for u, out, idx, _ptr in inputs:
        first.setdefault(idx, (u, out))
    wired = sorted(first.items())
    apart = [(a, b) for i, (_, a) in enumerate(wired) for _, b in wired[i + 1:] if _apart(labels[a], labels[b])]
    if len(first) < 2 or not apart:
        return
    (a, _), (b, _) = apart[0]
    issue = (f"it combines by position, but `{a}` and `{b}` never both send an item in one run (an item takes "
             "one way): for one item the Merge outputs nothing, for several it pairs unrelated items; "
             "append instead, or enable Include Any Unpaired Items")
    update(task, join_issues=(*facts(task).join_issues, issue))


def _fed_once(task: Task, inputs: list[tuple], index: int, run: int) -> None:
    """A Merge that runs on every pass of a loop but is fed one input once, from outside it: on
    later passes n8n runs it without that input's items (measured on n8n 2.8.4, v1 and v0)."""
    once = sorted({u for u, _, idx, _ in inputs if idx == index})
    rest = sorted({u for u, _, idx, _ in inputs if idx != index})
    names = " and ".join(f"`{u}`" for u in once)
    issue = (f"it runs once per pass of a loop, but {names} (input {index + 1}) sends it data on its first run "
             f"only; from its run {run} on, n8n runs it without waiting for that input, on "
             f"{', '.join(f'`{u}`' for u in rest)}'s items alone, so what follows gets none of {names}'s data "
             f"there: read `{once[0]}` inside the loop with `$('{once[0]}').first()` instead of wiring it in")
    update(task, join_issues=(*facts(task).join_issues, issue))


# Nodes that handle each item on their own and touch nothing outside the execution: one run of
# them on N items outputs what N runs on one item each output, and nothing else can tell the two
# apart (HTML is not one: its table operation folds every item into one).
ITEM_WISE = {"set", "noOp", "dateTime", "markdown", "crypto", "xml", "renameKeys", "if", "switch", "filter",
             "splitOut"}


def _joined_alike(name: str, tasks: dict[str, Task], wiring: _Wiring, onward: dict[str, list[str]],
                  returned: set[str]) -> bool:
    """Does SAF003's join fix keep what ``name`` and every node after it do? The Merge it inserts
    (append) passes on every branch's items at once, so ``name`` and each node after it run once
    on all of them, after every branch, instead of once per branch on that branch's items right
    after it (measured on n8n 2.8.4). That is the same only where each of them is in-memory logic
    that handles every item on its own (``ITEM_WISE``) and reads no other node's whole output but
    one that ran before every branch. A node that runs once for all its items (Code, Aggregate,
    Execute Once, a Merge, a loop) or reads `.first()` then sees N items in one run; one that acts
    outside (a request, a row, a message) still acts once per branch's item, the duplicates the
    finding is about kept, but now after every branch instead of after each. Nor where the items of
    ``name`` or of a node after it are what the run hands back to what started it (``returned``,
    ``handback.py``): the caller got the last branch's run, and would get every branch's at once."""
    before = before_every_branch(wiring.parents, name)
    after = reach(onward, name)
    return not after & returned and all(_item_wise(tasks[n]) and set(facts(tasks[n]).run_reads) <= before
                                        for n in after)


def _item_wise(task: Task) -> bool:
    """Is one run of the node on N items the same as N runs on one item each (``ITEM_WISE``)?
    Not where it reads its run as a whole (`$input.all()`, `$runIndex`) or runs Execute Once."""
    node_facts = facts(task)
    if node_facts.disabled is True:
        return True  # passes its input through
    if node_facts.execute_once is True or node_facts.reads_own_run or task.dynamic or task.effects:
        return False
    return fx.short_type(task.kind) in ITEM_WISE


def _resets(node: dict) -> bool:
    """Is a Loop Over Items node's Reset option on (``true``, or an expression that may be)?"""
    params = node.get("parameters")
    options = params.get("options") if isinstance(params, dict) else None
    reset = options.get("reset") if isinstance(options, dict) else None
    return reset is True or isinstance(reset, str) and reset.startswith("=")


def _joins(task: Task, node: dict, inputs: list[tuple], labels: dict, v1: bool, back: set[tuple[str, str]]) -> None:
    """A non-Merge node fed by two nodes runs once per branch; a Merge must be wired one-to-one.

    Parents on different outputs of one IF/Switch are alternatives (each item takes one way), the
    usual n8n idiom for converging branches, not a missing join. A Loop Over Items with Reset takes
    each branch's items as a new set of batches: under v1, which runs each branch to its end, that
    is its design (measured on n8n 2.8.4: each batch processed whole); under v0 the second set
    comes mid-loop and leaves unprocessed, which executionOrder v1 mends, not a join. A connection
    that closes a loop back into the node (``back``) brings data on a later pass, after the node ran:
    a retry, never a branch beside the others (measured on n8n 2.8.4).
    """
    short = fx.short_type(task.kind)
    keys = list(labels)
    if short not in MERGE_TYPES:
        keys = [key for key in keys if (key[0], task.id) not in back]
        # Wired to two or more input indexes, any node is a join to n8n (it parks the data until
        # every index has some, then runs once): only parents on one index run it once each.
        index = {(u, out): idx for u, out, idx, _ptr in inputs}
        pairs = [(a, b) for i, a in enumerate(keys) for b in keys[i + 1:] if a[0] != b[0] and index[a] == index[b]]
        parallel = [(a, b) for a, b in pairs if not _apart(labels[a], labels[b])]
        if parallel:
            task.join = Join.EACH
            resets = short == "splitInBatches" and _resets(node)
            if resets and v1:
                task.put(PerArrival("a Loop Over Items with Reset: each branch's items are a new set of batches"))
            some_exclusive = len(parallel) < len(pairs)
            safe = not task.opaque and not task.dynamic and facts(task).execute_once is not True
            update(task, join_fix="display" if some_exclusive or resets else ("safe" if safe else "unsafe"))
        return
    raw_params = node.get("parameters")
    params = raw_params if isinstance(raw_params, dict) else {}
    count = params.get("numberInputs", 2) if fx.version(node) >= 3 else 2
    count = count if isinstance(count, int) and not isinstance(count, bool) else 2
    issues = []
    valid = 1 <= count <= fx.MAX_MERGE_INPUTS
    if not valid:  # n8n offers no such Merge: say so, and judge only the inputs it is wired with
        issues.append(f"numberInputs is {count}; n8n's Merge takes 2 to {fx.MAX_MERGE_INPUTS} inputs")
        count = fx.MAX_MERGE_INPUTS
    by_index: dict[int, list[str]] = {}
    keys_at: dict[int, list] = {}
    for u, out, idx, _ptr in inputs:
        by_index.setdefault(idx, []).append(u)
        keys_at.setdefault(idx, []).append((u, out))
    for idx, sources in sorted(by_index.items()):
        at = keys_at[idx]
        together = any(not _apart(labels[a], labels[b]) for i, a in enumerate(at) for b in at[i + 1:])
        if idx >= count:
            issues.append(f"a connection from `{sources[0]}` goes to input {idx + 1}, but this Merge has {count} inputs")
        elif len(sources) > 1 and together:
            issues.append(f"input {idx + 1} has {len(sources)} connections ({', '.join(f'`{s}`' for s in sources)}); "
                          "the Merge runs once per arriving branch instead of joining them")
    if by_index and valid:
        for idx in range(count):
            if idx not in by_index and not _passes_on_without(params, idx, fx.version(node)):
                mode = params.get("mode") or "append"
                issues.append(f"input {idx + 1} is not connected; n8n runs the Merge at once with the other inputs' "
                              f"items only, so its `{mode}` mode combines them with nothing: nothing is joined "
                              "(combining all, by position, or by matching fields keeping matches, it outputs no item)")
    if issues:
        update(task, join_issues=tuple(issues))


def _passes_on_without(params: dict, idx: int, version: float) -> bool:
    """Whether a Merge whose input ``idx`` is unwired still outputs what its wired inputs bring,
    as without it: append concatenates the inputs (an unwired one adds nothing), v1's passThrough
    and v3's chooseBranch output one chosen input, and v2.x's combining modes return the input that
    has data when the other has none (MergeV2.node.js, run on n8n 2.8.4): by position, and by fields
    where the join mode keeps what does not match (v2.1; v2.0 first checks that the fields are in
    both inputs and fails). Other combining modes output nothing, or something else, without it."""
    mode = params.get("mode") or "append"  # every version's default
    if mode == "append":
        return True
    if mode == "passThrough":
        return (params.get("output") or "input1") != f"input{idx + 1}"
    if mode == "chooseBranch" and version >= 3:  # v3 outputs the items of the input it names
        chosen = params.get("useDataOfInput", 1)
        return (params.get("output") or "specifiedInput") == "specifiedInput" and str(chosen).strip() != str(idx + 1)
    if mode != "combine" or not 2 <= version < 3:
        return False
    combination = params.get("combinationMode") or "mergeByFields"
    if combination == "mergeByPosition":
        return True
    if combination != "mergeByFields" or version < 2.1:
        return False
    join = params.get("joinMode") or "keepMatches"
    if join == "keepNonMatches":
        return (params.get("outputDataFrom") or "both") != f"input{idx + 1}"
    # enriching input 1 outputs it whole when input 2 is missing, and the reverse; not itself
    return join == "keepEverything" or join == f"enrichInput{2 - idx}"


def _number(value) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0
