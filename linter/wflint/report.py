"""The analysis a workflow performance engineer would write, as one data structure (docs/architecture.md).

``build_report`` is the only place that decides what a report says; markdown, text and JSON are
renderings of it (``render/``), and its shape is published as ``schemas/report.schema.json``.
"""
from __future__ import annotations

from .analysis import Analysis, Peak, graph
from .analysis.coverage import coverage
from .analysis.durations import fmt_rate, fmt_seconds
from .analysis.fanout import Fanout
from .analysis.groups import longest_chain, seconds_known
from .cost import parallel_cost
from .display import printable, some_of
from .facets import Starts
from .finding import Finding
from .ir import EdgeKind, Mode, Workflow

VERSION = 1


def _r(x: float) -> float:
    return round(x, 6)


def run_reports(analysis: Analysis, findings: list[Finding]) -> list[dict]:
    """The workflow's report, or one report per run where its triggers (events) start different
    parts of it (``analysis/runs.py``), each with the findings on its tasks."""
    from .analysis import analyze
    from .analysis.runs import runs_of

    runs = runs_of(analysis.workflow)
    if not runs:
        return [build_report(analysis, findings)]
    out = []
    for run in runs:
        members = set(run.workflow.tasks)
        mine = [f for f in findings if not f.tasks or members.intersection(f.tasks)]
        out.append(build_report(analyze(run.workflow), mine, started_by=run.started_by))
    return out


def reports_worth_showing(result) -> list[dict]:
    """The reports of a checked file's workflows (``engine.FileResult``) that have something to
    say: a finding, a parallel group or a batch; the rest would only repeat "nothing to do"."""
    out = []
    for checked in result.results:
        if checked.analysis is None:
            continue
        mine = [f for f in result.findings if f.workflow == checked.workflow.name]
        out += [r for r in run_reports(checked.analysis, mine) if r["findings"] or r["groups"] or r["batches"]]
    return out


def build_report(analysis: Analysis, findings: list[Finding] | None = None,
                 started_by: tuple[str, ...] = ()) -> dict:
    """``findings``: what ``check`` says about this workflow, listed in the report and weighed by
    its dependency check (a group is never called safe beside a safety finding on its tasks).
    ``started_by``: the triggers of the one run this report is about (``run_reports``)."""
    from .analysis.runs import in_words
    from .render.jsonout import finding_dict

    findings = list(findings or [])
    wf = analysis.workflow
    after_path, before_path = analysis.critical_path(), analysis.critical_path(after=False)
    on_path = set(after_path)
    relaxed = analysis.relaxed_cpm
    current, optimized = analysis.current, analysis.optimized
    sure = analysis.offered_groups
    model = wf.execution_model
    resources = _resource_check(analysis)
    return {
        "version": VERSION,
        "workflow": printable(wf.name),
        "title": printable(wf.name + (f" ({in_words([started_by])})" if started_by else "")),
        "run": {"started_by": [printable(s) for s in started_by]} if started_by else None,
        "path": wf.path,
        "format": wf.format,
        "engine": {"name": model.name, "mode": model.mode, "runs_parallel": model.runs_parallel,
                   "notes": list(model.notes)},
        "duration_source": analysis.duration_source,
        "measured_share": _measured_share(analysis),
        "coverage": coverage(wf).as_dict(),
        "tasks": [
            {
                "id": t,
                "name": printable(wf.tasks[t].name),
                "kind": wf.tasks[t].kind,
                "duration_s": _r(analysis.duration[t]),
                "duration_source": wf.tasks[t].duration.source.value,
                "current_start_s": _r(current.start[t]),
                "optimized_start_s": _r(optimized.start[t]),
                "earliest_start_s": _r(relaxed.earliest_start[t]),
                "slack_s": _r(relaxed.slack(t)),
                "critical": t in on_path,
                "never_runs": _never_runs(wf, t),
            }
            for t in analysis.relaxation.order
        ],
        "current_s": _r(current.makespan),
        "optimized_s": _r(analysis.optimized_s),
        "ideal_s": _r(analysis.ideal.makespan),
        "lower_bound_s": _r(optimized.lower_bound),
        "saved_s": _r(analysis.saved_s),
        "saved_pct": round(analysis.saved_pct, 1),
        "critical_path": after_path,
        "critical_path_before": before_path,
        "groups": [_group_entry(analysis, g) for g in sure],
        "unchecked": [_unchecked_entry(analysis, g) for g in analysis.unchecked_groups],
        "batches": [
            {"tasks": b.tasks, "saved_s": _r(b.saved_s), "sequential_s": _r(b.sequential_s),
             "batched_s": _r(b.batched_s), "duration_source": b.duration_source}
            for b in analysis.batches
        ],
        "fanouts": [_fanout_dict(wf, f) for f in analysis.fanouts],
        "structure": _structure(analysis),
        "stages_before": _stages(analysis, [], after=False),
        "stages_after": _stages(analysis, sure, after=True),
        "dependency_check": _dependency_check(analysis, findings),
        "resource_check": resources,
        "parallel_cost": parallel_cost(analysis),
        "recommendations": _recommendations(analysis, resources),
        "findings": [finding_dict(f) for f in findings],
    }


