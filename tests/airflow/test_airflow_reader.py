"""The Airflow reader on its own (no Airflow needed): §1.1 golden edges, IR facts, effects, errors."""
from __future__ import annotations

import subprocess
import sys

import pytest
from af_oracle import ROOT
from conftest import run

from wflint.adapters import airflow
from wflint.adapters.airflow.effects import tables_in_sql
from wflint.adapters.airflow.facts import OperatorFacts
from wflint.facets import TriggerRule, Unresolved
from wflint.ir import EdgeKind, Join, Mode

FIX = ROOT / "fixtures" / "airflow"


def read(text: str, name: str = "dag.py"):
    return {wf.name: wf for wf in airflow.read(name, text)}


def edges(wf, kinds=(EdgeKind.ORDER, EdgeKind.DATA, EdgeKind.CONTROL)):
    return {(e.u, e.v) for e in wf.edges if e.kind in kinds}


@pytest.fixture(scope="module")
def constructs():
    return {wf.name: wf for wf in airflow.read(str(FIX / "constructs.py"), (FIX / "constructs.py").read_text())}


def test_golden_edges_of_every_construct(constructs):
    e = edges(constructs["constructs"])
    assert {("a", "b"), ("a", "c"), ("b", "d"), ("c", "d"), ("e", "d")} <= e
    assert {("f", "g"), ("g", "h"), ("l0", "l1"), ("l1", "l2")} <= e
    assert {("x1", "y1"), ("x1", "y2"), ("x2", "y1"), ("x2", "y2")} <= e
    # chain() pairs adjacent lists; chain_linear() links them fully.
    assert {("p", "q1"), ("p", "q2"), ("q1", "r1"), ("q2", "r2")} <= e and ("q1", "r2") not in e
    assert {("u1", "v1"), ("u1", "v2"), ("u2", "v1"), ("u2", "v2")} <= e
    assert ("lab", "lab2") in e
    assert {("hh", "grp.g1"), ("hh", "grp.g2"), ("grp.g1", "after_grp"), ("grp.g2", "after_grp")} <= e
    assert {("create", "work"), ("work", "delete"), ("create", "delete")} <= e
    assert not any(v == "pulled" for _, v in e)  # a templated xcom_pull is no edge in Airflow
    tf = edges(constructs["taskflow_constructs"])
    assert tf == {("extract", "add"), ("add", "total"), ("extract", "tg.inner"), ("side", "tg.inner")}


def test_edge_kinds_and_task_facts(constructs):
    wf = constructs["constructs"]
    kind = {(e.u, e.v): e.kind for e in wf.edges}
    assert kind[("a", "po")] is EdgeKind.DATA  # .output in a template field
    assert kind[("a", "pulled")] is EdgeKind.IMPLICIT
    assert kind[("br", "b1")] is EdgeKind.CONTROL  # out of a branch
    assert kind[("b1", "join")] is EdgeKind.CONTROL  # into a non-default trigger rule
    assert kind[("create", "delete")] is EdgeKind.CONTROL  # setup/teardown
    assert kind[("a", "b")] is EdgeKind.ORDER
    assert "Label" in next(e.detail for e in wf.edges if (e.u, e.v) == ("lab", "lab2"))
    assert all(e.detail for e in wf.edges)
    assert wf.tasks["delete"].facet(TriggerRule).rule == "all_done_setup_success"
    assert wf.tasks["join"].facet(TriggerRule).rule == "none_failed_min_one_success"
    assert wf.tasks["br"].facet(TriggerRule).chooses_branch is True
    assert wf.tasks["po"].opaque and not wf.tasks["a"].opaque
    assert wf.limits.concurrency == 16 and "default" in wf.limits.concurrency_source
    assert wf.execution_model.name == "airflow" and wf.execution_model.mode == "graph"
    add = constructs["taskflow_constructs"].tasks["add"]
    assert add.facet(OperatorFacts).mapped is True and add.facet(OperatorFacts).expand == ("x",)
    assert {"add_1", "add_2"} <= set(constructs["taskflow_constructs"].tasks)


def test_dag_kwargs_spread_default_args_and_groups():
    wf = read('''
from airflow import DAG
from airflow.operators.empty import EmptyOperator
from airflow.utils.task_group import TaskGroup
dag = DAG("spread", default_args={"pool": "db", "trigger_rule": "one_success"}, max_active_tasks=4)
common = {"dag": dag, "retries": 2}
a = EmptyOperator(task_id="a", **common)
with TaskGroup("g", dag=dag, default_args={"pool": "other"}) as g:
    b = EmptyOperator(task_id="b")
    c = EmptyOperator(task_id="c", pool="mine", pool_slots=2)
a >> g
''')["spread"]
    assert set(wf.tasks) == {"a", "g.b", "g.c"}
    assert wf.tasks["a"].pools == ["db"] and wf.tasks["g.b"].pools == ["other"]
    assert wf.tasks["g.c"].pools == ["mine", "mine"]  # two slots
    assert wf.tasks["g.b"].join is Join.ANY  # one_success inherited from the DAG's default_args
    assert wf.limits.concurrency == 4
    assert edges(wf) == {("a", "g.b"), ("a", "g.c")}


def test_loops_unroll_and_unknown_iterables_are_dynamic():
    wfs = read('''
from airflow.sdk import DAG, chain
from airflow.providers.standard.operators.empty import EmptyOperator
import os
with DAG("loops"):
    tasks = [EmptyOperator(task_id=f"t{i}") for i in range(3)]
    chain(*tasks)
with DAG("unknown"):
    for name in os.listdir("."):
        EmptyOperator(task_id=name)
''')
    assert edges(wfs["loops"]) == {("t0", "t1"), ("t1", "t2")}
    assert wfs["unknown"].tasks == {} or all(t.dynamic for t in wfs["unknown"].tasks.values())


def test_sql_effects_render_params_and_scope_by_connection():
    wf = read('''
from airflow.sdk import DAG
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator
with DAG("sql", params={"schema": "sales"}):
    SQLExecuteQueryOperator(task_id="t", conn_id="wh",
        sql="MERGE INTO {{ params.schema }}.orders o USING raw.o r ON o.id = r.id WHEN MATCHED THEN DELETE")
''')["sql"]
    effects = {(e.resource, e.mode) for e in wf.tasks["t"].effects}
    assert ("sql:wh/sales.orders", Mode.WRITE) in effects and ("sql:wh/raw.o", Mode.READ) in effects
    assert not wf.tasks["t"].opaque


@pytest.mark.parametrize("sql, expected", [
    ("INSERT INTO a SELECT * FROM b JOIN c ON b.x = c.x", {("a", Mode.WRITE), ("b", Mode.READ), ("c", Mode.READ)}),
    ("UPDATE s.t SET x = 1", {("s.t", Mode.WRITE)}),
    ("DELETE FROM t WHERE x IN (SELECT x FROM u)", {("t", Mode.WRITE), ("u", Mode.READ)}),
    ("CREATE TABLE n AS SELECT * FROM o", {("n", Mode.WRITE), ("o", Mode.READ)}),
    ("DROP TABLE IF EXISTS d", {("d", Mode.WRITE)}),
    ("TRUNCATE TABLE tr", {("tr", Mode.WRITE)}),
    ("WITH w AS (SELECT * FROM base) SELECT * FROM w", {("base", Mode.READ)}),
])
def test_tables_in_sql(sql, expected):
    assert set(tables_in_sql(sql)) == expected


