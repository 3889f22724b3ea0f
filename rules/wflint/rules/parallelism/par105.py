"""A fixed wait between starting a job on an API and reading its result: poll instead.

**What.** A wait of a fixed time (an n8n *Wait* node of 30 s or more) sits between a task that
sends a request to an API (a write: it starts a job, a render, a generation) and a task that reads
from the same API after it (the result or the job's status), and the wait is not part of a loop
that checks again.

**Why.** The run waits the whole time whatever the job takes: a job done in 40 s still costs the
10 minutes the wait says, and one that takes longer than the wait makes the read fail. Waiting a
short interval, checking the status and going back to the wait until the job is done makes the
run go on within one interval of the job being ready.

**Example.**

```text
Start render (POST /renders) → Wait 10 min → Get render (GET /renders/{id})
```

**Fix.** Poll: a short Wait (say 15 s), the read, and an IF on the job's status that goes back
to the Wait until it is done (with a cap on the tries). No automatic fix: the status field and a
sensible interval depend on the API. Shown with `--preview`: how long the job really takes is not
in the file.
"""
from __future__ import annotations

from collections.abc import Iterator

from wflint.analysis.durations import fmt_seconds
from wflint.facets import ExecutionOrder, Structure
from wflint.finding import Finding, Related, Severity
from wflint.ir import DurationSource, Task, Workflow
from wflint.rule import Context, rule

MIN_WAIT_S = 30.0  # shorter pauses are pacing (rate limits, eventual consistency), not waiting for a job


@rule("PAR105", "fixed-wait-for-a-result", Severity.INFO, needs_analysis=False, needs=(Structure,))
def check(ctx: Context) -> Iterator[Finding]:
    wf = ctx.workflow
    succ: dict[str, list[str]] = {}
    pred: dict[str, list[str]] = {}
    for e in wf.edges:
        succ.setdefault(e.u, []).append(e.v)
        pred.setdefault(e.v, []).append(e.u)
    for task_id, task in wf.tasks.items():
        structure = task.facet(Structure)
        if structure is None or structure.kind != "wait":
            continue
        if task.duration.source is not DurationSource.DECLARED or task.duration.seconds < MIN_WAIT_S:
            continue
        pair = _job_and_result(wf, pred.get(task_id, []), succ.get(task_id, []))
        if pair is None or _polls(wf, task_id, pair[0]):
            continue
        start, read, api = pair
        yield ctx.finding(
            f"{ctx.task_name(task_id)} waits {fmt_seconds(task.duration.seconds)} after {ctx.task_name(start)} "
            f"sends a request to {api}, whatever the job takes, before {ctx.task_name(read)} reads from it; "
            f"poll instead: a short wait, {ctx.task_name(read)}, and a check that goes back to the wait until "
            "the job is done, so the run goes on within one interval of it (and does not fail when it takes longer)",
            location=ctx.location_of(task_id),
            tasks=(start, task_id, read),
            related=(Related(ctx.location_of(start), f"{start} starts the job", start),
                     Related(ctx.location_of(read), f"{read} reads its result", read)),
            preview=True,  # how long the job takes is not in the file
        )


def _job_and_result(wf: Workflow, before: list[str], after: list[str]) -> tuple[str, str, str] | None:
    """(the task that writes to an API, the task that reads from the same API, the API) around a wait."""
    for u in before:
        for v in after:
            shared = _apis(wf.tasks[u]) & _apis(wf.tasks[v])
            if shared and any(wf.tasks[u].writes) and any(wf.tasks[v].reads):
                return u, v, sorted(shared)[0].split(":", 1)[-1]
    return None


def _apis(task: Task) -> set[str]:
    return {use.api for use in task.apis}


def _polls(wf: Workflow, wait: str, start: str) -> bool:
    """Whether a loop comes back to ``wait`` without starting the job again: it polls already. A
    loop that goes back through ``start`` (a retry that starts a new job) still waits the fixed
    time for each."""
    order = wf.facet(ExecutionOrder)
    for scenario in order.scenarios if order else ():
        for log in scenario.run_logs:
            started = False
            for node, _ in log:
                if node == start:
                    started = True
                elif node == wait:
                    if not started:
                        return True
                    started = False
    return False
