"""An ordering is already implied by other orderings.

**What.** An explicit order edge u→v (`after:`, `>>`, `needs:` without data) where v already comes
after u through other edges. The redundant orderings one statement makes (a loop's `>>`, a list's,
a job's `needs:` list) are one finding, with one fix for them all.

**Why.** It changes nothing today, but it hides the real structure and survives refactors as a
spurious dependency that blocks parallelism later.

**Example.**

```yaml
current: graph
tasks:
  a: {}
  b: {needs: [a]}
  c: {needs: [b], after: [a]}    # c is after a already, through b
```

An ordering made only under a condition wflint cannot evaluate (an Airflow `if` on the file
system) implies only orderings made under that condition too: the engine may not make it. Nor does
a path through a task that runs whatever came before it (a failure handler such as Airflow's
`one_failed`, a join of any branch, `all_done`): it does not hold the next task back when the
first one fails, as the direct ordering does.

**Fix.** Remove the redundant ordering. Safe: the set of orderings the engine enforces is the same.
Unsafe where an ordering is also a gate (a GitHub `needs:`): the other path may not propagate a
failure the same way (a job on it with `if: always()`).
"""
from __future__ import annotations

from collections.abc import Iterator

from wflint.analysis import graph
from wflint.finding import Applicability, Finding, Fix, RemoveEdge, Severity
from wflint.ir import Edge, EdgeKind, Join
from wflint.rule import Context, rule


@rule("GRA003", "redundant-edge", Severity.INFO)
def check(ctx: Context) -> Iterator[Finding]:
    relaxation = ctx.analysis.relaxation
    if ctx.workflow.execution_model.mode == "sequential":
        return
    at: dict[object, list[Edge]] = {}  # one statement (in a loop, of a list) makes several: said once
    made_with: dict[tuple[str, ...], dict[str, list[str]]] = {}  # conditions → the orderings that exist then
    gated = _run_whatever(ctx.workflow)
    for edge in ctx.workflow.edges:
        # another way to v ends in another of v's predecessors: with none, no search (a task fanned
        # out to thousands has each ordering checked at once, not by a walk of its thousands)
        if edge.kind is not EdgeKind.ORDER or len(relaxation.declared_pred[edge.v]) < 2:
            continue
        if edge.conditions not in made_with:
            made_with[edge.conditions] = _made_with(ctx.workflow.edges, relaxation.declared_succ, edge.conditions)
        if graph.reaches(made_with[edge.conditions], edge.u, edge.v, relaxation.rank, skip_direct=True, blocked=gated):
            made_by = edge.statement or edge.location
            where = ctx.workflow.source.resolve(made_by) if made_by else (edge.u, edge.v)
            at.setdefault(where, []).append(edge)
    applicability = Applicability.UNSAFE if ctx.workflow.execution_model.order_gates else Applicability.SAFE
    for edges in at.values():
        pairs = [f"{e.u} → {e.v}" for e in edges]
        shown = ", ".join(pairs[:3]) + (f" and {len(pairs) - 3} more" if len(pairs) > 3 else "")
        one = len(edges) == 1
        first = edges[0]
        yield ctx.finding(
            f"ordering{'' if one else 's'} {shown} {'is' if one else 'are'} already implied by other "
            f"dependencies; remove {'it' if one else 'them'}",
            location=first.location or ctx.location_of(first.v),
            tasks=tuple(dict.fromkeys(t for e in edges for t in (e.u, e.v))),
            fix=Fix(applicability, f"remove the ordering{'' if one else 's'} {shown}",
                    tuple(RemoveEdge(e.u, e.v) for e in edges)),
        )



def _run_whatever(workflow) -> frozenset[str]:
    """Tasks that run whatever came before (a failure handler, a join of any branch, `all_done`): a
    path through one does not hold the next task back when the first fails, as the direct ordering
    does (Airflow 3.3.2: with `check >> success` gone, `success` runs after `mail_errors`, a
    `one_failed` task, and the run succeeds though `check` failed)."""
    return frozenset(t for t, task in workflow.tasks.items()
                     if task.failure_policy in RUNS_AFTER_FAILURE or task.join is Join.ANY)


# Failure policies of tasks that run though a task before them failed. A skip-tolerant task (Airflow's
# none_failed) is still held back by a failure, so a path through it implies the ordering's gate.
RUNS_AFTER_FAILURE = ("continue", "on-failure")


def _made_with(edges: list[Edge], declared: dict[str, list[str]], conditions: tuple[str, ...]) -> dict[str, list[str]]:
    """The declared successors that surely exist wherever an ordering made under ``conditions``
    does: those made under none of the conditions wflint could not evaluate but these."""
    under = set(conditions)
    maybe = {(e.u, e.v) for e in edges if not under.issuperset(e.conditions)}
    if not maybe:
        return declared
    sure = {(e.u, e.v) for e in edges if under.issuperset(e.conditions)}
    return {u: [v for v in vs if (u, v) not in maybe or (u, v) in sure] for u, vs in declared.items()}