@pytest.mark.parametrize("sql", [
    "SELECT refresh_daily_stats()",  # a user's function: it may write anything
    "INSERT INTO a SELECT my_schema.clean(x) FROM b",
    "CALL load_orders()",
])
def test_sql_that_calls_a_function_sqlglot_does_not_know_has_unknown_effects(sql):
    assert tables_in_sql(sql) is None
    assert tables_in_sql("SELECT count(*), coalesce(max(x), 0), date_trunc('day', y) FROM t") == [("t", Mode.READ)]


def test_unparseable_python_is_a_clean_wfl001(tmp_path):
    path = tmp_path / "broken.py"
    path.write_text("from airflow import DAG\nwith DAG('x') as d\n    pass\n")
    result = run("check", "--preview", path, "--format", "json")
    assert result.exit_code == 1
    (finding,) = result.json()["findings"]
    assert finding["code"] == "WFL001" and finding["line"] == 2


def test_sniff_is_cheap_and_exact():
    assert airflow.sniff("a.py", "import os\nfrom airflow.sdk import DAG\n")
    assert airflow.sniff("a.py", "import airflow\n")
    assert not airflow.sniff("a.py", "import airflowlike\n")
    assert not airflow.sniff("a.txt", "from airflow import DAG\n")


def test_reading_a_dag_imports_neither_libcst_nor_airflow():
    code = ("import sys; from wflint.engine import lint_paths, Selection; "
            f"lint_paths([{str(FIX / 'constructs.py')!r}], Selection(preview=True)); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('libcst', 'airflow', 'sqlglot')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("path, name", [
    ("airflow.sdk.DAG", "DAG"), ("airflow.models.dag.DAG", "DAG"), ("airflow.DAG", "DAG"),
    ("airflow.decorators.task", "task"), ("airflow.sdk.task.branch", "task.branch"),
    ("airflow.models.baseoperator.chain", "chain"), ("airflow.utils.task_group.TaskGroup", "TaskGroup"),
    ("airflow.providers.standard.operators.python.PythonOperator", "PythonOperator"),
    ("airflow.providers.common.compat.sdk.DAG", "DAG"), ("airflow.utils.edgemodifier.Label", "Label"),
    ("airflow.decorators.task_group", "task_group"), ("airflow.sdk.asset", "asset"),
    ("airflow.operators", None), ("os.path", None),
])
def test_alias_table(path, name):
    from wflint.adapters.airflow.names import canonical

    assert canonical(path) == name


def test_mapped_task_is_one_node_with_fan_out_metadata():
    wf = read('''
from airflow.sdk import DAG, task
with DAG("m", max_active_tasks=4):
    @task(max_active_tis_per_dagrun=2)
    def work(x, y):
        return x
    work.expand(x=[1, 2, 3, 4, 5], y=["a", "b"])
''')["m"]
    (t,) = wf.tasks.values()
    assert t.items == 10 and t.facet(OperatorFacts).instances == 10 and t.facet(OperatorFacts).max_active_tis_per_dagrun == 2
    assert t.duration.seconds == 5.0  # ten instances, two at a time, default 1 s each


def test_ordering_a_templated_pull_relies_on_is_never_relaxed():
    result = run("check", "--preview", "-", "--stdin-format", "airflow", "--format", "json", input='''
from airflow.sdk import DAG
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator
with DAG("pull"):
    a = SQLExecuteQueryOperator(task_id="a", conn_id="c", sql="SELECT 1 FROM x")
    b = SQLExecuteQueryOperator(task_id="b", conn_id="c", sql="SELECT {{ ti.xcom_pull(task_ids='a') }} FROM y")
    a >> b
''')
    assert [f["code"] for f in result.json()["findings"]] == []


def test_table_named_by_an_unrendered_template_is_unknown_not_absent():
    wf = read('''
from airflow.sdk import DAG
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator
with DAG("tpl"):
    SQLExecuteQueryOperator(task_id="t", conn_id="c", sql="INSERT INTO events_{{ ds_nodash }} SELECT 1")
''')["tpl"]
    assert wf.tasks["t"].opaque and wf.tasks["t"].effects == []


def test_failed_airflow_install_fails_under_ci_and_skips_elsewhere(monkeypatch, tmp_path):
    import af_oracle

    monkeypatch.setattr(af_oracle, "MARKER", tmp_path / "missing-marker")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="could not install"):
        af_oracle.ensure_airflow(build=lambda: "no network")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        af_oracle.ensure_airflow(build=lambda: "no network")


def test_edges_after_an_unknown_operand_are_still_made():
    """``check() >> fetch >> process`` with ``check`` from a package wflint cannot read (the
    Academic Observatory's ``check_dependencies``): ``>>`` gives back its right operand, so Airflow
    still links fetch to process; the DAG stays marked partial."""
    wf = read('''
from airflow.sdk import DAG
from airflow.providers.standard.operators.empty import EmptyOperator
from external_platform.tasks import check_dependencies
with DAG("after_unknown"):
    fetch = EmptyOperator(task_id="fetch")
    process = EmptyOperator(task_id="process")
    publish = EmptyOperator(task_id="publish")
    check_dependencies() >> fetch >> process
    publish << process << check_dependencies()
''')["after_unknown"]
    assert edges(wf) == {("fetch", "process"), ("process", "publish")}
    assert all(t.dynamic for t in wf.tasks.values())


def test_an_unresolved_dependency_makes_the_whole_dag_dynamic():
    wf = read('''
from airflow.sdk import DAG
from airflow.providers.standard.operators.empty import EmptyOperator
from somewhere import make_tasks
with DAG("partial"):
    a = EmptyOperator(task_id="a")
    b = EmptyOperator(task_id="b")
    a >> make_tasks() >> b
''')["partial"]
    assert all(t.dynamic for t in wf.tasks.values())
    # Airflow links a and b only through the unknown tasks: the order is presumed, never relaxed
    assert ("a", "b") in edges(wf, (EdgeKind.CONTROL,)) and ("a", "b") not in edges(wf, (EdgeKind.ORDER,))
    result = run("check", "--preview", "-", "--stdin-format", "airflow", "--format", "json", input='''
from airflow.sdk import DAG
from airflow.providers.standard.operators.bash import BashOperator
from somewhere import make_tasks
with DAG("partial"):
    a, b, c = (BashOperator(task_id=t, bash_command="true") for t in "abc")
    a >> b >> c
    c >> make_tasks()
''')
    findings = result.json()["findings"]
    assert "WFL003" in {f["code"] for f in findings}  # the partial graph is said, not judged as whole
    # Every task is only partly resolved: orderings through them are presumed needed, as WFL003 says,
    # so no parallelization is proposed, not even at low confidence.
    assert not [f for f in findings if f["code"] == "PAR001"]
    assert all(f["fix"] is None or f["fix"]["applicability"] != "safe" for f in findings)


def test_include_and_searchpath_templates(tmp_path):
    (tmp_path / "sql").mkdir()
    (tmp_path / "sql" / "body.sql").write_text("INSERT INTO {{ params.t }} SELECT * FROM src")
    (tmp_path / "sql" / "main.sql").write_text("{% include 'body.sql' %};\nDELETE FROM old_{{ params.t }}")
    path = tmp_path / "dag.py"
    path.write_text('''
from airflow.sdk import DAG
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator
with DAG("inc", template_searchpath="sql"):
    SQLExecuteQueryOperator(task_id="t", conn_id="c", sql="main.sql", params={"t": "facts"})
''')
    (wf,) = airflow.read(str(path), path.read_text())
    assert {(e.resource, e.mode) for e in wf.tasks["t"].effects} == {
        ("sql:c/facts", Mode.WRITE), ("sql:c/src", Mode.READ), ("sql:c/old_facts", Mode.WRITE)}


