"""What a run does, by real Airflow 3.3.2 (``dag.test()``), against what SAF005 says of it: a join
whose trigger rule runs it whatever its branches did hides a failure only where a failed branch
leaves the run looking successful."""
from __future__ import annotations

from af_oracle import airflow_python, dag_runs  # noqa: F401

from wflint.adapters import airflow
from wflint.engine import check_workflow
from wflint.rule import all_rules


def joins_reported(folder, dag_ids) -> dict[str, list[str]]:
    """Each DAG file's SAF005 findings, by the join they are on (with --preview: a join that does
    work, given its tolerant rule by its author, is reported there)."""
    said = {}
    for dag_id in dag_ids:
        path = folder / f"{dag_id}.py"
        (wf,) = airflow.read(str(path), path.read_text())
        said[dag_id] = [f.tasks[0] for f in check_workflow(wf, [all_rules()["SAF005"]], preview=True).findings]
    return said


CHOICE = '''
import datetime as dt

from airflow.sdk import DAG
from airflow.providers.standard.operators.python import BranchPythonOperator, PythonOperator


def pick(**context):
    kind = context["params"]["kind"]
    if kind == "question":
        return "ask"
    if kind == "report":
        return "study"
    return "decline"


def ok(**context):
    pass


def fail(**context):
    raise RuntimeError("declined")


with DAG("{dag_id}", schedule=None, start_date=dt.datetime(2025, 1, 1), params={{"kind": "spam"}}):
    choose = BranchPythonOperator(task_id="choose", python_callable=pick)
    ask = PythonOperator(task_id="ask", python_callable=ok)
    study = PythonOperator(task_id="study", python_callable=ok)
    decline = PythonOperator(task_id="decline", python_callable=fail)
    meet = PythonOperator(task_id="meet", python_callable=ok, trigger_rule="{meet_rule}")
    draft = PythonOperator(task_id="draft", python_callable=ok, trigger_rule="one_success")
    answer = PythonOperator(task_id="answer", python_callable=ok, trigger_rule="one_success")
    choose >> [ask, study, decline]
    [ask, study] >> meet >> draft >> answer
    decline >> answer
'''


def test_one_success_after_routes_of_one_choice_that_meet_again_hides_no_failure(airflow_python, tmp_path):  # noqa: F811
    """The choice runs one route; two of its routes meet at `meet` before the final join `answer`
    (one_success). With `meet` one_success, the routes not taken skip it and all after it, so a
    failed `decline` leaves `answer` upstream_failed and the run failed: nothing hidden, and
    SAF005 says nothing (unseen round 7, F2). With `meet` all_done it runs anyway, `answer` runs
    on `draft`'s success, the run succeeds though `decline` failed: SAF005 reports both joins."""
    for dag_id, rule in (("rejoined", "one_success"), ("runs_anyway", "all_done")):
        (tmp_path / f"{dag_id}.py").write_text(CHOICE.format(dag_id=dag_id, meet_rule=rule))
    runs = dag_runs(airflow_python, tmp_path)
    assert runs["rejoined"]["tasks"]["answer"] == "upstream_failed" and runs["rejoined"]["state"] == "failed"
    assert runs["runs_anyway"]["tasks"]["decline"] == "failed"
    assert runs["runs_anyway"]["tasks"]["answer"] == "success" and runs["runs_anyway"]["state"] == "success"
    said = joins_reported(tmp_path, runs)
    # `meet` too: run all_done, it carries a failed `ask` or `study` on to a successful run
    assert said == {"rejoined": [], "runs_anyway": ["meet", "answer"]}


DEADLINE = '''
from datetime import datetime, time

from airflow.sdk import DAG
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.providers.standard.operators.python import PythonOperator
from airflow.providers.standard.sensors.time import TimeSensor


def check_data():
    raise RuntimeError("the data is late")


with DAG("{dag_id}", start_date=datetime(2024, 1, 1), schedule=None):
    ready = PythonOperator(task_id="ready", python_callable=check_data)
    other = {other}
    go = EmptyOperator(task_id="go", trigger_rule="one_success")
    report = EmptyOperator(task_id="report")
    [ready, other] >> go >> report
'''


def test_one_success_over_work_and_a_time_sensor_is_a_deadline_by_design(airflow_python, tmp_path):  # noqa: F811
    """"The data, or midnight, whichever comes first": `go` (one_success) over a check and a
    TimeSensor runs once the time has come, the check failed or not: the run succeeds, as the
    gate was built to (Airflow 3.3.2), and SAF005 says nothing (unseen round 8, F2: four such
    gates). Over two work tasks the same join hides the failure, and SAF005 reports it."""
    shapes = {"deadline": 'TimeSensor(task_id="midnight", target_time=time(0, 0))',
              "two_works": 'PythonOperator(task_id="midnight", python_callable=print)'}
    for dag_id, other in shapes.items():
        (tmp_path / f"{dag_id}.py").write_text(DEADLINE.format(dag_id=dag_id, other=other))
    runs = dag_runs(airflow_python, tmp_path)
    for dag_id in shapes:
        assert runs[dag_id]["tasks"]["ready"] == "failed" and runs[dag_id]["tasks"]["go"] == "success", dag_id
        assert runs[dag_id]["state"] == "success", dag_id
    said = joins_reported(tmp_path, shapes)
    assert said == {"deadline": [], "two_works": ["go"]}


