"""What a task touches outside Airflow: SQL tables (scoped by connection), files and object keys,
and declared ``outlets``/``inlets``. Python callables stay opaque unless annotated with outlets/inlets.

SQL is rendered the way Airflow would for the parts known statically (literal ``params``,
``{% include %}`` and ``.sql`` files found through ``template_searchpath``), then parsed with
sqlglot. Anything not renderable is replaced by a placeholder, never guessed.
"""
from __future__ import annotations

import os
import re

from wflint.ir import Effect, Mode
from wflint.patterns import lazy
from wflint.sqltables import tables_in_sql as sql_tables

from .model import AssetVal, TaskState

CONN_KEYS = {"conn_id": "sql", "postgres_conn_id": "postgres", "snowflake_conn_id": "snowflake",
             "mysql_conn_id": "mysql", "mssql_conn_id": "mssql", "sqlite_conn_id": "sqlite",
             "gcp_conn_id": "bigquery", "databricks_conn_id": "databricks", "redshift_conn_id": "redshift",
             "oracle_conn_id": "oracle", "trino_conn_id": "trino", "vertica_conn_id": "vertica"}
SQL_OPERATOR_SYSTEMS = {"PostgresOperator": "postgres", "SnowflakeOperator": "snowflake",
                        "MySqlOperator": "mysql", "MsSqlOperator": "mssql", "SqliteOperator": "sqlite",
                        "BigQueryInsertJobOperator": "bigquery", "RedshiftSQLOperator": "redshift",
                        "TrinoOperator": "trino", "DatabricksSqlOperator": "databricks"}
# The connection an operator uses when none is named (each hook's ``default_conn_name``): with it, a
# table has one identity whichever operator touches it on that connection.
DEFAULT_CONNECTIONS = {"postgres": "postgres_default", "snowflake": "snowflake_default", "mysql": "mysql_default",
                       "mssql": "mssql_default", "sqlite": "sqlite_default", "bigquery": "google_cloud_default",
                       "redshift": "redshift_default", "databricks": "databricks_default", "oracle": "oracle_default",
                       "trino": "trino_default", "vertica": "vertica_default"}
SQL_DIALECTS = {"postgres": "postgres", "snowflake": "snowflake", "mysql": "mysql", "mssql": "tsql",
                "sqlite": "sqlite", "bigquery": "bigquery", "redshift": "redshift", "databricks": "databricks",
                "oracle": "oracle", "trino": "trino"}
_URI = re.compile(r"\b((?:s3|s3a|gs|gcs|abfs|abfss|wasb|az|hdfs|file)://[^\s'\"{}<>|;]+)")
_PATH = re.compile(r"(?<![\w.:/{])(/(?:[\w.-]+/)*[\w-]+\.\w{1,8})\b")
_WRITE_BEFORE = re.compile(r"(?:>>?|\btee\s+(?:-a\s+)?|-o\s+|--output[= ])\s*$")
_JINJA_VAR = re.compile(r"\{\{\s*params(?:\.(\w+)|\[\s*['\"](\w+)['\"]\s*\])\s*\}\}")
_JINJA_INCLUDE = re.compile(r"\{%-?\s*include\s+['\"]([^'\"]+)['\"]\s*-?%\}")
_JINJA_OTHER = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)


def task_effects(ts: TaskState) -> tuple[list[Effect], bool]:
    """(effects, known): known when the effects come from SQL that parsed, or from annotations."""
    effects: list[Effect] = []
    known = False
    sql_effects = _sql_effects(ts)
    if sql_effects is not None:
        effects.extend(sql_effects)
        known = True
    for key, mode in (("outlets", Mode.WRITE), ("inlets", Mode.READ)):
        value = ts.kwargs.get(key)
        items = value if isinstance(value, (list, tuple)) else [value]
        for item in items:
            if isinstance(item, AssetVal):
                effects.append(Effect(f"asset:{item.uri}", mode))
                known = True
    for text in _command_strings(ts):
        for resource, mode in _paths(text):
            effects.append(Effect(resource, mode))
    effects.extend(_named_resources(ts))
    return _dedupe(effects), known


# Keywords that name the cloud resource an operator makes, uses or removes (a Dataproc or GKE
# cluster, a Dataproc batch, a bucket), and the tables a transfer reads or loads. The verb must be
# on that very noun: a pod started on a cluster only uses the cluster.
NAMED_RESOURCES = {"cluster_name": "Cluster", "batch_id": "Batch", "bucket_name": "Bucket"}
TRANSFER_TABLES = {"destination_project_dataset_table": Mode.WRITE, "source_project_dataset_table": Mode.READ}
_VERBS = "(?:Create|Delete|Update|Patch|Scale|Start|Stop|Resume|Pause)"
_LIFECYCLE = _VERBS + "{0}|{0}" + _VERBS  # the verb on that very noun (Airflow 1 put it after)


