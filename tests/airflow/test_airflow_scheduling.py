"""How Airflow queues, picks and caps tasks, read statically: the version from the imports, its
defaults, DAG and task settings (default_args included), sensors that give their slots back."""
from __future__ import annotations

from conftest import run, said

from wflint.adapters import airflow
from wflint.analysis import analyze
from wflint.facets import EngineVersion, PoolQueueing, RunSettings, Waiting


def read(text: str, pools: dict[str, int] | None = None):
    from wflint.adapters.airflow.reader import read_dag_file

    return {wf.name: wf for wf in read_dag_file("dag.py", text, pools or {})}


def test_the_version_comes_from_the_imports_and_brings_its_defaults():
    three = read('from airflow.sdk import DAG\nwith DAG("d"):\n    pass\n')["d"]
    two = read('from airflow import DAG\nwith DAG("d"):\n    pass\n')["d"]
    assert three.facet(EngineVersion) == EngineVersion(3, "imports airflow.sdk")
    assert two.facet(EngineVersion).major == 2
    assert (three.limits.concurrency, three.limits.concurrency_source) == (16, "max_active_tasks default (Airflow 3)")
    assert two.limits.concurrency_source == "max_active_tasks default (Airflow 2)"
    assert three.facet(PoolQueueing) == PoolQueueing("Airflow")


def test_airflow_2_names_for_the_caps_count_only_in_airflow_2():
    text = '''from {mod} import DAG
from airflow.providers.standard.operators.python import PythonOperator
with DAG("d", concurrency=3):
    t = PythonOperator(task_id="t", python_callable=print, task_concurrency=2)
'''
    two = read(text.format(mod="airflow"))["d"]
    three = read(text.format(mod="airflow.sdk"))["d"]
    assert two.limits.concurrency == 3 and two.tasks["t"].facet(RunSettings).at_once_across_runs == 2
    assert three.limits.concurrency == 16 and three.tasks["t"].facet(RunSettings).at_once_across_runs is None


def test_run_settings_are_read_from_default_args_and_the_task():
    wf = read('''from airflow.sdk import DAG
from airflow.providers.standard.operators.python import PythonOperator
with DAG("d", max_active_tasks=5, default_args={"depends_on_past": True, "priority_weight": 3}):
    a = PythonOperator(task_id="a", python_callable=print)
    b = PythonOperator(task_id="b", python_callable=print, priority_weight=10, weight_rule="absolute",
                       wait_for_downstream=True, max_active_tis_per_dag=1)
''')["d"]
    assert wf.limits.concurrency == 5 and wf.limits.concurrency_source == "max_active_tasks on the DAG"
    assert wf.tasks["a"].facet(RunSettings) == RunSettings(3, "downstream", True, False, None)
    assert wf.tasks["b"].facet(RunSettings) == RunSettings(10, "absolute", True, True, 1)


def test_max_active_tis_per_dag_caps_a_mapped_tasks_waves():
    wf = read('''from airflow.sdk import DAG, task
with DAG("m"):
    @task(max_active_tis_per_dag=5)
    def work(x):
        return x
    work.expand(x=list(range(10)))
''')["m"]
    (t,) = wf.tasks.values()
    assert t.duration.seconds == 2.0  # ten instances, five at a time (not the DAG's 16), 1 s each


SENSORS = '''from airflow.sdk import DAG
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator
from airflow.providers.standard.sensors.filesystem import FileSensor
with DAG("s"):
    wait = FileSensor(task_id="wait", filepath="/in/x", pool="one"{mode})
    load = SQLExecuteQueryOperator(task_id="load", conn_id="c", sql="INSERT INTO t SELECT 1", pool="one")
'''


def test_a_rescheduling_or_deferred_sensor_holds_no_slot_while_it_waits():
    for mode, how in ((', mode="reschedule"', "mode='reschedule'"), (", deferrable=True", "deferrable=True")):
        wf = read(SENSORS.format(mode=mode), {"one": 1})["s"]
        assert wf.tasks["wait"].facet(Waiting) == Waiting(how)
        result = analyze(wf)
        assert result.current.start["load"] == 0.0 and result.current.makespan == 1.0
    poking = read(SENSORS.format(mode=""), {"one": 1})["s"]
    assert poking.tasks["wait"].facet(Waiting) is None
    assert analyze(poking).current.makespan == 2.0  # the poking sensor holds the one slot


