"""The join after a parallel group hides or mishandles a failed (or skipped) branch.

**What.** A task waits on two or more branches that run at the same time, and its join policy
either runs it whatever happened to the branches (Airflow `all_done`, `one_success`, `one_done`,
`none_skipped`, `all_done_min_one_success`, `always`), or, after a branch choice, waits for every
branch to succeed although only one was chosen (Airflow's default `all_success` after
`@task.branch`/`BranchPythonOperator`, or `none_skipped`: the join is skipped on every run). That
second case is reported by default only where every return of the branch callable names one task
(a string, or a list of one): Airflow follows every id of a list it returns, so a callable that
may return `["left", "right"]`, or one whose returns wflint cannot read, is shown with `--preview`.

**Why.** In the first case a failed branch goes unnoticed: the join (a report, a publish, a
"done" marker) runs on partial results and the run can end green. In the second the join, and
everything after it, never runs. A branch that does no work (an `EmptyOperator`) fails only when
a task before it fails; where that task comes before every other branch too (a branch choice
between empty paths), the failure stops them all and the join sees it: not reported. Nor is
`one_success` after a choice that runs one branch at most: with no other branch to succeed, the
chosen one's failure fails the join (Airflow: upstream_failed). That holds too where routes of the
choice meet again before the join (two of its paths into one `one_success` task, then on), as long
as every task on the way is skipped when its routes are (`all_success`, or `one_success` with all
its upstream tasks on the way; an `all_done` one runs anyway, and is reported). Nor is it reported
after branches whose trigger rules exclude each other (a fallback with `one_failed` and a normal
path that needs the same tasks to succeed), nor where one branch is a wait for a time
(`TimeSensor`, `DateTimeSensor`, `TimeDeltaSensor`): a deadline, "the data or nine o'clock,
whichever comes first", by design.

**Example.**

```python
[load_orders, load_refunds] >> EmptyOperator(task_id="publish", trigger_rule="all_done")
# publish runs even when load_orders failed
```

Shown by default where the join is a marker that does no work (an `EmptyOperator` "end" or "done"):
its only effect is to turn the run green. A join that does work and was given a tolerant rule (an
analysis that should run on whatever the loads left) is shown with `--preview`: the rule is the
author's choice, and the run's state is what the finding is about. Nor is a failure hidden where
the branch tells someone itself when it fails (Airflow: an `on_failure_callback`, its own or from
`default_args`, or mail to its `email`).

**Fix.** Use a policy that states what a failed branch means: Airflow's default `all_success`, or
`none_failed_min_one_success` after a branch choice. A cleanup task that must run whatever
happened (releasing a lock, deleting a cluster) is a teardown (`.as_teardown()`): the run's result
ignores its state, so the failure still shows, and teardowns are not reported; nor is a join whose
own code reads the states of the tasks before it (a notifier that reports what failed), or pulls
what they recorded and raises (a checker's "FAIL" read back fails the run). The choice is the
author's: no automatic fix.
"""
from __future__ import annotations

from collections.abc import Iterator
from itertools import combinations

from wflint.facets import Structure, TriggerRule
from wflint.finding import Finding, Related, Severity
from wflint.rule import Context, rule

# The IR's failure policy for a task that runs whatever its upstream branches did.
RUNS_ANYWAY = "continue"


