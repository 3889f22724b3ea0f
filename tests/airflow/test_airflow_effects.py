"""Effects that hold (issue 14 item 2): one identity per table whatever the operator, DDL keeps what
follows it in order, and SQL wflint cannot read leaves the task's effects unknown, never empty."""
from __future__ import annotations

from conftest import run

from wflint.adapters import airflow
from wflint.facets import Structure
from wflint.ir import EdgeKind, Mode


def read(text: str, path: str = "dag.py"):
    return {wf.name: wf for wf in airflow.read(path, text)}


CREATE_THEN_CHECK = '''
from airflow.sdk import DAG
from airflow.providers.snowflake.operators.snowflake import SnowflakeOperator
from airflow.providers.common.sql.operators.sql import SQLCheckOperator, SQLExecuteQueryOperator
with DAG("create_check"):
    create = SnowflakeOperator(task_id="create", snowflake_conn_id="sf",
                               sql="CREATE OR REPLACE TABLE analytics.daily AS SELECT * FROM raw.events")
    check = SQLCheckOperator(task_id="check", conn_id="sf", sql='SELECT COUNT(*) FROM "ANALYTICS"."DAILY"')
    other = SQLExecuteQueryOperator(task_id="other", conn_id="sf", sql="SELECT 1 FROM raw.users")
    create >> check >> other
'''


def test_one_table_is_one_resource_across_operators_on_a_connection():
    wf = read(CREATE_THEN_CHECK)["create_check"]
    written = {e.resource for e in wf.tasks["create"].effects if e.mode is Mode.WRITE}
    read_by_check = {e.resource for e in wf.tasks["check"].effects}
    assert written == read_by_check == {"sql:sf/analytics.daily"}


def test_a_default_connection_is_named_like_the_explicit_one():
    wf = read('''
from airflow.sdk import DAG
from airflow.providers.postgres.operators.postgres import PostgresOperator
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator
with DAG("defaults"):
    PostgresOperator(task_id="drop", sql="DROP TABLE staging") >> SQLExecuteQueryOperator(
        task_id="use", conn_id="postgres_default", sql="SELECT * FROM staging")
''')["defaults"]
    assert {e.resource for e in wf.tasks["drop"].effects} == {e.resource for e in wf.tasks["use"].effects}


def test_ddl_keeps_the_check_after_it_and_the_check_gates_what_follows(tmp_path):
    """``create >> check`` is needed by the table; ``check >> other`` by the check itself: other
    reads an unrelated table, but a failed check stops it today, and in parallel it would not."""
    path = tmp_path / "dag.py"
    path.write_text(CREATE_THEN_CHECK)
    findings = run("check", "--preview", path, "--format", "json", "--fail-on", "never").json()["findings"]
    assert [f for f in findings if f["code"] == "PAR001"] == []
    wf = read(CREATE_THEN_CHECK)["create_check"]
    assert wf.edge("check", "other").kind is EdgeKind.CONTROL


def test_bigquery_sql_is_read_in_its_own_dialect():
    wf = read('''
from airflow.sdk import DAG
from airflow.providers.google.cloud.operators.bigquery import BigQueryInsertJobOperator
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator
with DAG("bq"):
    SQLExecuteQueryOperator(task_id="t", gcp_conn_id="gcp", sql="INSERT INTO `proj.ds.t` SELECT * FROM `proj.ds.s`")
''')["bq"]
    assert {(e.resource, e.mode) for e in wf.tasks["t"].effects} == {
        ("sql:gcp/proj.ds.t", Mode.WRITE), ("sql:gcp/proj.ds.s", Mode.READ)}


def test_sql_from_a_template_that_is_not_there_is_unknown(tmp_path):
    wf = read('''
from airflow.sdk import DAG
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator
with DAG("missing", template_searchpath="/opt/airflow/sql"):
    SQLExecuteQueryOperator(task_id="t", conn_id="wh", sql="load_orders.sql")
''', str(tmp_path / "dag.py"))["missing"]
    assert wf.tasks["t"].opaque and wf.tasks["t"].effects == []


