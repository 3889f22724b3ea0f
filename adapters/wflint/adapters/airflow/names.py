"""One alias table: every import path a DAG file may use, mapped to one canonical symbol name.

Airflow 2 paths (``airflow.models.baseoperator.chain``, ``airflow.operators.python``), Airflow 3
``airflow.sdk``, provider modules and ``airflow.providers.common.compat.sdk`` all name the same few
things. The reader only ever sees the canonical name (``chain``, ``task.branch``, ``BashOperator``).
"""
from __future__ import annotations

# Lowercase names that are SDK symbols, not modules, when they follow an airflow module path.
SDK_LOWER = {"dag", "task", "task_group", "chain", "chain_linear", "cross_downstream", "setup", "teardown",
             "get_current_context", "asset", "get_airflow_parsing_context", "get_parsing_context"}
# Modules whose lowercase member of the same name is a module, not the symbol (airflow.models.dag.DAG).
_MODULE_SEGMENTS = {("airflow", "sdk", "definitions", "asset"), ("airflow", "task", "trigger_rule")}

BRANCH_OPERATORS = {"BranchPythonOperator", "BranchSQLOperator", "BranchDateTimeOperator",
                    "BranchDayOfWeekOperator", "BranchExternalPythonOperator",
                    "BranchPythonVirtualenvOperator", "BaseBranchOperator"}
SHORT_CIRCUIT_OPERATORS = {"ShortCircuitOperator", "LatestOnlyOperator"}  # skip what follows
BRANCH_DECORATORS = {"task.branch", "task.branch_virtualenv", "task.branch_external_python"}
SHORT_CIRCUIT_DECORATORS = {"task.short_circuit"}
SENSOR_DECORATORS = {"task.sensor"}
# Decorators that only gate a task at run time; they do not create one.
MODIFIER_DECORATORS = {"task.run_if", "task.skip_if"}


def canonical(path: str) -> str | None:
    """``airflow.providers.standard.operators.python.PythonOperator`` → ``PythonOperator``.

    Returns None for paths outside airflow. Module segments (lowercase) are dropped; the symbol
    and any attribute after it are kept (``airflow.sdk.task.branch`` → ``task.branch``).
    """
    parts = path.split(".")
    if parts[0] != "airflow":
        return None
    i = 1
    while i < len(parts):
        seg = parts[i]
        if seg[:1].isupper():
            break
        nxt = parts[i + 1] if i + 1 < len(parts) else ""
        is_module = nxt[:1].isupper() or nxt in SDK_LOWER  # airflow.models.dag.DAG, ….task_group.task_group
        if seg in SDK_LOWER and not is_module and tuple(parts[: i + 1]) not in _MODULE_SEGMENTS \
                and tuple(parts[: i + 2]) not in _MODULE_SEGMENTS:  # airflow.task.trigger_rule: a module
            break
        i += 1
    if i >= len(parts):
        return None  # a module, not a symbol
    return ".".join(parts[i:])


def is_module_path(path: str) -> bool:
    return path.split(".")[0] == "airflow" and canonical(path) is None