@rule("SAF005", "undefined-partial-failure", Severity.WARNING)
def check(ctx: Context) -> Iterator[Finding]:
    analysis = ctx.analysis
    relaxation = analysis.relaxation
    choosers = [t for t, task in ctx.workflow.tasks.items() if _trigger(task).chooses_branch]
    for task_id, task in ctx.workflow.tasks.items():
        policy = task.failure_policy
        # where the adapter says how the task meets a skip, that; else the default policy's (skipped)
        said = task.facet(TriggerRule)
        skipped_by_a_skip = said.skips_if_one_skips if said is not None else policy is None
        if policy != RUNS_ANYWAY and not (choosers and skipped_by_a_skip):
            continue  # neither case below can hold: no pairs of branches to compare
        upstream = relaxation.declared_pred[task_id]
        concurrent = analysis.unordered_among(upstream)
        if len(concurrent) < 2 or _trigger(task).role == "teardown":
            continue
        branches = ", ".join(f"`{t}`" for t in concurrent)
        related = tuple(Related(ctx.location_of(t), f"branch {t}", t) for t in concurrent)
        # The engine's own name for the policy where the adapter recorded it (Airflow trigger rule).
        shown = _trigger(task).rule or policy
        chooser = _choosing_ancestor(ctx, choosers, task_id, concurrent) if choosers and skipped_by_a_skip else None
        if chooser:  # a branch not chosen is skipped, and so is the join: before any failure matters
            yield ctx.finding(
                f"{ctx.task_name(task_id)} waits for every one of {branches}, but {ctx.task_name(chooser)} "
                f"runs only one of them, so {task_id} is skipped on every run; join with a policy that "
                f"accepts skipped branches (Airflow: trigger_rule=\"none_failed_min_one_success\")",
                location=ctx.location_of(task_id), tasks=(task_id, chooser, *concurrent), related=related,
                # it may follow several paths in one run (a list of ids), or what it returns is unread
                preview=not _trigger(ctx.workflow.tasks[chooser]).picks_one)
            continue
        if policy == RUNS_ANYWAY:
            if _trigger(task).reads_states:
                continue  # its code reads how the branches ended: a notifier surfaces the failure
            # A branch that also feeds another task still fails the run through it: only a branch
            # whose every way out is this join has its failure hidden.
            # A branch that tells someone itself when it fails (a callback, a mail) hides nothing.
            if not any(set(relaxation.declared_succ[b]) <= {task_id} and _fails_alone(ctx, b, concurrent)
                       and not _trigger(ctx.workflow.tasks[b]).alerts_on_failure for b in concurrent):
                continue
            if _trigger(task).needs_a_success and any(_clock(ctx, b) for b in concurrent):
                continue  # a deadline: the work, or the time, whichever comes first (by design)
            if _trigger(task).needs_a_success and (_one_runs(ctx, choosers, concurrent)
                                                    or _one_route(ctx, choosers, concurrent)
                                                    or _alternatives(ctx, concurrent)):
                continue  # the one branch that runs must succeed: its failure fails the join
            yield ctx.finding(
                f"{ctx.task_name(task_id)} joins the parallel branches {branches} with policy `{shown}`, "
                f"so it runs even when one of them failed and the failure is hidden; use a policy that "
                f"fails or skips on a failed branch, or, for cleanup that must run anyway, make it a "
                f"teardown (Airflow: `.as_teardown()`), whose state the run's result ignores",
                location=ctx.location_of(task_id), tasks=(task_id, *concurrent), related=related,
                # A marker ("end", "done") that runs anyway only turns the run green; a task that does
                # work was given its rule to run on whatever the branches left (shown with --preview).
                preview=not _marker(ctx, task_id))


def _marker(ctx: Context, task_id: str) -> bool:
    structure = ctx.workflow.tasks[task_id].facet(Structure)
    return structure is not None and structure.kind == "marker"


def _clock(ctx: Context, task_id: str) -> bool:
    """A wait for a moment in time (Airflow's TimeSensor), not for data: it does no work to fail."""
    structure = ctx.workflow.tasks[task_id].facet(Structure)
    return structure is not None and structure.clock


def _fails_alone(ctx: Context, branch: str, branches: list[str]) -> bool:
    """Whether ``branch`` can fail while the others go on. A marker does no work: it fails only when
    a task before it fails, and when every task before it comes before all the other branches too
    (a branch choice's empty paths), that failure stops them all and the join sees it."""
    structure = ctx.workflow.tasks[branch].facet(Structure)
    if structure is None or structure.kind != "marker":
        return True
    relaxation = ctx.analysis.relaxation
    others = [b for b in branches if b != branch]
    return not all(ctx.analysis.ordered(p, b) and relaxation.rank[p] < relaxation.rank[b]
                   for p in relaxation.declared_pred[branch] for b in others)


def _choosing_ancestor(ctx: Context, choosers: list[str], join: str, branches: list[str]) -> str | None:
    """A task that picks one of its direct downstream paths, two of which lead to different branches
    of ``join`` that the other path does not reach: one of those branches is skipped on every run.
    Paths that merge again before the join (or a branch outside the choice) skip nothing there."""
    for t in choosers:
        if t in branches or join in ctx.analysis.relaxation.declared_succ[t]:
            continue
        if sum(1 for exclusive in _paths(ctx, t, branches).values() if exclusive) >= 2:
            return t
    return None


def _one_runs(ctx: Context, choosers: list[str], branches: list[str]) -> bool:
    """Whether a task that picks one of its downstream paths leads to each branch by one path of
    its own, no two branches by the same: then one branch at most runs in any run."""
    for t in choosers:
        if t in branches:
            continue
        paths = _paths(ctx, t, branches).values()
        if all(len(e) <= 1 for e in paths) and sum(len(e) for e in paths) == len(branches):
            return True
    return False


