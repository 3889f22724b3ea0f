"""The report in markdown, in the six sections a workflow performance engineer writes."""
from __future__ import annotations

from ..analysis.durations import fmt_rate, fmt_seconds, known_figure, known_total
from ..discover import repo_relative
from ..display import markdown_safe, some_of
from . import mermaid

NO_TIMINGS = "**Total time saved: unknown without timing data** (pass `--timings` with measured durations)."


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def report_markdown(report: dict) -> str:
    """The whole report: heading and notes, then sections 1–6 in the order an engineer reads them."""
    names = {t["id"]: t["name"] for t in report["tasks"]}
    out = _heading(report) + _note_lines(report)
    out += _current_flow(report)
    out += _opportunities(report, names)
    out += _dependency_check(report["dependency_check"], names) + _findings(report.get("findings", []))
    out += _blueprint(report, names)
    out += ["## 5. Resource-constraint check", ""] + _resource_lines(report, names) + _cost_lines(report, names)
    out += _recommendations(report)
    return markdown_safe("\n".join(out))


# Rows of one table or list a Markdown report shows: past it, a page of 10,000 tasks was all section 1
# and was cut at the step-summary limit (``fit_summary``) before sections 3-6. JSON and HTML have all.
MAX_ROWS = 200


def _more(count: int, what: str) -> list[str]:
    """The line that says how many of ``count`` rows a capped table or list left out, if any."""
    return _left_out(count - MAX_ROWS, what)


def _left_out(left: int, what: str) -> list[str]:
    if left <= 0:
        return []
    return ["", f"… and {left} more {what}: `wflint report --format json` (or html) has them all."]


def _listed(tasks: list[str], names: dict[str, str], most: int = 20) -> str:
    """The first ``most`` tasks' names, the rest counted: one table cell stays readable."""
    return some_of([names[t] for t in tasks], most)


def _heading(report: dict) -> list[str]:
    """Title and source line: how the engine runs tasks frames every figure that follows."""
    return [f"# Workflow analysis: {report['title']}", "",
            f"Source `{report['path']}` ({report['format']}); engine model: {_engine_model(report['engine'])}; "
            f"durations: {report['duration_source']}{_measured(report)}.", "", _coverage_line(report["coverage"]), ""]


def _measured(report: dict) -> str:
    share = report.get("measured_share", 0)
    return f" ({share * 100:.0f} % of the tasks' time measured)" if share else ""


def _coverage_line(seen: dict) -> str:
    """What was read, so no verdict is taken for more than it covers."""
    line = (f"Coverage: {seen['tasks']} task(s) read, effects known for {seen['effects_known']}, "
            f"{seen['edges_resolved']} of {seen['edges']} reference(s) resolved.")
    if seen["partial"]:
        why = "; ".join(seen["unresolved"]) or "ids or edges not resolvable statically"
        line += (f" **The graph is partial**: {len(seen['dynamic_tasks'])} task(s) could not be resolved "
                 f"({why}); what follows speaks only of what was read.")
    return line


def _engine_model(engine: dict) -> str:
    """The engine's execution model in words, so a reader knows what "before" means."""
    if engine["mode"] != "sequential":
        return "tasks run when their upstream edges allow"
    if engine["runs_parallel"]:
        return "tasks run one at a time in the listed order"
    return "the engine runs one task at a time, in its own order"


def _note_lines(report: dict) -> list[str]:
    """Caveats first, as quoted notes: what the engine does unexpectedly and which figures are guesses."""
    notes = list(report["engine"]["notes"])
    shape = report["structure"]
    if not shape["timed"] and not report["engine"]["runs_parallel"]:
        notes.append("No timing data (pass `--timings`): the report speaks in stages, not seconds. The engine runs "
                     "one task at a time whatever the design, so only calls merged into one multi-item task overlap.")
    elif not shape["timed"]:
        notes.append(f"No timing data (pass `--timings`): the report speaks in stages, not seconds. The design is "
                     f"{shape['depth_before']} stage(s) deep and up to {shape['width_before']} wide; after the "
                     f"recommended changes {shape['depth_after']} deep and up to {shape['width_after']} wide.")
    elif report["duration_source"] == "default":
        notes.append("Some durations are defaults, not measured or declared: pass `--timings` for real figures.")
    return [f"> {n}" for n in notes] + ([""] if notes else [])