def _levels(order: list[str], pred: dict[str, list[str]]) -> dict[str, int]:
    """Stage of each task counted in tasks, not seconds: 1 + the deepest stage before it."""
    level: dict[str, int] = {}
    for t in order:
        level[t] = 1 + max((level[p] for p in pred[t]), default=0)
    return level


def _group_entry(analysis: Analysis, g) -> dict:
    """One parallel group as the report lists it."""
    return {
        "tasks": g.tasks,
        "reason": g.reason,
        "saved_s": _r(g.saved_s),
        "sequential_s": _r(g.sequential_s),
        "parallel_s": _r(g.parallel_s),
        "confidence": g.confidence,
        "duration_source": g.duration_source,
        "chain_tasks": _chain_tasks(g),
    }


def _unchecked_entry(analysis: Analysis, g) -> dict:
    """Orderings that could go only if what some tasks touch were known: kept, with those tasks."""
    return {"tasks": g.tasks, "orderings": [[u, v] for u, v in g.removed],
            "unknown": _unknown_effects(analysis.workflow, g.tasks)}


def _unknown_effects(wf: Workflow, tasks: list[str]) -> list[str]:
    return [t for t in tasks if wf.tasks[t].opaque or wf.tasks[t].dynamic]


def _chain_tasks(group) -> list[int]:
    """The longest chain of the group's tasks, in tasks, as designed and with its orderings gone:
    what it saves when no duration is known (a span of stages can grow when its first task moves up)."""
    one = dict.fromkeys(group.tasks, 1.0)
    return [round(longest_chain(group.tasks, group.declared, one)),
            round(longest_chain(group.tasks, [(u, v) for u, v, _ in group.needed], one))]


def _structure(analysis: Analysis) -> dict:
    """Depth and width of the design before and after the high-confidence groups (the ones the
    totals count): what counts when no duration is known."""
    r = analysis.relaxation
    sure = analysis.offered_groups
    before = _levels(r.order, r.declared_pred)
    after = _levels(r.order, _pred_after_groups(analysis, sure))

    def width(levels: dict[str, int]) -> int:
        counts: dict[int, int] = {}
        for n in levels.values():
            counts[n] = counts.get(n, 0) + 1
        return max(counts.values(), default=0)

    return {
        "timed": seconds_known(analysis.workflow),
        "depth_before": max(before.values(), default=0),
        "depth_after": max(after.values(), default=0),
        "width_before": width(before),
        "width_after": width(after),
        "removable_orderings": sum(len(g.removed) for g in sure),
        "stage_before": before,
        "stage_after": after,
    }


def _pred_after_groups(analysis: Analysis, groups) -> dict[str, list[str]]:
    """The declared orderings less those ``groups`` remove ("after" counts the offered groups, as
    the headline does)."""
    removed = {edge for g in groups for edge in g.removed}
    declared = analysis.relaxation.declared_pred
    return {t: [p for p in declared[t] if (p, t) not in removed] for t in declared}


