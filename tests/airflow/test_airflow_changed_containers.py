"""A dict or list the file changes in a way wflint cannot follow holds what wflint cannot know, not
what its literal held (round 12, F1): a loader that fills ``configs = {}`` in a loop over files made
the loop over it "run no time", and the DAG factory it calls "never called". Changes wflint can
follow (``pop`` with a default, ``insert``, ``sort``) are done as Python does them. DagBag shows
what Airflow makes of each file."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from af_oracle import ROOT, airflow_python  # noqa: F401

from wflint.adapters import airflow
from wflint.engine import Selection, lint_paths

sys.path.insert(0, str(ROOT / "benchmarks"))
import airflow_oracle

LOADER = '''import glob
import os

CONFIG_DIR = os.path.join(os.path.dirname(__file__), "config")


def load_all_pipeline_configs():
    configs = {}
    for path in sorted(glob.glob(os.path.join(CONFIG_DIR, "*.yml"))):
        configs[os.path.basename(path)[:-4]] = {"path": path}
    return configs
'''
FACTORY = '''from datetime import datetime

from airflow import DAG
from airflow.operators.empty import EmptyOperator
from config_loader import load_all_pipeline_configs


def create_etl_dag(name, cfg):
    with DAG(f"etl_{name}", start_date=datetime(2024, 1, 1), schedule=None) as dag:
        EmptyOperator(task_id="extract") >> EmptyOperator(task_id="load")
    return dag


for _name, _cfg in load_all_pipeline_configs().items():
    globals()[f"etl_{_name}"] = create_etl_dag(_name, _cfg)
'''
FILLED_BY_UNKNOWN_KEYS = '''import os
from datetime import datetime

from airflow import DAG
from airflow.operators.empty import EmptyOperator

groups = {"other": []}
for letter in os.listdir(os.path.dirname(__file__)):
    groups[letter[0]] = []

with DAG("by_letter", start_date=datetime(2024, 1, 1), schedule=None) as dag:
    for letter, members in groups.items():
        EmptyOperator(task_id=f"sync_{letter}")
'''
FOLLOWED_CHANGES = '''from datetime import datetime

from airflow import DAG
from airflow.models.baseoperator import chain
from airflow.operators.empty import EmptyOperator

ids = ["c", "a"]
ids.insert(0, "b")
ids.sort()
options = {"retries": 2, "skip": "x"}
options.pop("skip", None)
options.pop("absent", None)

with DAG("followed", start_date=datetime(2024, 1, 1), schedule=None, default_args=options) as dag:
    chain(*[EmptyOperator(task_id=i) for i in ids])
'''


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def _findings(folder: Path) -> list[tuple[str, str]]:
    return sorted((Path(r.path).name, f.code) for r in lint_paths([str(folder)], Selection()) for f in r.findings)


def _read(path: Path):
    return airflow.read(str(path), path.read_text())


def _dagbag(python: str, folder: Path, scratch: Path) -> dict:
    real = airflow_oracle.dagbag(python, folder, airflow_oracle.Layout((".",), (".",)), scratch)
    assert real["import_errors"] == {}
    return {dag_id: d["tasks"] for (_, dag_id), d in real["dags"].items()}


LOADER_REPO = {"dags/config_loader.py": LOADER, "dags/etl.py": FACTORY,
               "dags/config/a.yml": "name: a\n", "dags/config/b.yml": "name: b\n"}


def test_a_dict_a_loader_fills_in_a_loop_is_unknown_so_the_factory_it_feeds_is_called(tmp_path):
    repo = _write(tmp_path / "repo", LOADER_REPO)
    [dag] = _read(repo / "dags" / "etl.py")
    assert sorted(dag.tasks) == ["extract", "load"] and [(e.u, e.v) for e in dag.edges] == [("extract", "load")]
    assert _findings(repo / "dags") == []


def test_dagbag_builds_one_dag_per_config_from_the_filled_dict(airflow_python, tmp_path):  # noqa: F811
    repo = _write(tmp_path / "repo", LOADER_REPO)
    assert _dagbag(airflow_python, repo / "dags", tmp_path / "scratch") == {
        "etl_a": ["extract", "load"], "etl_b": ["extract", "load"]}


def test_a_dict_filled_under_keys_wflint_cannot_know_leaves_its_tasks_unknown(tmp_path):
    """Kept as ``{"other": []}``, the file read as one task, the graph "whole"; Airflow makes one
    task per letter its folder's names start with."""
    repo = _write(tmp_path / "repo", {"dags/by_letter.py": FILLED_BY_UNKNOWN_KEYS})
    [dag] = _read(repo / "dags" / "by_letter.py")
    assert all(t.dynamic for t in dag.tasks.values())
    assert _findings(repo / "dags") == [("by_letter.py", "WFL003")]


def test_dagbag_makes_a_task_per_key_the_loop_added(airflow_python, tmp_path):  # noqa: F811
    repo = _write(tmp_path / "repo", {"dags/by_letter.py": FILLED_BY_UNKNOWN_KEYS})
    tasks = _dagbag(airflow_python, repo / "dags", tmp_path / "scratch")["by_letter"]
    assert "sync_b" in tasks and "sync_other" in tasks  # the folder holds by_letter.py (and what Airflow adds)


def test_changes_wflint_can_follow_are_done_as_python_does_them(tmp_path):
    repo = _write(tmp_path / "repo", {"dags/followed.py": FOLLOWED_CHANGES})
    [dag] = _read(repo / "dags" / "followed.py")
    assert sorted(dag.tasks) == ["a", "b", "c"]
    assert sorted((e.u, e.v) for e in dag.edges) == [("a", "b"), ("b", "c")]
    assert not any(t.dynamic for t in dag.tasks.values())


def test_dagbag_agrees_on_the_followed_changes(airflow_python, tmp_path):  # noqa: F811
    repo = _write(tmp_path / "repo", {"dags/followed.py": FOLLOWED_CHANGES})
    real = airflow_oracle.dagbag(airflow_python, repo / "dags", airflow_oracle.Layout((".",), (".",)),
                                 tmp_path / "scratch")
    assert real["import_errors"] == {}
    assert real["dags"][("followed.py", "followed")]["tasks"] == ["a", "b", "c"]
    seen, unread = airflow_oracle.static(repo / "dags")
    assert unread == {}
    result = airflow_oracle.compare("followed-changes", real, seen, unread)
    assert result.verdicts == {("followed.py", "followed"): "match"}


@pytest.mark.parametrize("change", ["ids.extend(os.listdir('.'))", "ids.insert(unknown(), 'z')", "ids.remove('q')",
                                    "ids.append(1); ids.sort()"])
def test_a_change_wflint_cannot_follow_makes_the_list_unknown(tmp_path, change):
    text = FOLLOWED_CHANGES.replace('ids.sort()\n', f"ids.sort()\nimport os\n{change}\n")
    repo = _write(tmp_path / "repo", {"dags/followed.py": text})
    [dag] = _read(repo / "dags" / "followed.py")
    assert sorted((e.u, e.v) for e in dag.edges) != [("a", "b"), ("b", "c")]  # not read as if unchanged
    assert _findings(repo / "dags") == [("followed.py", "WFL003")]
