"""Tasks run one after another although neither needs the other.

**What.** Two or more tasks are ordered (by the listed sequence, an `after`, a `>>`, a `needs:`)
with no data dependency between them and no conflict on a resource: neither reads what the other
writes, and they do not write the same thing.

**Why.** Every such ordering adds the shorter task's time to the run. Running the group in
parallel saves the difference between its chain as declared and its longest necessary chain.

**Example.**

```yaml
current: sequential
tasks:
  fetch_crm:     {duration: 2s, reads: [crm:customers]}
  fetch_tickets: {duration: 3s, reads: [zendesk:tickets]}   # waits 2s for nothing
  score:         {duration: 1s, needs: [fetch_crm, fetch_tickets]}
```

Fetch both at once: 6s becomes 4s.

**Fix safety.** Reported only where every task in the group has known effects: an ordering is
presumed needed until shown not to be, and a task whose effects are unknown (arbitrary code, a
command wflint cannot read) may pass data through a file, a table or a bucket it never names (on
unseen production DAGs, 115 of 116 such suggestions were wrong). Declare what such a task reads and
writes (`[effects.<task>]` in `wflint.toml`) and the ordering is checked. An ordering into
or out of a task wflint could only partly resolve (its id or edges built at parse time, a DAG made
by a factory the file does not call: WFL003) is never proposed for removal: what that task reads
may be among what wflint could not see. Where the engine
makes an ordering a gate too (a GitHub `needs:` skips the job when the needed one fails), removing it
changes failure behaviour: the message names that gate and the fix is unsafe (opt-in) advice.
The gate is never lost where side effects start: when a removed ordering was all that made a later
task that publishes or deploys (or whose effects are unknown) wait for the first one, the fix makes
that task wait for it directly (a build runs beside the tests; `deploy: needs: [build, test]`).
A group is shown by default only where the run gets shorter: by itself, or, where two equal
chains run side by side and each saves nothing alone, together with the other groups (the
finding says so, and `fix` applies them together). Without timing data the finding speaks of
chain depth, not of minutes saved. The time figure
is computed under the engine's execution model and names its duration source. On an engine that
runs one task at a time (n8n) the rule does not fire: wiring a chain as branches joined by a Merge
saves no time there (each node still runs, one after another), and a later side effect often
relies on the earlier one having succeeded. `wflint report` still shows which nodes depend on
which; the advice that saves time on n8n (one multi-item node, a node run once instead of once per
item) is PAR101's and PAR103's.
"""
from __future__ import annotations

from collections.abc import Iterator

from wflint.analysis import graph
from wflint.analysis.durations import fmt_seconds
from wflint.facets import Publishing
from wflint.finding import AddOrder, Applicability, Finding, Fix, RemoveOrder, Severity
from wflint.rule import Context, rule