def _stages(analysis: Analysis, groups, after: bool) -> list[dict]:
    """The run as consecutive stages: a lone task, or a bracket of tasks that run together. After
    the changes a fanned-out task takes its fanned time, named in ``fanned``."""
    order = analysis.relaxation.order
    seconds = analysis.plan_duration if after else analysis.duration
    fanned = {f.task: _r(f.fanned_s) for f in analysis.fanouts} if after else {}
    if analysis.workflow.execution_model.mode != "sequential":
        path = analysis.critical_path(after=after and bool(groups or analysis.fanouts))
        return [_stage([t], seconds[t], fanned) for t in path]
    member = {t: g for g in groups for t in g.tasks}
    stages, seen = [], set()
    for t in order:
        if t in seen:
            continue
        group = member.get(t)
        if group is None:
            stages.append(_stage([t], seconds[t], fanned))
            seen.add(t)
        else:
            needed = [(u, v) for u, v, _ in group.needed]
            stages.append(_stage(list(group.tasks), longest_chain(group.tasks, needed, seconds), fanned))
            seen.update(group.tasks)
    return stages


def _fanout_dict(wf: Workflow, f: Fanout) -> dict:
    return {"task": f.task, "items": f.items, "each_s": _r(f.each_s), "sequential_s": _r(f.sequential_s),
            "fanned_s": _r(f.fanned_s), "in_flight": f.in_flight, "paced_by": f.paced_by, "saved_s": _r(f.saved_s),
            "reason": _fanout_reason(wf, f)}


def _fanout_advice(wf: Workflow, f: Fanout) -> dict:
    """Run the items concurrently with a bound the limits set, and keep the items that fail."""
    name = printable(wf.tasks[f.task].name)
    bound = (f"a semaphore of {f.in_flight} (`asyncio.Semaphore({f.in_flight})`, `p-limit({f.in_flight})`)"
             if f.in_flight < f.items else "no semaphore needed by the declared limits")
    pace = f", and a token bucket for the {f.paced_by} API" if f.paced_by else ""
    text = (f"Fan out {name} per item: start its {f.items} items together with {bound}{pace}; about "
            f"{fmt_seconds(f.sequential_s)} → {fmt_seconds(f.fanned_s)}.")
    failure = ("one item's failure should not lose the others: collect every result "
               "(`asyncio.gather(..., return_exceptions=True)`, `Promise.allSettled`) and retry or report the failed items.")
    return {"group": None, "tasks": [f.task], "confidence": "high", "partial_failure": failure, "text": text}


def _fanout_reason(wf: Workflow, f: Fanout) -> str:
    """Why one task's items can overlap and what holds them back, in the brief's own figures."""
    text = f"its {f.items} items ({f.items} × {fmt_seconds(f.each_s)}) can run side by side"
    if f.pool and f.in_flight < f.items:
        text += f", at most {f.in_flight} at once ({f.pool}, size {f.in_flight})"
    if f.paced_by:
        limit = wf.limits.apis[f.paced_by]
        text += f", paced by the {f.paced_by} limit ({limit.text}) with a token bucket"
    if not f.pool and not f.paced_by:
        text += "; nothing declared limits them, so cap them at what the service allows"
    return text


def _stage(tasks: list[str], seconds: float, fanned: dict[str, float]) -> dict:
    stage = {"tasks": tasks, "duration_s": _r(seconds)}
    mine = {t: fanned[t] for t in tasks if t in fanned}
    if mine:
        stage["fanned"] = mine
    return stage


def _effects_of(wf: Workflow, t: str, mode: Mode) -> list[str]:
    return sorted({e.resource for e in wf.tasks[t].effects if e.mode is mode})


def _safety_by_task(findings: list[Finding]) -> dict[str, list[Finding]]:
    """``check``'s safety findings (SAF) indexed by task, once per report (not once per group)."""
    by_task: dict[str, list[Finding]] = {}
    for f in findings:
        if f.code.startswith("SAF"):
            for t in f.tasks:
                by_task.setdefault(t, []).append(f)
    return by_task


def _safety_findings(group_tasks: list[str], by_task: dict[str, list[Finding]]) -> list[dict]:
    """The safety findings on any of the group's tasks: a hazard the group carries."""
    found = {id(f): f for t in group_tasks for f in by_task.get(t, ())}
    return [{"code": f.code, "tasks": list(f.tasks), "message": f.full_message} for f in found.values()]


