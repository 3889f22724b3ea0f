"""A `cancel-in-progress:` expression that has one value in every run the workflow can have.

**What.** A concurrency group's `cancel-in-progress:` (the workflow's or a job's) written as an
expression that is always true, or always false, in every run its triggers can start, because it
tests for a ref or an event no such run has: a branch the `on: push` filters leave out, an event
that is not among the triggers. A literal `true`/`false`, or an expression that is constant only
because every run is of the kind it tests for (`github.event_name == 'pull_request'` in a
workflow started by pull requests alone), is written to be what it is and is no finding.

**Why.** The expression was written to tell runs apart: cancel superseded runs of a pull request,
keep every run of the default branch. When the ref it names never runs (the repository's branch
is `master`, the expression says `main`), it is always true and cancels runs on the very branch it
was meant to protect, half-way through whatever they do. Always false, it never cancels: the
runners it was meant to save keep working on stale commits (shown with `--preview`).

**Example.**

```yaml
on:
  push:
    branches: [master]
  pull_request:
concurrency:
  group: ci-${{ github.ref }}
  cancel-in-progress: ${{ github.ref != 'refs/heads/main' }}  # no run is on main: always true
```

**Fix.** None automatic (which ref was meant is the author's call): compare with a ref the
triggers start (`github.ref != 'refs/heads/master'`), or with the event
(`github.event_name == 'pull_request'`).
"""
from __future__ import annotations

from collections.abc import Iterator

from wflint.facets import ConstantSetting
from wflint.finding import Finding, Severity
from wflint.rule import Context, rule


@rule("SAF313", "constant-cancel-in-progress", Severity.WARNING, needs_analysis=False, needs=(ConstantSetting,))
def check(ctx: Context) -> Iterator[Finding]:
    holders = [("", ctx.workflow.facet(ConstantSetting))]
    holders += [(job_id, task.facet(ConstantSetting)) for job_id, task in ctx.workflow.tasks.items()]
    for job_id, setting in holders:
        if setting is None:
            continue
        where = ctx.task_name(job_id) if job_id else "the workflow's concurrency group"
        never = " and ".join(setting.never)
        outcome = ("so the group cancels every run in progress, even those it was meant to keep"
                   if setting.value else "so the group never cancels a superseded run")
        yield ctx.finding(
            f"`cancel-in-progress` of {where} is always {'true' if setting.value else 'false'}: "
            f"it tests for {never}, which no run of this workflow has",
            detail=f"{outcome}; compare with a ref or event the workflow's triggers (`on:`) start",
            location=setting.location or (ctx.location_of(job_id) if job_id else None),
            tasks=(job_id,) if job_id else (), subject=setting.what,
            severity=None if setting.value else Severity.INFO, preview=not setting.value,
        )
