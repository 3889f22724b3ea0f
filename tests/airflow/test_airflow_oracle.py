"""wflint's static graphs against real Airflow 3.3.2 (DagBag): example DAGs, fixtures, rewrites."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from af_oracle import ROOT, airflow_python, dagbag, differences, example_dags, static_graph  # noqa: F401
from conftest import run

from wflint.adapters import airflow

FIXTURES = ROOT / "fixtures"
# WFL003's fixtures are, by design, files wflint cannot read whole (it says so): not graphs to compare.
ORACLE_FIXTURES = sorted((FIXTURES / "airflow").glob("*.py")) + sorted(
    p for p in (FIXTURES / "rules").glob("*/*.py") if p.parent.name != "WFL003")


@pytest.fixture(scope="module")
def examples(airflow_python, tmp_path_factory):  # noqa: F811
    return example_dags(airflow_python, tmp_path_factory.mktemp("examples"))


def test_example_dags_match_dagbag_exactly(airflow_python, examples):  # noqa: F811
    real = dagbag(airflow_python, examples)
    assert real["import_errors"] == {}
    static = static_graph(examples)
    assert len(real["dags"]) >= 100  # the wheels ship ~113 example DAGs
    problems = differences(real["dags"], static)
    assert not problems, "\n".join(problems)


def _copy(src: Path, dest: Path) -> Path:
    """The fixture and whatever sits beside it (template folders, pools.json)."""
    for sibling in src.parent.iterdir():
        if sibling.is_dir():
            shutil.copytree(sibling, dest / sibling.name, dirs_exist_ok=True)
        elif sibling == src or not sibling.suffix == ".py":
            shutil.copy(sibling, dest / sibling.name)
    return dest / src.name


@pytest.fixture(scope="module")
def loaded(airflow_python, tmp_path_factory):  # noqa: F811
    """Every fixture before and after ``wflint fix --unsafe-fixes``, each loaded by one DagBag run."""
    before_root, after_root = tmp_path_factory.mktemp("before"), tmp_path_factory.mktemp("after")
    pairs = {}
    for i, fixture in enumerate(ORACLE_FIXTURES):
        key = f"{fixture.parent.name}/{fixture.name}"
        (before_root / str(i)).mkdir()
        (after_root / str(i)).mkdir()
        original = _copy(fixture, before_root / str(i))
        rewritten = _copy(fixture, after_root / str(i))
        result = run("fix", rewritten, "--unsafe-fixes")
        assert result.exit_code in (0, 1), result.stderr
        pairs[key] = (before_root / str(i), after_root / str(i), original, rewritten)
    return pairs, dagbag(airflow_python, before_root), dagbag(airflow_python, after_root)


def _only(dags: dict, folder: Path, root: Path) -> dict:
    prefix = folder.name + "/"
    return {k: v for k, v in dags.items() if v["file"].startswith(prefix)}


@pytest.mark.parametrize("fixture", ORACLE_FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture_and_its_rewrite_load_as_intended(loaded, fixture):
    pairs, real_before, real_after = loaded
    before_dir, after_dir, original, rewritten = pairs[f"{fixture.parent.name}/{fixture.name}"]
    assert real_before["import_errors"] == {} and real_after["import_errors"] == {}
    before = _only(real_before["dags"], before_dir, before_dir.parent)
    after = _only(real_after["dags"], after_dir, after_dir.parent)
    assert before, "the fixture defines no DAG Airflow loads"
    static_before = {k: dict(v, file=f"{before_dir.name}/{v['file']}") for k, v in static_graph(before_dir).items()}
    static_after = {k: dict(v, file=f"{after_dir.name}/{v['file']}") for k, v in static_graph(after_dir).items()}
    assert not differences(before, static_before)
    # What Airflow loads from the rewrite is exactly what wflint meant (the fixer verified that
    # graph against the original before writing it), and no task appeared or vanished.
    assert not differences(after, static_after)
    assert {k: v["tasks"] for k, v in after.items()} == {k: v["tasks"] for k, v in before.items()}
    if original.read_text() == rewritten.read_text():
        assert after == before


DELTAS = {
    "rewrite_chain": ({("load_a", "load_b"), ("load_c", "load_d")},
                      {("create", "load_b"), ("load_a", "report"), ("create2", "load_d"), ("load_c", "report2")}),
    "rewrite_sets": ({("load_1", "load_2")}, {("create", "load_2"), ("load_1", "report")}),
}


@pytest.mark.parametrize("dag_id", sorted(DELTAS))
def test_rewrite_delta_is_exactly_the_list_form(airflow_python, tmp_path, dag_id):  # noqa: F811
    target = _copy(FIXTURES / "airflow" / f"{dag_id}.py", tmp_path)
    before = {tuple(e) for e in dagbag(airflow_python, tmp_path)["dags"][dag_id]["edges"]}
    run("fix", target)
    after = {tuple(e) for e in dagbag(airflow_python, tmp_path)["dags"][dag_id]["edges"]}
    removed, added = DELTAS[dag_id]
    assert before - after == removed
    assert after - before == added


def test_layout_rewrite_is_the_graph_intended(airflow_python, tmp_path):  # noqa: F811
    """The one-line list and the split of a task-making statement, loaded by DagBag before and after:
    the same tasks, and exactly the removed orderings gone (a list adds its members' neighbours)."""
    target = _copy(FIXTURES / "airflow" / "rewrite_layout.py", tmp_path)
    before = dagbag(airflow_python, tmp_path)["dags"]["rewrite_layout"]
    run("fix", target, "--unsafe-fixes", "--preview")
    text = target.read_text()
    assert "        [orders, items],\n" in text and "audit_orders" in text
    after = dagbag(airflow_python, tmp_path)["dags"]["rewrite_layout"]
    assert sorted(after["tasks"]) == sorted(before["tasks"])
    old, new = {tuple(e) for e in before["edges"]}, {tuple(e) for e in after["edges"]}
    # `create` only makes the tables (schema setup): what follows it stays after it.
    assert old - new == {("orders", "items"), ("audit_orders", "audit_items")}
    assert new - old == {("create", "items"), ("orders", "summary"), ("create", "audit_items")}


PARTIAL = '''\
import os

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG

with DAG(dag_id="partial", schedule=None):
    extract = BashOperator(task_id="extract", bash_command="echo 42")
    load = BashOperator(task_id="load", bash_command="echo {{ ti.xcom_pull(task_ids='extract') }}")
    for name in sorted({"a", "b"} | set(os.environ.get("EXTRA_STEPS", "").split())):
        step = BashOperator(task_id=f"step-{name}", bash_command="echo step")
        extract >> step >> load
'''


def test_a_read_through_tasks_wflint_cannot_name_is_no_default_finding(airflow_python, tmp_path):  # noqa: F811
    """The steps' ids come from the environment, which wflint never reads; but each is a task, made
    where the loop makes it and wired as written: wflint keeps the path extract → step → load that
    DagBag builds (the step named by where it is made), so no finding claims load may read extract
    first, even in preview (WFL003 names the partial graph)."""
    (tmp_path / "partial.py").write_text(PARTIAL)
    real = dagbag(airflow_python, tmp_path)["dags"]["partial"]
    assert {("extract", "step-a"), ("step-a", "load")} <= {tuple(e) for e in real["edges"]}
    (wf,) = airflow.read(str(tmp_path / "partial.py"), PARTIAL)
    step = "<BashOperator at partial.py:10>"
    assert {("extract", step), (step, "load")} <= {(e.u, e.v) for e in wf.edges}
    codes = [f["code"] for f in run("check", tmp_path / "partial.py", "--format", "json").json()["findings"]]
    assert codes == ["WFL003"]
    preview = run("check", tmp_path / "partial.py", "--preview", "--format", "json").json()["findings"]
    assert [f for f in preview if f["code"] == "SAF004"] == []


DAG_SHIFT = '''
from airflow.sdk import DAG
from airflow.providers.standard.operators.empty import EmptyOperator

with DAG("shift", schedule=None) as dag:
    a = EmptyOperator(task_id="a")
    b = EmptyOperator(task_id="b")
dag >> a >> b
'''


def test_airflow3_refuses_the_airflow1_dag_shift(airflow_python, tmp_path):  # noqa: F811
    """wflint reads ``dag >> a >> b`` as Airflow 1 runs it (the task joins the DAG, then ``a >> b``);
    Airflow 3 refuses the file, as ``deps.dag_shift`` says: a DAG is no task to link."""
    (tmp_path / "shift.py").write_text(DAG_SHIFT)
    errors = dagbag(airflow_python, tmp_path)["import_errors"]
    assert len(errors) == 1 and "update_relative" in str(next(iter(errors.values())))
    from wflint.adapters import airflow

    (wf,) = airflow.read(str(tmp_path / "shift.py"), DAG_SHIFT)
    assert {(e.u, e.v) for e in wf.edges} == {("a", "b")}


REFUSED = {
    "empty_id.py": ('    a = BashOperator(task_id="", bash_command="echo a")\n'
                    '    b = BashOperator(task_id="", bash_command="echo b")\n    a >> b\n', "an empty task_id"),
    "repeated_id.py": ('    a = BashOperator(task_id="load", bash_command="echo a")\n'
                       '    b = BashOperator(task_id="load", bash_command="echo b")\n    a >> b\n', "is used twice"),
}


def test_task_ids_airflow_refuses_are_wflint_errors(airflow_python, tmp_path):  # noqa: F811
    """An empty or a repeated task_id fails the file's import in real Airflow (round 10 bug 1, a
    KeyError in wflint before): WFL001 with the reason, not a graph with a cycle or a traceback."""
    head = "from airflow.sdk import DAG\nfrom airflow.providers.standard.operators.bash import BashOperator\n"
    for name, (body, _) in REFUSED.items():
        (tmp_path / name).write_text(head + f'with DAG("{name[:-3]}", schedule=None):\n' + body)
    real = dagbag(airflow_python, tmp_path)
    assert sorted(Path(p).name for p in real["import_errors"]) == sorted(REFUSED)
    for name, (_, says) in REFUSED.items():
        (finding,) = run("check", str(tmp_path / name), "--format", "json", "--fail-on", "never").json()["findings"]
        assert finding["code"] == "WFL001" and says in finding["message"], finding


TASKFLOW_IDS = '''
import pendulum
from airflow.sdk import dag, task
from airflow.providers.standard.operators.bash import BashOperator


@task
def step(x=None):
    return 1


@dag(schedule=None, start_date=pendulum.datetime(2024, 1, 1))
def chain():
    v = step()
    BashOperator(task_id="step__5", bash_command="true")
    for _ in range(3):
        v = step(v)


chain()
'''


def test_taskflow_ids_take_the_highest_suffix_plus_one_as_airflow_gives_them(airflow_python, tmp_path):  # noqa: F811
    """A TaskFlow function called again gets `__N`, the highest suffix its id has so far plus one
    (an explicit `step__5` makes the next `step__6`). wflint keeps that highest suffix in an index,
    where it scanned every id of the DAG per call (a 4,000-task chain took 11 s): the same ids."""
    (tmp_path / "chain.py").write_text(TASKFLOW_IDS)
    real = dagbag(airflow_python, tmp_path)
    assert real["dags"]["chain"]["tasks"] == ["step", "step__5", "step__6", "step__7", "step__8"]
    assert static_graph(tmp_path)["chain"]["tasks"] == real["dags"]["chain"]["tasks"]