def _gates_dropped(analysis: Analysis, removed: list[tuple[str, str]], details: dict) -> list[str]:
    """Orderings the group removes that the engine also reads as a gate (skip when the first fails)."""
    gates = analysis.workflow.execution_model.order_gates
    if not gates:
        return []
    return [details.get((u, v)) or f"{u} → {v}: {gates}" for u, v in removed]


def _dependency_check(analysis: Analysis, findings: list[Finding]) -> dict:
    wf = analysis.workflow
    groups = []
    safety_by_task = _safety_by_task(findings)
    details = {(e.u, e.v): e.detail for e in wf.edges}
    for g in analysis.offered_groups:
        data = [{"from": u, "to": v, "why": why} for u, v, why in g.needed]
        writes: dict[str, list[str]] = {}
        reads: dict[str, list[str]] = {}
        apis: dict[str, list[str]] = {}
        effects = {t: {"reads": _effects_of(wf, t, Mode.READ), "writes": _effects_of(wf, t, Mode.WRITE),
                       "apis": [u.api for u in wf.tasks[t].apis]} for t in g.tasks}
        for t, of in effects.items():
            for r in of["writes"]:
                writes.setdefault(r, []).append(t)
            for r in of["reads"]:
                reads.setdefault(r, []).append(t)
            for api in of["apis"]:
                apis.setdefault(api, []).append(t)
        write_conflicts = [{"resource": r, "tasks": ts} for r, ts in writes.items() if len(ts) > 1]
        read_after_write = [{"resource": r, "writers": writes[r], "readers": ts}
                            for r, ts in reads.items() if r in writes and set(ts) - set(writes[r])]
        shared = []
        for api, users in apis.items():
            if len(users) < 2:
                continue
            limit = wf.limits.apis.get(api)
            peak = _peak(analysis.peaks_optimized, f"api {api}")
            shared.append({"api": api, "tasks": users,
                           "limit_per_s": _r(limit.per_second) if limit else None,
                           "peak_per_s": _r(peak.used) if peak else None,
                           "ok": bool(peak is None or not peak.exceeded)})
        unknown = [t for t in g.tasks if wf.tasks[t].opaque or wf.tasks[t].dynamic]
        safety, gates = _safety_findings(g.tasks, safety_by_task), _gates_dropped(analysis, g.removed, details)
        groups.append({
            "tasks": g.tasks,
            "data_dependencies": data,
            "write_conflicts": write_conflicts,
            "read_after_write": read_after_write,
            "shared_rate_limits": shared,
            "unknown_effects": unknown,
            "effects": effects,
            "safety_findings": safety,
            "gates_dropped": gates,
            "safe": not (data or write_conflicts or read_after_write or unknown or safety or gates)
            and all(s["ok"] for s in shared),
        })
    races = [{"tasks": [c.a, c.b], "resource": c.resource,
              "kind": "write-write" if c.both_write else "read-write"} for c in analysis.relaxation.conflicts]
    unordered = [{"from": u, "to": v, "kind": kind} for u, v, kind in analysis.relaxation.unordered_needs]
    return {"groups": groups, "races_as_designed": races, "unordered_needs": unordered,
            "kept_apart": _kept_apart(analysis)}


KEPT_LISTED, KEPT_PRICED = 50, 20  # reports on huge graphs stay linear: list and price only the first ones


def _kept_apart(analysis: Analysis) -> list[dict]:
    """Orderings the plan keeps only because two tasks touch one resource (a write conflict or a read
    after a write), each with the plan's makespan and what it would be were the two independent."""
    wf, r = analysis.workflow, analysis.relaxation
    data = {(e.u, e.v) for e in wf.edges if e.kind is not EdgeKind.ORDER}
    out: list[dict] = []
    for (u, v), why in r.relaxed.items():
        if (u, v) in data or len(out) >= KEPT_LISTED:
            continue
        shared = _contested(wf, u, v)
        if shared is None:
            continue
        resource, kind = shared
        entry = {"tasks": [u, v], "resource": resource, "kind": kind, "why": why,
                 "critical_path_s": _r(analysis.relaxed_cpm.makespan), "plan_s": _r(analysis.optimized_s),
                 "if_independent_s": None}
        if len(out) < KEPT_PRICED:
            entry["if_independent_s"] = _r(_critical_path_without(analysis, (u, v)))
        out.append(entry)
    return out