CLUSTER = '''
from airflow.sdk import DAG
from airflow.providers.google.cloud.operators.kubernetes_engine import (
    GKECreateClusterOperator, GKEDeleteClusterOperator, GKEStartPodOperator)
with DAG("gke"):
    create = GKECreateClusterOperator(task_id="create", cluster_name="c1", body={})
    pod_a = GKEStartPodOperator(task_id="pod_a", cluster_name="c1", name="a", image="x")
    pod_b = GKEStartPodOperator(task_id="pod_b", cluster_name="c1", name="b", image="x")
    delete = GKEDeleteClusterOperator(task_id="delete", cluster_name="c1", name="c1")
    create >> pod_a >> pod_b >> delete
'''


def test_a_cluster_is_written_by_its_lifecycle_and_read_by_what_runs_on_it():
    wf = read(CLUSTER)["gke"]
    modes = {t: {(e.resource, e.mode) for e in wf.tasks[t].effects} for t in wf.tasks}
    assert modes["create"] == modes["delete"] == {("cluster:c1", Mode.WRITE)}
    assert modes["pod_a"] == modes["pod_b"] == {("cluster:c1", Mode.READ)}


def test_create_use_delete_stays_ordered_and_pods_of_unknown_effects_are_no_suggestion(tmp_path):
    """The cluster's lifecycle orders create, the pods and delete; the two pods only read it, but
    what their containers do is unknown, so their ordering is presumed needed, even in preview."""
    path = tmp_path / "dag.py"
    path.write_text(CLUSTER)
    findings = run("check", "--preview", path, "--format", "json", "--fail-on", "never").json()["findings"]
    assert [f for f in findings if f["code"].startswith("PAR")] == []
    assert not [f for f in findings if f["code"] == "SAF001"]  # pods only read the cluster


RULES = __import__("af_oracle").ROOT / "fixtures" / "rules" / "PAR201"


def test_chained_copies_with_unknown_effects_are_preview_only():
    path = RULES / "bad-unknown-effects.py"
    default = run("check", path, "--format", "json", "--fail-on", "never").json()["findings"]
    preview = run("check", "--preview", path, "--format", "json", "--fail-on", "never").json()["findings"]
    assert not [f for f in default if f["code"] == "PAR201"]
    assert [f["tasks"] for f in preview if f["code"] == "PAR201"] == [["export_0", "export_1", "export_2", "export_3"]]


def test_copies_are_the_tasks_of_one_call_not_of_one_dag_file_line():
    path = RULES.parent.parent / "airflow-repository" / "dags" / "pipeline.py"
    preview = run("check", "--preview", path, "--format", "json", "--fail-on", "never").json()["findings"]
    (copies,) = [f["tasks"] for f in preview if f["code"] == "PAR201"]
    assert copies == ["load_refunds.shard_0", "load_refunds.shard_1", "load_refunds.shard_2"]  # not check_refunds


def test_a_job_placed_on_a_cluster_named_by_a_run_level_template_reads_that_cluster():
    wf = read('''
from airflow.sdk import DAG
from airflow.providers.google.cloud.operators.dataproc import (
    DataprocCreateClusterOperator, DataprocSubmitJobOperator)
with DAG("hadoop"):
    create = DataprocCreateClusterOperator(task_id="create", cluster_name="c-{{ ds_nodash }}")
    job = DataprocSubmitJobOperator(task_id="job", job={"placement": {"cluster_name": "c-{{ ds_nodash }}"}})
    other = DataprocSubmitJobOperator(task_id="other", job={"placement": {"cluster_name": "{{ ti.xcom_pull('x') }}"}})
    create >> job >> other
''')["hadoop"]
    assert {(e.resource, e.mode) for e in wf.tasks["create"].effects} == {("cluster:c-{{ ds_nodash }}", Mode.WRITE)}
    assert {(e.resource, e.mode) for e in wf.tasks["job"].effects} == {("cluster:c-{{ ds_nodash }}", Mode.READ)}
    assert wf.tasks["other"].effects == []  # a name pulled from a task's XCom is not known


def test_airflow_1_spellings_of_cluster_lifecycles_write_the_cluster():
    wf = read('''
from airflow import DAG
from airflow.contrib.operators import dataproc_operator
with DAG("old"):
    dataproc_operator.DataprocClusterCreateOperator(task_id="create", cluster_name="c") >> \\
        dataproc_operator.DataprocClusterDeleteOperator(task_id="delete", cluster_name="c")
''')["old"]
    assert {e.mode for t in wf.tasks.values() for e in t.effects} == {Mode.WRITE}


