"""Turn IR-level fixes into edits of the original n8n JSON text (docs/architecture.md).

Edits are splices into the original text (``jsonsplice``): untouched nodes, unknown keys, ids,
positions, ``pinData``, ``meta`` and the file's indentation stay byte for byte. Supported changes (no
``RemoveOrder``: n8n runs one node at a time, so rewiring a chain as branches saves nothing and
PAR001 does not fire on it):

* ``InsertJoin`` (SAF003): a Merge (mode append, which waits for every connected input) with a
  fresh uuid and a unique name is added; each branch's connection into the target now goes to
  its own Merge input (0, 1, ...), and the Merge feeds the target once.
* ``SetExecutionOrder`` (PAR102): ``settings.executionOrder`` set to ``"v1"``.
* ``RunOnce`` (PAR103): ``"executeOnce": true`` on the node.
* ``DetachRun`` (PAR104): ``options.waitForSubWorkflow: false`` on an Execute Workflow node.

``verify`` then checks the re-read workflow against n8n's structural rules: every Merge input
wired exactly once and in range, the same execution order setting (never ``"v2"``), known
type versions, and the original nodes still run in the same relative order.
"""
from __future__ import annotations

import json
import uuid

from wflint.edits import EditLog, TextEdit
from wflint.errors import RewriteError
from wflint.facets import ExecutionOrder
from wflint.finding import DetachRun, FixChange, InsertJoin, RunOnce, SetExecutionOrder, change_kind

from .effects import MAX_MERGE_INPUTS, short_type
from .facts import facts
from .jsonsplice import Doc, append_element, append_member, replace_value
from .passes import compare
from .reader import connection_links

MERGE_TYPE = "n8n-nodes-base.merge"
MERGE_VERSION = 3.2
SUPPORTED = (InsertJoin, SetExecutionOrder, RunOnce, DetachRun)


def supports(workflow, change: FixChange) -> bool:
    return workflow.format == "n8n" and isinstance(change, SUPPORTED)


def rewrite(text: str, workflow, changes: list[FixChange]) -> list[TextEdit]:
    """The edits of ``text`` that make ``changes``, each step placed on a fresh parse of the JSON
    the earlier ones left."""
    log = EditLog(text)
    for change in changes:
        if isinstance(change, InsertJoin):
            _insert_join(log, workflow, change)
        elif isinstance(change, SetExecutionOrder):
            log.apply(_set_execution_order(log.text, workflow, change.value or "v1"))
        elif isinstance(change, RunOnce):
            log.apply(_execute_once(log.text, workflow, change.task))
        elif isinstance(change, DetachRun):
            log.apply(_no_wait(log.text, workflow, change.task))
        else:
            raise RewriteError(f"the n8n rewriter cannot apply {change_kind(change)!r}")
    return log.edits


def _prefix(workflow) -> tuple:
    return tuple(workflow.location.pointer)


def _set_execution_order(text: str, workflow, value: str) -> TextEdit:
    if value != "v1":
        raise RewriteError(f"refusing to write executionOrder {value!r}: n8n knows only v0 and v1")
    doc = Doc(text, _prefix(workflow))
    settings = doc.root.get("settings")
    if "settings" not in doc.root:
        return append_member(doc, doc.prefix, "settings", {"executionOrder": "v1"})
    if settings is None or settings == []:  # some exports carry null or an empty array
        return replace_value(doc, doc.prefix + ("settings",), {"executionOrder": "v1"})
    if not isinstance(settings, dict):
        raise RewriteError("settings is not an object")
    if "executionOrder" in settings:
        return replace_value(doc, doc.prefix + ("settings", "executionOrder"), "v1")
    return append_member(doc, doc.prefix + ("settings",), "executionOrder", "v1")


def _node_pointer(doc: Doc, name: str) -> tuple:
    """The node n8n runs under ``name``: the last of that name (n8n keeps the last)."""
    found = [i for i, n in enumerate(doc.root["nodes"]) if isinstance(n, dict) and n.get("name") == name]
    if not found:
        raise RewriteError(f"no node named {name!r}")
    return doc.prefix + ("nodes", found[-1])