def _contested(wf: Workflow, u: str, v: str) -> tuple[str, str] | None:
    """The resource ``u`` and ``v`` conflict on (at least one writes, not two appends), and how."""
    first = {e.resource: e for e in wf.tasks[u].effects}
    for e in wf.tasks[v].effects:
        other = first.get(e.resource)
        if other is None or (other.mode is Mode.READ and e.mode is Mode.READ) or (other.append and e.append):
            continue
        if other.mode is Mode.WRITE and e.mode is Mode.WRITE:
            return e.resource, "write-write"
        return e.resource, "read-after-write" if other.mode is Mode.WRITE else "write-after-read"
    return None


def _critical_path_without(analysis: Analysis, edge: tuple[str, str]) -> float:
    """The critical path were ``edge`` dropped; an ordering off every critical path changes nothing."""
    from .analysis import graph
    from .analysis.cpm import cpm

    free, (u, v) = analysis.relaxed_cpm, edge
    if free.earliest_finish[u] < free.latest_start[v] - 1e-9:
        return free.makespan
    r = analysis.relaxation
    succ, pred = graph.adjacency(r.order, [e for e in r.strict_edges() if e != edge])
    return cpm(r.order, pred, succ, analysis.plan_duration).makespan


def _peak(peaks: list[Peak], limit: str) -> Peak | None:
    return next((p for p in peaks if p.limit == limit), None)


def _resource_check(analysis: Analysis) -> dict:
    wf = analysis.workflow
    apis = [_api_check(analysis, name) for name in wf.limits.apis]
    pools = []
    for name, pool in wf.limits.pools.items():
        users = [t for t, task in wf.tasks.items() if name in task.pools]
        before, after = _peak(analysis.peaks_current, f"pool {name}"), _peak(analysis.peaks_optimized, f"pool {name}")
        pools.append({
            "name": name, "size": pool.size, "tasks": users,
            "peak_current": _r(before.used) if before else 0,
            "peak_optimized": _r(after.used) if after else 0,
            "ok": not (before and before.exceeded),
        })
    undeclared = sorted({p for task in wf.tasks.values() for p in task.pools} - set(wf.limits.pools))
    width = _peak_concurrency(analysis)
    return {
        "apis": apis,
        "pools": pools,
        "pools_without_size": undeclared,
        "groups": _group_constraints(analysis),
        "concurrency": {"limit": wf.limits.concurrency, "source": wf.limits.concurrency_source or None,
                        "peak_optimized": width},
        "waits": dict(sorted(analysis.optimized.waits.items())),
        "over_capacity": analysis.optimized.over_capacity,
    }


def _api_check(analysis: Analysis, name: str) -> dict:
    """One API against its token bucket: as designed, and in the parallel plan before and after it is
    held to the limit ("will parallel execution exceed the API's rate limit?")."""
    wf = analysis.workflow
    limit = wf.limits.apis[name]
    users = [t for t, task in wf.tasks.items() if any(u.api == name for u in task.apis)]
    before, after = _peak(analysis.peaks_current, f"api {name}"), _peak(analysis.peaks_optimized, f"api {name}")
    unthrottled = _peak(analysis.peaks_parallel, f"api {name}")
    calls = sum(wf.tasks[t].calls(u) for t in users for u in wf.tasks[t].apis if u.api == name)
    stretched = {t: _r(analysis.stretched[t]) for t in users if t in analysis.stretched}
    exceeds = bool(unthrottled and unthrottled.exceeded)
    return {
        "name": name, "limit": limit.text, "limit_per_s": _r(limit.per_second), "burst": _r(limit.bucket),
        "tasks": users, "calls_per_run": _r(calls),
        "peak_current_per_s": _r(before.used) if before else 0.0,
        "peak_optimized_per_s": _r(after.used) if after else 0.0,
        "peak_parallel_per_s": _r(unthrottled.used) if unthrottled else 0.0,
        "parallel_exceeds": exceeds,
        "worst_window": _window(unthrottled),
        "stretched": stretched,
        "ok": not ((before and before.exceeded) or exceeds or stretched),
    }


