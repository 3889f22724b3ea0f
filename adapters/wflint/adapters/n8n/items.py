"""How many items reach a branch in one n8n execution: one, or possibly several.

A single item leaves an IF, a Switch or an error output by one output only, so where every branch
point of a run gets at most one item, the run is one of the per-output scenarios and never the
"every output at once" superposition. Several items can take different ways only where a node
before the branch can emit more than one (a read, an HTTP response split into items, a Code node
run once for all items, a polling trigger, a loop's batch). Unknown counts as several.
"""
from __future__ import annotations

from collections.abc import Iterable, Set

from . import effects as fx

# Triggers that start one execution per event with one item (measured item shapes in n8n-nodes-base:
# a webhook request, a form submission, a chat message, a schedule tick, a manual run, a bot update).
# Polling triggers (Gmail, Sheets, RSS, Drive, ...) may deliver several items at once.
ONE_ITEM_TRIGGERS = {"manualTrigger", "webhook", "formTrigger", "scheduleTrigger", "cron", "interval", "start",
                     "errorTrigger", "telegramTrigger", "slackTrigger", "githubTrigger", "linearTrigger",
                     "typeformTrigger", "stripeTrigger", "n8nTrigger", "@n8n/n8n-nodes-langchain.chatTrigger",
                     "@n8n/n8n-nodes-langchain.manualChatTrigger"}
# Nodes that emit at most one item per item they get (or one in all): routers and filters pass an
# item or not, aggregators fold all into one, model calls answer each item once.
ITEM_KEEPING = {"if", "switch", "filter", "noOp", "aggregate", "summarize", "functionItem",
                "@n8n/n8n-nodes-langchain.agent", "@n8n/n8n-nodes-langchain.chainLlm",
                "@n8n/n8n-nodes-langchain.informationExtractor", "@n8n/n8n-nodes-langchain.textClassifier",
                "@n8n/n8n-nodes-langchain.sentimentAnalysis", "@n8n/n8n-nodes-langchain.chainSummarization"}
# Merge modes that emit one item from one item per input (append would emit both).
ONE_ITEM_MERGE_MODES = {"combine", "chooseBranch", "passThrough", "mergeByIndex", "mergeByKey", "combineByPosition"}


def one_item_at_every_branch(names: Iterable[str], nodes: dict[str, dict], parents: dict[str, list[str]],
                             starts: Set[str], routers: Set[str], one_to_one: dict[str, bool],
                             back: Set[tuple[str, str]]) -> bool:
    """True when every branch point a run from ``starts`` reaches gets at most one item.

    ``names`` in an order where a node's parents (but for ``back`` connections, which close loops)
    come first; a node in a loop body counts as several (the loop's batches)."""
    one: dict[str, bool] = {}
    for name in names:
        ins = [u for u in parents.get(name, ()) if (u, name) not in back]
        if any((u, name) in back for u in parents.get(name, ())):
            one[name] = False  # the way back into a loop brings more items on each pass
            continue
        node = nodes[name]
        inputs_one = all(one.get(u, False) for u in ins)
        one[name] = _emits_one(node, inputs_one, bool(ins), one_to_one.get(name, False), name in starts)
    reached = _reached(starts, parents, back, names)
    return all(one.get(r, False) for r in routers if r in reached and parents.get(r))


def _emits_one(node: dict, inputs_one: bool, fed: bool, one_to_one: bool, is_start: bool) -> bool:
    """Does this node emit at most one item per run, given whether its inputs do?"""
    short = fx.short_type(node["type"])
    if not fed:
        return is_start and short in ONE_ITEM_TRIGGERS
    if node.get("executeOnce") is True:
        return True
    if not inputs_one:
        return False
    if node.get("disabled") is True or one_to_one or short in ITEM_KEEPING:
        return True
    params: dict = node["parameters"] if isinstance(node.get("parameters"), dict) else {}
    if short == "code":
        return params.get("mode") == "runOnceForEachItem"
    if short == "merge":
        return params.get("mode") in ONE_ITEM_MERGE_MODES
    return False


def _reached(starts: Set[str], parents: dict[str, list[str]], back: Set[tuple[str, str]],
             names: Iterable[str]) -> set[str]:
    """Nodes a run from one of ``starts`` reaches (in parent-first order, one pass suffices)."""
    reached = set(starts)
    for name in names:
        if any(u in reached for u in parents.get(name, ()) if (u, name) not in back):
            reached.add(name)
    return reached
