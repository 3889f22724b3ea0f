"""Graphviz DOT, the universal graph export (GitHub does not render it; use mermaid there)."""
from __future__ import annotations

from ..ir import Workflow


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def digraph(workflow: Workflow, edges: list[tuple[str, str, str]]) -> str:
    lines = [f"digraph {_q(workflow.name)} {{", "  rankdir=LR;", "  node [shape=box];"]
    for t, task in workflow.tasks.items():
        lines.append(f"  {_q(t)} [label={_q(task.name)}];")
    for u, v, kind in edges:
        style = "" if kind in ("data", "control", "needed") else " [style=dashed]"
        lines.append(f"  {_q(u)} -> {_q(v)}{style};")
    lines.append("}")
    return "\n".join(lines)