# ---------------------------------------------------------------- 1. current flow

def _current_flow(report: dict) -> list[str]:
    """Section 1: the workflow as designed, in seconds when durations are known, else in stages."""
    return _timed_flow(report) if report["structure"]["timed"] else _staged_flow(report)


def _timed_flow(report: dict) -> list[str]:
    """The tasks in the order they start today, with their durations and the total they add up to."""
    sequential = report["engine"]["mode"] == "sequential"
    ordered = sorted(report["tasks"], key=lambda x: (x["current_start_s"], x["id"]))
    out = ["## 1. Current flow", "", "| # | Task | Duration | Starts at | Duration source |", "|---|---|---|---|---|"]
    for i, t in enumerate(ordered[:MAX_ROWS], start=1):
        out.append(f"| {i} | {_cell(t['name'])} (`{t['id']}`) | {fmt_seconds(t['duration_s'])} | "
                   f"{fmt_seconds(t['current_start_s'])} | {t['duration_source']} |")
    return out + _more(len(ordered), "tasks") + ["", f"Estimated total: **{fmt_seconds(report['current_s'])}**"
                  + (" (sum of the steps, one at a time)." if sequential else " (as designed, under its limits)."), ""]


def _staged_flow(report: dict) -> list[str]:
    """Without durations the only honest measure is structure: each task's stage, the depth and width."""
    shape = report["structure"]
    ordered = sorted(report["tasks"], key=lambda x: (shape["stage_before"][x["id"]], x["id"]))
    out = ["## 1. Current flow", "", "| # | Task | Stage | Duration |", "|---|---|---|---|"]
    for i, t in enumerate(ordered[:MAX_ROWS], start=1):
        out.append(f"| {i} | {_cell(t['name'])} (`{t['id']}`) | {shape['stage_before'][t['id']]} | {known_figure(t)} |")
    out += _more(len(ordered), "tasks")
    return out + ["", f"Structure: **{shape['depth_before']} stage(s) deep**, up to {shape['width_before']} "
                      f"task(s) side by side ({known_total(report)}).", ""]


# ---------------------------------------------------------------- 2. opportunities

def _opportunities(report: dict, names: dict[str, str]) -> list[str]:
    """Section 2: one row per group of tasks that could overlap and per batch of mergeable calls."""
    out = ["## 2. Parallelization opportunities", ""]
    if not report["groups"] and not report["batches"] and not report["fanouts"]:
        if report["unchecked"]:
            return out + ["None that wflint could check.", "", *_unchecked_lines(report, names)]
        if not report["engine"]["runs_parallel"]:
            return out + ["None: the engine runs one task at a time, so tasks that need no order between them "
                          "still run one after another; only calls merged into one task overlap.", ""]
        return out + ["None: every ordering in this workflow is needed by data or a shared resource.", ""]
    out += ["| Task Group | Tasks | Why They Can Run in Parallel | Estimated Time Saved |", "|---|---|---|---|"]
    out += [_group_row(i, g, report["structure"], names) for i, g in enumerate(report["groups"][:MAX_ROWS], start=1)]
    out += [_batch_row(i, b, names) for i, b in enumerate(report["batches"][:MAX_ROWS], start=1)]
    out += [_fanout_row(i, f, names) for i, f in enumerate(report["fanouts"][:MAX_ROWS], start=1)]
    out += _left_out(sum(len(report[k]) - MAX_ROWS for k in ("groups", "batches", "fanouts") if len(report[k]) > MAX_ROWS),
                     "rows")
    return out + (_total_rows(report) if report["structure"]["timed"] else []) + ["", *_unchecked_lines(report, names)]


