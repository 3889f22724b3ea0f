"""Adjacent independent steps of a long job could run as a `parallel:` group.

**What.** In a job of several steps, two or more adjacent `run:` steps only check the workspace
(linters, type checkers, `--check` formatters): none writes files wflint can see, sets
`$GITHUB_ENV`/`$GITHUB_PATH`/`$GITHUB_OUTPUT`, publishes, or reads another's outputs. A check is
known by its command words, never by an option or a path (`--linter`, `lint/` are not linting).
Two steps that take the same tool lock (`cargo` on one target directory, `uv` or `npm` on one cache
or environment) wait for each other anyway: they are never put in one group.

**Why.** Steps run one at a time; GitHub's `parallel:` steps run up to 10 lanes at once on the same
runner, sharing its checkout and installed tools, so checks that only read the tree finish in the
time of the slowest one instead of the sum.

**Example.**

```yaml
steps:
  - uses: actions/checkout@v4
  - run: npm ci
  - run: npm run lint
  - run: npx tsc --noEmit     # could run beside lint
  - run: shellcheck scripts/*.sh   # (and this one; `npm run lint` and `npx tsc` share npm's lock)
```

**Fix safety.** Unsafe (opt-in): wflint cannot see every file a script touches, and a failing lane
only stops the job at the group's end. Not offered inside composite actions, and at most 10 lanes.
"""
from __future__ import annotations

from collections.abc import Iterator

from wflint.facets import Step, Steps
from wflint.finding import Applicability, Confidence, Finding, Fix, ParallelSteps, Severity
from wflint.ir import Location
from wflint.rule import Context, rule

MIN_STEPS = 4  # a "long" job: at least this many steps
MAX_LANES = 10  # GitHub's limit on concurrent background steps


@rule("PAR301", "independent-sequential-steps", Severity.INFO, needs=(Steps,))
def check(ctx: Context) -> Iterator[Finding]:
    for job_id, task in ctx.workflow.tasks.items():
        facet = task.facet(Steps)
        steps = list(facet.steps) if facet else []
        if len(steps) < MIN_STEPS or task.kind != "job":
            continue
        for run in _runs(steps):
            names = ", ".join(f"`{s.name}`" for s in run)
            yield ctx.finding(
                f"steps {names} of job `{job_id}` only check the workspace and do not depend on each other; "
                f"they could run as one `parallel:` group of {len(run)} lanes (without timing data: "
                f"{len(run)} steps in a row become 1 step deep)",
                location=Location(run[0].pointer),
                tasks=(job_id, *(s.id for s in run)),
                fix=Fix(Applicability.UNSAFE, f"run {names} as a `parallel:` group",
                        (ParallelSteps(job_id, tuple(s.id for s in run)),)),
                confidence=Confidence.LOW,
                preview=True,  # scripts' effects are read from their text, not known: opt-in only
            )


def _runs(steps: list[Step]) -> Iterator[list[Step]]:
    current: list[Step] = []
    for step in [*steps, None]:
        if step is not None and _candidate(step) and len(current) < MAX_LANES \
                and not any(c.step_id and c.step_id in step.refs or set(c.locks) & set(step.locks) for c in current):
            current.append(step)
            continue
        if len(current) >= 2:
            yield current
        current = [step] if step is not None and _candidate(step) else []


def _candidate(step: Step) -> bool:
    return (step.kind == "run" and step.read_only and not step.background and step.group is None
            and not step.waits and not step.condition_reads_steps and not step.finalizer)
