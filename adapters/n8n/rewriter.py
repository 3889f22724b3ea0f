"""Turn IR-level fixes into edits of the original n8n JSON text (DESIGN §4, §9).

Edits are splices into the original text: untouched nodes, unknown keys, ids, positions,
``pinData``, ``meta`` and the file's indentation stay byte for byte. Supported changes:

* ``insert_join`` (SAF003): a Merge node (typeVersion 3, mode append, which waits for every
  connected input) with a fresh uuid and a unique name is added; each branch's connection into the
  target now goes to its own Merge input (0, 1, ...), and the Merge feeds the target once.
* ``set_execution_order`` (PAR102): ``settings.executionOrder`` set to ``"v1"``.

``verify`` then checks the re-read workflow against n8n's structural rules: every Merge input
wired exactly once and in range, the same execution order setting (never ``"v2"``), known
type versions, and the original nodes still run in the same relative order.
"""
from __future__ import annotations

import json
import re
import uuid

from wflint.errors import RewriteError
from wflint.sourcemap import json_offsets

from .effects import short_type

MERGE_TYPE = "n8n-nodes-base.merge"
MERGE_VERSION = 3
MAX_MERGE_INPUTS = 10
SUPPORTED = {"insert_join", "set_execution_order"}


def supports(workflow, change) -> bool:
    return workflow.format == "n8n" and change.op in SUPPORTED


def rewrite(text: str, workflow, changes) -> str:
    for change in changes:
        if change.op == "insert_join":
            text = _insert_join(text, workflow, change)
        elif change.op == "set_execution_order":
            text = _set_execution_order(text, workflow, change.u or "v1")
        else:
            raise RewriteError(f"the n8n rewriter cannot apply {change.op!r}")
    return text


# ----------------------------------------------------------------------------- text helpers

class _Doc:
    """The text, its parsed value and where each JSON pointer starts (keys for members)."""

    def __init__(self, text: str, prefix: tuple) -> None:
        self.text = text
        self.data = json.loads(text)
        self.offsets = json_offsets(text)
        self.prefix = prefix
        self.root = self.data
        for key in prefix:
            self.root = self.root[key]

    def value_start(self, pointer: tuple) -> int:
        """Offset of the value at ``pointer`` (members are indexed by their key)."""
        offset = self.offsets[pointer]
        if pointer and isinstance(pointer[-1], str):
            m = re.compile(r'"(?:[^"\\]|\\.)*"\s*:\s*').match(self.text, offset)
            if m is None:
                raise RewriteError(f"cannot find the value of {pointer[-1]!r}")
            return m.end()
        return offset

    def value_end(self, pointer: tuple) -> int:
        start = self.value_start(pointer)
        _, end = json.JSONDecoder().raw_decode(self.text, start)
        return end


def _indent_unit(text: str) -> str:
    m = re.search(r"\n([ \t]+)\"", text)
    if m is None:
        return ""
    first = m.group(1)
    return "\t" if first.startswith("\t") else " " * min(len(first), 4)


def _dump(value, unit: str, depth: int) -> str:
    """JSON for a new value, in the file's style, starting at nesting ``depth``."""
    if not unit:
        return json.dumps(value, ensure_ascii=False)
    body = json.dumps(value, ensure_ascii=False, indent=unit if unit == "\t" else len(unit))
    return body.replace("\n", "\n" + unit * depth)


def _append_member(doc: _Doc, container: tuple, key: str, value, unit: str, depth: int) -> str:
    """Text with ``"key": value`` added as the last member of the object at ``container``."""
    text = doc.text
    end = doc.value_end(container) - 1  # the closing brace
    inner = text[doc.value_start(container) + 1:end]
    member = f"{json.dumps(key, ensure_ascii=False)}: {_dump(value, unit, depth + 1)}"
    if not inner.strip():
        if unit:
            return text[:end - len(inner)] + "\n" + unit * (depth + 1) + member + "\n" + unit * depth + text[end:]
        return text[:end - len(inner)] + member + text[end:]
    last = len(text[:end].rstrip())
    gap = re.match(r"\s*", inner).group()
    return text[:last] + "," + (gap or " ") + member + text[last:]


def _append_element(doc: _Doc, array: tuple, value, unit: str, depth: int) -> str:
    text = doc.text
    end = doc.value_end(array) - 1
    inner = text[doc.value_start(array) + 1:end]
    element = _dump(value, unit, depth + 1)
    if not inner.strip():
        return text[:end - len(inner)] + (("\n" + unit * (depth + 1)) if unit else "") + element + \
            (("\n" + unit * depth) if unit else "") + text[end:]
    last = len(text[:end].rstrip())
    gap = re.match(r"\s*", inner).group()
    return text[:last] + "," + (gap or " ") + element + text[last:]


def _replace_value(doc: _Doc, pointer: tuple, value) -> str:
    start, end = doc.value_start(pointer), doc.value_end(pointer)
    return doc.text[:start] + json.dumps(value, ensure_ascii=False) + doc.text[end:]


# ----------------------------------------------------------------------------- changes

def _prefix(workflow) -> tuple:
    return tuple(workflow.location.pointer)


