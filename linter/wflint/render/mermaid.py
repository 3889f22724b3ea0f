"""Mermaid pictures GitHub renders inline: the task graph (flowchart) and schedules (gantt)."""
from __future__ import annotations

import re
from collections.abc import Set

from ..display import printable
from ..ir import Workflow


def node_id(task_id: str, ids: dict[str, str]) -> str:
    """Mermaid ids must be plain words; keep them readable and unique."""
    if task_id not in ids:
        base = re.sub(r"\W+", "_", task_id).strip("_") or "task"
        if not base[0].isalpha():
            base = "t_" + base
        candidate, n = base, 1
        while candidate in ids.values():
            n += 1
            candidate = f"{base}_{n}"
        ids[task_id] = candidate
    return ids[task_id]


def label(text: str) -> str:
    """A quoted Mermaid label: one line, with the characters Mermaid reads as syntax as entities."""
    shown = printable(text).replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
    return '"' + shown + '"'


def flowchart(workflow: Workflow, edges: list[tuple[str, str, str]]) -> str:
    """``edges`` are (u, v, kind); kinds other than data/control are drawn dotted."""
    ids: dict[str, str] = {}
    lines = ["flowchart LR"]
    for t, task in workflow.tasks.items():
        lines.append(f"    {node_id(t, ids)}[{label(task.name)}]")
    for u, v, kind in edges:
        arrow = "-->" if kind in ("data", "control", "needed") else "-.->"
        lines.append(f"    {node_id(u, ids)} {arrow} {node_id(v, ids)}")
    return "\n".join(lines)


def gantt(title: str, names: dict[str, str], start: dict[str, float], finish: dict[str, float],
          critical: Set[str] = frozenset()) -> str:
    """A schedule as a gantt chart; times in milliseconds (``dateFormat x``)."""
    ids: dict[str, str] = {}
    lines = ["gantt", f"    title {printable(title)}", "    dateFormat x", "    axisFormat %M:%S", "    section Tasks"]
    for t in sorted(start, key=lambda x: (start[x], x)):
        tags = ("crit, " if t in critical else "") + node_id(t, ids)
        text = printable(names[t]).replace(":", " ").replace("#", " ").replace("<", "‹").replace(">", "›")
        lines.append(f"    {text} :{tags}, {round(start[t] * 1000)}, {round(finish[t] * 1000)}")
    return "\n".join(lines)
