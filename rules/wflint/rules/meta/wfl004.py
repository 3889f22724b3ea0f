"""A task setting its engine rejects, or cannot honour, when the task runs.

**What.** A value the engine refuses at run time: an n8n Wait whose amount is negative, or whose
unit is not seconds, minutes, hours or days. (A NaN or infinite amount is not JSON n8n can import:
that file is WFL001.) And two n8n nodes with one name: n8n keeps only the last of them, so the
earlier never runs, and every connection and `$('name')` means the last.

**Why.** n8n checks the Wait amount and unit only when the node runs (`Invalid wait amount`), so
the workflow imports and activates, then every execution fails there. wflint counts the task as
0 s rather than guess a delay.

**Example.**

```json
{"name": "Pause", "type": "n8n-nodes-base.wait", "typeVersion": 1.1,
 "parameters": {"amount": -5, "unit": "seconds"}}
```

**Fix.** None automatic: set the amount to the delay you meant (a number of 0 or more); give the
earlier node a name of its own (and wire it) or delete it.
"""
from __future__ import annotations

from collections.abc import Iterator

from wflint.facets import InvalidSetting
from wflint.finding import Finding, Severity
from wflint.rule import Context, rule


@rule("WFL004", "invalid-setting", Severity.ERROR, needs_analysis=False, needs=(InvalidSetting,))
def check(ctx: Context) -> Iterator[Finding]:
    for task_id, task in ctx.workflow.tasks.items():
        invalid = task.facet(InvalidSetting)
        if invalid is None:
            continue
        yield ctx.finding(
            f"{ctx.task_name(task_id)}: {invalid.what} is {invalid.why}",
            location=invalid.location or ctx.location_of(task_id),
            tasks=(task_id,),
        )
