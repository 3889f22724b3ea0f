"""What the n8n reader knows about a node beyond the IR, for its own passes and its rewriter
(rules read the shared facets in ``wflint.facets``, derived from these at the end of the read)."""
from __future__ import annotations

from dataclasses import replace

from wflint.ir import Facet, Task
from wflint.records import dataclass


@dataclass(frozen=True, slots=True)
class NodeFacts(Facet):
    """What the n8n reader learnt of a node that only this adapter's own code reads."""

    type: str
    type_version: object
    position: tuple[float, float]
    notes: object = None  # as written (a string where it is text)
    disabled: object = None
    execute_once: object = None
    on_error: object = None
    continue_on_fail: object = None
    retry_on_fail: object = None
    max_tries: object = None
    always_output_data: object = None
    sub_nodes: tuple[str, ...] = ()  # AI sub-nodes folded into this node
    operation: str = ""
    loop_output: int | None = None  # Loop Over Items: which output index is the loop (the other is done)
    effect_notes: tuple[str, ...] = ()
    credential: str = ""
    pinned_items: int | None = None
    paired_refs: tuple[str, ...] = ()  # nodes read with `$('X').item` (item lineage)
    run_reads: tuple[str, ...] = ()  # nodes read as a whole output (`.first()`, `.all()`), not item by item
    reads_own_run: bool = False  # reads its run as a whole: `$input.all()`/`.first()`, `$runIndex`
    dynamic_references: tuple[str, ...] = ()  # references whose node name is computed
    per_item_s: float | None = None
    join_issues: tuple[str, ...] = ()
    join_fix: str = ""
    child_run: tuple[bool, bool] | None = None  # Execute Workflow: (waits for the sub-workflow, one run per item)


def facts(task: Task) -> NodeFacts:
    found = task.facet(NodeFacts)
    assert found is not None, "every task the n8n reader makes carries its NodeFacts"
    return found


def update(task: Task, **changes: object) -> None:
    task.put(replace(facts(task), **changes))  # type: ignore[arg-type]