def _unchecked_lines(report: dict, names: dict[str, str]) -> list[str]:
    """Orderings kept because some effects are unknown: named, never offered as savings."""
    out = []
    for u in report["unchecked"][:MAX_ROWS]:
        who = ("no task's effects are known" if u["unknown"] == u["tasks"]
               else "the effects of " + _listed(u["unknown"], names) + " are unknown")
        out.append(f"- **Not checked**: {len(u['orderings'])} ordering(s) among "
                   f"{_cell(_listed(u['tasks'], names))} are kept, because {who}; "
                   "declare them (`[effects.<task>]` in wflint.toml) to have them checked.")
    out += _more(len(report["unchecked"]), "unchecked groups")
    return out + ([""] if out else [])


def _total_rows(report: dict) -> list[str]:
    """The rows add up to the headline: what the counted rows sum to on the graph, and the part
    the declared limits (concurrency, pools, rate limits) take back or add, as its own row."""
    counted = sum(g["saved_s"] for g in report["groups"])
    counted += sum(b["saved_s"] for b in report["batches"])
    counted += sum(f["saved_s"] for f in report["fanouts"])
    rest = report["saved_s"] - counted
    out = []
    if abs(rest) > 0.0005:
        why = ("the plan under the declared limits gains this beyond the rows" if rest > 0 else
               "held back by the declared limits (concurrency cap, pools, rate limits): the rows count the graph alone")
        out.append(f"| Limits | – | {why} | {'+' if rest > 0 else '−'}{fmt_seconds(abs(rest))} |")
    return out + [f"| **Total** | – | the headline: before − after | **{fmt_seconds(report['saved_s'])}** |"]


def _group_row(i: int, group: dict, shape: dict, names: dict[str, str]) -> str:
    """A group's row: what it saves, in seconds or in stages."""
    saved = _group_saving(group, shape)
    return f"| Group {i} | {_cell(_listed(group['tasks'], names))} | {_cell(group['reason'])} | {saved} |"


def _group_saving(group: dict, shape: dict) -> str:
    """Seconds saved when durations are known; otherwise how many stages the group's span shrinks by."""
    if shape["timed"]:
        return f"{fmt_seconds(group['saved_s'])} ({fmt_seconds(group['sequential_s'])} → {fmt_seconds(group['parallel_s'])})"
    before, after = group["chain_tasks"]
    return f"unknown without timings; their chain {before} → {after} task(s) deep"


def _batch_row(i: int, batch: dict, names: dict[str, str]) -> str:
    """A batch's row: on a one-at-a-time engine, merging calls into one task is the only overlap there is."""
    saved = (f"{fmt_seconds(batch['saved_s'])} ({fmt_seconds(batch['sequential_s'])} → {fmt_seconds(batch['batched_s'])}, "
             f"{batch['duration_source']} durations)")
    return (f"| Batch {i} | {_cell(_listed(batch['tasks'], names))} | independent calls: one task "
            f"fed one item per call sends them all at once | {saved} |")


def _fanout_row(i: int, fanout: dict, names: dict[str, str]) -> str:
    """A fan-out's row: one task's items side by side, with what holds them back."""
    saved = (f"{fmt_seconds(fanout['saved_s'])} ({fmt_seconds(fanout['sequential_s'])} → "
             f"{fmt_seconds(fanout['fanned_s'])})")
    return f"| Fan-out {i} | {_cell(names[fanout['task']])} | {_cell(fanout['reason'])} | {saved} |"


# ---------------------------------------------------------------- 3. dependency check

def _dependency_check(check: dict, names: dict[str, str]) -> list[str]:
    """Section 3: why each group is safe or not, then the races and unordered reads already in the design."""
    out = ["## 3. Dependency check", ""]
    for i, g in enumerate(check["groups"][:MAX_ROWS], start=1):
        out += _group_check(i, g, names)
    more = _more(len(check["groups"]), "groups")
    out += more + ([""] if more else [])
    out += _kept_apart(check.get("kept_apart", []), names)
    out += _design_races(check["races_as_designed"], names)
    out += _unordered_needs(check["unordered_needs"], names)
    if not check["groups"] and not check["races_as_designed"] and not check["unordered_needs"] \
            and not check.get("kept_apart"):
        out += ["No parallel groups to check, and no races in the current design.", ""]
    return out


