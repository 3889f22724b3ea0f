"""A publish or deploy job sits in a concurrency group that cancels runs in progress.

**What.** A job that publishes or deploys, whose concurrency group (its own, or the
workflow's) has `cancel-in-progress:` certainly true on an event where the publishing step runs,
with a group key that two runs can share. A `cancel-in-progress:` expression counts when it is
true there (e.g. `${{ github.ref != 'refs/heads/main' }}` on a release branch), and a key unique per
run (`${{ github.head_ref || github.sha }}` on a push) never cancels anything. Nor does a key holding
the ref (`${{ github.ref }}`) in a run on a tag: the only run it can cancel for is one of the same
tag, which publishes that very version again.

**Why.** A newer run cancels the older one wherever it is: half-way through an upload (some wheels
of a version on PyPI, the rest never), a release with half its assets, a deployment stopped
between its steps. Cancelling is right for tests on a pull request, not for the step that ships.
A push that lands whole or not at all (a git branch, an image tag, a GitHub Pages deployment,
which `actions/deploy-pages` cancels with its run while the site already served stays up) is left alone, and so is an
upload that only rehearses a release (TestPyPI, a staging crates.io sign-in) or makes a draft
release (public only once someone publishes it), and a pull request's preview deployment (its newer
run deploys the same preview again). So is whatever a pull request's run publishes in a group keyed
by that pull request (its ref, head branch or number): the only run that can cancel it is the same
pull request's newer one, which publishes it again. The same holds for a `workflow_run` job that
runs only after a pull request's run, keyed by that run's head branch or pull request number.

**Example.**

```yaml
on: push
concurrency: {group: ci-${{ github.ref }}, cancel-in-progress: true}
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps: [{run: npx wrangler deploy}]
```

**Fix.** Display only: let the group cancel only where nothing ships
(`cancel-in-progress: ${{ github.event_name == 'pull_request' }}`), or give the publishing job a
group of its own with `cancel-in-progress: false` (and take it out of the workflow-level group).
"""
from __future__ import annotations

from collections.abc import Iterator

from wflint.facets import Publishing
from wflint.finding import Finding, Severity
from wflint.rule import Context, rule


@rule("SAF311", "publish-cancels-in-progress", Severity.WARNING, needs=(Publishing,))
def check(ctx: Context) -> Iterator[Finding]:
    for job_id, task in ctx.workflow.tasks.items():
        publishing = task.facet(Publishing)
        if publishing is None or not publishing.cancelling_group:
            continue
        what = ", ".join(f"`{t}`" for t in (*publishing.targets, *publishing.unique))
        yield ctx.finding(
            f"{ctx.task_name(job_id)} writes {what} in concurrency group `{publishing.cancelling_group}`, which "
            "cancels a run in progress: a newer run can stop it half-way through publishing; cancel only "
            "where nothing ships, or give it a group with `cancel-in-progress: false`",
            location=ctx.location_of(job_id), tasks=(job_id,),
        )
