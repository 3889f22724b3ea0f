"""Mermaid pictures GitHub renders inline: the task graph (flowchart) and schedules (gantt)."""
from __future__ import annotations

import re
from collections.abc import Set

from ..display import printable
from ..ir import Workflow

# Words Mermaid reads as syntax where an id stands (``end`` closes a subgraph, ``class`` styles).
RESERVED = {"end", "graph", "flowchart", "subgraph", "style", "class", "classdef", "click", "linkstyle",
            "default", "direction", "call", "href", "callback", "section", "title", "gantt", "crit", "done",
            "active", "milestone", "after", "todaymarker", "excludes", "includes", "dateformat", "axisformat"}


MAX_TEXT = 50_000  # Mermaid's default maxTextSize: a longer diagram renders as an error, not a picture
_NOT_WORD = re.compile(r"\W+", re.ASCII)


class NodeIds:
    """Mermaid ids must be plain words; keep them readable and unique, never a keyword. The ids
    taken are kept as a set, so naming n tasks is linear."""

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}
        self.taken: set[str] = set()

    def __call__(self, task_id: str) -> str:
        if task_id not in self.ids:
            plain = task_id.isascii() and task_id.replace("_", "a").isalnum()  # most ids: one word already
            base = (task_id if plain else _NOT_WORD.sub("_", task_id)).strip("_") or "task"
            if not base[0].isalpha() or base.lower() in RESERVED:
                base = "t_" + base
            candidate, n = base, 1
            while candidate in self.taken:
                n += 1
                candidate = f"{base}_{n}"
            self.ids[task_id] = candidate
            self.taken.add(candidate)
        return self.ids[task_id]


def label(text: str) -> str:
    """A quoted Mermaid label: one line, with the characters Mermaid reads as syntax as entities."""
    shown = (printable(text).replace("#", "#35;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
             .replace("`", "#96;"))
    return '"' + shown + '"'


def _gantt_text(text: str) -> str:
    """A gantt title or task name: ``:`` ends a name, ``#`` and ``;`` start comments and entities."""
    return printable(text).replace(":", " ").replace("#", " ").replace(";", ",").replace("<", "‹").replace(">", "›")


def flowchart(workflow: Workflow, edges: list[tuple[str, str, str]], critical: Set[str] = frozenset()) -> str:
    """``edges`` are (u, v, kind); kinds other than data/control are drawn dotted; ``critical``
    tasks (the report's critical path) are drawn in the critical colour."""
    node_id = NodeIds()
    lines = ["flowchart LR"]
    for t, task in workflow.tasks.items():
        lines.append(f"    {node_id(t)}[{label(task.name)}]")
    for u, v, kind in edges:
        arrow = "-->" if kind in ("data", "control", "needed") else "-.->"
        lines.append(f"    {node_id(u)} {arrow} {node_id(v)}")
    on_path = [node_id(t) for t in workflow.tasks if t in critical]
    if on_path:
        lines += ["    classDef critical fill:#ffebe9,stroke:#cf222e,stroke-width:2px",
                  f"    class {','.join(on_path)} critical"]
    return "\n".join(lines)


def gantt(title: str, names: dict[str, str], start: dict[str, float], finish: dict[str, float],
          critical: Set[str] = frozenset(), rows: list[str] | None = None) -> str:
    """A schedule as a gantt chart; times in milliseconds (``dateFormat x``). ``rows``: the order
    of the rows (the same before and after, so a task keeps its line), else by start."""
    node_id = NodeIds()
    lines = ["gantt", f"    title {_gantt_text(title)}", "    dateFormat x", "    axisFormat %M:%S", "    section Tasks"]
    for t in rows or sorted(start, key=lambda x: (start[x], x)):
        tags = ("crit, " if t in critical else "") + node_id(t)
        text = _gantt_text(names[t])
        lines.append(f"    {text} :{tags}, {round(start[t] * 1000)}, {round(finish[t] * 1000)}")
    return "\n".join(lines)