def _window(peak: Peak | None) -> dict | None:
    """The window in which a plan sends most beyond the bucket's refill, and what the bucket admits there."""
    if peak is None or peak.drawn <= 0:
        return None
    return {"from_s": _r(peak.at_s), "to_s": _r(peak.until_s), "sent": _r(peak.sent), "allowed": _r(peak.allowed),
            "tasks": peak.tasks}


def _group_constraints(analysis: Analysis) -> list[dict]:
    """Per parallel group: the pools its tasks hold and the locks they take, with the numbers."""
    wf = analysis.workflow
    writers: dict[str, list[str]] = {}  # resource → its writers in run order (appends hold no lock)
    for t in analysis.relaxation.order:
        for r in dict.fromkeys(e.resource for e in wf.tasks[t].writes if not e.append):
            writers.setdefault(r, []).append(t)
    return [{"group": i, "tasks": g.tasks, "pools": _group_pools(analysis, g.tasks),
             "locks": _group_locks(analysis, g.tasks, writers)}
            for i, g in enumerate(analysis.offered_groups, start=1)]


def _at_once(tasks: list[str], start: dict[str, float], finish: dict[str, float]) -> int:
    """Most of ``tasks`` running at the same moment (finishes before starts at a tie)."""
    events = sorted([(finish[t], 0) for t in tasks if finish[t] > start[t]] +
                    [(start[t], 1) for t in tasks if finish[t] > start[t]])
    level = peak = 0
    for _, is_start in events:
        level += 1 if is_start else -1
        peak = max(peak, level)
    return peak


def _group_pools(analysis: Analysis, members: list[str]) -> list[dict]:
    """Connection pool exhaustion: how many of the group's holders the parallel plan asks to run at once
    (no limits) against the pool's size, and how many it runs at once when held to it."""
    wf, plan, free = analysis.workflow, analysis.optimized, analysis.relaxed_cpm
    # An engine that runs one task at a time never asks for two slots at once.
    start, finish = ((free.earliest_start, free.earliest_finish) if wf.execution_model.runs_parallel
                     else (plan.start, plan.finish))
    out = []
    for name in sorted({p for t in members for p in wf.tasks[t].pools}):
        holders = [t for t in members if name in wf.tasks[t].pools]
        pool = wf.limits.pools.get(name)
        asked = _at_once(holders, start, finish)
        waiting = [t for t in holders if plan.start[t] > start[t] + 1e-9]
        out.append({"name": name, "size": pool.size if pool else None, "holders": holders, "asked_at_once": asked,
                    "at_once": _at_once(holders, plan.start, plan.finish), "waiting": waiting,
                    "ok": pool is None or asked <= pool.size})
    return out


def _group_locks(analysis: Analysis, members: list[str], writers_of: dict[str, list[str]]) -> list[dict]:
    """Database lock limits: a writer of a table (or of what a brief says is locked) holds its lock, so
    its writers run one at a time; shows who else writes it and how many the plan runs at once."""
    wf, plan = analysis.workflow, analysis.optimized
    inside = set(members)
    out = []
    for resource in sorted({r for t in members for r in _effects_of(wf, t, Mode.WRITE)}):
        writers = writers_of.get(resource, [])
        if len(writers) < 2:
            continue
        at_once = _at_once(writers, plan.start, plan.finish)
        out.append({"resource": resource, "writers": writers, "in_group": [t for t in writers if t in inside],
                    "at_once": at_once, "ok": at_once <= 1})
    return out


def _peak_concurrency(analysis: Analysis) -> int:
    """Most places under the concurrency cap in use at once in the optimized schedule (a matrix job
    takes one per instance running; finishes before starts at a tie)."""
    s = analysis.optimized
    running = [t for t in s.start if s.finish[t] > s.start[t]]
    slots = {t: d.slots for t, d in analysis.demand.items()}
    events = sorted([(s.finish[t], 0, t) for t in running] + [(s.start[t], 1, t) for t in running])
    level = peak = 0
    for _, is_start, t in events:
        level += slots.get(t, 1) if is_start else -slots.get(t, 1)
        peak = max(peak, level)
    return peak


