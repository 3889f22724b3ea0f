"""A deploy, publish or push job has no `concurrency` group.

**What.** A job whose steps write a target that runs overwrite in place (an environment, a branch
pushed by name, GitHub Pages, a `latest`/`main` image tag, a release with a fixed name, a live
deployment such as `wrangler deploy`), with no `concurrency:` on the job or the workflow. The job
is found by what its steps do, never by its name. A target each run writes its own of is no race
and no finding: a package version (PyPI, crates.io, npm: the registry refuses a duplicate), a
release or image tag named after the version, tag or commit, a branch named per run or version;
nor the `environment` of a job whose steps only build and upload package versions (actions, or
scripts of `uv publish`, `twine upload`, `npm publish` and the like): it gates the registry's
credentials, no deployment is replaced.
Nor is a branch whose name holds a part only the run knows (`issue/${{ inputs.number }}`, a name
computed in the shell): it may be another branch in every run, and an unknown name is not the same
target. Nor a plain `git push` (no force) of the branch the run checked out at its own commit (a
bot committing back to the branch that started it): git refuses a push that is not a fast forward,
so an older run fails rather than undoing a newer one's commit, and a group would not spare it (a
queued run still pushes from its own, older commit); a branch a checkout fetched by name
(`ref: gh-pages`) or a fresh clone is another matter, and is reported. A reusable workflow's
publish is reported once, in the called workflow, not at each caller.
Nor are runs that only a schedule and a person start, where the schedule's starts lie further apart
than a whole run can take (each job ends by its `timeout-minutes`, or after GitHub's 6 hours on its
own runners), with an hour to spare for a late start: a weekly bot that refreshes its pull request
never meets itself.

**Why.** A GitHub `environment` does not serialize deployments; only a concurrency group does. Two
runs (two pushes in a row, a re-run, a schedule that fires again before the last run ended) then
deploy at the same time: the older one may finish last and win, pushes fail as non-fast-forward, a
release is created twice. A matrix job doing it overlaps with itself within one run.

Confidence: **high** for a proven floating target written on runs that start often (a `push` to
a branch, `workflow_run`, ...), counting only the events on which the publishing step can run
(its and its job's `if:`); **medium** for a target wflint could not resolve, or runs that start
rarely (a tag, a release, a schedule, a manual dispatch); **low** when the workflow is only
called by others (the caller may hold the group).

**Example.**

```yaml
on: {push: {branches: [main]}}
jobs:
  deploy:
    environment: production
    runs-on: ubuntu-latest
    steps: [{run: ./deploy.sh}]
```

**Fix.** Safe: add a job-level group per target with `cancel-in-progress: false`, so runs queue
instead of overlapping and no deploy is cancelled half-way:

```yaml
    concurrency:
      group: environment-production
      cancel-in-progress: false
```

A group keeps one run going and one pending (a newer pending run replaces an older one): right for
a deploy or a push, where the newest wins. The key names the target (`environment-<name>`,
`git-push-<branch>`, `git-push-${{ github.ref }}` for the pushed branch, `pages`), so jobs and
workflows on one target share it and others do not wait. For a target wflint could not resolve the
block also says `queue: max`, so every run goes in turn, but never in a workflow that can be called
(`workflow_call`, whatever else starts it): every run of its callers, each instance of a caller's
matrix, would queue behind one group. The fix is unsafe (opt-in) at low confidence, and there on a
target not proven replaced in place (a group keeps one pending run; a caller's matrix may start
many), and where some runs of the job write none of its targets (a pull request's run of a job
that pushes only on `main`, or whose every writing step there hangs on an `if:` wflint cannot settle,
such as a job's output), or another instance of it (a Cloudflare Pages deploy whose `--branch`
is worked out per run: a preview per commit beside production): the job-level group holds those
runs too, and a newer pending one replaces theirs. It is not offered for a matrix job whose
instances share a target (one group would serialize, and by default cancel, their instances); where
each instance deploys its own (`environment: ${{ matrix.env }}`), the key names it and the instances
still run side by side.
"""
from __future__ import annotations