def _named_resources(ts: TaskState) -> list[Effect]:
    """What an operator's own keywords name: the resource a lifecycle operator of that very resource
    writes (``DataprocCreateClusterOperator``, ``GCSDeleteBucketOperator``) and every other operator
    on the same name reads (a job or pod on a cluster, a listing of a bucket), and the tables a
    BigQuery transfer loads or exports."""
    base = (ts.base or ts.operator).split(".")[-1]
    out: list[Effect] = []
    for key, noun in NAMED_RESOURCES.items():
        lifecycle = bool(re.search(_LIFECYCLE.format(noun), base))
        for name in _names_of(ts.kwargs, key, noun, lifecycle, base):
            out.append(Effect(f"{noun.lower()}:{name}", Mode.WRITE if lifecycle else Mode.READ))
    conn = ts.kwargs.get("gcp_conn_id")
    for key, mode in TRANSFER_TABLES.items():
        value = ts.kwargs.get(key)
        if isinstance(value, str) and _run_level_name(value):
            table = value.replace(":", ".")  # ``project:dataset.table`` is the legacy spelling
            out.append(Effect(_resource(conn if isinstance(conn, str) else "google_cloud_default", table), mode))
    return out


def _names_of(kwargs: dict, key: str, noun: str, lifecycle: bool, base: str) -> list[str]:
    """The names a task gives a resource kind: its keyword, a Dataproc job's placement, and the
    ``name`` a cluster's own create (``body``) or delete operator takes."""
    candidates = [kwargs.get(key)]
    job = kwargs.get("job")
    if noun == "Cluster" and isinstance(job, dict) and isinstance(job.get("placement"), dict):
        candidates.append(job["placement"].get(key))
    if lifecycle and noun in base:
        body = kwargs.get("body")
        candidates += [kwargs.get("name"), body.get("name") if isinstance(body, dict) else None]
    return list(dict.fromkeys(c for c in candidates if isinstance(c, str) and _run_level_name(c)))


_TASK_LEVEL = re.compile(r"\b(ti|task_instance|task|xcom_pull|map_index)\b")


def _run_level_name(value) -> bool:
    """A known name: literal, or templated only with what is the same for every task of one run
    (``{{ ds_nodash }}``, ``{{ params.x }}``, ``{{ dag_run.conf... }}``), so equal text is one resource."""
    if not isinstance(value, str) or not value:
        return False
    return not any(_TASK_LEVEL.search(expr) for expr in re.findall(r"\{\{(.*?)\}\}", value, re.S)) \
        and "{%" not in value


def _dedupe(effects: list[Effect]) -> list[Effect]:
    seen, out = set(), []
    for e in effects:
        if (e.resource, e.mode) not in seen:
            seen.add((e.resource, e.mode))
            out.append(e)
    return out


def _command_strings(ts: TaskState):
    for key in ("bash_command", "filepath", "bucket_key", "path"):
        value = ts.kwargs.get(key)
        if isinstance(value, str):
            yield value


def _paths(text: str):
    for pattern in (_URI, _PATH):
        for match in pattern.finditer(text):
            before = text[: match.start()]
            mode = Mode.WRITE if _WRITE_BEFORE.search(before) else Mode.READ
            uri = match.group(1)
            yield (uri if "://" in uri else f"file:{uri}"), mode


# ---------------------------------------------------------------------------- SQL

def _sql_effects(ts: TaskState) -> list[Effect] | None:
    sql = ts.kwargs.get("sql")
    table = ts.kwargs.get("table")
    system, conn = _connection(ts)
    if system is None:
        return None
    effects: list[Effect] = []
    if _loads_a_table(ts):
        return _transfer_effects(ts, conn)
    if isinstance(table, str):
        effects.append(Effect(_resource(conn, table), Mode.READ))
    job = _query_job(ts.kwargs.get("configuration"))
    if sql is None and job is not None:  # BigQueryInsertJobOperator(configuration={"query": {...}})
        sql, destination = job
        if destination is None:
            return None  # a destination wflint cannot name: the job's writes are unknown
        if destination:
            effects.append(Effect(_resource(conn, destination), Mode.WRITE))
    texts = sql if isinstance(sql, (list, tuple)) else [sql]
    if sql is None:
        return effects or None
    for text in texts:
        if not isinstance(text, str):
            return None
        rendered = render(text, ts)
        if rendered is None:
            return None
        parsed = tables_in_sql(rendered, SQL_DIALECTS.get(system))
        if parsed is None:
            return None
        for name, mode in parsed:
            effects.append(Effect(_resource(conn, name), mode))
    return effects


# Transfers that load a table on the SQL connection they name (``S3ToRedshiftOperator``,
# ``S3ToSnowflakeOperator``): their ``table`` (in ``schema``) is what they write, not a table they read.
_INTO_TABLE = lazy(r"To(Redshift|Snowflake|Postgres|MySql|Mssql|Oracle|Trino|Presto|Vertica|Databricks)\w*Operator$")
# Where such a transfer reads from, by keyword: the bucket, then the key or keys within it.
_SOURCES = (("s3_bucket", ("s3_key", "s3_keys"), "s3"),)


def _loads_a_table(ts: TaskState) -> bool:
    return bool(_INTO_TABLE.search((ts.base or ts.operator).split(".")[-1]))


