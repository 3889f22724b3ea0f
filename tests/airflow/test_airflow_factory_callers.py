"""A support module whose DAG factory a DAG file of the same folder calls (round 11, F2): the DAGs are
read in the calling file, so the module itself gets no WFL003 by default, also in a repository with
no ``.git``/``pyproject.toml`` marker, where the caller sits in a sibling folder (``dags/`` beside
``services/``, ``dags/`` beside ``plugins/``) or calls a DAG-making method of a subclass. A module no
file calls keeps its WFL003, and a same-named module of another project is no caller."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from af_oracle import ROOT, airflow_python  # noqa: F401

import wflint.adapters.airflow.imports as imports
from wflint.adapters import airflow
from wflint.engine import Selection, lint_paths

sys.path.insert(0, str(ROOT / "benchmarks"))
import airflow_oracle

GENERATOR = '''"""Support module: no DAG is made when it is imported."""
from datetime import datetime

from airflow import DAG
from airflow.operators.empty import EmptyOperator


def assemble_dag(name):
    with DAG(f"made_{name}", start_date=datetime(2024, 1, 1), schedule=None, catchup=False) as dag:
        first = EmptyOperator(task_id="first")
        last = EmptyOperator(task_id="last")
        first >> last
    return dag


def create_dags(names):
    return [assemble_dag(n) for n in names]


def register_all(module):
    for dag in create_dags(["a", "b"]):
        setattr(module, dag.dag_id, dag)
'''
UNCALLED = ("no DAG is made when this file is read: the DAG at line 9 is built inside `assemble_dag`, which this "
            "file does not call; nothing here was analysed")


@pytest.fixture(autouse=True)
def _fresh_call_index():
    imports._CALLERS.clear()  # indexed once per process: each test's repository is new
    yield
    imports._CALLERS.clear()


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def _findings(folder: Path, preview: bool = False) -> list[tuple[str, int, str, str]]:
    results = lint_paths([str(folder)], Selection(preview=preview))
    return sorted((str(Path(r.path).relative_to(folder)), f.line, f.code, f.message)
                  for r in results for f in r.findings)


def _dags(path: Path) -> dict[str, list[str]]:
    return {wf.name: sorted(wf.tasks) for wf in airflow.read(str(path), path.read_text())}


TRANSITIVE = {"services/dag_generator.py": GENERATOR,
              "dags/load.py": "# airflow dag loader\nimport sys\n\nfrom services.dag_generator import register_all\n\n"
                              "register_all(sys.modules[__name__])\n"}


def test_a_factory_a_sibling_folders_dag_file_calls_through_two_functions_is_no_finding(tmp_path):
    repo = _write(tmp_path / "repo", TRANSITIVE)
    assert _dags(repo / "dags" / "load.py") == {"made_a": ["first", "last"], "made_b": ["first", "last"]}
    assert _findings(repo) == []
    assert _findings(repo, preview=True) == []


def test_a_factory_called_directly_from_the_dag_folder_above_it_is_no_finding(tmp_path):
    repo = _write(tmp_path / "repo", {"dags/services/dag_generator.py": GENERATOR,
                                      "dags/load.py": "# airflow\nfrom services.dag_generator import assemble_dag\n"
                                                      "dag_a = assemble_dag('a')\n"})
    assert _dags(repo / "dags" / "load.py") == {"made_a": ["first", "last"]}
    assert _findings(repo) == []


def test_a_dag_method_a_plugins_subclass_calls_from_the_dags_folder_is_no_finding(tmp_path):
    base = ("from datetime import datetime\n\nfrom airflow.decorators import dag, task\n\n\n"
            "class NotifierDAG:\n    def __init__(self, name):\n        self.name = name\n\n"
            "    def generate_dag(self):\n        @dag(dag_id=f'notify_{self.name}', start_date=datetime(2024, 1, 1), "
            "schedule=None)\n        def notify():\n            @task\n            def send():\n                pass\n\n"
            "            send()\n\n        return notify()\n")
    loader = ("from plugins.notifications.base_dag import NotifierDAG\n\n\n"
              "class NotifyComments(NotifierDAG):\n    pass\n\n\nNotifyComments('comments').generate_dag()\n")
    repo = _write(tmp_path / "repo", {"plugins/notifications/base_dag.py": base, "dags/notifications/__init__.py": "",
                                      "dags/notifications/notify_comments.py": "# airflow dag\n" + loader})
    assert _dags(repo / "dags" / "notifications" / "notify_comments.py") == {"notify_comments": ["send"]}
    assert _findings(repo) == []
    assert _findings(repo / "plugins") == []  # the caller is found wherever the run starts


def test_a_factory_no_file_calls_keeps_its_finding(tmp_path):
    repo = _write(tmp_path / "repo", {"services/dag_generator.py": GENERATOR,
                                      "dags/other.py": "# airflow\nfrom services.dag_generator import GENERATED\n"})
    assert _findings(repo) == [("services/dag_generator.py", 8, "WFL003", UNCALLED)]


def test_a_same_named_module_of_another_project_is_no_caller(tmp_path):
    """``lone/services/dag_generator.py`` has no caller; ``other/dags/load.py`` calls its own project's
    ``services.dag_generator`` (the same text, another file), which is not this one."""
    root = _write(tmp_path / "work", {"lone/services/dag_generator.py": GENERATOR,
                                      "other/dags/services/dag_generator.py": GENERATOR,
                                      "other/dags/load.py": "# airflow\nfrom services.dag_generator import assemble_dag\n"
                                                            "dag_a = assemble_dag('a')\n"})
    assert _findings(root) == [("lone/services/dag_generator.py", 8, "WFL003", UNCALLED)]


def test_dagbag_finds_the_dags_in_the_calling_file_and_none_in_the_factory_module(airflow_python, tmp_path):  # noqa: F811
    """Airflow's own view: DagBag parses both files (the folder is its DAGs folder and on its path)
    and registers the DAGs in the loader's file, none in the factory's; wflint reads them there."""
    repo = _write(tmp_path / "repo", TRANSITIVE)
    layout = airflow_oracle.Layout((".",), (".",))
    real = airflow_oracle.dagbag(airflow_python, repo, layout, tmp_path / "scratch")
    assert real["import_errors"] == {}
    assert {key: d["tasks"] for key, d in real["dags"].items()} == {
        ("dags/load.py", "made_a"): ["first", "last"], ("dags/load.py", "made_b"): ["first", "last"]}
    seen, unread = airflow_oracle.static(repo)
    assert unread == {}
    result = airflow_oracle.compare("factory-callers", real, seen, unread)
    assert result.verdicts == {("dags/load.py", "made_a"): "match", ("dags/load.py", "made_b"): "match"}
    assert result.extra == []


PYTEST_MODULE = {"dags/lib/helpers.py": "from airflow.operators.bash import BashOperator\n\n\n"
                                        "def make_dbt_task(dag, model):\n"
                                        "    return BashOperator(task_id=f'dbt_{model}', bash_command='dbt run', dag=dag)\n",
                 "dags/lib/helpers_test.py": "from datetime import datetime\n\nfrom airflow import DAG\n\n"
                                             "from lib.helpers import make_dbt_task\n\n\n"
                                             "def test_make_dbt_task():\n"
                                             "    dag = DAG('test_dag', start_date=datetime(2024, 1, 1), schedule=None)\n"
                                             "    task = make_dbt_task(dag, 'users')\n"
                                             "    assert task.task_id == 'dbt_users'\n"}


@pytest.mark.parametrize("test_file", ["dags/lib/helpers_test.py", "dags/lib/test_helpers.py"])
def test_a_pytest_test_that_makes_a_dag_is_no_factory(tmp_path, test_file):
    """Round 12, F2: a ``test*`` function of a module pytest collects (``test_*.py``, ``*_test.py``)
    is pytest's to call; importing the module registers no DAG, so it is neither read as a factory
    nor told it makes none. The same function in a module pytest does not collect keeps its WFL003."""
    files = {**PYTEST_MODULE, test_file: PYTEST_MODULE["dags/lib/helpers_test.py"]}
    if test_file != "dags/lib/helpers_test.py":
        del files["dags/lib/helpers_test.py"]
    repo = _write(tmp_path / "repo", files)
    assert _findings(repo) == []
    (repo / test_file).rename(repo / "dags" / "lib" / "checks.py")
    assert [code for _, _, code, _ in _findings(repo)] == ["WFL003"]


def test_dagbag_registers_no_dag_from_a_pytest_module(airflow_python, tmp_path):  # noqa: F811
    repo = _write(tmp_path / "repo", PYTEST_MODULE)
    real = airflow_oracle.dagbag(airflow_python, repo / "dags", airflow_oracle.Layout((".",), (".",)),
                                 tmp_path / "scratch")
    assert real["import_errors"] == {} and real["dags"] == {}
