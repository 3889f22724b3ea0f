"""Airflow run data for ``--timings``: the REST task-instance list (API v1 and v2 alike).

A task's time is its ``duration`` (else end − start). Mapped instances (``map_index`` ≥ 0) of one
task in one DAG run are folded into that task: from the first start to the last end where the
dates are given (they run side by side, up to the pools), else the longest instance.
"""
from __future__ import annotations

from datetime import datetime


def run_durations(data) -> list[dict[str, float]] | None:
    """Seconds per task id, one dict per DAG run; None when ``data`` is not task instances."""
    instances = data.get("task_instances") if isinstance(data, dict) else data if isinstance(data, list) else None
    if not isinstance(instances, list) or not instances:
        return None
    if not all(isinstance(ti, dict) and "task_id" in ti and ("duration" in ti or "start_date" in ti) for ti in instances):
        return None
    by_run: dict[tuple[str, str], list[dict]] = {}
    for ti in instances:
        key = (str(ti.get("dag_run_id") or ti.get("run_id") or ""), str(ti["task_id"]))
        by_run.setdefault(key, []).append(ti)
    runs: dict[str, dict[str, float]] = {}
    for (run_id, task_id), group in by_run.items():
        seconds = _folded(group)
        if seconds is not None:
            runs.setdefault(run_id, {})[task_id] = seconds
    return list(runs.values()) or None


def _folded(instances: list[dict]) -> float | None:
    spans = [s for s in (_span(ti) for ti in instances) if s is not None]
    if len(instances) > 1 and len(spans) == len(instances):
        return (max(end for _, end in spans) - min(start for start, _ in spans)).total_seconds()
    durations = [float(ti["duration"]) for ti in instances if isinstance(ti.get("duration"), (int, float))]
    if durations:
        return max(durations)
    return (spans[0][1] - spans[0][0]).total_seconds() if spans else None


def _span(ti: dict) -> tuple[datetime, datetime] | None:
    start, end = ti.get("start_date"), ti.get("end_date")
    if not (isinstance(start, str) and isinstance(end, str)):
        return None
    try:
        return datetime.fromisoformat(start.replace("Z", "+00:00")), datetime.fromisoformat(end.replace("Z", "+00:00"))
    except ValueError:
        return None
