"""GitHub run data for ``--timings``: ``gh run view RUN --json jobs`` and the REST jobs list.

A job's time is completed − started (queue time, created → started, is not run time). A matrix
instance is named ``job (a, b)``: instances run side by side, so the job takes its slowest one in
that run. A reusable workflow's job is ``caller / callee``: it counts for the caller's job.
"""
from __future__ import annotations

import re
from datetime import datetime

_INSTANCE = re.compile(r"\s*\(.*\)\s*$")
# Steps GitHub and the usual set-up actions show before (and after) a job's own work.
_SETUP = re.compile(r"^(?:Set up job|Initialize containers|Complete job|Stop containers|Checkout\b|"
                    r"(?:Post )?Run actions/(?:checkout|setup-[\w-]+|cache)@|(?:Post )?Set up \w)", re.IGNORECASE)


def run_durations(data) -> list[dict[str, float]] | None:
    """Seconds per job name, one dict per run; None when ``data`` is not GitHub jobs."""
    jobs = data.get("jobs") if isinstance(data, dict) else None
    if not isinstance(jobs, list) or not jobs or not all(isinstance(j, dict) and "name" in j for j in jobs):
        return None
    if not any(_times(j) for j in jobs):
        return None
    runs: dict[object, dict[str, float]] = {}
    for job in jobs:
        times = _times(job)
        if times is None:
            continue
        name = job_name(str(job["name"]))
        run = runs.setdefault(job.get("run_id") or job.get("runId") or 0, {})
        run[name] = max(run.get(name, 0.0), times)
    return list(runs.values())


def run_setup(data) -> list[dict[str, float]] | None:
    """Seconds per job spent in set-up steps (runner set-up, checkout, ``setup-*`` actions, their
    post steps), one dict per run; a job whose steps are not listed is left out (unknown, not 0)."""
    if run_durations(data) is None:
        return None
    runs: dict[object, dict[str, float]] = {}
    for job in data["jobs"]:
        steps = job.get("steps")
        if not isinstance(steps, list) or not steps:
            continue
        spent = [_times(s) for s in steps if isinstance(s, dict) and _SETUP.match(str(s.get("name", "")))]
        name = job_name(str(job["name"]))
        run = runs.setdefault(job.get("run_id") or job.get("runId") or 0, {})
        run[name] = run.get(name, 0.0) + sum(t for t in spent if t is not None)  # each instance pays its own
    return [r for r in runs.values() if r]


def job_name(shown: str) -> str:
    """``test (ubuntu, 3.12)`` → ``test``; ``release / publish`` → ``release``."""
    caller = shown.split(" / ", 1)[0]
    return _INSTANCE.sub("", caller) or caller


def _times(job: dict) -> float | None:
    start = job.get("startedAt") or job.get("started_at")
    end = job.get("completedAt") or job.get("completed_at")
    if not (isinstance(start, str) and isinstance(end, str)):
        return None
    try:
        seconds = (_when(end) - _when(start)).total_seconds()
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