def _findings(findings: list[dict]) -> list[str]:
    """What ``wflint check`` reports on this workflow (default rules), so the report and CI agree."""
    out = ["### Findings of `wflint check`", ""]
    if not findings:
        return out + ["None by default (`wflint check --preview` also shows what rests on unproven facts).", ""]
    out += ["| Line | Code | Severity | Finding |", "|---|---|---|---|"]
    out += [f"| {f['line']} | {f['code']} | {f['severity']} | {_cell(_said(f))} |" for f in findings[:MAX_ROWS]]
    return out + _more(len(findings), "findings") + [""]


def _said(finding: dict) -> str:
    """A finding in a report, which has room for its detail too."""
    return finding["message"] + (f"; {finding['detail']}" if finding.get("detail") else "")


def _group_check(i: int, group: dict, names: dict[str, str]) -> list[str]:
    """One group's verdict and the evidence for it, one line per kind of hazard."""
    verdict = "safe to run in parallel." if group["safe"] else "needs attention."
    out = [f"**Group {i}** ({_listed(group['tasks'], names)}): " + verdict, "",
           "- Data dependencies: " + _data_dependencies(group, names),
           "- Write conflicts: " + _write_conflicts(group, names),
           "- Read-after-write: " + _read_after_write(group, names),
           "- Shared rate limits: " + _shared_rate_limits(group, names)]
    if group["unknown_effects"]:
        out.append("- Unknown effects: " + _listed(group["unknown_effects"], names) + " (verify by hand)")
    if group.get("gates_dropped"):
        out.append("- Gates: removing the orderings changes what is skipped on failure ("
                   + "; ".join(_cell(g) for g in group["gates_dropped"][:3])
                   + (f"; and {len(group['gates_dropped']) - 3} more" if len(group["gates_dropped"]) > 3 else "") + ")")
    for f in group.get("safety_findings", []):
        out.append(f"- {f['code']}: {f['message']}")
    return out + [""]


def _data_dependencies(group: dict, names: dict[str, str]) -> str:
    """Which task of the group needs another's output (none, or the group would not be offered)."""
    if not group["data_dependencies"]:
        return "none between them ✓"
    return "; ".join(f"{names[d['to']]} needs {names[d['from']]}" for d in group["data_dependencies"])


def _write_conflicts(group: dict, names: dict[str, str]) -> str:
    """Resources two tasks of the group both write, with every write listed so the reader can check."""
    writes = {t: e["writes"] for t, e in group["effects"].items() if e["writes"]}
    conflicts = "none ✓" if not group["write_conflicts"] else "; ".join(
        f"{', '.join(c['tasks'])} all write {c['resource']}" for c in group["write_conflicts"])
    return conflicts + _effect_list("writes", writes, names)


def _read_after_write(group: dict, names: dict[str, str]) -> str:
    """Resources one task reads while another writes them, with every read listed."""
    reads = {t: e["reads"] for t, e in group["effects"].items() if e["reads"]}
    races = "; ".join(f"{', '.join(c['readers'])} read {c['resource']} written by {', '.join(c['writers'])}"
                      for c in group["read_after_write"])
    return (races or "none ✓") + _effect_list("reads", reads, names)


def _effect_list(label: str, by_task: dict[str, list[str]], names: dict[str, str]) -> str:
    """`` (reads: a → x; b → y)``: the effects a verdict was drawn from, or nothing when there are none."""
    if not by_task:
        return ""
    return f" ({label}: " + "; ".join(f"{names[t]} → {', '.join(r)}" for t, r in by_task.items()) + ")"


def _shared_rate_limits(group: dict, names: dict[str, str]) -> str:
    """APIs the group's tasks share: running them together raises the peak call rate."""
    if not group["shared_rate_limits"]:
        return "none ✓"
    return "; ".join(_rate_limit_use(s, names) for s in group["shared_rate_limits"])


def _rate_limit_use(shared: dict, names: dict[str, str]) -> str:
    """One shared API: who calls it, and the peak against its declared limit when there is one."""
    used = f"{shared['api']} used by {_listed(shared['tasks'], names)}"
    if not shared["limit_per_s"]:
        return used + " (no limit declared)"
    return (used + f": peak {fmt_rate(shared['peak_per_s'])} of {fmt_rate(shared['limit_per_s'])} "
            + ("✓" if shared["ok"] else "✗"))


