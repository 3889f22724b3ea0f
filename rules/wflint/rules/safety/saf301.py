"""Parallel steps write `$GITHUB_ENV`, `$GITHUB_PATH` or `$GITHUB_OUTPUT`.

**What.** A step in a `parallel:` group, or a `background:` step and the steps that run before the
`wait` covering it, appends to `$GITHUB_ENV` or `$GITHUB_PATH`, or writes `$GITHUB_OUTPUT` that a
concurrent step reads through `steps.<id>.outputs`.

**Why.** The lanes share one job. What a background step writes to these files becomes visible only
after a `wait`/`wait-all` covers it, so a concurrent step sees the old environment, `PATH` or an
empty output depending on timing; two lanes setting one variable race on the final value.

**Example.**

```yaml
steps:
  - parallel:
      - run: echo "VERSION=$(cat VERSION)" >> "$GITHUB_ENV"
      - run: ./build.sh "$VERSION"   # may run before VERSION is set
```

**Fix.** Move the writing step before the parallel group, or read the value only after the group.
No automatic fix: which order the job relies on is a choice.
"""
from __future__ import annotations

from collections.abc import Iterator

from wflint.facets import Steps
from wflint.finding import Finding, Severity
from wflint.ir import Location
from wflint.rule import Context, rule
from wflint.rules.safety.steps import concurrent_steps, peer_locations

FILES = {"env": "$GITHUB_ENV", "path": "$GITHUB_PATH"}


@rule("SAF301", "parallel-steps-write-job-env", Severity.ERROR, needs=(Steps,))
def check(ctx: Context) -> Iterator[Finding]:
    for job_id, task in ctx.workflow.tasks.items():
        steps, peers = concurrent_steps(task)
        for sid, others in peers.items():
            step = steps[sid]
            written = [FILES[f] for f in step.files if f in FILES]
            readers = [o for o in others if "output" in step.files and step.step_id in steps[o].refs]
            if not written and not readers:
                continue
            what = " and ".join(written + (["$GITHUB_OUTPUT"] if readers else []))
            racing = readers or others
            yield ctx.finding(
                f"step `{step.name}` of job `{job_id}` writes {what} while "
                f"{', '.join('`' + steps[o].name + '`' for o in racing)} run(s) concurrently; "
                "the change is only visible after a `wait` covers it, so concurrent steps race on it",
                location=Location(step.pointer),
                tasks=(job_id, sid),
                related=peer_locations(steps, racing),
            )