def test_assets_and_file_paths_are_effects():
    result = run("check", "--preview", "-", "--stdin-format", "airflow", "--format", "json", input='''
from airflow.sdk import DAG, Asset, task
from airflow.providers.standard.operators.bash import BashOperator
with DAG("fx"):
    @task(outlets=[Asset("s3://bucket/daily.parquet")])
    def publish_a():
        pass
    @task(outlets=[Asset("s3://bucket/daily.parquet")])
    def publish_b():
        pass
    publish_a()
    publish_b()
    BashOperator(task_id="dump", bash_command="make report > /data/report.csv")
    BashOperator(task_id="mail", bash_command="mail -a /data/report.csv team")
''')
    codes = sorted((f["code"], tuple(sorted(f["tasks"]))) for f in result.json()["findings"])
    assert ("SAF001", ("publish_a", "publish_b")) in codes
    assert ("SAF002", ("dump", "mail")) in codes


def test_config_annotates_python_callables_and_sizes_pools(write):
    dag = '''
from airflow.sdk import DAG
from airflow.providers.standard.operators.python import PythonOperator
with DAG("cfg", default_args={"pool": "api"}):
    a = PythonOperator(task_id="fetch_a", python_callable=print)
    b = PythonOperator(task_id="fetch_b", python_callable=print)
    c = PythonOperator(task_id="fetch_c", python_callable=print)
    a >> b
'''
    path = write("plain/dags/cfg.py", dag)
    before = run("check", "--preview", path, "--format", "json", "--fail-on", "never").json()["findings"]
    assert before == []  # opaque callables: their ordering is presumed needed, even in preview
    write("configured/wflint.toml", '[limits.pools]\napi = 1\n'
                         '[effects.fetch_a]\nreads = ["http:a.example"]\n'
                         '[effects.fetch_b]\nreads = ["http:b.example"]\n'
                         '[effects.fetch_c]\nreads = ["http:c.example"]\n')
    path = write("configured/dags/cfg.py", dag)
    after = run("check", "--preview", path, "--format", "json", "--fail-on", "never").json()["findings"]
    assert ("PAR001", "high") in [(f["code"], f["confidence"]) for f in after]
    # fetch_a and fetch_c both start at once and hold the one-slot pool.
    assert [f["tasks"] for f in after if f["code"] == "RES002"] == [["fetch_a", "fetch_c"]]


def test_sensors_and_latest_only_gate_what_follows():
    wf = read('''
from airflow.sdk import DAG, task
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.providers.standard.operators.latest_only import LatestOnlyOperator
from airflow.providers.standard.sensors.time_delta import TimeDeltaSensor
with DAG("gates"):
    wait = TimeDeltaSensor(task_id="wait", delta=60)
    @task.sensor(poke_interval=10)
    def ready():
        return True
    latest = LatestOnlyOperator(task_id="latest")
    a, b, c = EmptyOperator(task_id="a"), EmptyOperator(task_id="b"), EmptyOperator(task_id="c")
    wait >> a
    ready() >> b
    latest >> c
''')["gates"]
    assert {(e.u, e.v): e.kind for e in wf.edges} == {
        ("wait", "a"): EdgeKind.CONTROL, ("ready", "b"): EdgeKind.CONTROL, ("latest", "c"): EdgeKind.CONTROL}


TRANSFER_THEN_CHECK = '''
from airflow import DAG
from airflow.providers.amazon.aws.transfers.s3_to_redshift import S3ToRedshiftOperator
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator

with DAG("load_orders", schedule=None):
    load = S3ToRedshiftOperator(task_id="load", schema="public", table="orders", s3_bucket="raw",
                                s3_key="orders/{{ ds }}.csv", redshift_conn_id="wh", copy_options=["CSV"])
    count = SQLExecuteQueryOperator(task_id="count", conn_id="wh", sql="SELECT count(*) FROM public.orders")
    load >> count
'''


def test_a_transfer_into_a_table_writes_it_and_keeps_its_readers_after_it():
    wf = read(TRANSFER_THEN_CHECK)["load_orders"]
    assert {(e.resource, e.mode) for e in wf.tasks["load"].effects} == {
        ("sql:wh/public.orders", Mode.WRITE), ("s3://raw/orders/{{ ds }}.csv", Mode.READ)}
    assert not wf.tasks["load"].opaque
    # the count reads what the load writes: the ordering is needed, nothing to parallelize
    result = run("check", "--preview", "--format", "json", "-", "--stdin-format", "airflow", input=TRANSFER_THEN_CHECK)
    assert [f["code"] for f in result.json()["findings"] if f["code"].startswith("PAR")] == []


def test_a_transfer_whose_source_is_not_literal_has_unknown_effects():
    wf = read(TRANSFER_THEN_CHECK.replace('s3_key="orders/{{ ds }}.csv"', "s3_key=key_for(1)"))["load_orders"]
    assert wf.tasks["load"].opaque


WRITE_AUDIT_PUBLISH = '''
from airflow import DAG
from airflow.providers.common.sql.operators.sql import SQLCheckOperator, SQLExecuteQueryOperator

with DAG("wap", schedule=None):
    create = SQLExecuteQueryOperator(task_id="create", conn_id="wh", sql="CREATE TABLE stg.orders (id int)")
    load = SQLExecuteQueryOperator(task_id="load", conn_id="wh", sql="INSERT INTO stg.orders SELECT id FROM raw.orders")
    audit = SQLCheckOperator(task_id="audit", conn_id="wh", sql="SELECT count(*) > 0 FROM stg.orders")
    publish = SQLExecuteQueryOperator(task_id="publish", conn_id="wh", sql="INSERT INTO prod.orders SELECT id FROM stg.orders")
    drop = SQLExecuteQueryOperator(task_id="drop", conn_id="wh", sql="DROP TABLE stg.orders")
    create >> load >> audit >> publish >> drop
'''


def test_write_audit_publish_is_never_flattened():
    """The audit only reads the staging table and publishing does not read the audit, but a failed
    audit must stop the publish: the check gates what follows it."""
    wf = read(WRITE_AUDIT_PUBLISH)["wap"]
    gate = wf.edge("audit", "publish")
    assert gate.kind is EdgeKind.CONTROL and "when it fails, publish does not run" in gate.detail
    result = run("check", "--preview", "--format", "json", "-", "--stdin-format", "airflow", input=WRITE_AUDIT_PUBLISH)
    assert result.json()["findings"] == []


def test_a_task_made_outside_any_dag_joins_the_dag_it_is_linked_to():
    """``fixtures/airflow/outside_dag.py`` (also loaded by DagBag in test_airflow_oracle): tasks
    made after the ``with DAG`` block join it through ``>>``, ``chain`` and ``<<``, without the
    DAG's default_args (Airflow applies those when a task is made); ``never_linked`` is in no DAG."""
    (wf,) = airflow.read(str(FIX / "outside_dag.py"), (FIX / "outside_dag.py").read_text())
    assert set(wf.tasks) == {"start", "extract", "load", "report"}
    assert edges(wf) == {("start", "extract"), ("extract", "load"), ("load", "report")}
    assert wf.tasks["start"].facet(TriggerRule).rule == "all_done"
    assert wf.tasks["extract"].facet(TriggerRule).rule == "all_success"
    assert not any(t.dynamic for t in wf.tasks.values())