def _one_route(ctx: Context, choosers: list[str], branches: list[str]) -> bool:
    """Whether a task that picks one id per run leads to each branch only through paths that lead
    to no other branch, where every task on the way is skipped once the paths before it are: the
    routes of one choice may meet again before the branches (two of its paths into one
    `one_success` check, then on), and one branch at most still runs. A task on the way skips
    when its paths are skipped if its rule is `all_success` (one skipped upstream task is enough),
    or `one_success` / `none_failed_min_one_success` with every upstream task on the way (all
    skipped); any other rule, or a way in from outside the choice, may run it anyway."""
    relaxation = ctx.analysis.relaxation
    pred, succ = relaxation.declared_pred, relaxation.declared_succ
    for t in choosers:
        if t in branches or not _trigger(ctx.workflow.tasks[t]).picks_one:
            continue
        paths = _reaching(ctx, t, branches)
        if any(len(found) > 1 for found in paths.values()) or set().union(*paths.values()) != set(branches):
            continue
        way = _way(ctx, t, branches)
        inside = way | set(succ[t])
        if all(_skips_with(ctx.workflow.tasks[x], [p for p in pred[x] if p in inside], pred[x]) for x in way):
            return True
    return False


SKIPS_WITH_ONE = ("", "all_success")  # skipped as soon as one upstream task is
SKIPS_WITH_ALL = ("one_success", "none_failed_min_one_success")  # skipped once every upstream task is


def _skips_with(task, skipped: list[str], upstream: list[str]) -> bool:
    """Is ``task`` skipped when the ``skipped`` ones among its ``upstream`` tasks are?"""
    rule = _trigger(task).rule
    return bool(skipped) and (rule in SKIPS_WITH_ONE or rule in SKIPS_WITH_ALL and len(skipped) == len(upstream))


def _reaching(ctx: Context, chooser: str, branches: list[str]) -> dict[str, set[str]]:
    """Each direct downstream path of ``chooser`` → the branches it leads to."""
    return {s: {b for b in branches if _leads(ctx, s, b)} for s in ctx.analysis.relaxation.declared_succ[chooser]}


def _leads(ctx: Context, a: str, b: str) -> bool:
    relaxation = ctx.analysis.relaxation
    return a == b or ctx.analysis.ordered(a, b) and relaxation.rank[a] < relaxation.rank[b]


def _way(ctx: Context, chooser: str, branches: list[str]) -> set[str]:
    """The tasks after ``chooser``'s direct downstream paths on the way to ``branches`` (these
    included): one walk up from the branches and one down from the paths, within the ranks between."""
    relaxation = ctx.analysis.relaxation
    pred, succ, rank = relaxation.declared_pred, relaxation.declared_succ, relaxation.rank
    up, stack = set(branches), list(branches)
    while stack:
        for p in pred[stack.pop()]:
            if p not in up and rank[p] > rank[chooser]:
                up.add(p)
                stack.append(p)
    down: set[str] = set()
    stack = list(succ[chooser])
    while stack:
        for s in succ[stack.pop()]:
            if s in up and s not in down:
                down.add(s)
                stack.append(s)
    return down - set(succ[chooser])


def _alternatives(ctx: Context, branches: list[str]) -> bool:
    """Whether no two branches can run in one run because their trigger rules exclude each other:
    a failure handler (`one_failed`, `all_failed`) runs only when a task before it failed, and a
    branch that runs only once every one of those tasks succeeded (`all_success` all the way back
    to them) never runs beside it: a fallback and the normal path."""
    pred = ctx.analysis.relaxation.declared_pred
    memo: dict[tuple[str, str], bool] = {}

    def needs_success_of(t: str, u: str, depth: int = 0) -> bool:
        if (t, u) not in memo:
            memo[(t, u)] = depth < 50 and _trigger(ctx.workflow.tasks[t]).rule in SUCCESS_ONLY and (
                u in pred[t] or any(needs_success_of(p, u, depth + 1) for p in pred[t]))
        return memo[(t, u)]

    def exclusive(handler: str, other: str) -> bool:
        ups = pred[handler]
        return (_trigger(ctx.workflow.tasks[handler]).handles_failure and bool(ups)
                and all(needs_success_of(other, u) for u in ups))

    return all(exclusive(a, b) or exclusive(b, a) for a, b in combinations(branches, 2))


SUCCESS_ONLY = ("", "all_success")  # the default rule: runs only when every upstream task succeeded


def _paths(ctx: Context, chooser: str, branches: list[str]) -> dict[str, set[str]]:
    """Each direct downstream path of ``chooser`` → the branches it leads to and no other path does."""
    reach = _reaching(ctx, chooser, branches)
    return {s: reach[s] - set().union(*(r for o, r in reach.items() if o != s)) for s in reach}


def _trigger(task) -> TriggerRule:
    return task.facet(TriggerRule) or TriggerRule()