def test_a_bigquery_query_job_reads_its_query_and_writes_its_destination():
    wf = read('''
from airflow.sdk import DAG
from airflow.providers.google.cloud.operators.bigquery import BigQueryInsertJobOperator
with DAG("job"):
    BigQueryInsertJobOperator(task_id="known", configuration={"query": {
        "query": "SELECT * FROM `p.d.src`", "useLegacySql": False,
        "destinationTable": {"projectId": "p", "datasetId": "d", "tableId": "out"}}})
    BigQueryInsertJobOperator(task_id="unnamed", configuration={"query": {
        "query": "SELECT 1", "destinationTable": {"projectId": "p", "datasetId": "d", "tableId": "{{ params.t }}"}}})
''')["job"]
    assert {(e.resource, e.mode) for e in wf.tasks["known"].effects} == {
        ("sql:google_cloud_default/p.d.out", Mode.WRITE), ("sql:google_cloud_default/p.d.src", Mode.READ)}
    assert not wf.tasks["known"].opaque and wf.tasks["unnamed"].opaque


TRANSFERS = __import__("af_oracle").ROOT / "fixtures" / "airflow-effects" / "transfers.py"


def _transfers():
    return airflow.read(str(TRANSFERS), TRANSFERS.read_text())[0]


def _effects(task) -> set[tuple[str, Mode]]:
    return {(e.resource, e.mode) for e in task.effects}


def test_object_transfers_read_their_sources_and_write_their_targets():
    wf = _transfers()
    assert _effects(wf.tasks["load"]) == {("gs://raw/ref/holidays.csv", Mode.READ),
                                          ("sql:google_cloud_default/proj.ref.holidays", Mode.WRITE)}
    assert _effects(wf.tasks["publish"]) == {("sql:google_cloud_default/proj.ref.holidays", Mode.READ),
                                             ("gs://public/holidays.csv", Mode.WRITE)}
    assert _effects(wf.tasks["backup"]) == {("gs://raw/ref/holidays.csv", Mode.READ),
                                            ("gs://archive/ref/holidays.csv", Mode.WRITE)}
    assert ("gs://raw/crm/customers_{}.json*", Mode.WRITE) in _effects(wf.tasks["export"])  # chunks: a pattern
    assert _effects(wf.tasks["load_job"]) == {("gs://raw/daily/events.json", Mode.READ),
                                              ("sql:google_cloud_default/proj.raw.events", Mode.WRITE)}


def test_a_transfer_is_known_only_when_it_names_every_object_and_no_table():
    """Objects named one by one and no table (whose project a query may spell differently): known.
    A prefix, a chunk pattern, a table, a job's options: listed, and the task stays opaque."""
    wf = _transfers()
    assert {t for t, task in wf.tasks.items() if not task.opaque} == {"upload", "backup"}


def test_a_prefix_written_orders_the_object_read_under_it(tmp_path):
    """``pull`` copies everything to names under ``gs://raw/daily``; ``load_job`` and ``score`` read an
    object there: those orderings are needed, and said to be needed by that object."""
    wf = _transfers()
    assert {("s3://landing/daily/*", Mode.READ), ("gs://raw/daily*", Mode.WRITE),
            ("gs://raw/daily/events.json", Mode.WRITE)} == _effects(wf.tasks["pull"])
    from wflint.analysis.relax import relax

    reasons = relax(wf).relaxed
    assert "gs://raw/daily/events.json" in reasons[("pull", "load_job")]
    assert "gs://raw/daily/events.json" in reasons[("pull", "score")]
    findings = run("check", "--preview", TRANSFERS, "--format", "json", "--fail-on", "never").json()["findings"]
    assert not [f for f in findings if "pull" in f.get("tasks", [])]


def test_a_containers_command_line_names_the_objects_it_reads_and_writes():
    """Object URIs in ``cmds``/``arguments``/``command`` are effects (after ``--output``: written);
    a local path is the container's own file, not shared; the task stays opaque."""
    wf = _transfers()
    assert _effects(wf.tasks["score"]) == {("gs://raw/daily/events.json", Mode.READ),
                                           ("gs://scores/daily.parquet", Mode.WRITE)}
    assert _effects(wf.tasks["sync"]) == {("s3://landing/manifest.json", Mode.READ)}
    assert wf.tasks["score"].opaque and wf.tasks["sync"].opaque


