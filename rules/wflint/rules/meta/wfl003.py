"""Part of the workflow could not be read statically, so its findings speak only of the rest.

**What.** Some tasks' ids or edges could not be resolved without running the file: tasks made by
a helper or class wflint cannot follow, ids built from data read at parse time, a reference whose
target is computed, an Airflow DAG built by a factory function the file does not call (read
with its parameters unknown or at their defaults). Or a file of a known format in which no
workflow could be read at all.

**Why.** A linter that says "all checks passed" about a graph it read a fifth of is wrong in the
most dangerous way. wflint never treats what it could not see as empty: orderings touching those
tasks are presumed needed, and this finding names what was not seen and why.

**Example.**

```python
from airflow.sdk import DAG
from my_company.factories import make_tasks   # not in this repository
with DAG("nightly"):
    start >> make_tasks() >> end               # WFL003: edges through make_tasks() not read
```

A DAG factory the file defines and never calls is read as if called once, so it is partial by
construction. Where another file of the repository calls it, that is said only with `--preview`:
Airflow finds no DAG in the factory's file, and the loader (read as a DAG file) is where the DAG
is read. A factory no file of the repository calls (its loader is installed elsewhere) is said.

**Fix.** None needed; it is information. Resolve the helper (keep it in the repository where
wflint can read it) to have the whole graph checked.
"""
from __future__ import annotations

from collections.abc import Iterator

from wflint.analysis.coverage import coverage
from wflint.facets import ReadAsIfCalled
from wflint.finding import Finding, Severity
from wflint.rule import Context, rule


@rule("WFL003", "partial-graph", Severity.INFO, needs_analysis=False)
def check(ctx: Context) -> Iterator[Finding]:
    seen = coverage(ctx.workflow)
    if not seen.partial:
        return
    names = ", ".join(f"`{t}`" for t in seen.dynamic[:5]) + (f" and {len(seen.dynamic) - 5} more"
                                                           if len(seen.dynamic) > 5 else "")
    why = "; ".join(dict.fromkeys(seen.unresolved))
    parts = [f"the graph could not be read whole: {len(seen.dynamic)} of the {seen.tasks} task(s) read are in a part "
             f"of it wflint could not resolve statically ({names})"
             if seen.dynamic else "part of the graph could not be read statically"]
    if why:
        parts.append(f"because {why}")
    if seen.dynamic:
        parts.append("tasks it could not name at all are not counted")
    yield ctx.finding(
        "; ".join(parts) + "; orderings through them are presumed needed and findings speak only of the rest",
        location=ctx.workflow.location,
        subject="partial-graph",  # one per workflow: its fingerprint does not move with the counts
        # A factory read as if called is partial by construction; its caller's file is read in its place.
        preview=_read_through_its_caller(ctx.workflow),
    )


def _read_through_its_caller(workflow) -> bool:
    read = workflow.facet(ReadAsIfCalled)
    return read is not None and read.called_elsewhere
