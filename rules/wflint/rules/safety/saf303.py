"""`actions/checkout` without `path:` runs concurrently with steps that use the workspace.

**What.** A checkout into the default workspace (no `path:`) is a lane of a `parallel:` group, or
overlaps a `background:` step, next to a `run:` script (a reader or a writer of the workspace) or
another such checkout.

**Why.** Checkout cleans and rewrites the whole workspace (`git clean -ffdx`, `git checkout`); a
concurrent script reads or writes files that are being replaced, and two such checkouts overwrite
each other.

**Example.**

```yaml
steps:
  - parallel:
      - uses: actions/checkout@v4
      - run: make lint        # may see an empty or half-written tree
```

**Fix.** Check out before the group, or give each concurrent checkout its own `path:`. No
automatic fix.
"""
from __future__ import annotations

from collections.abc import Iterator

from wflint.facets import Steps
from wflint.finding import Finding, Related, Severity
from wflint.ir import Location
from wflint.rule import Context, rule
from wflint.rules.safety.steps import concurrent_steps


@rule("SAF303", "checkout-in-parallel-steps", Severity.ERROR, needs=(Steps,))
def check(ctx: Context) -> Iterator[Finding]:
    for job_id, task in ctx.workflow.tasks.items():
        steps, _ = concurrent_steps(task)
        facet = task.facet(Steps)
        for a, b in facet.concurrent_pairs if facet else ():
            for sid, other in ((a, b), (b, a)):
                step, peer = steps[sid], steps[other]
                if not step.checkout_without_path:
                    continue
                if peer.kind != "run" and not peer.checkout_without_path:
                    continue
                if peer.checkout_without_path and sid > other:
                    continue  # two checkouts: report the pair once
                yield ctx.finding(
                    f"`{step.uses}` without `path:` in job `{job_id}` rewrites the workspace while "
                    f"`{peer.name}` runs concurrently; check out before the group or give it its own `path:`",
                    location=Location(step.pointer),
                    tasks=(job_id, sid, other),
                    related=(Related(Location(peer.pointer), f"uses the workspace: {peer.name}", other),),
                )
