"""A reference names a task that does not exist.

**What.** A `needs`, `after`, expression or dependency line refers to a task id that is not in the
workflow (a typo, a renamed or deleted task).

**Why.** Engines reject the file, or silently drop the dependency and run the task too early.

**Example.**

```yaml
tasks:
  fetch: {}
  score: {needs: [fetch_crm]}    # there is no task fetch_crm
```

**Fix.** Correct the name. No automatic fix.
"""
from __future__ import annotations

from collections.abc import Iterator

from wflint.finding import Finding, Severity
from wflint.rule import Context, rule


@rule("GRA002", "dangling-reference", Severity.ERROR, needs_analysis=False)
def check(ctx: Context) -> Iterator[Finding]:
    known = list(ctx.workflow.tasks)
    for ref in ctx.workflow.dangling:
        hint = _closest(ref.target, known)
        yield ctx.finding(
            f"{ctx.task_name(ref.task) if ref.task in ctx.workflow.tasks else f'`{ref.task}`'} refers to "
            f"`{ref.target}`, which is not a task in this workflow" + (f" (did you mean `{hint}`?)" if hint else ""),
            location=ref.location,
            tasks=(ref.task,) if ref.task in ctx.workflow.tasks else (),
            subject=ref.target,
        )


def _closest(name: str, known: list[str]) -> str | None:
    import difflib

    match = difflib.get_close_matches(name, known, n=1, cutoff=0.75)
    return match[0] if match else None