from collections.abc import Iterator

from wflint.facets import Concurrency, Publishing
from wflint.finding import AddConcurrency, Applicability, Confidence, Finding, Fix, Severity
from wflint.rule import Context, rule


@rule("SAF310", "deploy-without-concurrency", Severity.WARNING, needs=(Publishing,))
def check(ctx: Context) -> Iterator[Finding]:
    for job_id, task in ctx.workflow.tasks.items():
        publishing, concurrency = task.facet(Publishing), task.facet(Concurrency)
        if publishing is None or concurrency and (concurrency.group or concurrency.workflow_group):
            continue
        # A name with a part wflint could not read (`git:issue/*`: a branch per issue, per input,
        # per PR) may be another target in every run: an unknown name is not the same target.
        targets = [t for t in publishing.targets if "*" not in t]
        if not targets:  # each run writes its own version, tag or branch: nothing to race on
            continue
        instances = task.items or 1
        apart = publishing.per_instance  # each instance its own target: a key per target keeps them apart
        if publishing.apart and (instances == 1 or apart):
            continue  # runs never overlap (a slow schedule, a person) and instances write their own
        if publishing.called_only:
            confidence = Confidence.LOW
        elif publishing.mutable and publishing.frequent:
            confidence = Confidence.HIGH
        else:
            confidence = Confidence.MEDIUM
        what = ", ".join(f"`{t}`" for t in targets)
        overlap = "across runs" + (f" and between its {instances} matrix instances" if instances > 1 and not apart else "")
        group = publishing.suggested_group
        # A deploy or push may skip to the newest pending run; a publish or release must not drop one.
        queue = publishing.queue
        fix = None
        if group and (instances == 1 or apart):
            extra = f", queue: {queue}" if queue else ""
            # In a workflow others call, each instance of a caller's matrix would join the group, and
            # a group keeps one pending run: on a target not proven replaced in place, that drops work.
            opt_in = confidence is Confidence.LOW or publishing.callable and not publishing.mutable
            # A job-level group holds every run of the job, those that write nothing too: a newer
            # pending one would replace theirs (a pull request's checks cancelled).
            why = _held_too(publishing)
            fix = Fix(Applicability.UNSAFE if opt_in or why else Applicability.SAFE,
                      f"add `concurrency: {{group: {group}, cancel-in-progress: false{extra}}}` to `{job_id}`" + why,
                      (AddConcurrency(job_id, group, queue),))
        yield ctx.finding(
            f"{ctx.task_name(job_id)} writes {what} with no `concurrency` group, so it can overlap {overlap}; "
            "add a job-level group per target with `cancel-in-progress: false`",
            location=ctx.location_of(job_id), tasks=(job_id,), fix=fix, confidence=confidence,
            # A race is shown by default only on a target runs overwrite in place (an environment,
            # a named branch, Pages) from triggers that fire often; a versioned publish, a release
            # per tag or a scheduled bot rests on what the file does not say.
            preview=confidence is not Confidence.HIGH,
        )


def _held_too(publishing: Publishing) -> str:
    """Why a job-level group would also hold runs that write none of the targets, or another
    instance of them ("" where it would not): then a newer pending run replaces theirs."""
    if publishing.quiet_runs:
        return (f" (opt-in: the group also holds its runs on {', '.join(publishing.quiet_runs)}, which write none "
                "of these; a newer pending run replaces theirs)")
    if publishing.unsure_runs:
        return (f" (opt-in: the group also holds its runs on {', '.join(publishing.unsure_runs)}, where no step "
                "that writes these is sure to run; a newer pending run replaces theirs)")
    if publishing.named_per_run:
        named = ", ".join(f"`{t}`" for t in publishing.named_per_run)
        return (f" (opt-in: the job names the {named} target it deploys per run, a preview per commit beside "
                "production, and the group would hold every run of them; a newer pending run replaces theirs: "
                "key it by what names the target)")
    return ""
