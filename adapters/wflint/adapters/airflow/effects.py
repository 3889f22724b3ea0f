"""What a task touches outside Airflow: SQL tables (scoped by connection), files and object keys,
and declared ``outlets``/``inlets``. Python callables stay opaque unless annotated with outlets/inlets.

SQL is rendered the way Airflow would for the parts known statically (literal ``params``,
``{% include %}`` and ``.sql`` files found through ``template_searchpath``), then parsed with
sqlglot. Anything not renderable is replaced by a placeholder, never guessed.
"""
from __future__ import annotations

import bisect
import functools
import os
import re

from wflint.ir import Effect, Mode
from wflint.patterns import lazy
from wflint.sqltables import schema_objects
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
    """(effects, known): known when the effects come from SQL that parsed. Asset inlets and outlets
    are effects but never the whole of them: they are lineage a task declares (and events that
    start other DAGs), while its callable may read and write anything else."""
    effects: list[Effect] = []
    known = False
    sql_effects = _sql_effects(ts)
    if sql_effects is not None:
        effects.extend(sql_effects)
        known = not isinstance(sql_effects, _Named)
    for key, mode in (("outlets", Mode.WRITE), ("inlets", Mode.READ)):
        value = ts.kwargs.get(key)
        items = value if isinstance(value, (list, tuple)) else [value]
        effects += [Effect(f"asset:{item.uri}", mode) for item in items if isinstance(item, AssetVal)]
    for text in _command_strings(ts):
        for resource, mode in _paths(text):
            effects.append(Effect(resource, mode))
    effects.extend(_named_resources(ts))
    effects.extend(_container_effects(ts))
    objects = _object_transfer(ts)
    if objects is not None:  # a transfer is known only when every object it moves is named
        moved, exact = objects
        effects.extend(moved)
        known = exact and (known or sql_effects is None)
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
    if _NAMING_KEYS.isdisjoint(ts.kwargs):  # most operators name none of these
        return []
    base = (ts.base or ts.operator).split(".")[-1]
    out: list[Effect] = []
    for key, noun in NAMED_RESOURCES.items():
        lifecycle = _is_lifecycle(noun, base)
        for name in _names_of(ts.kwargs, key, noun, lifecycle, base):
            out.append(Effect(f"{noun.lower()}:{name}", Mode.WRITE if lifecycle else Mode.READ))
    conn = ts.kwargs.get("gcp_conn_id")
    # A load job that appends (``WRITE_APPEND``) commits its rows atomically beside any other
    # append: two such loads of one table do not conflict (the default, WRITE_EMPTY, fails the
    # second; WRITE_TRUNCATE replaces the table), though a reader still races either.
    appends = str(ts.kwargs.get("write_disposition", "")).upper() == "WRITE_APPEND"
    for key, mode in TRANSFER_TABLES.items():
        value = ts.kwargs.get(key)
        if isinstance(value, str) and _run_level_name(value):
            table = value.replace(":", ".")  # ``project:dataset.table`` is the legacy spelling
            out.append(Effect(_resource(conn if isinstance(conn, str) else "google_cloud_default", table), mode,
                              append=appends and mode is Mode.WRITE))
    return out


@functools.lru_cache(maxsize=1024)
def _is_lifecycle(noun: str, base: str) -> bool:
    """Does the operator class make, change or remove that very noun (asked per task, of a few classes)?"""
    return bool(re.search(_LIFECYCLE.format(noun), base))


# Every keyword ``_named_resources`` reads a name from.
_NAMING_KEYS = frozenset([*NAMED_RESOURCES, *TRANSFER_TABLES, "job", "name", "body"])


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
    if sql is None and job is None:
        moved = _bigquery_job(ts.kwargs.get("configuration"), conn)
        if moved:
            return _Named(effects + moved)
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


def schema_setup(ts: TaskState) -> list[str] | None:
    """What a SQL task creates when all its SQL does is define schema (``CREATE TABLE IF NOT EXISTS``
    before the task that fills the table): setup, not work; None for any other task."""
    sql = ts.kwargs.get("sql")
    system, _ = _connection(ts)
    texts = sql if isinstance(sql, (list, tuple)) else [sql]
    if system is None or _loads_a_table(ts):
        return None
    created: list[str] = []
    for text in texts:
        rendered = render(text, ts) if isinstance(text, str) else None
        names = schema_objects(rendered, SQL_DIALECTS.get(system)) if rendered is not None else None
        if names is None:
            return None
        created.extend(names)
    return created


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


class _Named(list):
    """Effects a task is known to have, with more it may have (a job's loader options): listed, and
    the task stays opaque."""


# A BigQuery job that is no query: a load reads objects into a table, an extract writes a table's
# rows to objects, a copy reads tables into another (the job configuration's REST field names).
_JOB_SIDES = {"load": (("sourceUris",), ("destinationTable",)), "extract": (("sourceTable",), ("destinationUris",)),
              "copy": (("sourceTable", "sourceTables"), ("destinationTable",))}