def _kept_apart(kept: list[dict], names: dict[str, str]) -> list[str]:
    """Orderings the plan keeps because two tasks touch one resource, and the time that costs."""
    if not kept:
        return []
    out = ["Kept apart in the plan (they touch the same resource):", ""]
    for k in kept[:MAX_ROWS]:
        u, v = k["tasks"]
        line = f"- {names[u]} before {names[v]}: {k['kind']} on `{k['resource']}`; the plan takes {fmt_seconds(k['plan_s'])}"
        if k["if_independent_s"] is not None:
            cost = k["critical_path_s"] - k["if_independent_s"]
            line += (f" (critical path {fmt_seconds(k['critical_path_s'])}; "
                     + (f"{fmt_seconds(k['if_independent_s'])} if they were independent, so the conflict costs "
                        f"{fmt_seconds(cost)})" if cost > 1e-9 else "the conflict costs no time)"))
        out.append(line)
    return out + _more(len(kept), "orderings kept apart") + [""]


def _design_races(races: list[dict], names: dict[str, str]) -> list[str]:
    """Races that exist today, independent of any change wflint suggests."""
    if not races:
        return []
    return ["Races in the current design (these run at the same time today):", "",
            *(f"- {' and '.join(names[t] for t in r['tasks'])}: {r['kind']} on `{r['resource']}`"
              for r in races[:MAX_ROWS]), *_more(len(races), "races"), ""]


def _unordered_needs(needs: list[dict], names: dict[str, str]) -> list[str]:
    """Reads of another task's data that no ordering guarantees: correct today only by luck."""
    if not needs:
        return []
    return ["Data read without an ordering that guarantees it:", "",
            *(f"- {names[n['to']]} reads from {names[n['from']]} ({n['kind']})" for n in needs[:MAX_ROWS]),
            *_more(len(needs), "unordered reads"), ""]


# ---------------------------------------------------------------- 4. blueprint

def _blueprint(report: dict, names: dict[str, str]) -> list[str]:
    """Section 4: before and after, in seconds when durations are known, else in stages or task counts."""
    out = ["## 4. Execution blueprint", ""]
    if report["structure"]["timed"]:
        return out + _timed_blueprint(report, names)
    if not report["engine"]["runs_parallel"]:
        return out + _one_at_a_time_blueprint(report)
    return out + _staged_blueprint(report["structure"])


def _one_at_a_time_blueprint(report: dict) -> list[str]:
    """An engine that never overlaps tasks gains only from removed orderings and merged calls."""
    shape, batches = report["structure"], report["batches"]
    merged = sum(len(b["tasks"]) for b in batches)
    return [f"**Before**: {len(report['tasks'])} task(s), one at a time.", "",
            f"**After**: still one task at a time (the engine never overlaps tasks), with "
            f"{shape['removable_orderings']} ordering(s) removed"
            + (f" and {merged} call(s) merged into {len(batches)} task(s) that send them at once"
               f" (about {fmt_seconds(sum(b['saved_s'] for b in batches))} saved on default durations)."
               if merged else "; no time saved."), "",
            NO_TIMINGS, ""]


def _staged_blueprint(shape: dict) -> list[str]:
    """Without durations, the gain is told as a shallower, wider graph."""
    return [f"**Before**: {shape['depth_before']} stage(s) deep, up to {shape['width_before']} side by side.", "",
            f"**After**: {shape['depth_after']} stage(s) deep, up to {shape['width_after']} side by side, "
            f"with {shape['removable_orderings']} ordering(s) removed.", "",
            NO_TIMINGS, ""]


def _stage_text(stage: dict, tasks: dict[str, dict]) -> str:
    """``A (5s)`` for a stage of one task, ``[A (5s) + B (3s)]`` for tasks that run together; a
    fanned-out task shows its fanned time."""
    fanned, members, most = stage.get("fanned", {}), stage["tasks"], 20
    items = [f"{tasks[t]['name']} ({fmt_seconds(fanned[t])}, fanned out)" if t in fanned
             else f"{tasks[t]['name']} ({fmt_seconds(tasks[t]['duration_s'])})" for t in members[:most]]
    items += [f"{len(members) - most} more"] if len(members) > most else []
    return items[0] if len(items) == 1 else "[" + " + ".join(items) + "]"


