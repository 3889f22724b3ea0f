"""An action that changes the job's shared state (`uses:`) runs inside a parallel step group.

**What.** A `uses:` step known to change what the job's other steps share (a setup action or
toolchain installer, a cache, a registry or cloud sign-in) is a lane of a `parallel:` group, or runs
while a `background:` step is still running. One finding per set of such concurrent steps.

**Why.** GitHub downloads every action when the job is set up, so the lanes do not race on the
download; they race on what the action changes: a tool installed into the runner's tool cache and
put on `PATH` or in `$GITHUB_ENV`, a cache restored into folders the other lane is writing (and
saved by a post step), credentials written for the job. These actions are written for a job whose
steps run one at a time. An action wflint knows nothing of (most third-party actions) is reported
only with `--preview`: it may change none of these, and unknown is not a race.

**Example.**

```yaml
steps:
  - parallel:
      - uses: actions/setup-node@v4
      - uses: actions/setup-python@v5
```

**Fix.** Run such actions before the parallel group and keep scripts and self-contained actions in
its lanes. No automatic fix.
"""
from __future__ import annotations

from collections.abc import Iterator

from wflint.facets import Step, Steps
from wflint.finding import Finding, Severity
from wflint.ir import Location
from wflint.rule import Context, rule
from wflint.rules.safety.steps import concurrent_steps, peer_locations


@rule("SAF302", "action-in-parallel-steps", Severity.WARNING, needs=(Steps,))
def check(ctx: Context) -> Iterator[Finding]:
    for job_id, task in ctx.workflow.tasks.items():
        steps, peers = concurrent_steps(task)
        said: set[str] = set()
        for sid, others in peers.items():
            step = steps[sid]
            if step.kind != "uses" or sid in said:
                continue
            actions = [a for a in [sid, *others] if steps[a].kind == "uses" and a not in said
                       and steps[a].writes_job_state is not False]
            said.update(actions)
            if not actions:
                continue
            known = [a for a in actions if steps[a].writes_job_state]
            rest = [o for o in [sid, *others] if o not in actions]
            first = actions[0]
            yield ctx.finding(
                f"{_named(steps, actions)} in job `{job_id}` run{'s' if len(actions) == 1 else ''} concurrently"
                + (f" with {', '.join('`' + steps[o].name + '`' for o in rest)}" if rest else ""),
                detail=(f"{_named(steps, known)} change{'s' if len(known) == 1 else ''} the job's tool folders, "
                        f"PATH, caches or credentials, so run {'it' if len(known) == 1 else 'them'} before the parallel group"
                        if known else
                        "if an action changes the job's tool folders, PATH, caches or credentials, run it before "
                        "the parallel group (what these actions change is not known)"),
                location=Location(steps[first].pointer),
                tasks=(job_id, *actions),
                related=peer_locations(steps, [o for o in [sid, *others] if o != first]),
                preview=not known,
            )


def _named(steps: dict[str, Step], ids: list[str]) -> str:
    """``action `a` `` or ``actions `a`, `b` (2 steps)``: each action once, with its count of steps."""
    counts: dict[str, int] = {}
    for i in ids:
        counts[steps[i].uses] = counts.get(steps[i].uses, 0) + 1
    words = ", ".join(f"`{name}`" + (f" ({n} steps)" if n > 1 else "") for name, n in counts.items())
    return f"action {words}" if len(ids) == 1 else f"actions {words}"