def _no_wait(text: str, workflow, name: str) -> TextEdit:
    """``options.waitForSubWorkflow`` false on an Execute Workflow node (options made if missing)."""
    doc = Doc(text, _prefix(workflow))
    pointer = _node_pointer(doc, name) + ("parameters",)
    params = doc.root["nodes"][pointer[-2]].get("parameters")
    if not isinstance(params, dict):
        raise RewriteError(f"{name} has no parameters object")
    options = params.get("options")
    if "options" not in params:
        return append_member(doc, pointer, "options", {"waitForSubWorkflow": False})
    if not isinstance(options, dict):
        raise RewriteError(f"{name}'s options is not an object")
    if "waitForSubWorkflow" in options:
        return replace_value(doc, pointer + ("options", "waitForSubWorkflow"), False)
    return append_member(doc, pointer + ("options",), "waitForSubWorkflow", False)


def _execute_once(text: str, workflow, name: str) -> TextEdit:
    doc = Doc(text, _prefix(workflow))
    pointer = _node_pointer(doc, name)
    index = pointer[-1]
    if "executeOnce" in doc.root["nodes"][index]:
        return replace_value(doc, pointer + ("executeOnce",), True)
    return append_member(doc, pointer, "executeOnce", True)


def _retarget(doc: Doc, pointer: tuple, node: str, index: int) -> list[TextEdit]:
    """Edits pointing the connection at ``pointer`` to input ``index`` of ``node``."""
    conn = _at(doc.data, pointer)
    edits = []
    for key, value in (("node", node), ("index", index)):
        if key not in conn:
            raise RewriteError(f"a connection at {'/'.join(map(str, pointer))} has no {key!r}")
        edits.append(TextEdit(doc.value_start(pointer + (key,)), doc.value_end(pointer + (key,)),
                              json.dumps(value, ensure_ascii=False)))
    return edits


def _at(data, pointer: tuple):
    for key in pointer:
        data = data[key]
    return data


def _insert_join(log: EditLog, workflow, change: InsertJoin) -> None:
    doc = Doc(log.text, _prefix(workflow))
    target = change.task
    branches = list(change.branches)
    if not 2 <= len(branches) <= MAX_MERGE_INPUTS:
        raise RewriteError(f"a Merge takes 2 to {MAX_MERGE_INPUTS} inputs, not {len(branches)}")
    nodes, connections = doc.root["nodes"], doc.root["connections"]
    by_name = {n.get("name"): n for n in nodes if isinstance(n, dict)}
    if target not in by_name:
        raise RewriteError(f"no node named {target!r}")
    # Each branch must reach the target through exactly one main connection.
    into = [link for link in connection_links(connections, doc.prefix, by_name)
            if link["to"] == target and link["type"] == "main"]
    pointers = []
    for branch in branches:
        found = [link["pointer"] for link in into if link["from"] == branch]
        if len(found) != 1:
            raise RewriteError(f"{branch} has {len(found)} connections into {target}; expected one")
        pointers += found
    name = _unique_name("Merge", by_name)
    edits: list[TextEdit] = []
    for i, pointer in enumerate(pointers):
        edits += _retarget(doc, pointer, name, i)
    node = {"parameters": {} if len(branches) == 2 else {"numberInputs": len(branches)},
            "id": _node_id(workflow, name, [target, *branches]), "name": name, "type": MERGE_TYPE,
            "typeVersion": MERGE_VERSION,
            "position": _join_position(by_name[target], [by_name[b] for b in branches if b in by_name])}
    log.apply(*edits)
    log.apply(append_member(Doc(log.text, doc.prefix), doc.prefix + ("connections",), name,
                            {"main": [[{"node": target, "type": "main", "index": 0}]]}))
    log.apply(append_element(Doc(log.text, doc.prefix), doc.prefix + ("nodes",), node))


def _node_id(workflow, name: str, around) -> str:
    """A uuid for an inserted node, derived from the workflow and the nodes it joins: the same fix
    gives the same bytes every time (``--diff`` previews exactly what ``fix`` writes)."""
    seed = "\0".join([workflow.name, name, *around])
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "wflint:" + seed))


def _unique_name(base: str, taken) -> str:
    if base not in taken:
        return base
    n = 1
    while f"{base}{n}" in taken:
        n += 1
    return f"{base}{n}"