CHECKED = '''
from datetime import datetime

from airflow.sdk import DAG
from airflow.providers.standard.operators.python import PythonOperator


def load():
    raise RuntimeError("load failed")


def record(ti):
    ti.xcom_push(key="status", value="FAIL")


def final(ti):
    status = ti.xcom_pull(task_ids="load_checker", key="status")
    if status == "FAIL":
        {then}


with DAG("{dag_id}", start_date=datetime(2024, 1, 1), schedule=None):
    extract = PythonOperator(task_id="extract", python_callable=print)
    loading = PythonOperator(task_id="load", python_callable=load)
    checker = PythonOperator(task_id="load_checker", python_callable=record, trigger_rule="one_failed")
    other = PythonOperator(task_id="other", python_callable=print)
    report = PythonOperator(task_id="final", python_callable=final, trigger_rule="all_done")
    extract >> loading >> checker
    extract >> other
    [checker, other] >> report
'''


def test_an_all_done_join_that_raises_on_what_a_checker_recorded_fails_the_run(airflow_python, tmp_path):  # noqa: F811
    """`final` (all_done) reads the FAIL its checker recorded and raises: the run fails, nothing
    is hidden, and SAF005 says nothing (unseen round 8, F1). The same join that only prints it
    lets the run succeed with `load` failed: SAF005 reports that one."""
    shapes = {"reraises": 'raise ValueError("load failed")', "prints": 'print("load failed")'}
    for dag_id, then in shapes.items():
        (tmp_path / f"{dag_id}.py").write_text(CHECKED.format(dag_id=dag_id, then=then))
    runs = dag_runs(airflow_python, tmp_path)
    assert runs["reraises"]["tasks"]["final"] == "failed" and runs["reraises"]["state"] == "failed"
    assert runs["prints"]["tasks"]["load"] == "failed" and runs["prints"]["state"] == "success"
    said = joins_reported(tmp_path, shapes)
    assert said == {"reraises": [], "prints": ["final"]}


THROUGH_HANDLER = '''
import datetime as dt

from airflow.sdk import DAG
from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.empty import EmptyOperator

with DAG("{dag_id}", schedule=None, start_date=dt.datetime(2024, 1, 1), catchup=False):
    check = BashOperator(task_id="check", bash_command="exit 1")
    rename = EmptyOperator(task_id="rename")
    mail_errors = EmptyOperator(task_id="mail_errors", trigger_rule="one_failed")
    success = BashOperator(task_id="success", bash_command="echo done")
    check >> [rename, mail_errors]
    rename >> mail_errors >> success
    {direct}
'''


def test_an_ordering_beside_a_path_through_a_failure_handler_is_no_redundant_edge(airflow_python, tmp_path):  # noqa: F811
    """GRA003 (round 10 F3): `check >> success` beside `check >> mail_errors >> success`, where
    mail_errors runs on a failure, is not implied by the path: without it `success` runs after a
    failed `check` and the run succeeds; with it `success` is held back and the run fails."""
    for dag_id, direct in (("kept", "check >> success"), ("dropped", "")):
        (tmp_path / f"{dag_id}.py").write_text(THROUGH_HANDLER.format(dag_id=dag_id, direct=direct))
    runs = dag_runs(airflow_python, tmp_path)
    assert runs["kept"]["tasks"]["success"] == "upstream_failed" and runs["kept"]["state"] == "failed"
    assert runs["dropped"]["tasks"]["success"] == "success" and runs["dropped"]["state"] == "success"
    path = tmp_path / "kept.py"
    (wf,) = airflow.read(str(path), path.read_text())
    assert check_workflow(wf, [all_rules()["GRA003"]]).findings == []


ALERTED = '''
from datetime import datetime
from pathlib import Path

from airflow.sdk import DAG
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.providers.standard.operators.python import PythonOperator


def load():
    raise RuntimeError("load failed")


def alert(context):
    Path({marker!r}).write_text(context["task_instance"].task_id)


with DAG("{dag_id}", start_date=datetime(2024, 1, 1), schedule=None, default_args={default_args}):
    loading = PythonOperator(task_id="load", python_callable=load)
    other = PythonOperator(task_id="other", python_callable=print)
    [loading, other] >> EmptyOperator(task_id="end", trigger_rule="all_done")
'''


def test_a_branch_with_its_own_failure_callback_is_not_hidden_by_a_join_that_runs_anyway(airflow_python, tmp_path):  # noqa: F811
    """Round 11 F1: `end` (all_done) turns the run green after `load` failed; where `load`'s
    default_args give it an `on_failure_callback`, that callback runs and says so (Airflow 3.3.2),
    so SAF005 says nothing; with no callback the failure shows nowhere, and SAF005 reports it."""
    dags = tmp_path / "dags"
    dags.mkdir()
    marker = tmp_path / "alerted.txt"
    for dag_id, default_args in (("alerted", '{"on_failure_callback": alert}'), ("silent", "{}")):
        (dags / f"{dag_id}.py").write_text(ALERTED.format(dag_id=dag_id, marker=str(marker), default_args=default_args))
    runs = dag_runs(airflow_python, dags)
    for dag_id in ("alerted", "silent"):
        assert runs[dag_id]["tasks"]["load"] == "failed" and runs[dag_id]["state"] == "success", dag_id
    assert marker.read_text() == "load"
    assert joins_reported(dags, runs) == {"alerted": [], "silent": ["end"]}