def _timed_blueprint(report: dict, names: dict[str, str]) -> list[str]:
    """The stages before and after with their totals, the bounds, and a Gantt chart of each schedule."""
    tasks = {t["id"]: t for t in report["tasks"]}
    before, after = _stages_text(report["stages_before"], tasks), _stages_text(report["stages_after"], tasks)
    lead = "" if report["engine"]["mode"] == "sequential" else "critical path "
    out: list[str] = []
    out.append(f"**Before** ({lead.strip() or 'sequential'}): `{before} = {fmt_seconds(report['current_s'])}`")
    out.append("")
    out.append(f"**After** ({lead.strip() or 'parallel'}): `{after} = {fmt_seconds(report['optimized_s'])}`")
    out.append("")
    out.append(f"**Total time saved: {fmt_seconds(report['saved_s'])} ({report['saved_pct']:.1f}% faster)**")
    out.append("")
    out.append(f"Ideal (critical path with no limits): {fmt_seconds(report['ideal_s'])}; "
               f"no schedule under the declared limits can beat {fmt_seconds(report['lower_bound_s'])}.")
    out.append("")
    return out + _gantt_charts(report, tasks, names)


def _stages_text(stages: list[dict], tasks: dict[str, dict], most: int = 50) -> str:
    """``A (2s) → [B, C] (3s) → …``: the first ``most`` stages, the rest counted."""
    shown = " → ".join(_stage_text(s, tasks) for s in stages[:most])
    return shown + (f" → … {len(stages) - most} more stage(s)" if len(stages) > most else "")


def _gantt_charts(report: dict, tasks: dict[str, dict], names: dict[str, str]) -> list[str]:
    """A Gantt chart of each schedule, where Mermaid can draw one: past its text limit a chart
    shows only an error where it stands, so a very large workflow gets a pointer to the trace."""
    if len(tasks) > MAX_GANTT_ROWS:
        return [_NO_CHART.format(n=len(tasks)), ""]
    rows = [t["id"] for t in sorted(report["tasks"], key=lambda x: (x["current_start_s"], x["id"]))]
    charts = (("Before", "current_start_s", report["current_s"], report["critical_path_before"]),
              ("After", "optimized_start_s", report["optimized_s"], report["critical_path"]))
    drawn: list[str] = []
    for title, key, total, critical in charts:
        start = {t: tasks[t][key] for t in rows}
        finish = {t: tasks[t][key] + tasks[t]["duration_s"] for t in rows}
        chart = mermaid.gantt(f"{title} ({fmt_seconds(total)})", names, start, finish, set(critical), rows)
        if len(chart) > mermaid.MAX_TEXT:
            return [_NO_CHART.format(n=len(tasks)), ""]
        drawn += ["```mermaid", chart, "```", ""]
    return drawn


# Past this many rows a chart is unreadable, and at the seed brief's 47 characters a row it nears
# Mermaid's limit anyway (a chart over ``mermaid.MAX_TEXT`` is caught whatever its rows).
MAX_GANTT_ROWS = 1000
_NO_CHART = ("The schedules are not drawn: a chart of {n} tasks is past what Mermaid renders. "
             "`wflint graph --format trace FILE` writes both for chrome://tracing or ui.perfetto.dev.")


# ---------------------------------------------------------------- 5. resources