FAR = "…"  # _first_join gave up: the branches meet, if at all, far downstream


def _first_join(analysis: Analysis, members: list[str], budget: int = 64) -> str | None:
    """The first task (in run order) downstream of two or more of ``members``: where the branches meet.

    Looks at most ``budget`` tasks ahead (returning ``FAR``), so reports on huge graphs stay linear.
    """
    import heapq

    succ, _ = analysis.relaxation.strict
    rank, order = analysis.relaxation.rank, analysis.relaxation.order
    inside = set(members)
    reached: dict[str, int] = {}
    for bit, m in enumerate(members):
        for s in succ[m]:
            if s not in inside:
                reached[s] = reached.get(s, 0) | 1 << bit
    heap = [rank[s] for s in reached]  # ranks: ints compare faster than (rank, name) pairs
    heapq.heapify(heap)
    push, pop = heapq.heappush, heapq.heappop
    while heap and budget:
        budget -= 1
        n = order[pop(heap)]
        origins = reached[n]
        if origins & (origins - 1):
            return n
        for s in succ[n]:
            if s not in reached:
                push(heap, rank[s])
                reached[s] = origins
            else:
                reached[s] |= origins
    return FAR if heap else None


def _recommendations(analysis: Analysis, resources: dict) -> list[dict]:
    wf = analysis.workflow
    model = wf.execution_model
    out = []
    feeders = _data_feeders(wf)
    for i, g in enumerate(analysis.offered_groups, start=1):
        names = _some_names(wf, g.tasks, most=20)
        text = f"Group {i} ({names}): {model.parallel_feature or 'run these tasks concurrently'}."
        out.append({"group": i, "tasks": g.tasks, "text": text, "partial_failure": _partial_failure(analysis, g.tasks, feeders),
                    "confidence": g.confidence})
    out += [_declare_effects_advice(analysis, g) for g in analysis.unchecked_groups]
    for b in analysis.batches:
        names = _some_names(wf, b.tasks, most=20)
        out.append({"group": None, "tasks": b.tasks, "confidence": "medium", "partial_failure": "",
                    "text": f"Send {names} from one task fed one item per call: the engine sends one task's "
                            f"calls at once. About {fmt_seconds(b.sequential_s)} → {fmt_seconds(b.batched_s)} "
                            f"({b.duration_source} durations); nothing caps the calls in flight, so check the "
                            "API's rate limit."})
    out += [_fanout_advice(wf, f) for f in analysis.fanouts]
    for api in resources["apis"]:
        if api["parallel_exceeds"] or analysis.optimized.waits.get(f"api {api['name']}"):
            out.append({"group": None, "tasks": api["tasks"], "confidence": "high", "partial_failure": "",
                        "text": f"Throttle calls to {api['name']} to {fmt_rate(api['limit_per_s'])}: "
                                "the parallel plan is held back by this limit."})
    for limit, count in sorted(analysis.optimized.waits.items()):
        if limit.startswith("pool") or (limit == "concurrency" and model.runs_parallel):
            out.append({"group": None, "tasks": [], "confidence": "high", "partial_failure": "",
                        "text": f"{count} task(s) wait for {limit} in the parallel plan; its size bounds the speed-up."})
    if not (analysis.offered_groups or analysis.unchecked_groups or analysis.batches or analysis.fanouts):
        why = ("every ordering is needed" if model.runs_parallel else
               f"{model.parallel_feature or 'the engine runs one task at a time'}")
        out.append({"group": None, "tasks": [], "confidence": "high", "partial_failure": "",
                    "text": f"Nothing to parallelize: {why}. Critical path {_path_length(analysis)}."})
    return out