def test_dummy_operator_is_the_marker_empty_operator_was_before_airflow_2_4():
    """``airflow.operators.dummy_operator.DummyOperator`` (Airflow 1.x, 2.0-2.3) does nothing: a
    marker whose effects are known to be none, as EmptyOperator's are."""
    from wflint.facets import Structure

    wf = read("from airflow import DAG\nfrom airflow.operators.dummy_operator import DummyOperator\n"
              "with DAG('d', schedule_interval=None):\n    start = DummyOperator(task_id='start')\n")["d"]
    start = wf.tasks["start"]
    assert not start.opaque and start.effects == [] and start.facet(Structure).kind == "marker"


AIRFLOW1_DAG_SHIFT = '''
from airflow.models import DAG
from airflow.operators.bash_operator import BashOperator

one = DAG("one", schedule_interval="@daily")
extract = BashOperator(task_id="extract", bash_command="echo e", dag=one)
load = BashOperator(task_id="load", bash_command="echo l", dag=one)
report = BashOperator(task_id="report", bash_command="echo r")  # no dag=: `one >> report` assigns it
(one >> extract >> load)
one >> report
'''


def test_airflow1_dag_shift_assigns_the_task_and_chains_on():
    """``dag >> a >> b`` in Airflow 1: the DAG's shift assigns ``a`` (the task's reflected operator
    answers with the task), so ``a >> b`` is an ordinary edge; the graph is whole, no WFL003."""
    wf = read(AIRFLOW1_DAG_SHIFT)["one"]
    assert sorted(wf.tasks) == ["extract", "load", "report"]
    assert edges(wf) == {("extract", "load")}
    assert not any(t.dynamic for t in wf.tasks.values())


def test_a_task_shifted_into_a_dag_makes_no_edge_past_it():
    """``a >> dag >> b``: ``a >> dag`` gives the DAG back, so ``b`` follows the DAG, not ``a``."""
    wf = read(AIRFLOW1_DAG_SHIFT.replace("(one >> extract >> load)", "extract >> one >> load"))["one"]
    assert edges(wf) == set()
    assert not any(t.dynamic for t in wf.tasks.values())


def test_a_dag_beside_a_list_is_unknown_and_said_in_words(tmp_path):
    """``[a, b] >> dag`` is a TypeError in Python: the edges are unknown, and the reason names what
    the operands are, never an internal repr (no ``object at 0x``)."""
    path = tmp_path / "dag.py"
    path.write_text(AIRFLOW1_DAG_SHIFT.replace("one >> report", "[extract, load] >> one"))
    out = run("check", path, "--format", "json").json()["findings"]
    (partial,) = [f for f in out if f["code"] == "WFL003"]
    said = partial["message"] + partial.get("detail", "")
    assert "a DAG object was shifted with a list value" in said
    assert "0x" not in said and "DagState" not in said


HELPERS = '''
import airflow
from airflow.operators.python import PythonOperator


def create_dag(default_args=None, catchup=False, **kwargs):
    return airflow.DAG(default_args=default_args or {"retries": 1}, catchup=catchup, **kwargs)


def create_python_task(dag, task_id, python_callable, **kwargs):
    return PythonOperator(task_id=task_id, dag=dag, python_callable=python_callable, **kwargs)
'''


def test_a_module_of_bare_dag_helpers_holds_no_graph(tmp_path):
    """A factory whose DAG has no task (its callers add them) is a helper module, as DagBag sees
    it: no DAG, nothing to report. One whose DAG gets its tasks in the factory is still read."""
    helpers = tmp_path / "dag_utils.py"
    helpers.write_text(HELPERS)
    assert run("check", helpers, "--format", "json").json()["findings"] == []
    factory = tmp_path / "factory.py"
    factory.write_text(HELPERS + '''

def build(dag_id):
    dag = create_dag(dag_id=dag_id)
    create_python_task(dag, "extract", print) >> create_python_task(dag, "load", print)
    return dag
''')
    codes = [f["code"] for f in run("check", factory, "--format", "json").json()["findings"]]
    assert codes == ["WFL003"]  # read as if called once, its id unknown


def test_an_operator_from_a_package_wflint_does_not_know_is_an_opaque_task():
    """``FivetranOperator(task_id=...)`` from a provider outside Airflow is a task of unknown
    effects, ordered like any other."""
    wf = read('''
from datetime import datetime
from airflow import DAG
from airflow.operators.bash import BashOperator
from fivetran_provider.operators.fivetran import FivetranOperator
with DAG("fivetran_sync", start_date=datetime(2024, 1, 1), schedule="@daily") as dag:
    sync = FivetranOperator(task_id="sync", connector_id="abc", sql="SELECT 1")
    dbt = BashOperator(task_id="dbt_run", bash_command="dbt run")
    sync >> dbt
''')["fivetran_sync"]
    assert sorted(wf.tasks) == ["dbt_run", "sync"]
    sync = wf.tasks["sync"]
    assert sync.kind == "FivetranOperator" and sync.opaque and not sync.dynamic
    assert not wf.tasks["dbt_run"].dynamic
    assert [(e.u, e.v) for e in wf.edges] == [("sync", "dbt_run")]


def test_a_dag_whose_id_is_computed_is_still_a_static_graph():
    """``dag_id=f"{prefix()}_daily"`` over a helper wflint cannot follow names one DAG whose tasks
    and orderings are all literal: named by the expression, nothing partial. The same expression
    made twice (a factory called twice) is two DAGs, the second named with its count."""
    once = read('''
from datetime import datetime
from airflow import DAG
from airflow.operators.bash import BashOperator
from company.utils import env_prefix
with DAG(dag_id=f"{env_prefix()}_daily", start_date=datetime(2024, 1, 1), schedule=None):
    BashOperator(task_id="extract", bash_command="./e.sh") >> BashOperator(task_id="load", bash_command="./l.sh")
''')
    assert list(once) == ["f'{env_prefix()}_daily'"]
    assert not any(t.dynamic for t in once["f'{env_prefix()}_daily'"].tasks.values())
    twice = read('''
from airflow import DAG
from airflow.operators.bash import BashOperator
from company.utils import env_prefix
def build():
    with DAG(dag_id=env_prefix(), schedule=None) as dag:
        BashOperator(task_id="run", bash_command="./run.sh")
    return dag
first, second = build(), build()
''')
    # each copy's graph is whole: the copies are told apart by count, not made partial
    assert list(twice) == ["env_prefix()", "env_prefix() #2"]
    assert [sorted(t.dynamic for t in wf.tasks.values()) for wf in twice.values()] == [[False], [False]]


def test_a_task_id_not_resolved_makes_only_its_own_dag_partial():
    """``dag=other`` names the DAG a task belongs to: an id built from data makes that DAG partial,
    not every DAG of the file."""
    wfs = read('''
from airflow import DAG
from airflow.operators.bash import BashOperator
from company.config import TABLES
static = DAG("static", schedule=None)
BashOperator(task_id="extract", bash_command="./e.sh", dag=static) >> BashOperator(
    task_id="load", bash_command="./l.sh", dag=static)
copies = DAG("copies", schedule=None)
for table in TABLES:
    BashOperator(task_id=f"copy_{table}", bash_command="./copy.sh", dag=copies)
''')
    assert not any(t.dynamic for t in wfs["static"].tasks.values())
    assert wfs["static"].facet(Unresolved) is None and wfs["copies"].facet(Unresolved) is not None


