"""The cost side of parallelism (issue 18 item 4): what running tasks side by side takes beside the
time it saves. One place computes it for the report; renderers only show it.

- Runner time: the plan removes orderings and adds no task, so no run pays an extra set-up; each
  task of a group already pays its own (from run data where its set-up steps are listed, else
  unknown), which is what running them apart costs. Where a removed ordering is also a gate, the
  tasks it skipped on failure now run anyway: their time is spent on a failed run.
- Slots and pools: most places under the concurrency cap and in each pool held at once, as
  designed and in the plan after the changes.
- Requests in flight against each API's limit: most requests under way at once (one per running
  caller; a batch sends its calls together) against what the limit admits at once.
"""
from __future__ import annotations

from .analysis import Analysis
from .analysis.schedule import Schedule
from .display import some_of
from .facets import SetupTime
from .ir import DurationSource


def _r(x: float) -> float:
    return round(x, 6)


def parallel_cost(analysis: Analysis) -> dict:
    """The cost block of the report (``report.build_report``)."""
    return {
        "task_setup": analysis.workflow.execution_model.task_setup or None,
        "groups": [_group_cost(analysis, i, g) for i, g in enumerate(analysis.offered_groups, start=1)],
        "slots": {"limit": analysis.workflow.limits.concurrency,
                  "before": _slots_at_once(analysis, analysis.current),
                  "after": _slots_at_once(analysis, analysis.optimized)},
        "pools": [_pool_use(analysis, name, pool.size) for name, pool in analysis.workflow.limits.pools.items()],
        "apis": [_in_flight(analysis, name) for name in analysis.workflow.limits.apis],
        "batches": [_batch_cost(analysis, b) for b in analysis.batches],
    }


def _batch_cost(analysis: Analysis, batch) -> dict:
    """Calls one batched task would send together: in flight at once after, one at a time before,
    against what each API's declared limit admits at once (null where none is declared)."""
    wf = analysis.workflow
    uses = [(u.api, wf.tasks[t].calls(u)) for t in batch.tasks for u in wf.tasks[t].apis]
    apis = sorted({api for api, _ in uses})
    limits = [wf.limits.apis[a].bucket for a in apis if a in wf.limits.apis]
    sent = sum(n for _, n in uses) or len(batch.tasks)
    return {"tasks": batch.tasks, "apis": apis, "in_flight_before": 1, "in_flight_after": _r(sent),
            "at_once_allowed": _r(min(limits)) if limits else None,
            "ok": None if not limits else sent <= min(limits)}


def _known_s(analysis: Analysis, tasks: list[str]) -> float | None:
    """The tasks' total seconds where none is a kind default, else None (unknown, never invented)."""
    wf = analysis.workflow
    if any(wf.tasks[t].duration.source is DurationSource.DEFAULT and analysis.duration[t] > 0 for t in tasks):
        return None
    return _r(sum(analysis.duration[t] for t in tasks))


def _group_cost(analysis: Analysis, index: int, group) -> dict:
    wf = analysis.workflow
    setups = {t: wf.tasks[t].facet(SetupTime) for t in group.tasks}
    known = {t: _r(s.seconds) for t, s in setups.items() if s is not None}
    gated = (sorted({v for _, v in group.removed}, key=analysis.relaxation.rank.__getitem__)
             if wf.execution_model.order_gates else [])
    return {
        "group": index,
        "tasks": group.tasks,
        "saved_s": _r(group.saved_s if wf.execution_model.runs_parallel else 0.0),
        "tasks_added": 0,
        "added_s": 0.0,
        "setup_s": known,
        "setup_unknown": [t for t in group.tasks if t not in known],
        "setup_total_s": _r(sum(known.values())) if len(known) == len(group.tasks) else None,
        "at_once": _at_once(group.tasks, analysis.optimized),
        "run_on_failure": gated,
        "run_on_failure_s": _known_s(analysis, gated) if gated else 0.0,
    }


def _at_once(tasks: list[str], plan: Schedule, weight: dict[str, float] | None = None) -> float:
    """Most of ``tasks`` (each counted ``weight``, else 1) running at the same moment in ``plan``
    (finishes before starts at a tie)."""
    running = [t for t in tasks if plan.finish[t] > plan.start[t]]
    events = sorted([(plan.finish[t], 0, t) for t in running] + [(plan.start[t], 1, t) for t in running])
    level = peak = 0.0
    for _, is_start, t in events:
        w = (weight or {}).get(t, 1)
        level += w if is_start else -w
        peak = max(peak, level)
    return peak


def _slots_at_once(analysis: Analysis, plan: Schedule) -> float:
    """Places under the concurrency cap in use at once (a task may take several: matrix instances)."""
    return _at_once(list(plan.start), plan, {t: float(d.slots) for t, d in analysis.demand.items()})


