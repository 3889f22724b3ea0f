"""An action (`uses:`) runs inside a parallel step group.

**What.** A `uses:` step is a lane of a `parallel:` group, or runs while a `background:` step is
still running.

**Why.** Actions are downloaded and set up into the job's shared tool and action folders; two
concurrent `uses:` steps (or one beside a script that changes the workspace) race on those folders,
on `PATH` and on post-job cleanup. Setup actions (`setup-node`, `cache`, `checkout`) are written for
a job whose steps run one at a time.

**Example.**

```yaml
steps:
  - parallel:
      - uses: actions/setup-node@v4
      - uses: actions/setup-python@v5
```

**Fix.** Run actions before the parallel group and keep only `run:` scripts in its lanes. No
automatic fix.
"""
from __future__ import annotations

from collections.abc import Iterator

from wflint.facets import Steps
from wflint.finding import Finding, Severity
from wflint.ir import Location
from wflint.rule import Context, rule
from wflint.rules.safety.steps import concurrent_steps, peer_locations


@rule("SAF302", "action-in-parallel-steps", Severity.WARNING, needs=(Steps,))
def check(ctx: Context) -> Iterator[Finding]:
    for job_id, task in ctx.workflow.tasks.items():
        steps, peers = concurrent_steps(task)
        for sid, others in peers.items():
            step = steps[sid]
            if step.kind != "uses":
                continue
            yield ctx.finding(
                f"action `{step.uses}` in job `{job_id}` runs concurrently with "
                f"{', '.join('`' + steps[o].name + '`' for o in others)}; actions share the job's "
                "tool folders, PATH and cleanup, so run them before the parallel group",
                location=Location(step.pointer),
                tasks=(job_id, sid),
                related=peer_locations(steps, others),
            )