def test_copies_made_by_a_loop_over_config_are_each_read_whole():
    """A loop over what wflint cannot read (a config file's entries) makes an unknown number of
    copies of one DAG, but every copy has the same literal tasks and orderings: nothing is partial.
    A loop inside the DAG over such data leaves its task set unknown: partial. A ``@dag`` function
    whose id is computed is named by its decorator's ``dag_id=``, not by the call's arguments."""
    copies = read('''
from airflow import DAG
from airflow.operators.bash import BashOperator
from company.config import load_configs
for name, config in load_configs().items():
    with DAG(dag_id=f"import_{name}", **config["dag"]):
        BashOperator(task_id="fetch", bash_command="./f.sh") >> BashOperator(task_id="load", bash_command="./l.sh")
''')
    (dag,) = copies.values()
    assert list(copies) == ["f'import_{name}'"] and not any(t.dynamic for t in dag.tasks.values())
    assert dag.facet(Unresolved) is None
    inner = read('''
from airflow import DAG
from airflow.operators.bash import BashOperator
from company.config import tables
with DAG(dag_id="imports"):
    for table in tables():
        BashOperator(task_id=f"load_{table}", bash_command="./l.sh")
''')
    assert inner["imports"].facet(Unresolved) is not None
    decorated = read('''
from airflow.sdk import dag, task
from company.config import suffix
def make(on):
    @dag(dag_id=f"notify_{suffix()}")
    def notify(flag):
        @task
        def send():
            return flag
        send()
    return notify
make(True)(True)
''')
    assert list(decorated) == ["f'notify_{suffix()}'"]


def test_an_operator_class_picked_by_an_unreadable_condition_makes_one_task_either_way():
    """``Op = A if os.getenv(...) else B`` leaves the class unknown but not the task: its id and
    wiring are the same either way, so the graph is whole; its work is not read (it is opaque).
    A conditional that calls something, or picks a branch operator, stays unknown."""
    either = read('''
import os
from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.empty import EmptyOperator
Notify = EmptyOperator if os.getenv("ENV") == "dev" else BashOperator
with DAG("d"):
    Notify(task_id="notify") >> BashOperator(task_id="load", bash_command="./l.sh")
''')["d"]
    assert edges(either) == {("notify", "load")} and either.facet(Unresolved) is None
    assert either.tasks["notify"].opaque and either.tasks["notify"].kind == "EmptyOperator or BashOperator"
    for picked in ('BranchPythonOperator if os.getenv("ENV") else BashOperator',
                   'make_operator() if os.getenv("ENV") else BashOperator'):
        unknown = read(f'''
import os
from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.python import BranchPythonOperator
from company import make_operator
Notify = {picked}
with DAG("d"):
    Notify(task_id="notify") >> BashOperator(task_id="load", bash_command="./l.sh")
''')["d"]
        assert unknown.facet(Unresolved) is not None, picked


def test_unresolved_operands_are_named_in_one_reason():
    """Each operand of ``>>`` wflint could not resolve is named where it is written, all in one
    reason (three shown), not a sentence per operand."""
    wf = read('''
from airflow import DAG
from airflow.operators.bash import BashOperator
from company import a, b, c, d
with DAG("d"):
    start = BashOperator(task_id="start", bash_command="./s.sh")
    start >> a()
    b.make(start) >> start
    start >> c(1, 2)
    start >> d(1)
''')["d"]
    (reason,) = [r for r in wf.facet(Unresolved).reasons if "operand" in r]
    assert reason == ("a dependency operand could not be resolved (`a()` at line 7, `b.make(start)` at line 8, "
                      "`c(1, 2)` at line 9 and 1 more)")


@pytest.mark.parametrize("written, runs_as", [("none_failed_or_skipped", "none_failed_min_one_success"),
                                              ("dummy", "always"), ("all_done", "all_done")])
def test_a_deprecated_trigger_rule_is_read_as_the_rule_airflow_replaces_it_with(written, runs_as):
    """Airflow 2 rewrites `none_failed_or_skipped` and `dummy` when the task is made: a join after a
    branch choice with the old spelling accepts skipped branches (no SAF005)."""
    wf = read(f'''
from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.python import BranchPythonOperator
with DAG("d"):
    pick = BranchPythonOperator(task_id="pick", python_callable=lambda: "a")
    a = BashOperator(task_id="a", bash_command="./a.sh")
    b = BashOperator(task_id="b", bash_command="./b.sh")
    pick >> [a, b] >> BashOperator(task_id="join", bash_command="./j.sh", trigger_rule="{written}")
''')["d"]
    assert wf.tasks["join"].facet(TriggerRule).rule == runs_as


def test_an_order_through_an_operand_wflint_cannot_read_is_presumed():
    """``create >> load >> swap`` with load made by a helper wflint cannot read: Airflow runs create
    before swap whatever load is, so wflint keeps that order (a control edge, never offered for
    removal) and reports no race between them; the same across an unknown item of ``chain``."""
    wf = read('''
from airflow import DAG
from airflow.models.baseoperator import chain
from airflow.operators.bash import BashOperator
from company.tasks import make_load
with DAG("d"):
    create = BashOperator(task_id="create", bash_command="./c.sh")
    load = make_load()
    swap = BashOperator(task_id="swap", bash_command="./s.sh")
    drop = BashOperator(task_id="drop", bash_command="./d.sh")
    create >> load >> swap >> drop
    a = BashOperator(task_id="a", bash_command="./a.sh")
    b = BashOperator(task_id="b", bash_command="./b.sh")
    chain(a, load, load, b)
''')["d"]
    kinds = {(e.u, e.v): e.kind for e in wf.edges}
    assert kinds[("create", "swap")] is EdgeKind.CONTROL and kinds[("swap", "drop")] is EdgeKind.ORDER
    assert kinds[("a", "b")] is EdgeKind.CONTROL and ("create", "drop") not in kinds
    assert wf.facet(Unresolved) is not None


def test_a_helper_given_a_task_id_inside_an_operators_arguments_makes_no_task():
    """``filename=object_name(task_id="extract")``: an unknown helper called with task_id= makes a
    parameter's value there, not a task, so the DAG is whole; called on its own it may make tasks."""
    text = '''
from airflow import DAG
from airflow.operators.bash import BashOperator
from company.naming import object_name, make_task
with DAG("d"):
    BashOperator(task_id="extract", bash_command=object_name(task_id="extract")) >> BashOperator(
        task_id="load", bash_command="./l.sh")
{alone}
'''
    assert read(text.format(alone=""))["d"].facet(Unresolved) is None
    assert read(text.format(alone='    make_task(task_id="audit")'))["d"].facet(Unresolved) is not None


def test_a_task_whose_id_cannot_be_known_is_still_a_task_with_its_edges():
    """``task_id=kwargs.get("id")`` in a helper: the task exists and is wired as written, only its
    name is unknown, so it is named by where it is made and its orderings hold (no race claimed
    across it); its ``.task_id`` stays unknown, never that made-up name."""
    wf = read('''
import os
from airflow import DAG
from airflow.operators.bash import BashOperator
def between(start, finish, **kwargs):
    middle = BashOperator(task_id=kwargs.get("id", os.environ["ID"]), bash_command="./m.sh")
    start.set_downstream(middle)
    finish.set_upstream(middle)
    return middle.task_id
with DAG("d"):
    start = BashOperator(task_id="start", bash_command="./s.sh")
    finish = BashOperator(task_id="finish", bash_command="./f.sh")
    between(start, finish)
    between(start, finish)
''')["d"]
    unnamed = sorted(t for t in wf.tasks if t.startswith("<"))
    assert unnamed == ["<BashOperator at dag.py:6 #2>", "<BashOperator at dag.py:6>"]
    assert {("start", unnamed[1]), (unnamed[1], "finish"), ("start", unnamed[0])} <= edges(wf)
    assert wf.tasks[unnamed[0]].opaque and wf.tasks[unnamed[0]].dynamic and wf.facet(Unresolved) is not None