def _bigquery_job(configuration, conn: str) -> list[Effect]:
    """The objects and tables a load, extract or copy job names; the ones not named are left out."""
    if not isinstance(configuration, dict):
        return []
    out: list[Effect] = []
    for kind, (reads, writes) in _JOB_SIDES.items():
        job = configuration.get(kind)
        if not isinstance(job, dict):
            continue
        for keys, mode in ((reads, Mode.READ), (writes, Mode.WRITE)):
            for key in keys:
                out += [Effect(name, mode) for name in _job_targets(job.get(key), conn)]
    return out


def _job_targets(value, conn: str) -> list[str]:
    values = value if isinstance(value, list) else [value]
    out = []
    for item in values:
        if isinstance(item, str) and item.startswith("gs://") and _run_level_name(item):
            out.append(item)
        elif isinstance(item, dict):
            parts = [item.get(k) for k in ("projectId", "datasetId", "tableId")]
            if all(isinstance(p, str) and p and _run_level_name(p) for p in parts):
                out.append(_resource(conn, ".".join(parts)))  # type: ignore[arg-type]
    return out


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
    for key, system in CONN_KEYS.items() if not CONN_KEYS.keys().isdisjoint(ts.kwargs) else ():
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


# ---------------------------------------------------------------------------- objects

# Transfers between object stores, and between an object store and a table: per operator, where it
# reads from and where it writes, each as (scheme, bucket keyword, object keywords). A bucket
# keyword of None means the object keyword holds whole URIs; a prefix keyword copies every object
# under it (the names are not known one by one). Tables (``destination_project_dataset_table``,
# ``source_project_dataset_table``) are read by ``_named_resources``.
_Side = tuple[str, str | None, tuple[str, ...]]
OBJECT_TRANSFERS: dict[str, tuple[tuple[_Side, ...], tuple[_Side, ...]]] = {
    "GCSToBigQueryOperator": ((("gs", "bucket", ("source_objects",)),), ()),
    "BigQueryToGCSOperator": ((), (("gs", None, ("destination_cloud_storage_uris",)),)),
    "BigQueryToCloudStorageOperator": ((), (("gs", None, ("destination_cloud_storage_uris",)),)),
    "GCSToGCSOperator": ((("gs", "source_bucket", ("source_object", "source_objects")),),
                         (("gs", "destination_bucket", ("destination_object",)),)),
    "S3ToGCSOperator": ((("s3", "bucket", ("prefix*",)),), (("gs", None, ("dest_gcs*",)),)),
    "GCSToS3Operator": ((("gs", "bucket", ("prefix*",)),), (("s3", None, ("dest_s3_key*",)),)),
    "AzureBlobStorageToGCSOperator": ((("wasb", "container_name", ("blob_name",)),),
                                      (("gs", "bucket_name", ("object_name",)),)),
    "LocalFilesystemToGCSOperator": ((("file", None, ("src",)),), (("gs", "bucket", ("dst",)),)),
    "GCSToLocalFilesystemOperator": ((("gs", "bucket", ("object_name",)),), (("file", None, ("filename",)),)),
}
# A query's rows exported to objects (``PostgresToGCSOperator``, ``MySQLToGCSOperator``...): the
# objects it writes; what the query reads is the SQL's, on the source connection.
_QUERY_TO_GCS = lazy(r"^(\w+)To(GCS|GoogleCloudStorage)Operator$")
_WILDCARD = re.compile(r"[*?\[{]")
_TEMPLATE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")


def _wildcard(name: str) -> re.Match | None:
    """The first glob character of an object name, outside its Jinja templates: `{{ var.value.b }}`
    is one value per run, the same in every task that writes it, not a brace pattern."""
    return _WILDCARD.search(_TEMPLATE.sub(lambda m: "_" * len(m.group()), name))


def _object_transfer(ts: TaskState) -> tuple[list[Effect], bool] | None:
    """(the objects a transfer reads and writes, whether they are all it touches); None when the
    operator moves no objects. Exact only when every object is named one by one and no table is
    involved (table names of BigQuery transfers may omit the project their queries spell out)."""
    base = (ts.base or ts.operator).split(".")[-1]
    sides = OBJECT_TRANSFERS.get(base)
    exact = sides is not None and not ts.custom_class and not any(k in ts.kwargs for k in TRANSFER_TABLES)
    if sides is None and _QUERY_TO_GCS.search(base):
        sides = ((), (("gs", "bucket", ("filename*",)),))
    if sides is None:
        return None
    effects: list[Effect] = []
    for mode, group in ((Mode.READ, sides[0]), (Mode.WRITE, sides[1])):
        for side in group:
            found = _side_objects(ts.kwargs, side)
            if found is None:
                exact = False
                continue
            names, whole = found
            exact = exact and whole
            effects += [Effect(name, mode) for name in names]
    if base == "GCSToGCSOperator" and ts.kwargs.get("destination_object") is None:
        exact = False  # the copies keep the source names: which objects, the source decides
    return effects, exact