@rule("PAR001", "independent-sequential-tasks", Severity.WARNING)
def check(ctx: Context) -> Iterator[Finding]:
    analysis = ctx.analysis
    if not ctx.workflow.execution_model.runs_parallel:  # one task at a time (n8n): branches save nothing
        return
    for group in analysis.offered_groups:  # an ordering is presumed needed: unknown effects are no proof it is not
        names = _named(ctx, group.tasks, MAX_LISTED)
        unit = analysis.duration[group.tasks[0]]
        gates = ctx.workflow.execution_model.order_gates
        chain = (f"their chain {fmt_seconds(group.sequential_s)} → {fmt_seconds(group.parallel_s)}, "
                 f"{group.duration_source} durations")
        structural = group.duration_source == "default"
        if structural:
            gain = (f"without timing data: removing {len(group.removed)} ordering(s) makes their chain "
                    f"{_depth(group.parallel_s, unit)} task(s) deep instead of {_depth(group.sequential_s, unit)}"
                    + ("" if group.saved_s > 0 else f", {JOINT}" if group.joint_s > 0
                       else ", though a longer path decides the run"))
        elif group.saved_s > 0:
            gain = f"that saves {fmt_seconds(group.saved_s)} end to end ({chain})"
        elif group.joint_s > 0:
            gain = (f"that saves at least {fmt_seconds(group.joint_s)} end to end once the other parallel "
                    f"groups are applied; {JOINT} ({chain})")
        else:
            gain = f"that saves no time end to end today, as a longer path decides the run ({chain})"
        named = _named(ctx, group.tasks, MAX_NAMED)
        message = f"{named} run one after another but could run in parallel"
        detail = (f"{names}: " if named != names else "") + f"{group.reason}; {gain}"
        kept = _gates_kept(ctx, group.removed) if gates else ()
        if gates:
            removed = set(group.removed)
            dropped = [e.detail for e in ctx.workflow.edges if (e.u, e.v) in removed and e.detail]
            shown = "; ".join(dropped[:3]) + (f"; and {len(dropped) - 3} more" if len(dropped) > 3 else "")
            detail += f"; {gates}" + (f" (it would drop: {shown})" if dropped else "")
        if kept:
            moved = ", ".join(f"`{c.v}` needs `{c.u}`" for c in kept)
            detail += f"; the gate moves to where side effects start: {moved} directly"
        first_cut = group.removed[0]
        edge = ctx.workflow.edge(*first_cut)
        edge_location = edge.location if edge else None
        fix = None if kept is None else Fix(  # too many gates to move: no fix offered, the message stays
            Applicability.UNSAFE if gates else Applicability.SAFE,
            f"run {named} in parallel",
            (*(RemoveOrder(u, v) for u, v in group.removed), *kept),
        )
        yield ctx.finding(
            message,
            detail=detail,
            location=edge_location or ctx.location_of(first_cut[1]),
            tasks=group.tasks,
            fix=fix,
            saved_s=None if structural else round(group.saved_s, 6),
            duration_source=group.duration_source,
            # Shown by default only when no gate is dropped and time is saved on the engine's own
            # model (a shorter path, alone or with the other groups); effects are known on every
            # side of it (above).
            preview=bool(gates) or (group.saved_s <= 0 and group.joint_s <= 0),
        )


# A group the run needs only beside others: two equal parallel chains each save nothing alone.
JOINT = "alone it saves nothing, as another path as long decides the run, so apply it with the other groups"


MAX_NAMED = 4  # tasks a finding's one-line message (and its fix's title) names
MAX_LISTED = 40  # tasks its detail lists: a loop's 7,000 chained copies are not read one by one
MAX_MOVED_GATES = 20  # more than this is no longer "the gate moves": the fix is not offered


def _gates_kept(ctx: Context, removed: list[tuple[str, str]]) -> tuple[AddOrder, ...] | None:
    """Where dropping ``removed`` would let a task with side effects (it publishes, or its effects
    are unknown) stop waiting for a task it waited for, it waits for that task directly: the gate
    stays where side effects start and only the work before them starts earlier. None when that
    would take more than MAX_MOVED_GATES new orderings."""
    relaxation = ctx.analysis.relaxation
    order, cut = relaxation.order, set(removed)
    # Only tasks with side effects can need a gate kept: the masks track them alone, not every task.
    effects = [t for t in order if (task := ctx.workflow.tasks[t]).opaque or task.facet(Publishing) is not None]
    if not effects:
        return ()
    bit = {t: i for i, t in enumerate(effects)}
    after = {t: [s for s in relaxation.declared_succ[t] if (t, s) not in cut] for t in order}
    below = graph.descendant_masks(order, relaxation.declared_succ, bit)
    still_below = graph.descendant_masks(order, after, bit)
    adds: dict[tuple[str, str], AddOrder] = {}
    for u, v in removed:
        itself = 1 << bit[v] if v in bit else 0
        for i in graph.bits((itself | below[v]) & ~still_below[u]):
            if (u, effects[i]) not in cut:
                adds.setdefault((u, effects[i]), AddOrder(u, effects[i]))
                if len(adds) > MAX_MOVED_GATES:
                    return None
    return tuple(adds.values())


def _depth(seconds: float, unit: float) -> int:
    """Chain length in tasks, from a chain time built of equal default durations."""
    return max(1, round(seconds / unit)) if unit else 1


def _named(ctx: Context, tasks: list[str], most: int) -> str:
    """The tasks' names joined, the first ``most - 1`` and a count of the rest past ``most``."""
    if len(tasks) <= most:
        return _join([ctx.task_name(t) for t in tasks])
    return _join([*(ctx.task_name(t) for t in tasks[:most - 1]), f"{len(tasks) - most + 1} more"])


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