def _codes(wf, preview=False):
    from wflint.engine import check_workflow
    from wflint.rule import all_rules

    return sorted(f.code for f in check_workflow(wf, all_rules().values(), preview=preview).findings)


def test_a_race_between_tasks_whose_orderings_wflint_could_not_read_is_preview():
    """A chain built over a listing (``steps[i] >> steps[i + 1]``) orders the lock before the
    release in Airflow; wflint cannot read it, so their two writes are no race it can show."""
    wf = read('''
import os
from airflow import DAG
from airflow.operators.empty import EmptyOperator
from airflow.providers.postgres.operators.postgres import PostgresOperator
with DAG("d"):
    lock = PostgresOperator(task_id="lock", postgres_conn_id="db", sql="UPDATE locks SET free = false")
    steps = [EmptyOperator(task_id="first")]
    for i, name in enumerate(os.listdir("sql")):
        steps.append(EmptyOperator(task_id=f"run_{name}"))
        steps[i] >> steps[i + 1]
    unlock = PostgresOperator(task_id="unlock", postgres_conn_id="db", sql="UPDATE locks SET free = true")
    lock >> steps[0]
    steps[-1] >> unlock
''')["d"]
    assert "SAF001" not in _codes(wf) and "SAF001" in _codes(wf, preview=True)


@pytest.mark.parametrize("normal_path, reported", [
    ("extract >> load >> join", False),  # load runs only when extract succeeded, the fallback only when it failed
    ("other >> load >> join", True),  # load does not need extract: both may run, and fail, in one run
])
def test_saf005_one_success_after_a_fallback_and_the_normal_path(normal_path, reported):
    wf = read(f'''
from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.empty import EmptyOperator
with DAG("d"):
    extract = BashOperator(task_id="extract", bash_command="./e.sh")
    other = BashOperator(task_id="other", bash_command="./o.sh")
    fallback = BashOperator(task_id="fallback", bash_command="./f.sh", trigger_rule="one_failed")
    load = BashOperator(task_id="load", bash_command="./l.sh")
    join = EmptyOperator(task_id="join", trigger_rule="one_success")
    extract >> fallback >> join
    {normal_path}
    join >> BashOperator(task_id="publish", bash_command="./p.sh")
''')["d"]
    assert ("SAF005" in _codes(wf)) is reported


def test_redundant_orderings_one_statement_makes_in_a_loop_are_one_finding():
    from wflint.engine import check_workflow
    from wflint.rule import all_rules

    wf = read('''
from airflow import DAG
from airflow.operators.bash import BashOperator
with DAG("d"):
    start = BashOperator(task_id="start", bash_command="./s.sh")
    parse = BashOperator(task_id="parse", bash_command="./p.sh")
    start >> parse
    for i in range(4):
        load = BashOperator(task_id=f"load_{i}", bash_command="./l.sh")
        parse >> load
        start >> load
''')["d"]
    [finding] = check_workflow(wf, [all_rules()["GRA003"]], preview=True).findings
    assert "and 1 more" in finding.message and len(finding.fix.changes) == 4


def test_a_guarded_import_stays_unknown_and_a_class_name_is_known():
    """``try: import x`` / ``except ImportError: x = None`` then ``if x:``: whether the DAG is made
    depends on the deployment (DagBag without the package makes none: Airflow's own
    example_kubernetes_executor), so it stays partial; ``cls.__name__`` of a class of the file is
    its name."""
    wf = read('''
from airflow import DAG
from airflow.operators.bash import BashOperator
try:
    from kubernetes.client import models as k8s
except ImportError:
    k8s = None
class Count:
    pass
class Network:
    pass
if k8s:
    with DAG("d"):
        prev = None
        for cls in [Count, Network]:
            op = BashOperator(task_id=f"run_{cls.__name__}", bash_command="./r.sh")
            if prev:
                prev >> op
            prev = op
''')["d"]
    assert sorted(wf.tasks) == ["run_Count", "run_Network"] and wf.facet(Unresolved)


def test_each_dataclass_object_has_its_own_default_factory_list():
    wf = read('''
from dataclasses import dataclass, field
from airflow import DAG
from airflow.operators.bash import BashOperator
@dataclass
class Steps:
    names: list = field(default_factory=list)
one, two = Steps(), Steps()
one.names.append("a")
one.names.append("b")
two.names.append("c")
with DAG("d"):
    for n in one.names + two.names:
        BashOperator(task_id=n, bash_command="./x.sh")
''')["d"]
    assert sorted(wf.tasks) == ["a", "b", "c"] and not wf.facet(Unresolved)


def test_a_call_given_the_dag_that_wflint_cannot_follow_makes_the_dag_partial():
    """``python_operator(dag=dag, name=...)`` of an installed package makes the DAG's tasks: a DAG
    read with none is not "all checks passed" but partial (unknown is not none)."""
    wf = read('''
from airflow import DAG
from dataverk_airflow import python_operator
with DAG("d") as dag:
    python_operator(dag=dag, name="job", repo="o/r", script_path="run.py")
''')["d"]
    assert not wf.tasks and "it is given the DAG" in " ".join(wf.facet(Unresolved).reasons)


def test_a_function_made_a_task_by_the_repositorys_own_decorator_makes_the_dag_partial():
    """``@db_task(conn_id=...)`` whose decorator returns a ``@task`` function of its own: the call
    makes a task wflint cannot name, so the DAG is partial, not a DAG of no tasks."""
    wf = read('''
from airflow.decorators import dag, task
def db_task(conn_id):
    def decorator(func):
        @task
        def wrapped(*args, **kwargs):
            return func(*args, conn=conn_id, **kwargs)
        return wrapped
    return decorator
@dag(schedule=None)
def d():
    @db_task(conn_id="warehouse")
    def load(name, conn):
        print(name, conn)
    load("a")
d()
''')["d"]
    assert not wf.tasks and wf.facet(Unresolved)


@pytest.mark.parametrize("source, shown", [
    ("def pick():\n    return 'a' if x else f'b'", "default"),  # one id per run
    ("def pick():\n    if x:\n        return ['a', 'b']\n    return 'stop'", "preview"),  # both may run
    ("def pick():\n    return choose()", "preview"),  # unread: a list of any length
])
def test_a_join_skipped_after_a_branch_is_default_only_when_the_branch_follows_one_path(source, shown):
    """Airflow follows every id of a list a branch callable returns: `["a", "b"]` runs both, and a
    join on them runs too (youtube_channel_monitor). Only a callable that returns one id each time
    makes the join skipped on every run; one wflint cannot read is shown with --preview."""
    from wflint.engine import check_workflow
    from wflint.rule import all_rules

    wf = read(f'''
from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.python import BranchPythonOperator
{source}
with DAG("d"):
    choose = BranchPythonOperator(task_id="choose", python_callable=pick)
    a = BashOperator(task_id="a", bash_command="./a.sh")
    b = BashOperator(task_id="b", bash_command="./b.sh")
    stop = BashOperator(task_id="stop", bash_command="./s.sh")
    choose >> [a, b]
    choose >> stop
    [a, b] >> BashOperator(task_id="join", bash_command="./j.sh")
''')["d"]
    found = check_workflow(wf, [all_rules()["SAF005"]], preview=True).findings
    assert [("preview" if f.preview else "default") for f in found] == [shown]