def _pool_use(analysis: Analysis, name: str, size: int) -> dict:
    """Slots of one pool held at once as the engine runs the design, and the plan after the changes."""
    weight = {t: float(n) for t, d in analysis.demand.items() for p, n in d.pools if p == name}
    fanned = {t: float(n) for t, d in analysis.plan_demand.items() for p, n in d.pools if p == name}
    return {"name": name, "size": size, "before": _at_once(list(weight), analysis.current, weight),
            "after": _at_once(list(fanned), analysis.optimized, fanned)}


def _in_flight(analysis: Analysis, name: str) -> dict:
    """Requests to one API under way at once, as designed and after the changes, against its burst."""
    wf = analysis.workflow
    limit = wf.limits.apis[name]
    callers = [t for t, task in wf.tasks.items() if any(u.api == name for u in task.apis)]
    before = _at_once(callers, analysis.current)
    after = _at_once(callers, analysis.optimized)
    for batch in analysis.batches:
        mine = [t for t in batch.tasks if t in callers]
        sent = sum(wf.tasks[t].api_calls().get(name, 0.0) for t in mine)
        after = max(after, sent)
    for f in (f for f in analysis.fanouts if f.task in callers):  # held to the bucket: its burst at most
        sent = wf.tasks[f.task].api_calls()[name]
        after = max(after, min(sent, f.in_flight * sent / f.items, limit.bucket))
    return {"name": name, "limit": limit.text, "at_once_allowed": _r(limit.bucket),
            "in_flight_before": _r(before), "in_flight_after": _r(after), "ok": after <= limit.bucket}


MAX_NAMED = 20  # tasks a group's cost sentence names: a group of 3,000 is told by its count


def cost_sentences(report: dict, names: dict[str, str]) -> list[str]:
    """The cost block in words, one sentence per group and limit: the wording text and markdown share."""
    from .analysis.durations import fmt_seconds, saved_words

    cost = report["parallel_cost"]
    out = []
    for g in cost["groups"]:
        members = some_of([names[t] for t in g["tasks"]], MAX_NAMED)
        saved = saved_words(report, g["saved_s"])
        text = f"Group {g['group']} ({members}): {saved}; adds no task"
        if cost["task_setup"]:
            setup = [f"{names[t]} {fmt_seconds(s)}" for t, s in g["setup_s"].items()]
            setup += [f"{names[t]} unknown" for t in g["setup_unknown"]]
            text += (f", so no set-up and 0s of runner time are added per run; up to "
                     f"{g['at_once']:g} run at once. Set-up each already pays (the price of running them apart): "
                     f"{', '.join(setup)}" + ("" if not g["setup_unknown"] else " (run data with steps shows it)") + ".")
        else:
            text += f"; up to {g['at_once']:g} run at once."
        if g["run_on_failure"]:
            spent = (fmt_seconds(g["run_on_failure_s"]) if g["run_on_failure_s"] is not None
                     else "an amount unknown without timings")
            text += (f" When an earlier one fails, {', '.join(names[t] for t in g['run_on_failure'])} no longer "
                     f"skip: a failed run spends {spent} more runner time.")
        out.append(text)
    slots = cost["slots"]
    if cost["groups"] or slots["after"] != slots["before"]:
        cap = f" (cap {slots['limit']})" if slots["limit"] else ""
        out.append(f"Slots held at once: {slots['before']:g} as designed, {slots['after']:g} after{cap}.")
    for p in (p for p in cost["pools"] if p["before"] or p["after"]):
        size = f" of {p['size']}" if p["size"] is not None else ""
        out.append(f"Pool {p['name']}: {p['before']:g}{size} slot(s) at once as designed, {p['after']:g} after.")
    for b in cost["batches"]:
        allowed = (f"{'✓ within' if b['ok'] else '✗ more than'} the {b['at_once_allowed']:g} its limit admits at once"
                   if b["at_once_allowed"] is not None else "no limit declared for " + (", ".join(b["apis"]) or "it")
                   + ": check what the API admits")
        out.append(f"Batch ({', '.join(names[t] for t in b['tasks'])}): {b['in_flight_after']:g} request(s) in flight "
                   f"at once instead of {b['in_flight_before']}; {allowed}.")
    for a in cost["apis"]:
        if a["in_flight_before"] or a["in_flight_after"]:
            mark = "✓" if a["ok"] else "✗ more than"
            out.append(f"API {a['name']}: up to {a['in_flight_before']:g} request(s) in flight as designed, "
                       f"{a['in_flight_after']:g} after; {mark} the {a['at_once_allowed']:g} its limit admits at once.")
    return out