def test_a_full_pool_is_queueing_information_that_never_fails_ci(tmp_path):
    (tmp_path / "pools.json").write_text('{"one": {"slots": 1}}')
    dag = tmp_path / "dag.py"
    dag.write_text(SENSORS.format(mode="").replace('pool="one")\n    load', 'pool="one")\n    load2 = '
                                                  'SQLExecuteQueryOperator(task_id="load2", conn_id="c", '
                                                  'sql="INSERT INTO u SELECT 1", pool="one")\n    load'))
    result = run("check", dag, "--format", "json")
    (finding,) = [f for f in result.json()["findings"] if f["code"] == "RES002"]
    assert finding["severity"] == "info" and result.exit_code == 0
    assert "Airflow queues the rest until a slot frees (it never fails them)" in said(finding)
    assert "the queueing adds 2s to the run (3s instead of 1s with default durations)" in said(finding)


PRIORITY = '''from airflow.sdk import DAG
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator as Sql
with DAG("p", max_active_tasks=1):
    quick = Sql(task_id="quick", conn_id="c", sql="INSERT INTO q SELECT 1"{quick})
    head = Sql(task_id="head", conn_id="c", sql="INSERT INTO h SELECT 1")
    tail = Sql(task_id="tail", conn_id="c", sql="INSERT INTO t SELECT 1")
    head >> tail
'''


def test_priority_weight_picks_which_ready_task_the_cap_lets_start():
    # Default weights add up downstream: head (1 + tail's 1) goes before quick (1).
    by_default = analyze(read(PRIORITY.format(quick=""))["p"]).current
    assert by_default.start["head"] == 0.0 and by_default.start["quick"] > 0.0
    weighted = analyze(read(PRIORITY.format(quick=', priority_weight=10, weight_rule="absolute"'))["p"]).current
    assert weighted.start["quick"] == 0.0 and weighted.start["head"] == 1.0 and weighted.makespan == 3.0


def test_taskflow_sensors_take_their_mode_from_default_args_or_their_own():
    wf = read('''from airflow.sdk import dag, task
@dag(default_args={"mode": "reschedule", "priority_weight": 5})
def d():
    @task.sensor(poke_interval=60)
    def ready():
        return True
    @task.sensor(mode="poke")
    def poked():
        return True
    @task
    def work():
        pass
    ready() >> work()
    poked()
d()
''')["d"]
    assert wf.tasks["ready"].facet(Waiting) == Waiting("mode='reschedule'")
    assert wf.tasks["poked"].facet(Waiting) is None and wf.tasks["work"].facet(Waiting) is None  # not a sensor
    assert {t.facet(RunSettings).priority_weight for t in wf.tasks.values()} == {5}


DELAYS = '''
import datetime
from datetime import timedelta
from airflow import DAG
from airflow.sensors.time_delta import TimeDeltaSensor
from airflow.providers.standard.sensors.time_delta import WaitSensor
from airflow.operators.bash import BashOperator

with DAG("delays", schedule=timedelta(days=1)):
    after_interval = TimeDeltaSensor(task_id="after_interval", delta=timedelta(minutes=5, seconds=30))
    settle = WaitSensor(task_id="settle", time_to_wait=datetime.timedelta(0, 90))
    nap = BashOperator(task_id="nap", bash_command="sleep 2m")
    work = BashOperator(task_id="work", bash_command="sleep 5 && ./run.sh")
    unknown = TimeDeltaSensor(task_id="unknown", delta=timedelta(minutes=N))
    after_interval >> settle >> nap >> work >> unknown
'''


def test_delays_and_sleeps_take_their_configured_time():
    wf = airflow.read("dag.py", DELAYS)[0]
    got = {t: (task.duration.seconds, task.duration.source.value) for t, task in wf.tasks.items()}
    assert got["after_interval"] == (330.0, "configured")
    assert got["settle"] == (90.0, "configured")  # timedelta(days=0, seconds=90)
    assert got["nap"] == (120.0, "configured")
    assert got["work"][1] == "default"  # more than a sleep: its time is not the sleep's
    assert got["unknown"][1] == "default"  # a delay of a name wflint cannot read