def test_trigger_rule_from_airflow_3s_module_is_read():
    """Airflow 3 keeps `TriggerRule` in `airflow.task.trigger_rule`: a join written with it after a
    branch choice accepts the skipped branch, so no SAF005 (adapstory's publish pack)."""
    wf = read('''
from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.python import BranchPythonOperator
from airflow.task.trigger_rule import TriggerRule
with DAG("d"):
    pick = BranchPythonOperator(task_id="pick", python_callable=lambda: "a")
    a = BashOperator(task_id="a", bash_command="./a.sh")
    b = BashOperator(task_id="b", bash_command="./b.sh")
    pick >> [a, b] >> BashOperator(task_id="join", bash_command="./j.sh",
                                   trigger_rule=TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS)
''')["d"]
    assert wf.tasks["join"].facet(TriggerRule).rule == "none_failed_min_one_success"
    assert "SAF005" not in _codes(wf, preview=True)


@pytest.mark.parametrize("rule, said", [("'none_skipped'", "skipped on every run"), ("RULE", None)])
def test_a_join_that_a_skip_skips_is_said_skipped_after_a_branch_and_an_unread_rule_is_no_claim(rule, said):
    """`none_skipped` after a branch choice: the branch not chosen is skipped, so the join is
    skipped on every run (not "runs although a branch failed"). A rule wflint cannot read (an
    imported constant) is no default rule: nothing is claimed of it."""
    from wflint.engine import check_workflow
    from wflint.rule import all_rules

    wf = read(f'''
from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.python import BranchPythonOperator
from rules import RULE
with DAG("d"):
    pick = BranchPythonOperator(task_id="pick", python_callable=lambda: "a")
    a = BashOperator(task_id="a", bash_command="./a.sh")
    b = BashOperator(task_id="b", bash_command="./b.sh")
    pick >> [a, b] >> BashOperator(task_id="join", bash_command="./j.sh", trigger_rule={rule})
''')["d"]
    found = check_workflow(wf, [all_rules()["SAF005"]], preview=True).findings
    assert [said in f.message for f in found] == ([True] if said else [])


def test_an_ordering_made_under_an_unknown_condition_implies_only_what_is_made_under_it_too():
    """`copy >> run`, and `copy >> fetch >> run` only if a file exists: Airflow may not make the
    second path, so the first is no redundant ordering (microbiomeDB). Under one condition together,
    one path still implies the other."""
    from wflint.engine import check_workflow
    from wflint.rule import all_rules

    def gra003(body: str) -> list:
        wf = read("import os\nfrom airflow import DAG\nfrom airflow.operators.bash import BashOperator\n"
                  "with DAG('d'):\n    copy = BashOperator(task_id='copy', bash_command='./c.sh')\n"
                  "    fetch = BashOperator(task_id='fetch', bash_command='./f.sh')\n"
                  "    run = BashOperator(task_id='run', bash_command='./r.sh')\n" + body)["d"]
        return check_workflow(wf, [all_rules()["GRA003"]], preview=True).findings

    assert gra003("    copy >> run\n    if os.path.exists('/data/x'):\n        copy >> fetch >> run\n") == []
    assert len(gra003("    if os.path.exists('/data/x'):\n        copy >> run\n        copy >> fetch >> run\n")) == 1
    assert len(gra003("    copy >> run\n    copy >> fetch >> run\n")) == 1


@pytest.mark.parametrize("notify, hidden", [
    ("    return [ti.task_id for ti in _tasks(context) if ti.state == 'failed']\n", False),
    ("    print('done')\n", True),
])
def test_an_all_done_join_whose_code_reads_the_task_states_reports_failures_rather_than_hides_them(notify, hidden):
    """A notifier run with all_done whose callable (or a helper it calls) reads how the tasks before
    it ended is how the failure surfaces (doridang's collection report): no SAF005. One that reads
    nothing does hide it."""
    wf = read(f'''
from airflow import DAG
from airflow.operators.python import PythonOperator
def load(**context):
    pass
def _tasks(context):
    return context["dag_run"].get_task_instances()
def notify(**context):
{notify}
with DAG("d"):
    a = PythonOperator(task_id="a", python_callable=load)
    b = PythonOperator(task_id="b", python_callable=load)
    [a, b] >> PythonOperator(task_id="report", python_callable=notify, trigger_rule="all_done")
''')["d"]
    assert ("SAF005" in _codes(wf, preview=True)) is hidden


@pytest.mark.parametrize("body, pulls", [
    ("    old = ti.xcom_pull(task_ids='refine')\n    ti.xcom_push(key='k', value=1)\n", False),  # assigned, never read
    ("    ti.xcom_pull(task_ids='refine')\n", False),  # on a line of its own
    ("    old = ti.xcom_pull(task_ids='refine')\n    ti.xcom_push(key='k', value=old)\n", True),
    ("    old = ti.xcom_pull(task_ids='refine')\n    def inner():\n        return old\n    inner()\n", True),
    ("    old = ti.xcom_pull(task_ids='refine')\n    print(locals())\n", True),  # read by its name's string
    ("    print(ti.xcom_pull(task_ids='refine'))\n", True),
])
def test_a_pull_whose_value_is_thrown_away_reads_nothing(body, pulls):
    """Unseen round 7, F3: `merge` pulled `refine`'s XCom into a name it never read, and SAF004
    asked to run refine first (closing a cycle: refine already follows merge). A value no code
    reads decides nothing; a pull whose value is used (even in a nested function) still counts."""
    wf = read(f'''
from airflow.sdk import DAG
from airflow.providers.standard.operators.python import PythonOperator

def merge(ti, **context):
{body}
with DAG("dead"):
    m = PythonOperator(task_id="merge", python_callable=merge)
    r = PythonOperator(task_id="refine", python_callable=print)
    m >> r
''')["dead"]
    assert any(e.kind is EdgeKind.IMPLICIT and (e.u, e.v) == ("refine", "merge") for e in wf.edges) is pulls


def test_asset_inlets_and_outlets_are_not_a_tasks_whole_effects():
    """Assets are lineage a task declares; its callable may still read what the task before it
    wrote (round 9 F1): the ordering is presumed needed, no PAR001."""
    result = run("check", "-", "--stdin-format", "airflow", "--format", "json", "--fail-on", "never", input='''
from airflow.sdk import DAG, Asset, task
plays, gold = Asset("delta://silver/plays"), Asset("delta://gold/picks")
with DAG("lineage"):
    @task(inlets=[plays])
    def generate_a():
        return write_table_a()
    @task(inlets=[plays])
    def generate_b():
        return write_table_b()
    @task(outlets=[gold])
    def consolidate():
        return merge_tables()
    generate_a() >> generate_b() >> consolidate()
''')
    assert result.json()["findings"] == []
    (wf,) = airflow.read("lineage.py", '''
from airflow.sdk import DAG, Asset, task
with DAG("lineage"):
    @task(outlets=[Asset("delta://gold/picks")])
    def consolidate():
        return merge_tables()
    consolidate()
''')
    task = wf.tasks["consolidate"]
    assert task.opaque and [(e.resource, e.mode) for e in task.effects] == [("asset:delta://gold/picks", Mode.WRITE)]