def _side_objects(kwargs: dict, side: _Side) -> tuple[list[str], bool] | None:
    """The object URIs one side names and whether each is one object; None when not named."""
    scheme, bucket_key, object_keys = side
    bucket = kwargs.get(bucket_key) if bucket_key else None
    if bucket_key and not _run_level_name(bucket):
        return None
    for key in object_keys:
        prefix = key.endswith("*")
        value = kwargs.get(key.rstrip("*"))
        if value is None:
            continue
        values = value if isinstance(value, (list, tuple)) else [value]
        if not values or not all(_run_level_name(v) for v in values):
            return None
        uris = [_object_uri(scheme, bucket, str(v)) for v in values]
        if prefix:  # every object whose name starts so: a pattern (``s3://b/daily*``)
            uris = [u if u.endswith("*") else u + "*" for u in uris]
        return uris, not prefix and not any(_wildcard(str(v)) for v in values)
    if bucket_key:  # a whole bucket (``S3ToGCSOperator`` without a prefix)
        return [f"{scheme}://{bucket}/*"], False
    return None


def _object_uri(scheme: str, bucket, name: str) -> str:
    if "://" in name or bucket is None and scheme != "file":
        return name
    if scheme == "file":
        return f"file:{name}"
    return f"{scheme}://{bucket}/{name.lstrip('/')}"


# ---------------------------------------------------------------------------- containers

# A pod's or container's command line: ``cmds``/``arguments`` (KubernetesPodOperator and GKE's),
# ``command`` (DockerOperator), and their environment. Only object-store URIs there are shared
# with other tasks: a local path names the container's own file system.
_CONTAINER_BASES = lazy(r"(KubernetesPod|GKEStartPod|EksPod|Docker\w*|DockerSwarm)Operator$")
_CONTAINER_KEYS = ("cmds", "arguments", "command", "env_vars", "environment")


def _container_effects(ts: TaskState) -> list[Effect]:
    """The objects a container's command line names (written after ``-o``/``--output``/``>``,
    read otherwise). The task stays opaque: its program may touch more than it names."""
    base = (ts.base or ts.operator).split(".")[-1]
    if not _CONTAINER_BASES.search(base):
        return []
    words: list[str] = []
    for key in _CONTAINER_KEYS:
        words += [w for w in _strings_in(ts.kwargs.get(key)) if _run_level_name(w)]
    out = []
    for resource, mode in _paths(" ".join(words)):
        if not resource.startswith("file:"):
            out.append(Effect(resource, mode))
    return out


def _strings_in(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [v for v in value.values() if isinstance(v, str)]
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, str)]
    return []


def covering_prefixes(tasks) -> None:
    """Resources are compared by name, so a task that touches one under another name gets that
    name too: an access to many objects (a prefix, ``gs://b/day/``, or a pattern,
    ``gs://b/x-*.avro``) touches each object of the DAG under it, and a table named without its
    project or database (``dataset.table``) is the one another task names in full on that
    connection (``project.dataset.table``). A prefix written is never taken for unrelated to an
    object read under it, nor a BigQuery load for unrelated to the query of its table."""
    tasks = list(tasks)
    names = _Names(sorted({e.resource for t in tasks for e in t.effects}))
    for task in tasks:
        have = {(e.resource, e.mode) for e in task.effects}
        for effect in list(task.effects):
            for name in _covered(effect.resource, names):
                if (name, effect.mode) not in have:
                    have.add((name, effect.mode))
                    task.effects.append(Effect(name, effect.mode, effect.location, effect.append))


class _Names:
    """The DAG's resource names, sorted, and indexed for ``_covered``: those under a prefix are one
    run of the sorted list (found by bisection), and each SQL name is filed under its connection
    and every dotted tail of its table (``sql:c/p.d.t`` under ``d.t`` and ``t``). A scan of every
    name per effect was quadratic: 55,000 SQL tasks took minutes."""

    def __init__(self, names: list[str]) -> None:
        self.sorted = names
        self.tails: dict[tuple[str, str], list[str]] = {}
        for name in names:
            if name.startswith("sql:") and "/" in name:
                conn, table = name.split("/", 1)
                parts = table.split(".")
                for i in range(1, len(parts)):
                    self.tails.setdefault((conn, ".".join(parts[i:])), []).append(name)

    def under(self, prefix: str) -> list[str]:
        start = bisect.bisect_left(self.sorted, prefix)
        end = start
        while end < len(self.sorted) and self.sorted[end].startswith(prefix):
            end += 1
        return self.sorted[start:end]


def _covered(resource: str, names: _Names) -> list[str]:
    """The other names of the DAG that ``resource`` stands for (or takes in)."""
    prefix = _prefix_of(resource)
    if prefix is not None:
        return [n for n in names.under(prefix) if n != resource]
    if not resource.startswith("sql:") or "/" not in resource:
        return []
    conn, table = resource.split("/", 1)
    return [n for n in names.tails.get((conn, table), ()) if n != resource]


def _prefix_of(resource: str) -> str | None:
    if "://" not in resource:
        return None
    wildcard = _wildcard(resource)
    if wildcard is not None:
        return resource[:wildcard.start()]
    return resource if resource.endswith("/") else None
