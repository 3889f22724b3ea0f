"""The report in markdown, in the six sections a workflow performance engineer writes."""
from __future__ import annotations

from ..analysis.durations import fmt_rate, fmt_seconds
from . import mermaid


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def report_markdown(report: dict) -> str:
    tasks = {t["id"]: t for t in report["tasks"]}
    names = {t: v["name"] for t, v in tasks.items()}

    def item(t: str) -> str:
        return f"{names[t]} ({fmt_seconds(tasks[t]['duration_s'])})"

    def stage(s: dict) -> str:
        if len(s["tasks"]) == 1:
            return item(s["tasks"][0])
        return "[" + " + ".join(item(t) for t in s["tasks"]) + "]"

    sequential = report["engine"]["mode"] == "sequential"
    out = [f"# Workflow analysis: {report['workflow']}", "",
           f"Source `{report['path']}` ({report['format']}); engine model: "
           + (("tasks run one at a time in the listed order" if report["engine"]["runs_parallel"]
               else "the engine runs one task at a time, in its own order")
              if sequential else "tasks run when their upstream edges allow")
           + f"; durations: {report['duration_source']}.", ""]
    out += _note_lines(report)

    shape = report["structure"]
    timed = shape["timed"]
    ordered = sorted(report["tasks"], key=lambda x: (x["current_start_s"], x["id"]))
    if timed:
        out += ["## 1. Current flow", "", "| # | Task | Duration | Starts at | Duration source |", "|---|---|---|---|---|"]
        for i, t in enumerate(ordered, start=1):
            out.append(f"| {i} | {_cell(t['name'])} (`{t['id']}`) | {fmt_seconds(t['duration_s'])} | "
                       f"{fmt_seconds(t['current_start_s'])} | {t['duration_source']} |")
        out += ["", f"Estimated total: **{fmt_seconds(report['current_s'])}**"
                + (" (sum of the steps, one at a time)." if sequential else " (as designed, under its limits)."), ""]
    else:
        ordered = sorted(report["tasks"], key=lambda x: (shape["stage_before"][x["id"]], x["id"]))
        out += ["## 1. Current flow", "", "| # | Task | Stage |", "|---|---|---|"]
        for i, t in enumerate(ordered, start=1):
            out.append(f"| {i} | {_cell(t['name'])} (`{t['id']}`) | {shape['stage_before'][t['id']]} |")
        out += ["", f"Structure: **{shape['depth_before']} stage(s) deep**, up to {shape['width_before']} "
                    "task(s) side by side (no durations known).", ""]

    out += ["## 2. Parallelization opportunities", ""]
    if report["groups"] or report["batches"]:
        out += ["| Task Group | Tasks | Why They Can Run in Parallel | Estimated Time Saved |", "|---|---|---|---|"]
        for i, g in enumerate(report["groups"], start=1):
            saved = f"{fmt_seconds(g['saved_s'])} ({fmt_seconds(g['sequential_s'])} → {fmt_seconds(g['parallel_s'])})"
            if not timed:
                stages = [shape["stage_before"][t] for t in g["tasks"]]
                depth_before = max(stages) - min(stages) + 1
                stages = [shape["stage_after"][t] for t in g["tasks"]]
                depth_after = max(stages) - min(stages) + 1
                saved = f"unknown without timings; their span {depth_before} → {depth_after} stage(s)"
            if g["confidence"] != "high":
                saved += ", low confidence, not counted in the total"
            out.append(f"| Group {i} | {_cell(', '.join(names[t] for t in g['tasks']))} | {_cell(g['reason'])} | {saved} |")
        for i, b in enumerate(report["batches"], start=1):
            saved = (f"{fmt_seconds(b['saved_s'])} ({fmt_seconds(b['sequential_s'])} → {fmt_seconds(b['batched_s'])}, "
                     f"{b['duration_source']} durations)")
            out.append(f"| Batch {i} | {_cell(', '.join(names[t] for t in b['tasks']))} | independent calls: one task "
                       f"fed one item per call sends them all at once | {saved} |")
    else:
        out.append("None: every ordering in this workflow is needed by data or a shared resource.")
    out.append("")

    out += ["## 3. Dependency check", ""]
    check = report["dependency_check"]
    for i, g in enumerate(check["groups"], start=1):
        out.append(f"**Group {i}** ({', '.join(names[t] for t in g['tasks'])}): "
                   + ("safe to run in parallel." if g["safe"] else "needs attention."))
        out.append("")
        out.append("- Data dependencies: " + ("none between them ✓" if not g["data_dependencies"] else
                   "; ".join(f"{names[d['to']]} needs {names[d['from']]}" for d in g["data_dependencies"])))
        writes = {t: e["writes"] for t, e in g["effects"].items() if e["writes"]}
        out.append("- Write conflicts: " + ("none ✓" if not g["write_conflicts"] else "; ".join(
            f"{', '.join(c['tasks'])} all write {c['resource']}" for c in g["write_conflicts"]))
            + (" (writes: " + "; ".join(f"{names[t]} → {', '.join(w)}" for t, w in writes.items()) + ")" if writes else ""))
        reads = {t: e["reads"] for t, e in g["effects"].items() if e["reads"]}
        races = "; ".join(f"{', '.join(c['readers'])} read {c['resource']} written by {', '.join(c['writers'])}"
                          for c in g["read_after_write"])
        out.append("- Read-after-write: " + (races or "none ✓")
            + (" (reads: " + "; ".join(f"{names[t]} → {', '.join(r)}" for t, r in reads.items()) + ")" if reads else ""))
        if g["shared_rate_limits"]:
            out.append("- Shared rate limits: " + "; ".join(
                f"{s['api']} used by {', '.join(names[t] for t in s['tasks'])}"
                + (f": peak {fmt_rate(s['peak_per_s'])} of {fmt_rate(s['limit_per_s'])} " + ("✓" if s["ok"] else "✗")
                   if s["limit_per_s"] else " (no limit declared)") for s in g["shared_rate_limits"]))
        else:
            out.append("- Shared rate limits: none ✓")
        if g["unknown_effects"]:
            out.append("- Unknown effects: " + ", ".join(names[t] for t in g["unknown_effects"]) + " (verify by hand)")
        out.append("")
    if check["races_as_designed"]:
        out.append("Races in the current design (these run at the same time today):")
        out.append("")
        out += [f"- {' and '.join(names[t] for t in r['tasks'])}: {r['kind']} on `{r['resource']}`"
                for r in check["races_as_designed"]]
        out.append("")
    if check["unordered_needs"]:
        out.append("Data read without an ordering that guarantees it:")
        out.append("")
        out += [f"- {names[n['to']]} reads from {names[n['from']]} ({n['kind']})" for n in check["unordered_needs"]]
        out.append("")
    if not check["groups"] and not check["races_as_designed"] and not check["unordered_needs"]:
        out += ["No parallel groups to check, and no races in the current design.", ""]

    out += ["## 4. Execution blueprint", ""]
    if not timed and not report["engine"]["runs_parallel"]:
        merged = sum(len(b["tasks"]) for b in report["batches"])
        out += [f"**Before**: {len(report['tasks'])} task(s), one at a time.", "",
                f"**After**: still one task at a time (the engine never overlaps tasks), with "
                f"{shape['removable_orderings']} ordering(s) removed"
                + (f" and {merged} call(s) merged into {len(report['batches'])} task(s) that send them at once"
                   f" (about {fmt_seconds(sum(b['saved_s'] for b in report['batches']))} saved on default durations)."
                   if merged else "; no time saved."), "",
                "**Total time saved: unknown without timing data** (pass `--timings` with measured durations).", ""]
    elif not timed:
        out += [f"**Before**: {shape['depth_before']} stage(s) deep, up to {shape['width_before']} side by side.", "",
                f"**After**: {shape['depth_after']} stage(s) deep, up to {shape['width_after']} side by side, "
                f"with {shape['removable_orderings']} ordering(s) removed.", "",
                "**Total time saved: unknown without timing data** (pass `--timings` with measured durations).", ""]
    before = " → ".join(stage(s) for s in report["stages_before"])
    after = " → ".join(stage(s) for s in report["stages_after"])
    lead = "" if sequential else "critical path "
    out += _timed_blueprint(report, tasks, names, before, after, lead) if timed else []
    out += ["## 5. Resource-constraint check", ""]
    out += _resource_lines(report, names)

    out += ["## 6. Implementation recommendations", ""]
    for i, r in enumerate(report["recommendations"], start=1):
        out.append(f"{i}. {r['text']}" + (f" Partial failure: {r['partial_failure']}" if r["partial_failure"] else ""))
    out.append("")
    return "\n".join(out)


