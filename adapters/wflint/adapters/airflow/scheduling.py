"""How Airflow queues, picks and caps a DAG's tasks: settings read from DAG and task keywords
(``default_args`` already merged into a task's) into engine-neutral facets.

The defaults are Airflow's own, per major version (``config.yml`` of 2.x and 3.x alike:
``core.max_active_tasks_per_dag`` 16, ``default_pool`` 128 slots, ``priority_weight`` 1 with
``weight_rule="downstream"``). Airflow 2 still accepts the names 3 removed: the DAG's
``concurrency`` for ``max_active_tasks`` and a task's ``task_concurrency`` for
``max_active_tis_per_dag``. The version is taken from the file's imports (``airflow.sdk`` is 3).
"""
from __future__ import annotations

import ast
from collections.abc import Iterator

from wflint.facets import EngineVersion, RunSettings, Waiting
from wflint.patterns import lazy

from .model import DurationVal

DEFAULT_MAX_ACTIVE_TASKS = 16  # core.max_active_tasks_per_dag, Airflow 2 and 3
DEFAULT_POOL_SLOTS = 128  # default_pool, Airflow 2 and 3
WEIGHT_RULES = ("downstream", "upstream", "absolute")


def airflow_version(module: ast.Module) -> EngineVersion:
    """3 when the file imports the Task SDK (``airflow.sdk``), else 2 (the classic ``airflow.*`` paths)."""
    for node in _statements(module.body):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
            [node.module or ""] if isinstance(node, ast.ImportFrom) else []
        if any(n == "airflow.sdk" or n.startswith("airflow.sdk.") for n in names):
            return EngineVersion(3, "imports airflow.sdk")
    return EngineVersion(2, "no airflow.sdk import")


def _statements(body: list[ast.stmt]) -> Iterator[ast.AST]:
    """Every statement, nested ones included, without visiting expressions: an import is a
    statement, and a 10,000-task DAG file is mostly expressions."""
    stack: list[ast.AST] = list(reversed(body))
    while stack:
        node = stack.pop()
        yield node
        for name in ("body", "orelse", "finalbody", "handlers", "cases"):
            inner = getattr(node, name, None)
            if isinstance(inner, list):
                stack.extend(reversed([n for n in inner if isinstance(n, ast.AST)]))


def dag_task_cap(kwargs: dict, version: EngineVersion) -> tuple[int, str]:
    """Tasks of one DAG running at once, and where that number comes from."""
    names = ("max_active_tasks", "concurrency") if version.major < 3 else ("max_active_tasks",)
    for name in names:
        value = kwargs.get(name)
        if isinstance(value, int) and _positive_int(value):
            return value, f"{name} on the DAG"
    return DEFAULT_MAX_ACTIVE_TASKS, f"max_active_tasks default (Airflow {version.major})"


def run_settings(kwargs: dict, version: EngineVersion) -> RunSettings:
    weight = kwargs.get("priority_weight", 1)
    rule = kwargs.get("weight_rule", "downstream")
    rule = getattr(rule, "value", rule)  # WeightRule.UPSTREAM read as its value
    past = kwargs.get("depends_on_past") is True
    downstream = kwargs.get("wait_for_downstream") is True  # which implies depends_on_past in Airflow
    return RunSettings(
        priority_weight=weight if isinstance(weight, int) and not isinstance(weight, bool) else 1,
        weight_rule=rule if rule in WEIGHT_RULES else "downstream",
        waits_for_previous_run=past or downstream,
        waits_for_previous_downstream=downstream,
        at_once_across_runs=per_task_cap(kwargs, version),
    )


def per_task_cap(kwargs: dict, version: EngineVersion) -> int | None:
    names = ("max_active_tis_per_dag", "task_concurrency") if version.major < 3 else ("max_active_tis_per_dag",)
    return next((kwargs[n] for n in names if _positive_int(kwargs.get(n))), None)


def waiting(kwargs: dict) -> Waiting | None:
    """A sensor that gives its slots back between pokes: ``mode="reschedule"`` or ``deferrable=True``
    (it is deferred to the triggerer while it waits). A poking sensor holds them throughout."""
    if kwargs.get("mode") == "reschedule":
        return Waiting("mode='reschedule'")
    if kwargs.get("deferrable") is True:
        return Waiting("deferrable=True")
    return None


# Sensors that only wait for time: the delay they are given is how long they take.
DELAY_SENSORS = {"TimeDeltaSensor": "delta", "TimeDeltaSensorAsync": "delta", "WaitSensor": "time_to_wait"}
_SLEEP = lazy(r"\s*sleep\s+(\d+(?:\.\d+)?)([smhd]?)\s*")
_SLEEP_UNITS = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def configured_seconds(base: str, kwargs: dict) -> float | None:
    """How long a task takes by its own parameters, where they say: a delay sensor's ``delta``
    (``TimeDeltaSensor`` waits that long after the run's interval ends, which is when a scheduled run
    starts), a ``WaitSensor``'s ``time_to_wait``, a BashOperator whose command is only ``sleep N``."""
    keyword = DELAY_SENSORS.get(base)
    if keyword is not None:
        value = kwargs.get(keyword)
        return value.seconds if isinstance(value, DurationVal) and value.seconds >= 0 else None
    command = kwargs.get("bash_command") if base == "BashOperator" else None
    found = _SLEEP.fullmatch(command) if isinstance(command, str) else None
    return float(found.group(1)) * _SLEEP_UNITS[found.group(2)] if found else None


def _positive_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0
