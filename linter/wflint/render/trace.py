"""Chrome Trace Event JSON of the schedules: open in chrome://tracing or ui.perfetto.dev."""
from __future__ import annotations

import json

from ..analysis import Analysis
from ..display import printable


def _lanes(start: dict[str, float], finish: dict[str, float]) -> dict[str, int]:
    """Greedy lane per task so that overlapping tasks sit on separate rows."""
    free_at: list[float] = []
    lane: dict[str, int] = {}
    for t in sorted(start, key=lambda x: (start[x], x)):
        row = next((i for i, f in enumerate(free_at) if f <= start[t] + 1e-9), None)
        if row is None:
            free_at.append(0.0)
            row = len(free_at) - 1
        free_at[row] = finish[t]
        lane[t] = row
    return lane


def schedules_trace(analyses: list[Analysis]) -> str:
    """One trace document for the whole file: two processes (before, after) per workflow."""
    events: list[dict] = []
    for n, analysis in enumerate(analyses):
        events += _events(analysis, first_pid=2 * n + 1)
    return json.dumps({"traceEvents": events, "displayTimeUnit": "ms"}, indent=1)


def _events(analysis: Analysis, first_pid: int) -> list[dict]:
    """A workflow's schedules as complete events; the critical path's tasks say so in ``args``."""
    wf = analysis.workflow
    events: list[dict] = []
    plans = (("as designed", analysis.current, False), ("after the recommended changes", analysis.optimized, True))
    for pid, (title, schedule, after) in enumerate(plans, start=first_pid):
        events.append({"name": "process_name", "ph": "M", "pid": pid, "args": {"name": f"{printable(wf.name)}: {title}"}})
        lanes = _lanes(schedule.start, schedule.finish)
        critical = set(analysis.critical_path(after))
        for t, begin in schedule.start.items():
            events.append({"name": printable(wf.tasks[t].name), "cat": wf.tasks[t].kind, "ph": "X", "pid": pid,
                           "tid": lanes[t], "ts": round(begin * 1e6), "dur": round((schedule.finish[t] - begin) * 1e6),
                           "args": {"id": t, "duration_source": wf.tasks[t].duration.source.value,
                                    "critical": t in critical}})
    return events
