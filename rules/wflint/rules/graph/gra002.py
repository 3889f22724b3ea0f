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

A reference the engine never evaluates, because the task holding it never runs as the file is
wired (an n8n node no enabled trigger reaches), is reported only with `--preview`: the name is
still wrong, but nothing reads it until the task is wired in. So is one read only as a fallback,
after a `||` or `??` of its own expression (`$json.id || $('Gone').first().json.id`): it is
evaluated, and fails the run, only where what comes before it is empty.

**Fix.** Correct the name. No automatic fix.
"""
from __future__ import annotations

from collections.abc import Iterator

from wflint.finding import Finding, Related, Severity
from wflint.ir import Dangling
from wflint.rule import Context, rule


@rule("GRA002", "dangling-reference", Severity.ERROR, needs_analysis=False)
def check(ctx: Context) -> Iterator[Finding]:
    known = list(ctx.workflow.tasks)
    places: dict[tuple[str, str], list[Dangling]] = {}  # one finding per task and missing name
    for ref in ctx.workflow.dangling:
        places.setdefault((ref.task, ref.target), []).append(ref)
    for (task, target), refs in places.items():
        hint = _closest(target, known)
        more = f" ({len(refs)} places)" if len(refs) > 1 else ""
        yield ctx.finding(
            f"{ctx.task_name(task) if task in ctx.workflow.tasks else f'`{task}`'} refers to "
            f"`{target}`{more}, which is not a task in this workflow" + (f" (did you mean `{hint}`?)" if hint else ""),
            location=refs[0].location,
            tasks=(task,) if task in ctx.workflow.tasks else (),
            related=tuple(Related(r.location, f"also refers to `{target}` here", task) for r in refs[1:] if r.location),
            subject=target, detail=refs[0].detail,
            # never evaluated as wired, or only where the alternatives before it come out empty
            preview=all(r.dead or r.fallback for r in refs),
        )


def _closest(name: str, known: list[str]) -> str | None:
    import difflib

    match = difflib.get_close_matches(name, known, n=1, cutoff=0.75)
    return match[0] if match else None