def _resource_lines(report: dict, names: dict[str, str]) -> list[str]:
    """Section 5 (body): each declared limit, its peak use as designed and in the parallel plan, and who waits."""
    rc = report["resource_check"]
    rows = []
    for a in rc["apis"]:
        users = _listed(a["tasks"], names) or "no task names it"
        rows.append(f"| API {a['name']} | {a['limit']} ({a['burst']:g} at once, then {fmt_rate(a['limit_per_s'])}) | "
                    f"{_cell(users)} | {a['calls_per_run']:g} | {fmt_rate(a['peak_current_per_s'])} | "
                    f"{fmt_rate(a['peak_parallel_per_s'])} | {_api_status(a, names)} |")
    for p in rc["pools"]:
        users = _listed(p["tasks"], names) or "no task uses it"
        status = "✓ enough slots" if p["ok"] else "✗ exhausted"
        rows.append(f"| Pool {p['name']} | {p['size']} slots | {_cell(users)} | – | {p['peak_current']:g} | "
                    f"{p['peak_optimized']:g} | {status} |")
    conc = rc["concurrency"]
    if conc["limit"]:
        ok = conc["peak_optimized"] <= conc["limit"]
        rows.append(f"| Concurrency | {conc['limit']} tasks ({conc['source']}) | all | – | – | {conc['peak_optimized']} | "
                    f"{'✓' if ok else '✗'} |")
    out = []
    if rows:
        out += ["| Limit | Capacity | Used by | Calls per run | Peak as designed | Peak in parallel plan | Status |",
                "|---|---|---|---|---|---|---|", *rows, ""]
    else:
        out += ["No rate limits, pools or concurrency caps declared.", ""]
    out += _group_constraint_lines(rc.get("groups", []), names)
    if rc["pools_without_size"]:
        out += [f"Pools used without a declared size: {', '.join(rc['pools_without_size'])} (treated as unlimited).", ""]
    serial = not report["engine"]["runs_parallel"]  # one task at a time: waiting for it is the engine, not a limit
    waits = {limit: n for limit, n in rc["waits"].items() if not (serial and limit == "concurrency")}
    for limit, count in waits.items():
        out.append(f"- In the parallel plan {count} task(s) wait for {limit}.")
    for t in rc["over_capacity"]:
        out.append(f"- {names[t]} needs more than a limit allows even alone; it is run over capacity.")
    if waits or rc["over_capacity"]:
        out.append("")
    return out


def _cost_lines(report: dict, names: dict[str, str]) -> list[str]:
    """The cost side of the plan (``cost.py``): runner time, slots, pools, requests in flight."""
    from ..cost import cost_sentences

    said = cost_sentences(report, names)
    groups = len(report["parallel_cost"]["groups"])  # a sentence per group comes first, then one per limit
    more = _more(groups, "groups' costs")
    if more:
        said = said[:MAX_ROWS] + said[groups:]
    return ["### Cost of running in parallel", "", *(f"- {s}" for s in said), *more, ""] if said else []


def _api_status(api: dict, names: dict[str, str]) -> str:
    """Will the parallel plan exceed the limit? Within it, or the window that breaks it, and the pacing."""
    window = api["worst_window"]
    if api["parallel_exceeds"] and window:
        status = (f"✗ the parallel plan sends {window['sent']:g} between {fmt_seconds(window['from_s'])} and "
                  f"{fmt_seconds(window['to_s'])}, where the limit admits {window['allowed']:g}; held to it, "
                  f"the plan peaks at {fmt_rate(api['peak_optimized_per_s'])}")
    else:
        status = "✓ within limit" if api["ok"] else "✗ over limit as designed"
    if api["stretched"]:
        status += "; " + ", ".join(f"{names[t]} needs {fmt_seconds(s)} at this rate" for t, s in api["stretched"].items())
    return _cell(status)


def _group_constraint_lines(groups: list[dict], names: dict[str, str]) -> list[str]:
    """Per parallel group: pool holders against the pool's size, and the locks its writers take."""
    lines: list[str] = []
    for g in groups:
        for p in g["pools"]:
            size = f"{p['size']} slot(s)" if p["size"] is not None else "no declared size"
            verdict = "✓" if p["ok"] else "✗ exhausted: " + (_listed(p["waiting"], names) or "some")
            lines.append(f"- Group {g['group']}, pool {p['name']}: {len(p['holders'])} holder(s) "
                         f"({_listed(p['holders'], names)}), {p['asked_at_once']} at once in parallel "
                         f"against {size}; {p['at_once']} at once in the plan {verdict}"
                         + (" wait for a slot" if not p["ok"] else ""))
        for lock in g["locks"]:
            others = [t for t in lock["writers"] if t not in lock["in_group"]]
            lines.append(f"- Group {g['group']}, lock on `{lock['resource']}`: held by each writer in turn "
                         f"({_listed(lock['writers'], names)}); {lock['at_once']} at once in the plan "
                         + ("✓" if lock["ok"] else "✗")
                         + _outside(others, names))
    return lines[:MAX_ROWS] + _more(len(lines), "group limits") + ([""] if lines else [])


