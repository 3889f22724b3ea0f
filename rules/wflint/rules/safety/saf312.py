"""Two workflows write one floating target under different concurrency groups (or none).

**What.** A job that pushes a named branch, deploys GitHub Pages or pushes an image tag written out
(`ghcr.io/acme/app:latest`), while a job of another workflow file of the same repository writes the
same target, and the two have no
concurrency group key in common (a key built from `github.workflow` differs between files). Each
such pair is reported once, at the job in the file whose name sorts first.

**Why.** GitHub runs each workflow on its own: a group in one file does not hold runs of another.
A docs workflow on every push to `main` and a release workflow on a tag both pushing `gh-pages`
overlap whenever their triggers fire together (a release commit and its tag): the one that
finishes last wins, whatever it built. An environment alone is not compared across files (one
`production` environment often guards several services, one per workflow): two jobs in one
environment that also deploy with the same tool (`wrangler deploy`, `firebase deploy`) are shown
with `--preview`, at medium confidence.

**Example.**

```yaml
# .github/workflows/docs.yml
on: {push: {branches: [main]}}
jobs:
  docs: {runs-on: ubuntu-latest, steps: [{run: mkdocs gh-deploy --force}]}
# .github/workflows/release.yml
on: {push: {tags: ['v*']}}
jobs:
  site: {runs-on: ubuntu-latest, steps: [{run: mkdocs gh-deploy --force}]}
```

**Fix.** Display only: give both jobs one group key that names the target
(`concurrency: {group: git-push-gh-pages, cancel-in-progress: false}`).
"""
from __future__ import annotations

from collections.abc import Iterator

from wflint.facets import Publishing
from wflint.finding import Confidence, Finding, Severity
from wflint.rule import Context, rule


@rule("SAF312", "cross-workflow-race", Severity.WARNING, needs=(Publishing,))
def check(ctx: Context) -> Iterator[Finding]:
    for job_id, task in ctx.workflow.tasks.items():
        publishing = task.facet(Publishing)
        if publishing is None or not publishing.rivals:
            continue
        yield ctx.finding(
            f"{ctx.task_name(job_id)} and another workflow write one target with no group in common: "
            f"{', '.join(publishing.rivals)}",
            detail="runs of the two can overlap and the last to finish wins; "
                   "give both jobs one concurrency group key that names the target",
            location=ctx.location_of(job_id), tasks=(job_id,), subject="; ".join(publishing.rivals),
            confidence=Confidence.HIGH if publishing.rivals_often else Confidence.MEDIUM,
            preview=not publishing.rivals_often,  # two rare triggers (tags, schedules) seldom meet
        )