def _set_execution_order(text: str, workflow, value: str) -> str:
    if value != "v1":
        raise RewriteError(f"refusing to write executionOrder {value!r}: n8n knows only v0 and v1")
    doc = _Doc(text, _prefix(workflow))
    unit = _indent_unit(text)
    depth = len(doc.prefix)
    settings = doc.root.get("settings")
    if "settings" not in doc.root:
        return _append_member(doc, doc.prefix, "settings", {"executionOrder": "v1"}, unit, depth)
    if settings is None or settings == []:  # some exports carry null or an empty array
        return _replace_value(doc, doc.prefix + ("settings",), {"executionOrder": "v1"})
    if not isinstance(settings, dict):
        raise RewriteError("settings is not an object")
    if "executionOrder" in settings:
        return _replace_value(doc, doc.prefix + ("settings", "executionOrder"), "v1")
    return _append_member(doc, doc.prefix + ("settings",), "executionOrder", "v1", unit, depth + 1)


def _insert_join(text: str, workflow, change) -> str:
    doc = _Doc(text, _prefix(workflow))
    target = change.v
    branches = list(change.tasks)
    if not 2 <= len(branches) <= MAX_MERGE_INPUTS:
        raise RewriteError(f"a Merge takes 2 to {MAX_MERGE_INPUTS} inputs, not {len(branches)}")
    nodes, connections = doc.root["nodes"], doc.root["connections"]
    by_name = {n.get("name"): n for n in nodes if isinstance(n, dict)}
    if target not in by_name:
        raise RewriteError(f"no node named {target!r}")
    # Each branch must reach the target through exactly one main connection.
    links: list[tuple] = []
    for branch in branches:
        found = [(branch, o, j) for o, slot in enumerate((connections.get(branch) or {}).get("main") or [])
                 for j, c in enumerate(slot or []) if isinstance(c, dict) and c.get("node") == target]
        if len(found) != 1:
            raise RewriteError(f"{branch} has {len(found)} connections into {target}; expected one")
        links.extend(found)
    name = _unique_name("Merge", by_name)
    position = _merge_position(by_name[target], [by_name[b] for b in branches if b in by_name])
    unit = _indent_unit(text)
    depth = len(doc.prefix)
    # Splice from the end of the file backwards so earlier offsets stay valid: the connection
    # edits and the two appends are applied in decreasing offset order.
    edits: list[tuple[int, int, str]] = []
    for i, (branch, o, j) in enumerate(links):
        pointer = doc.prefix + ("connections", branch, "main", o, j)
        for key, value in (("node", name), ("index", i)):
            if key not in connections[branch]["main"][o][j]:
                raise RewriteError(f"a connection from {branch} has no {key!r}")
            start, end = doc.value_start(pointer + (key,)), doc.value_end(pointer + (key,))
            edits.append((start, end, json.dumps(value, ensure_ascii=False)))
    target_index = 0
    node = {"parameters": {} if len(branches) == 2 else {"numberInputs": len(branches)},
            "id": str(uuid.uuid4()), "name": name, "type": MERGE_TYPE, "typeVersion": MERGE_VERSION,
            "position": position}
    new_connection = {"main": [[{"node": target, "type": "main", "index": target_index}]]}
    for start, end, value in sorted(edits, reverse=True):
        doc.text = doc.text[:start] + value + doc.text[end:]
    doc = _Doc(doc.text, doc.prefix)
    text = _append_member(doc, doc.prefix + ("connections",), name, new_connection, unit, depth + 1)
    doc = _Doc(text, doc.prefix)
    return _append_element(doc, doc.prefix + ("nodes",), node, unit, depth + 1)


def _unique_name(base: str, taken) -> str:
    if base not in taken:
        return base
    n = 1
    while f"{base}{n}" in taken:
        n += 1
    return f"{base}{n}"


def _merge_position(target: dict, branches: list[dict]) -> list[float]:
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


def verify(old, new, changes) -> str | None:
    """n8n's structural invariants on the re-read workflow (n8n's import checks almost none)."""
    if new.attrs.get("execution_order_value") not in (None, "v0", "v1"):
        return "the rewrite wrote an execution order n8n does not have"
    wanted_order = any(c.op == "set_execution_order" for c in changes)
    if not wanted_order and new.attrs.get("execution_order_value") != old.attrs.get("execution_order_value"):
        return "the rewrite changed settings.executionOrder"
    added = set(new.tasks) - set(old.tasks)
    if set(old.tasks) - set(new.tasks):
        return "the rewrite lost a node"
    for t in added:
        task = new.tasks[t]
        known = KNOWN_VERSIONS.get(short_type(task.kind))
        if known is None or task.attrs.get("typeVersion") not in known:
            return f"the new node {t} has an unknown type or version"
    for t, task in new.tasks.items():
        if task.attrs.get("join_issues") and not old.tasks.get(t, task).attrs.get("join_issues"):
            return f"{t}: " + "; ".join(task.attrs["join_issues"])
    for change in changes:
        if change.op == "insert_join" and len([e for e in new.edges
                                                if e.v == change.v and e.kind.value == "order"]) != 1:
            return f"{change.v} is still fed by more than one connection"
    before = [t for t in old.execution_model.order]
    after = [t for t in new.execution_model.order if t in old.tasks]
    if not wanted_order and before != after:
        return "the rewrite changed the order in which n8n runs the existing nodes"
    return None
