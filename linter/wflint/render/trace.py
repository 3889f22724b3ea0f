"""Chrome Trace Event JSON of the schedules: open in chrome://tracing or ui.perfetto.dev."""
from __future__ import annotations

import json

from ..analysis import Analysis


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


def schedules_trace(analysis: Analysis) -> str:
    wf = analysis.workflow
    events = []
    for pid, (title, schedule) in enumerate((("as designed", analysis.current),
                                            ("after the recommended changes", analysis.optimized)), start=1):
        events.append({"name": "process_name", "ph": "M", "pid": pid, "args": {"name": f"{wf.name}: {title}"}})
        lanes = _lanes(schedule.start, schedule.finish)
        for t, begin in schedule.start.items():
            events.append({"name": wf.tasks[t].name, "cat": wf.tasks[t].kind, "ph": "X", "pid": pid,
                           "tid": lanes[t], "ts": round(begin * 1e6), "dur": round((schedule.finish[t] - begin) * 1e6),
                           "args": {"id": t, "duration_source": wf.tasks[t].duration.source.value}})
    return json.dumps({"traceEvents": events, "displayTimeUnit": "ms"}, indent=1)