def test_sql_with_builtin_json_functions_is_read():
    """Postgres's JSON functions are calls sqlglot does not name, but built-ins that only compute:
    the statement's tables are read; a call of an unknown function (a UDF) still leaves it unread."""
    sql = ("TRUNCATE ods.actions; INSERT INTO ods.actions SELECT elem->>'a' FROM stg.raw, "
           "LATERAL (SELECT value AS elem FROM jsonb_array_elements(CASE WHEN jsonb_typeof(d::jsonb) = 'array' "
           "THEN d::jsonb ELSE jsonb_build_array(d::jsonb) END)) AS x")
    assert dict(tables_in_sql(sql, "postgres")) == {"ods.actions": Mode.WRITE, "stg.raw": Mode.READ}
    assert tables_in_sql("INSERT INTO ods.actions SELECT refresh_everything() FROM stg.raw", "postgres") is None


def test_task_group_namespace_and_builtins_range_are_read_whole():
    """Round 9 F2/F3: ``SimpleNamespace(a=task)`` is an object whose attributes are its keywords,
    and ``from builtins import range`` is the builtin (DagBag loads the same graph: oracle fixture)."""
    path = FIX / "namespaces_and_builtins.py"
    (wf,) = airflow.read(str(path), path.read_text())
    assert Unresolved not in wf.facets
    assert edges(wf) == {("setup.check_access", "setup.make_bucket"), ("setup.make_bucket", "load"),
                         ("load", "publish_0"), ("load", "publish_1")}


@pytest.mark.parametrize("source, says", [
    ('''
from airflow.providers.standard.operators.bash import BashOperator
from company.dags import make_dag
with make_dag("job2") as dag:
    a = BashOperator(task_id="a", bash_command="echo a")
    a >> BashOperator(task_id="b", bash_command="echo b")
''', "comes from `make_dag(…)`, a call wflint cannot follow"),
    ('''
from airflow import DAG
from company.steps import *
with DAG(dag_id="job1", schedule="@once"):
    check = STEPS.auth_check("id1")
    STEPS.pipeline([check, STEPS.pod({"task_id": "job1"})])
''', "no task of it could be read: calls wflint cannot follow may make them (`STEPS.auth_check` at line 5"),
])
def test_a_dag_whose_tasks_all_come_from_unfollowed_calls_says_so(source, says):
    """Round 9 BUG1: a company helper that makes the DAG or all of its tasks leaves nothing read;
    WFL003 says so instead of "all checks passed"."""
    result = run("check", "-", "--stdin-format", "airflow", "--format", "json", "--fail-on", "never", input=source)
    (finding,) = result.json()["findings"]
    assert finding["code"] == "WFL003" and says in finding["message"] + " " + finding.get("detail", ""), finding


def test_code_an_import_never_runs_is_not_a_dag_context():
    result = run("check", "-", "--stdin-format", "airflow", "--format", "json", "--fail-on", "never", input='''
from airflow import DAG
from company.dags import make_dag
if __name__ == "__main__":
    with make_dag("local") as dag:
        pass
''')
    assert result.json()["findings"] == []


@pytest.mark.parametrize("sql, dialect, expected", [
    ("COPY INTO raw.blocks FROM @stage/blocks_0/ FILE_FORMAT = (TYPE = PARQUET)", "snowflake", {"raw.blocks": Mode.WRITE}),
    ("COPY raw.blocks FROM 's3://bucket/blocks/' IAM_ROLE 'arn:aws:iam::1:role/r'", "redshift", {"raw.blocks": Mode.WRITE}),
    ("COPY INTO @stage/out FROM (SELECT * FROM raw.blocks)", "snowflake", {"raw.blocks": Mode.READ}),
    ("COPY raw.blocks TO STDOUT", "postgres", {"raw.blocks": Mode.READ}),
])
def test_copy_loads_write_the_table_and_unloads_read_it(sql, dialect, expected):
    """A ``COPY`` that loads files writes its table, as an INSERT does (round 8 M1); one that unloads
    to a stage or a file reads it; a stage (``@stage``) is no table."""
    assert dict(tables_in_sql(sql, dialect)) == expected


@pytest.mark.parametrize("disposition, conflict", [("WRITE_APPEND", False), ("WRITE_TRUNCATE", True), (None, True)])
def test_bigquery_append_loads_of_one_table_do_not_conflict(disposition, conflict):
    """Two load jobs that append to one table commit side by side (round 10 F2); a truncating load,
    or the default WRITE_EMPTY (the second fails), still conflicts with the other."""
    extra = f', write_disposition="{disposition}"' if disposition else ""
    loads = "\n".join(f'''    GCSToBigQueryOperator(task_id="load_{i}", bucket="staging", source_objects=["part_{i}.csv"],
                          destination_project_dataset_table="ds.events"{extra})''' for i in (1, 2))
    result = run("check", "-", "--stdin-format", "airflow", "--format", "json", "--fail-on", "never", input=f'''
from airflow import DAG
from airflow.providers.google.cloud.transfers.gcs_to_bigquery import GCSToBigQueryOperator
with DAG("loads", schedule=None):
{loads}
''')
    codes = [f["code"] for f in result.json()["findings"]]
    assert ("SAF001" in codes) is conflict, codes


def test_a_templated_bucket_is_one_value_not_a_pattern():
    """`{{ var.value.bucket }}` renders to one bucket per run: two copies into its disjoint folders
    do not conflict (round 10 F1: `{` was read as a brace glob covering every gs:// object)."""
    copies = "\n".join(f'''    GCSToGCSOperator(task_id="copy_{g}", source_bucket="{{{{ var.value.src }}}}",
                     source_object="data/{g}/*", destination_bucket="{{{{ var.value.dst }}}}",
                     destination_object="out/{g}/")''' for g in ("a", "b"))
    result = run("check", "-", "--stdin-format", "airflow", "--format", "json", "--fail-on", "never", input=f'''
from airflow import DAG
from airflow.providers.google.cloud.transfers.gcs_to_gcs import GCSToGCSOperator
with DAG("copies", schedule=None):
{copies}
''')
    assert result.json()["findings"] == []


@pytest.mark.parametrize("join, extra, shown", [
    ('EmptyOperator(task_id="end", trigger_rule="all_done")', "", "default"),  # a marker only turns the run green
    ('PythonOperator(task_id="analyze", python_callable=load, trigger_rule="none_skipped")', "", "preview"),
    ('EmptyOperator(task_id="end", trigger_rule="all_done")', ', "on_failure_callback": alert', "none"),
    ('EmptyOperator(task_id="end", trigger_rule="all_done")', ', "email": ["ops@example.com"]', "none"),
    ('EmptyOperator(task_id="end", trigger_rule="all_done")',
     ', "email": ["ops@example.com"], "email_on_failure": False', "default"),
])
def test_a_join_that_runs_anyway_hides_a_failure_only_of_a_branch_that_tells_no_one(join, extra, shown):
    """Round 11 F1: an analysis given none_skipped on purpose, to run on whatever the loads left,
    is the author's choice (shown with --preview); a marker "end" that runs anyway only turns the
    run green (shown). A branch with its own failure callback, or mail, is not hidden at all."""
    wf = read(f'''
from airflow import DAG
from airflow.operators.empty import EmptyOperator
from airflow.operators.python import PythonOperator
def load():
    pass
def alert(context):
    pass
with DAG("d", default_args={{"owner": "x"{extra}}}):
    [PythonOperator(task_id="a", python_callable=load), PythonOperator(task_id="b", python_callable=load)] >> {join}
''')["d"]
    by_default, with_preview = "SAF005" in _codes(wf), "SAF005" in _codes(wf, preview=True)
    assert (by_default, with_preview) == {"default": (True, True), "preview": (False, True), "none": (False, False)}[shown]