def _outside(others: list[str], names: dict[str, str]) -> str:
    """``; B outside the group waits for it``: writers of the lock the group does not hold."""
    if not others:
        return ""
    return f"; {_listed(others, names)} outside the group wait{'s' if len(others) == 1 else ''} for it"


# ---------------------------------------------------------------- 6. recommendations

def _recommendations(report: dict) -> list[str]:
    """Section 6: the changes to make, numbered, each with what happens if it fails halfway."""
    out = ["## 6. Implementation recommendations", ""]
    for i, r in enumerate(report["recommendations"][:MAX_ROWS], start=1):
        out.append(f"{i}. {r['text']}" + (f" Partial failure: {r['partial_failure']}" if r["partial_failure"] else ""))
    return out + _more(len(report["recommendations"]), "recommendations") + [""]


def check_summary(findings: list, files: int, reports: list[dict] | None = None) -> str:
    """``check``'s findings as a short Markdown page (a CI job summary): totals, then one row each,
    then the ``reports`` (``check --summary-report``), the whole cut to the step-summary limit."""
    errors = sum(1 for f in findings if f.severity.value == "error")
    saved = sum(f.saved_s or 0.0 for f in findings)
    lines = ["## wflint", "",
             f"{len(findings)} finding(s) in {files} file(s), {errors} error(s)"
             + (f"; parallelizing could save {fmt_seconds(saved)}" if saved else "") + ".", ""]
    if findings:
        lines += ["| Where | Code | Severity | Finding |", "|---|---|---|---|"]
        lines += [f"| `{_cell(repo_relative(f.path))}:{f.line}` | {f.code} | {f.severity.value} | {_cell(f.message)} |"
                  for f in findings[:MAX_SUMMARY_ROWS]]
        if len(findings) > MAX_SUMMARY_ROWS:
            lines += ["", f"… and {len(findings) - MAX_SUMMARY_ROWS} more (see the annotations or the SARIF upload)."]
    page = markdown_safe("\n".join(lines))
    for report in reports or ():
        page += "\n\n" + _demoted(report_markdown(report))
    return fit_summary(page, whole="every finding is in the annotations and the SARIF upload; "
                                   "`wflint report` gives each workflow's whole analysis")


MAX_SUMMARY_ROWS = 200  # a job summary has a size limit; the rest are in the annotations and SARIF
SUMMARY_LIMIT = 1024 * 1024  # bytes GitHub takes per step in $GITHUB_STEP_SUMMARY


def _demoted(md: str) -> str:
    """Every heading one level down, so that reports sit under the summary's own heading."""
    fenced = False
    out = []
    for line in md.split("\n"):
        fenced = fenced != line.startswith("```")
        out.append("#" + line if line.startswith("#") and not fenced else line)
    return "\n".join(out)


def fit_summary(page: str, limit: int = SUMMARY_LIMIT,
                whole: str = "run `wflint report --format html` (or json) for the whole of it") -> str:
    """``page`` cut at a line boundary to fit ``limit`` UTF-8 bytes, with a note saying so and where
    ``whole`` of it is; an open code fence is closed so the rest of the summary still renders."""
    data = page.encode()
    if len(data) <= limit:
        return page
    note = f"\n\n> **Truncated**: this is larger than GitHub's 1 MiB step-summary limit; {whole}.\n"
    room = limit - len(note.encode()) - len(b"\n```")
    head = data[:room].decode(errors="ignore")
    head = head[:head.rfind("\n")] if "\n" in head else head
    fenced = sum(1 for line in head.split("\n") if line.startswith("```")) % 2 == 1
    return head + ("\n```" if fenced else "") + note
