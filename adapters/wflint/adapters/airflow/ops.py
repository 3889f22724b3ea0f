"""Operator knowledge: which calls create tasks, their template fields, and which are opaque.

Template fields matter because Airflow adds an edge for an XComArg only when it sits in one of the
operator's ``template_fields`` (``_set_xcomargs_dependencies``); ``.expand()`` always adds it.
"""
from __future__ import annotations

_SQL_BASE = ("conn_id", "database", "hook_params")
TEMPLATE_FIELDS: dict[str, tuple[str, ...]] = {
    "BashOperator": ("bash_command", "env", "cwd"),
    "BashSensor": ("bash_command", "env"),
    "PythonOperator": ("templates_dict", "op_args", "op_kwargs"),
    "BranchPythonOperator": ("templates_dict", "op_args", "op_kwargs"),
    "ShortCircuitOperator": ("templates_dict", "op_args", "op_kwargs"),
    "PythonSensor": ("templates_dict", "op_args", "op_kwargs"),
    "PythonVirtualenvOperator": ("requirements", "index_urls", "venv_cache_path", "templates_dict", "op_args",
                                 "op_kwargs"),
    "ExternalPythonOperator": ("python", "templates_dict", "op_args", "op_kwargs"),
    "EmptyOperator": (),
    "DummyOperator": (),  # EmptyOperator's name before Airflow 2.4
    "LatestOnlyOperator": (),
    "SQLExecuteQueryOperator": ("sql", "parameters", *_SQL_BASE),
    "SQLCheckOperator": ("sql", *_SQL_BASE),
    "SQLValueCheckOperator": ("sql", "pass_value", *_SQL_BASE),
    "SQLColumnCheckOperator": ("table", "partition_clause", "sql", *_SQL_BASE),
    "SQLTableCheckOperator": ("table", "partition_clause", "sql", *_SQL_BASE),
    "BranchSQLOperator": ("sql", *_SQL_BASE),
    "TriggerDagRunOperator": ("trigger_dag_id", "trigger_run_id", "conf", "logical_date"),
    "ExternalTaskSensor": ("external_dag_id", "external_task_id", "external_task_ids", "external_task_group_id"),
    "ExternalTaskMarker": ("external_dag_id", "external_task_id", "logical_date"),
    "FileSensor": ("filepath",),
    "TimeDeltaSensor": ("delta",),
    "DateTimeSensor": ("target_time",),
}

# Operators whose work is arbitrary code (effects unknown) unless the user annotates them.
OPAQUE_OPERATORS = {"PythonOperator", "BranchPythonOperator", "ShortCircuitOperator", "PythonVirtualenvOperator",
                    "ExternalPythonOperator", "BashOperator", "PythonSensor", "BashSensor", "DockerOperator",
                    "KubernetesPodOperator", "BranchPythonVirtualenvOperator", "BranchExternalPythonOperator"}
# Operators that do nothing outside Airflow's own state.
INERT_OPERATORS = {"EmptyOperator", "DummyOperator", "LatestOnlyOperator", "TimeDeltaSensor", "TimeSensor", "DateTimeSensor",
                   "BranchDateTimeOperator", "BranchDayOfWeekOperator", "DayOfWeekSensor", "ExternalTaskSensor",
                   "ExternalTaskMarker", "TimeDeltaSensorAsync", "DateTimeSensorAsync", "WaitSensor"}
NON_OPERATOR_CLASSES = {"DAG", "TaskGroup", "Label", "XComArg", "Asset", "AssetAlias", "AssetAll", "AssetAny",
                        "Param", "ParamsDict", "Variable", "Connection", "Metadata", "ObjectStoragePath",
                        "TriggerRule", "Context", "CronTriggerTimetable", "CronDataIntervalTimetable",
                        "AssetWatcher", "BaseHook", "Dataset", "DagRunState", "TaskInstanceState"}


def is_operator_class(name: str, kw: dict) -> bool:
    """An airflow class called with ``task_id=``, or a known operator/sensor."""
    last = name.split(".")[-1]
    if last in NON_OPERATOR_CLASSES or not last[:1].isupper():
        return False
    return "task_id" in kw or last in TEMPLATE_FIELDS or last.endswith(("Operator", "Sensor"))


def template_fields(name: str) -> tuple[str, ...] | None:
    """The operator's template fields, or None when unknown (then every keyword counts)."""
    return TEMPLATE_FIELDS.get(name.split(".")[-1])


def is_check(name: str) -> bool:
    """A data-quality check (``SQLCheckOperator``, ``BigQueryValueCheckOperator``, dbt tests, Great
    Expectations): its point is to fail, so that what it guards does not run."""
    last = name.split(".")[-1]
    return last.endswith("CheckOperator") or last.startswith(("DbtTest", "GreatExpectations", "SodaScan"))