def _join_position(target: dict, branches: list[dict]) -> list[float]:
    """Just left of the target, at its height: the target's place among its siblings is unchanged."""
    tx, ty = _xy(target)
    bx = max((_xy(b)[0] for b in branches), default=tx - 440)
    x = (bx + tx) / 2 if tx - bx >= 40 else tx - 20
    return [int(x) if float(x).is_integer() else x, ty]


def _xy(node: dict) -> tuple[float, float]:
    pos = node.get("position")
    if isinstance(pos, list) and len(pos) >= 2 and all(isinstance(c, (int, float)) for c in pos[:2]):
        return pos[0], pos[1]
    return 0, 0


# ----------------------------------------------------------------------------- checks

KNOWN_VERSIONS = {"merge": {1, 2, 2.1, 3, 3.1, 3.2}}


def verify(old, new, changes: list[FixChange]) -> str | None:
    """n8n's structural invariants on the re-read workflow (n8n's import checks almost none)."""
    if _order_value(new) not in (None, "v0", "v1"):
        return "the rewrite wrote an execution order n8n does not have"
    wanted_order = any(isinstance(c, SetExecutionOrder) for c in changes)
    if not wanted_order and _order_value(new) != _order_value(old):
        return "the rewrite changed settings.executionOrder"
    added = set(new.tasks) - set(old.tasks)
    if set(old.tasks) - set(new.tasks):
        return "the rewrite lost a node"
    for t in added:
        task = new.tasks[t]
        known = KNOWN_VERSIONS.get(short_type(task.kind))
        if known is None or facts(task).type_version not in known:
            return f"the new node {t} has an unknown type or version"
    for t, task in new.tasks.items():
        if facts(task).join_issues and not facts(old.tasks.get(t, task)).join_issues:
            return f"{t}: " + "; ".join(facts(task).join_issues)
    for change in changes:
        if isinstance(change, RunOnce) and facts(new.tasks[change.task]).execute_once is not True:
            return f"{change.task} does not have Execute Once"
        if isinstance(change, DetachRun) and facts(new.tasks[change.task]).child_run != (False, True):
            return f"{change.task} still waits for its sub-workflow"
        if isinstance(change, InsertJoin) and len([e for e in new.edges
                                                   if e.v == change.task and e.kind.value == "order"]) != 1:
            return f"{change.task} is still fed by more than one connection"
    before = list(old.execution_model.order)
    after = [t for t in new.execution_model.order if t in old.tasks]
    if not wanted_order and before != after:
        return "the rewrite changed the order in which n8n runs the existing nodes"
    once = {c.task for c in changes if isinstance(c, RunOnce)}  # runs on its first item by design
    joined = _downstream(old, {c.task for c in changes if isinstance(c, InsertJoin)})
    return _every_pass_kept(old, new, keep_order=not wanted_order, own_items=once, joined=joined)


def _downstream(workflow, tasks: set[str]) -> set[str]:
    """``tasks`` and every task after them along the workflow's edges."""
    found, stack = set(tasks), list(tasks)
    while stack:
        u = stack.pop()
        for e in workflow.edges:
            if e.u == u and e.v not in found:
                found.add(e.v)
                stack.append(e.v)
    return found


def _every_pass_kept(old, new, keep_order: bool, own_items: set[str], joined: set[str]) -> str | None:
    """Each start and way through the routers, for 1, 2 and 3 items: every existing node runs as
    often, on the same items (and, unless the order is what the fix sets, in the same order)."""
    before, after = old.facet(ExecutionOrder), new.facet(ExecutionOrder)
    if before is None or after is None:
        return None
    runs_after = {(s.start, s.choices): s.run_logs for s in after.scenarios}
    for scenario in before.scenarios:
        logs = runs_after.get((scenario.start, scenario.choices))
        if logs is None or len(logs) != len(scenario.run_logs):
            return f"the rewrite changed the ways an execution from {scenario.start} can take"
        for k, (was, now) in enumerate(zip(scenario.run_logs, logs, strict=True), 1):
            why = compare(was, now, set(old.tasks), keep_order, own_items, joined)
            if why is not None:
                return f"unsafe: with {k} item{'s' * (k > 1)} from {scenario.start}, {why}"
    return None


def _order_value(workflow) -> object:
    order = workflow.facet(ExecutionOrder)
    return order.value if order else None
