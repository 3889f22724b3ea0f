"""Who sees what an n8n node's runs make: the items a run hands back to what started it (SAF003's
join fix), and the nodes whose runs nobody sees at all (no SAF003).

A workflow started by an Execute Workflow Trigger returns its last node's items to the calling
workflow; one started by a webhook or form that answers with its last node (``responseMode:
lastNode``) sends them as the response, and a chat trigger answers with the last node's output
unless a Respond node does. Under v1 a node fed by two branches with no Merge runs once per branch,
and the caller gets what its last run made; with a Merge (append) in front it gets every branch's
items at once. So a join fix at or before such a path end changes what the caller receives.
"""
from __future__ import annotations

from wflint.ir import Task

from . import effects as fx
from .facts import facts
from .order import before_every_branch

RETURNING_STARTS = {"executeWorkflowTrigger"}  # the caller gets the last node's items
ANSWERING_STARTS = {"webhook", "formTrigger"}  # ... with ``responseMode: lastNode``
CHAT_STARTS = {fx.LANGCHAIN + "chatTrigger", fx.LANGCHAIN + "manualChatTrigger"}
CHAT_OWN_REPLY = {"responseNode", "responseNodes", "streaming"}  # a Respond node or a stream answers
# In-memory nodes whose runs nobody outside the run sees. Not Respond to Webhook (the answer), Stop
# and Error (fails the run), Execution Data (saved with it), Wait (a resume), nor Loop Over Items.
QUIET = fx.PURE - {"respondToWebhook", "stopAndError", "executionData", "wait", "splitInBatches", "start"}
LOOK_AHEAD = 64  # nodes: past this, presume something after it is seen


def handed_back(names: list[str], tasks: dict[str, Task], nodes: dict[str, dict], onward: dict[str, list[str]],
                starts: dict[str, set[str]]) -> set[str]:
    """The path ends (no node after them) of a run whose start hands its last node's items back."""
    returning = {s for s in {s for n in names for s in starts.get(n, ())} if s in tasks and _returns(tasks[s], nodes[s])}
    return {n for n in names if not onward.get(n) and starts.get(n, set()) & returning}


def _returns(start: Task, node: dict) -> bool:
    short = fx.short_type(start.kind)
    params = node.get("parameters")
    mode = params.get("responseMode") if isinstance(params, dict) else None
    if start.kind in CHAT_STARTS:
        options = params.get("options") if isinstance(params, dict) else None
        mode = mode or (options.get("responseMode") if isinstance(options, dict) else None)
        return mode not in CHAT_OWN_REPLY
    return short in RETURNING_STARTS or short in ANSWERING_STARTS and mode == "lastNode"


def unobserved(name: str, tasks: dict[str, Task], nodes: dict[str, dict], parents: dict[str, list[str]],
               children: dict[str, list[tuple[str, int, int]]], returned: set[str]) -> bool:
    """Does no one see ``name``'s runs? So where it and every node after it (``children``, ways
    back into a loop included: those run the loop again) work in memory only
    (``_quiet``), hand nothing back (``returned``), and read (``$('X')``) no node but those after
    ``name`` and those that ran before every branch into it: a first run that reads a branch yet
    to run fails the execution. Looks ``LOOK_AHEAD`` nodes ahead at most."""
    after, stack = {name}, [name]
    while stack:
        n = stack.pop()
        if n in returned or not _quiet(tasks[n], nodes[n]) or len(after) > LOOK_AHEAD:
            return False
        for m, _, _ in children.get(n, ()):
            if m not in after:
                after.add(m)
                stack.append(m)
    outside = {r for n in after for r in (*facts(tasks[n]).paired_refs, *facts(tasks[n]).run_reads) if r not in after}
    return not outside or outside <= before_every_branch(parents, name)


def _quiet(task: Task, node: dict) -> bool:
    """Works in memory only: a logic node with no known effect, or code that only computes. Not
    one that reads its run as a whole (`$input.all()`): it is written to see every branch's items
    at once, and each of its runs sees one branch's (the bug, whoever sees the result)."""
    if facts(task).disabled is True:
        return True  # passes its input through
    if facts(task).reads_own_run:
        return False
    if task.dynamic or task.effects or task.apis or task.pools:
        return False
    short = fx.short_type(task.kind)
    if short in fx.CODE_TYPES:
        return fx.code_stays_in_memory(node)
    return short in QUIET and not task.opaque