def _timed_blueprint(report: dict, tasks: dict, names: dict, before: str, after: str, lead: str) -> list[str]:
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
    critical = set(report["critical_path"])
    for title, key in (("Before", "current_start_s"), ("After", "optimized_start_s")):
        start = {t: v[key] for t, v in tasks.items()}
        finish = {t: v[key] + v["duration_s"] for t, v in tasks.items()}
        total = report["current_s"] if title == "Before" else report["optimized_s"]
        out += ["```mermaid", mermaid.gantt(f"{title} ({fmt_seconds(total)})", names, start, finish,
                                              critical if title == "After" else set()), "```", ""]
    return out


def _note_lines(report: dict) -> list[str]:
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


def _resource_lines(report: dict, names: dict[str, str]) -> list[str]:
    rc = report["resource_check"]
    rows = []
    for a in rc["apis"]:
        users = ", ".join(names[t] for t in a["tasks"]) or "no task names it"
        status = "✓ within limit" if a["ok"] else "✗ over limit"
        if a["stretched"]:
            status += "; " + ", ".join(f"{names[t]} needs {fmt_seconds(s)} at this rate" for t, s in a["stretched"].items())
        rows.append(f"| API {a['name']} | {a['limit']} ({fmt_rate(a['limit_per_s'])}) | {_cell(users)} | "
                    f"{a['calls_per_run']:g} | {fmt_rate(a['peak_current_per_s'])} | "
                    f"{fmt_rate(a['peak_optimized_per_s'])} | {status} |")
    for p in rc["pools"]:
        users = ", ".join(names[t] for t in p["tasks"]) or "no task uses it"
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
    if rc["pools_without_size"]:
        out += [f"Pools used without a declared size: {', '.join(rc['pools_without_size'])} (treated as unlimited).", ""]
    for limit, count in rc["waits"].items():
        out.append(f"- In the parallel plan {count} task(s) wait for {limit}.")
    for t in rc["over_capacity"]:
        out.append(f"- {names[t]} needs more than a limit allows even alone; it is run over capacity.")
    if rc["waits"] or rc["over_capacity"]:
        out.append("")
    return out