def test_a_table_named_without_its_project_is_the_one_named_in_full():
    """A load into ``ref.holidays`` and a query of ``proj.ref.holidays`` on one connection touch one
    table (the connection's project is the default): the query stays after the load."""
    wf = read('''
from airflow.sdk import DAG
from airflow.providers.google.cloud.operators.bigquery import BigQueryInsertJobOperator
from airflow.providers.google.cloud.transfers.gcs_to_bigquery import GCSToBigQueryOperator
with DAG("bq_names"):
    load = GCSToBigQueryOperator(task_id="load", bucket="raw", source_objects=["h.csv"],
                                 destination_project_dataset_table="ref.holidays")
    query = BigQueryInsertJobOperator(task_id="query", configuration={"query": {
        "query": "SELECT * FROM `proj.ref.holidays`", "useLegacySql": False,
        "destinationTable": {"projectId": "proj", "datasetId": "ref", "tableId": "out"}}})
    load >> query
''')["bq_names"]
    assert ("sql:google_cloud_default/proj.ref.holidays", Mode.WRITE) in _effects(wf.tasks["load"])
    from wflint.analysis.relax import relax

    assert "proj.ref.holidays" in relax(wf).relaxed[("load", "query")]


SETUP_THEN_WORK = '''
from airflow import DAG
from airflow.operators.python import PythonOperator
from airflow.providers.postgres.operators.postgres import PostgresOperator
from datetime import datetime
dag = DAG("setup_then_work", start_date=datetime(2024, 1, 1), schedule=None)
create = PostgresOperator(task_id="create", postgres_conn_id="results", dag=dag, sql="""
    -- the sink, made on the first run
    CREATE TABLE IF NOT EXISTS sink (id int PRIMARY KEY, total int);""")
widen = PostgresOperator(task_id="widen", postgres_conn_id="results", dag=dag,
                         sql="ALTER TABLE sink ALTER COLUMN total TYPE bigint;")
query = PostgresOperator(task_id="query", postgres_conn_id="results", dag=dag,
                         sql="SELECT id, count(*) FROM events GROUP BY 1")
snapshot = PostgresOperator(task_id="snapshot", postgres_conn_id="results", dag=dag,
                            sql="CREATE TABLE IF NOT EXISTS snap AS SELECT * FROM events")
load = PostgresOperator(task_id="load", postgres_conn_id="results", dag=dag,
                        sql="INSERT INTO sink SELECT id, count(*) FROM snap GROUP BY 1")
create >> widen >> query >> snapshot >> load
'''


def test_schema_setup_is_structure_and_a_table_made_from_a_query_is_work(tmp_path):
    """CREATE TABLE IF NOT EXISTS and ALTER TABLE before the query that feeds the table take
    milliseconds and check the schema first: running them beside the query saves nothing, so the
    orderings through them stay; CREATE TABLE ... AS SELECT moves data and is work."""
    wf = read(SETUP_THEN_WORK)["setup_then_work"]
    assert wf.tasks["create"].facet(Structure) == Structure("setup", "a schema setup for `sink`")
    assert wf.tasks["widen"].facet(Structure).kind == "setup"
    assert wf.tasks["query"].facet(Structure) is None
    assert wf.tasks["snapshot"].facet(Structure) is None
    path = tmp_path / "dag.py"
    path.write_text(SETUP_THEN_WORK)
    findings = run("check", "--preview", path, "--format", "json", "--fail-on", "never").json()["findings"]
    pairs = [sorted(f["tasks"]) for f in findings if f["code"] == "PAR001"]
    assert pairs == [["query", "snapshot"]]  # both only read `events`; the setup pairs are gone


def test_a_loops_chained_copies_are_one_finding_par201s_not_par001s_too():
    """Unseen round 7 (lowtouch's BigQuery simulator): PAR201 and PAR001 both reported one loop's
    chain. PAR201 says it better (make the copies a list, or `.expand()`), so PAR001 leaves it; run
    alone (`--select PAR001`), PAR001 still reports it."""
    path = RULES / "bad.py"
    both = run("check", path, "--format", "json", "--fail-on", "never", "--select", "PAR001,PAR201").json()["findings"]
    assert [(f["code"], f["tasks"]) for f in both] == [("PAR201", ["load_orders", "load_refunds", "load_payouts"])]
    alone = run("check", path, "--format", "json", "--fail-on", "never", "--select", "PAR001").json()["findings"]
    assert [f["code"] for f in alone] == ["PAR001"]
