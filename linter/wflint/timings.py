"""Measured durations from the engines' own run data (``--timings``, repeatable).

A timings file is a plain map (``{"task": seconds}`` or ``{"tasks": {...}}``) or what an engine's
API or CLI prints about a run; each adapter recognises its own (``run_durations`` in its package:
GitHub jobs, Airflow task instances, n8n executions). Several files or runs give each task the
median, with the spread (p10–p90) kept. Names are matched to task ids, then to task names; what
matches no task is reported with the closest id, never dropped without a word.
"""
from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import field

from wflint.records import dataclass

from .errors import ParseError, UsageError

MAX_TIMINGS_BYTES = 64 * 1024 * 1024
MAX_SECONDS = 1e12


@dataclass
class Timings(Mapping[str, float]):
    """Per task name: the median of its measured runs (the mapping) and the p10–p90 spread."""

    seconds: dict[str, float] = field(default_factory=dict)
    spread: dict[str, tuple[float, float]] = field(default_factory=dict)
    runs: int = 0
    formats: list[str] = field(default_factory=list)
    setup: dict[str, tuple[float, int]] = field(default_factory=dict)  # median set-up seconds, runs seen

    def __getitem__(self, name: str) -> float:
        return self.seconds[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.seconds)

    def __len__(self) -> int:
        return len(self.seconds)


def load_timings(paths: Iterable[str]) -> Timings | None:
    """The timings in ``paths`` merged: every run of every file, median per task."""
    runs: list[dict[str, float]] = []
    setups: list[dict[str, float]] = []
    formats: list[str] = []
    for path in paths:
        found, fmt, setup = _runs_in(path)
        runs += found
        setups += setup
        formats.append(fmt)
    if not formats:
        return None
    timings = _merge(runs, formats)
    for name, values in _by_task(setups).items():
        timings.setup[name] = (statistics.median(values), len(values))
    return timings


def _runs_in(path: str) -> tuple[list[dict[str, float]], str, list[dict[str, float]]]:
    """The runs in one file, its format, and the set-up seconds per task where its steps are listed."""
    from . import adapters
    from .sourcemap import parse_json

    try:
        with open(path, encoding="utf-8") as handle:
            data = parse_json(handle.read(MAX_TIMINGS_BYTES), path)
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read timings: {exc}") from None
    except ParseError as exc:
        raise UsageError(f"{exc.one_line()} (timings)") from None
    for module in adapters.adapter_modules():
        reader = getattr(module, "run_durations", None)
        runs = reader(data) if reader else None
        if runs is not None:
            setup = getattr(module, "run_setup", None)
            return _checked(path, runs), module.FORMAT, _checked(path, (setup(data) if setup else None) or [])
    plain = data.get("tasks", data) if isinstance(data, dict) else None
    if not isinstance(plain, dict) or not plain:
        raise UsageError(f"{path}: timings must be a JSON object of task id → seconds, or an engine's run data "
                         "(GitHub jobs, Airflow task instances, an n8n execution)")
    return _checked(path, [_plain(path, plain)]), "map", []


def _plain(path: str, data: dict) -> dict[str, float]:
    from .analysis.durations import parse_duration

    try:
        return {str(k): parse_duration(v) for k, v in data.items()}
    except (ValueError, TypeError) as exc:
        raise UsageError(f"{path}: {exc}") from None


def _checked(path: str, runs: list[dict[str, float]]) -> list[dict[str, float]]:
    for run in runs:
        for name, seconds in run.items():
            if not (isinstance(seconds, (int, float)) and math.isfinite(seconds) and 0 <= seconds < MAX_SECONDS):
                raise UsageError(f"{path}: timing of {name!r} is {seconds} s; a duration must be a finite number "
                                 "of seconds, not negative, below 10^12")
    return runs


def _merge(runs: list[dict[str, float]], formats: list[str]) -> Timings:
    timings = Timings(runs=len(runs), formats=formats)
    for name, values in _by_task(runs).items():
        timings.seconds[name] = statistics.median(values)
        if len(values) > 1:
            timings.spread[name] = (_quantile(values, 0.1), _quantile(values, 0.9))
    return timings


def _by_task(runs: list[dict[str, float]]) -> dict[str, list[float]]:
    by_task: dict[str, list[float]] = {}
    for run in runs:
        for name, seconds in run.items():
            by_task.setdefault(name, []).append(float(seconds))
    return by_task


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def unmatched_note(names: list[str], task_ids: Iterable[str]) -> str:
    """One line naming timings that match no task, each with its closest task id."""
    import difflib

    ids = list(task_ids)
    parts = []
    for name in names[:10]:
        close = difflib.get_close_matches(name, ids, n=1, cutoff=0.5)
        parts.append(f"{name!r}" + (f" (closest: {close[0]!r})" if close else ""))
    more = f" and {len(names) - 10} more" if len(names) > 10 else ""
    return f"timings for {', '.join(parts)}{more} match no task"