def _declare_effects_advice(analysis: Analysis, g) -> dict:
    """What settles orderings kept only because some tasks' effects are unknown: declaring them."""
    wf = analysis.workflow
    unknown = _unknown_effects(wf, g.tasks)
    names = "they" if unknown == g.tasks else _some_names(wf, unknown)
    text = (f"{len(g.removed)} ordering(s) among {_some_names(wf, g.tasks)} are kept: what {names} read and write is "
            "unknown, so wflint cannot tell whether they are needed. Declare it (`[effects.<task>]` in "
            "wflint.toml: `reads`, `writes`, or `independent = true`) to have them checked.")
    return {"group": None, "tasks": g.tasks, "confidence": "low", "partial_failure": "", "text": text}


def _some_names(wf: Workflow, tasks: list[str], most: int = 8) -> str:
    """The first ``most`` task names, the rest counted: one sentence stays readable on a big DAG."""
    return some_of([printable(wf.tasks[t].name) for t in tasks], most)


def _never_runs(workflow: Workflow, task_id: str) -> bool:
    """No start of the workflow reaches the task (a disabled trigger's path, an unwired node)."""
    starts = workflow.tasks[task_id].facet(Starts)
    return starts is not None and not starts.starts


def _data_feeders(workflow) -> dict[str, list[str]]:
    """The tasks each task reads data from (its incoming data edges), indexed once per report."""
    feeders: dict[str, list[str]] = {}
    for e in workflow.edges:
        if e.kind is EdgeKind.DATA:
            feeders.setdefault(e.v, []).append(e.u)
    return feeders


def _partial_failure(analysis: Analysis, members: list[str], feeders: dict[str, list[str]]) -> str:
    """What one failed branch should do to the group, and the engine's construct for it: fail the
    group where the task that joins the branches reads every branch's output, else let the others
    finish (a failed notification need not stop a write) and decide where they meet."""
    wf, model = analysis.workflow, analysis.workflow.execution_model
    if not model.runs_parallel:  # one task at a time: every later task follows each branch, none is a join
        return model.fail_together + "." if model.fail_together else ""
    join = _first_join(analysis, members)
    if join == FAR:
        advice = ("The branches meet far downstream; make sure the task that joins them waits for all of them "
                  "and fails (or is told to run on partial data) when one fails.")
        construct = model.fail_together
    elif join and _reads_every_branch(analysis, feeders.get(join, []), members):
        joiner = printable(wf.tasks[join].name)
        advice = f"{joiner} reads what every branch makes, so one failed branch should fail the group."
        construct = model.fail_together
    elif join:
        joiner = printable(wf.tasks[join].name)
        advice = (f"{joiner} joins the branches but does not read each one's output, so let the other branches "
                  f"finish when one fails and decide at {joiner}.")
        construct = model.finish_the_rest
    else:
        advice = ("No task joins these branches, so one failing need not stop the others: let them finish, and "
                  "fail (or retry) the run for the branch that failed rather than lose it.")
        construct = model.finish_the_rest
    return advice + (f" {construct}." if construct else "")


def _reads_every_branch(analysis: Analysis, feeders: list[str], members: list[str]) -> bool:
    """Whether the join, reading from ``feeders``, reads data that comes from each member (a data
    edge from it, or from a task after it)."""
    rank = analysis.relaxation.rank
    if not members or not feeders:
        return not members
    fed_by = graph.upstream(analysis.relaxation.declared_pred, feeders, rank, min(rank[m] for m in members))
    return all(m in fed_by for m in members)


def _path_length(analysis: Analysis) -> str:
    """The critical path's length in seconds when the figures are known (``seconds_known``), else in
    stages: a default is never written as if measured."""
    path = analysis.critical_path()
    if seconds_known(analysis.workflow):
        return fmt_seconds(analysis.optimized.makespan)
    return f"{len(path)} task(s) long (no durations known)"


def _measured_share(analysis: Analysis) -> float:
    """The share of the tasks' total time that comes from run data (``--timings``), 0 to 1."""
    from .ir import DurationSource

    tasks = analysis.workflow.tasks
    total = sum(analysis.duration[t] for t in tasks)
    measured = sum(analysis.duration[t] for t, task in tasks.items() if task.duration.source is DurationSource.MEASURED)
    return round(measured / total, 4) if total > 0 else 0.0
