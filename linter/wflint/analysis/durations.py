"""Parse and print durations ("2s", "1.5m", "250ms", "1h") and rates ("10/s", "600/min")."""
from __future__ import annotations

from wflint.patterns import lazy

_UNITS = {"ms": 0.001, "s": 1.0, "sec": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0, "hr": 3600.0}
_DURATION = lazy(r"^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|sec|m|min|h|hr)?\s*$")
_RATE = lazy(
    r"^\s*(\d+(?:\.\d+)?)\s*(?:req(?:uests)?\s*)?(?:/|per\s+)\s*(s|sec|second|m|min|minute|h|hr|hour)\s*$",
)
_PER = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hr": 3600, "hour": 3600}


def parse_duration(value: object) -> float:
    """Seconds from ``2s``/``1.5m``/``250ms``/a bare number of seconds; ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError(f"not a duration: {value!r}")
    if isinstance(value, (int, float)):
        if value < 0:
            raise ValueError(f"negative duration: {value!r}")
        return float(value)
    match = _DURATION.match(str(value))
    if not match:
        raise ValueError(f"not a duration: {value!r} (use e.g. 2s, 1.5m, 250ms)")
    return float(match.group(1)) * _UNITS[match.group(2) or "s"]


def parse_rate(value: object) -> float:
    """Requests per second from ``10/s``, ``600/min``, ``5000/h`` or a bare number (per second)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value <= 0:
            raise ValueError(f"rate must be positive: {value!r}")
        return float(value)
    match = _RATE.match(str(value))
    if not match or float(match.group(1)) <= 0:
        raise ValueError(f"not a rate: {value!r} (use e.g. 10/s, 600/min, 5000/h)")
    return float(match.group(1)) / _PER[match.group(2)]


def parse_limit(value: object) -> tuple[float, float]:
    """(requests per second, burst) from a rate: ``600/min`` admits 600 at once, ``10/s`` 10, a bare
    number ``n`` n per second and n at once; never less than one request."""
    per_second = parse_rate(value)
    if isinstance(value, (int, float)):
        return per_second, max(1.0, float(value))
    match = _RATE.match(str(value))
    assert match is not None  # parse_rate accepted it
    return per_second, max(1.0, float(match.group(1)))


def fmt_seconds(seconds: float) -> str:
    """Short human form: 250ms, 2s, 1.5s, 2m 30s, 1h 5m."""
    if seconds < 1 and seconds > 0:
        return f"{seconds * 1000:.0f}ms"
    if seconds < 60:
        return f"{_trim(seconds)}s"
    if seconds < 3600:
        minutes, rest = divmod(round(seconds), 60)
        return f"{minutes}m" + (f" {rest}s" if rest else "")
    hours, rest = divmod(round(seconds), 3600)
    return f"{hours}h" + (f" {rest // 60}m" if rest // 60 else "")


def fmt_rate(per_second: float) -> str:
    if per_second >= 1 or per_second == 0:
        return f"{_trim(per_second)}/s"
    if per_second * 60 >= 1:
        return f"{_trim(per_second * 60)}/min"
    return f"{_trim(per_second * 3600)}/h"


def _trim(x: float) -> str:
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def known_figure(task: dict) -> str:
    """A report task's duration where it is not a kind default (``5m (declared)``), else ``unknown``;
    a structure task's kind default of 0 s is exact and shown, as is a task that never runs."""
    if task.get("never_runs"):
        return "0s (never runs)"
    if task["duration_source"] != "default":
        return f"{fmt_seconds(task['duration_s'])} ({task['duration_source']})"
    return "0s (structure)" if task["duration_s"] == 0 else "unknown"


def saved_words(report: dict, saved_s: float) -> str:
    """What a group saves, in the words the text report and the cost block share: the seconds
    where durations are known."""
    return f"saves {fmt_seconds(saved_s)}" if report["structure"]["timed"] else "time saved unknown without timings"


def known_total(report: dict) -> str:
    """What the staged report can say in seconds: the figures taken from the tasks' own parameters."""
    known = [t for t in report["tasks"] if t["duration_source"] != "default" and t["duration_s"] > 0]
    if not known:
        return "no durations known"
    listed = ", ".join(f"{t['name']} {known_figure(t)}" for t in known[:5]) + (" …" if len(known) > 5 else "")
    return f"durations known only for {listed}; the rest are unknown without timings"