def _transfer_effects(ts: TaskState, conn: str) -> list[Effect] | None:
    """The table a transfer loads (written) and the objects it loads from (read); None (unknown)
    unless both are named literally, so a transfer is never taken for one that touches less."""
    table, schema = ts.kwargs.get("table"), ts.kwargs.get("schema")
    if not _run_level_name(table) or (schema is not None and not _run_level_name(schema)):
        return None
    target = f"{schema}.{table}" if schema else str(table)
    sources = _transfer_sources(ts.kwargs)
    if sources is None:
        return None
    return [Effect(_resource(conn, target), Mode.WRITE), *(Effect(s, Mode.READ) for s in sources)]


def _transfer_sources(kwargs: dict) -> list[str] | None:
    for bucket_key, object_keys, scheme in _SOURCES:
        bucket = kwargs.get(bucket_key)
        if bucket is None:
            continue
        objects = next((kwargs[k] for k in object_keys if kwargs.get(k) is not None), None)
        names = objects if isinstance(objects, (list, tuple)) else [objects]
        if not _run_level_name(bucket) or not names or not all(_run_level_name(n) for n in names):
            return None
        return [f"{scheme}://{bucket}/{str(n).lstrip('/')}" for n in names]
    return None


def _query_job(configuration) -> tuple[str, str | None] | None:
    """(query, destination table or "" when none) of a BigQuery query job's configuration; None
    when it is not one; a destination that is not literal is None (unknown)."""
    query = configuration.get("query") if isinstance(configuration, dict) else None
    if not isinstance(query, dict) or not isinstance(query.get("query"), str):
        return None
    target = query.get("destinationTable")
    if target is None:
        return query["query"], ""
    found = [target.get(k) for k in ("projectId", "datasetId", "tableId")] if isinstance(target, dict) else []
    parts = [p for p in found if isinstance(p, str) and p and "{{" not in p]
    if len(parts) != 3:
        return query["query"], None
    return query["query"], ".".join(parts)


def _connection(ts: TaskState) -> tuple[str | None, str]:
    base = (ts.base or ts.operator).split(".")[-1]  # a repository subclass: its Airflow base
    for key, system in CONN_KEYS.items():
        value = ts.kwargs.get(key)
        if isinstance(value, str):
            return SQL_OPERATOR_SYSTEMS.get(base, system), value
    if base in SQL_OPERATOR_SYSTEMS or ("sql" in ts.kwargs and base.startswith("SQL")):
        system = SQL_OPERATOR_SYSTEMS.get(base, "sql")
        return system, DEFAULT_CONNECTIONS.get(system, "default")
    into = _INTO_TABLE.search(base)
    if into:  # a transfer into a table, on its system's default connection
        system = into.group(1).lower()
        return system, DEFAULT_CONNECTIONS.get(system, f"{system}_default")
    return None, ""


def _resource(conn: str, table: str) -> str:
    """One identity per table on a connection, whichever operator reads or writes it."""
    return f"sql:{conn}/{table.strip().strip(chr(96)).lower()}"


def render(text: str, ts: TaskState, depth: int = 0) -> str | None:
    """Airflow-like rendering for the statically known parts; None when a file is missing."""
    if text.strip().endswith(".sql") and "\n" not in text.strip():
        body = _read_template(text.strip(), ts)
        if body is None:
            return None
        text = body
    params = ts.kwargs.get("params")
    dag_params = ts.dag.kwargs.get("params")
    merged = {**(dag_params if isinstance(dag_params, dict) else {}), **(params if isinstance(params, dict) else {})}

    def include(m):
        if depth > 5:
            return ""
        body = _read_template(m.group(1), ts)
        return render(body, ts, depth + 1) or "" if body is not None else ""

    text = _JINJA_INCLUDE.sub(include, text)

    def param(m):
        value = merged.get(m.group(1) or m.group(2))
        return str(value) if isinstance(value, (str, int, float)) else "__wflint_param__"

    text = _JINJA_VAR.sub(param, text)
    return _JINJA_OTHER.sub("__wflint_tpl__", text)


def _read_template(name: str, ts: TaskState) -> str | None:
    folders = ts.dag.kwargs.get("template_searchpath")
    folders = [folders] if isinstance(folders, str) else list(folders) if isinstance(folders, (list, tuple)) else []
    base = os.path.dirname(os.path.abspath(ts.dag.path)) if ts.dag.path else os.getcwd()
    for folder in [base, *[f if os.path.isabs(f) else os.path.join(base, f) for f in folders if isinstance(f, str)]]:
        candidate = os.path.join(folder, name)
        if os.path.isfile(candidate):
            try:
                with open(candidate, encoding="utf-8") as handle:
                    return handle.read()
            except (OSError, UnicodeDecodeError):
                return None
    return None


def tables_in_sql(sql: str, dialect: str | None = None) -> list[tuple[str, Mode]] | None:
    """(table, mode) for every table; None when the SQL cannot be read or names an unrendered template."""
    tables = sql_tables(sql, dialect)
    if tables is None or any("__wflint_" in name for name in tables):
        return None  # a table named by a template wflint cannot render: effects unknown, not absent
    return list(tables.items())
