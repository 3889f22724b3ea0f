"""Which nodes' items an n8n run hands back to what started it (SAF003's join fix).

A workflow started by an Execute Workflow Trigger returns its last node's items to the calling
workflow; one started by a webhook that answers with its last node (``responseMode: lastNode``)
sends them as the response. Under v1 a node fed by two branches with no Merge runs once per branch,
and the caller gets what its last run made; with a Merge (append) in front it gets every branch's
items at once. So a join fix at or before such a path end changes what the caller receives.
"""
from __future__ import annotations

from wflint.ir import Task

from . import effects as fx

RETURNING_STARTS = {"executeWorkflowTrigger"}  # the caller gets the last node's items


def handed_back(names: list[str], tasks: dict[str, Task], nodes: dict[str, dict], onward: dict[str, list[str]],
                starts: dict[str, set[str]]) -> set[str]:
    """The path ends (no node after them) of a run whose start hands its last node's items back."""
    returning = {s for s in {s for n in names for s in starts.get(n, ())} if s in tasks and _returns(tasks[s], nodes[s])}
    return {n for n in names if not onward.get(n) and starts.get(n, set()) & returning}


def _returns(start: Task, node: dict) -> bool:
    short = fx.short_type(start.kind)
    params = node.get("parameters")
    return short in RETURNING_STARTS or short == "webhook" and isinstance(params, dict) \
        and params.get("responseMode") == "lastNode"
