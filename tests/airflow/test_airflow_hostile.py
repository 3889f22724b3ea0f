"""A DAG file is untrusted input: its constants are evaluated only as literals, small, and never
reach wflint's own objects or the environment of whoever runs it (issue 16 item 2)."""
from __future__ import annotations

import time

import pytest
from conftest import run

from wflint.adapters import airflow
from wflint.adapters.airflow import literals

HEADER = "import os\nfrom airflow import DAG\nfrom airflow.operators.empty import EmptyOperator\n"
SECRET = "wflint-test-secret-4f1c"


def dag(first: str, second: str) -> str:
    """Two tasks, the first with the id expression under test, the second a plain literal."""
    return (HEADER + 'with DAG("d", schedule=None):\n'
            f"    t0 = EmptyOperator(task_id={first})\n    t1 = EmptyOperator(task_id={second})\n")


def task_ids(text: str) -> set[str]:
    """The ids wflint could read; a task whose id it could not is named by where it is made."""
    ids = {t for wf in airflow.read("dag.py", text) for t in wf.tasks}
    assert all(t.startswith("<EmptyOperator at dag.py:") for t in ids if t.startswith("<")), ids
    return {t for t in ids if not t.startswith("<")}


@pytest.mark.parametrize("expr", [
    '"{0.__init__.__globals__[os].environ[WFLINT_SECRET]}".format(os)',
    '"{0.environ[WFLINT_SECRET]}".format(os)',
    '"{x.path}".format(x=os)',
    '"{0!a}".format(os)',
    '"%s" % os',
    'f"{os}"',
])
def test_a_format_that_reaches_objects_gives_a_dynamic_id_and_no_environment_value(expr, tmp_path, monkeypatch):
    monkeypatch.setenv("WFLINT_SECRET", SECRET)
    path = tmp_path / "dag.py"
    path.write_text(dag(expr, '"after"'))
    assert task_ids(path.read_text()) == {"after"}
    for args in (("check", path, "--format", "json"), ("check", path, "--format", "sarif"),
                 ("check", path, "--format", "github"), ("report", path), ("report", path, "--format", "json")):
        out = run(*args, "--fail-on", "never") if args[0] == "check" else run(*args)
        assert SECRET not in out.stdout + out.stderr
        assert "<wflint" not in out.stdout and "object at 0x" not in out.stdout
    assert "WFL003" in run("check", path, "--fail-on", "never").stdout


@pytest.mark.parametrize("expr", [
    '"x" * 1000000000',
    '["a"] * 1000000000',
    '"%*d" % (1000000000, 1)',
    '"%1000000000d" % 1',
    '"{:1000000000}".format(1)',
    '"{:{}}".format(1, 1000000000)',
    '"a".replace("", "b" * 100000).replace("", "c" * 100000)',
    '"-".join(["x" * 90000] * 90000)',
])
def test_constants_that_would_be_huge_stay_unknown_in_bounded_time(expr):
    start = time.perf_counter()
    assert task_ids(dag(expr, '"after"')) == {"after"}
    assert time.perf_counter() - start < 5


def test_a_number_squared_in_a_loop_stops_growing():
    text = HEADER + 'n = 2\nfor _ in range(60):\n    n = n * n\nwith DAG("d", schedule=None):\n' \
        '    EmptyOperator(task_id=f"t{n}")\n    EmptyOperator(task_id="after")\n'
    start = time.perf_counter()
    assert task_ids(text) == {"after"}
    assert time.perf_counter() - start < 5


@pytest.mark.parametrize(("expr", "expected"), [
    ('"load_{}".format("orders")', "load_orders"),
    ('"load_{name}_{0:03d}".format(7, name="orders")', "load_orders_007"),
    ('"%s_%02d" % ("part", 3)', "part_03"),
    ('"-".join(["a", "b"])', "a-b"),
    ('"ab" * 2', "abab"),
    ('"A_B".lower().replace("_", "-")', "a-b"),
])
def test_literal_ids_built_with_the_usual_operations_are_still_read(expr, expected):
    assert expected in task_ids(dag(expr, '"after"'))


def test_lists_of_tasks_still_add_up():
    text = HEADER + 'with DAG("d", schedule=None):\n    a = EmptyOperator(task_id="a")\n' \
        '    b = EmptyOperator(task_id="b")\n    c = EmptyOperator(task_id="c")\n    [a] + [b] >> c\n'
    wf = airflow.read("dag.py", text)[0]
    assert {(e.u, e.v) for e in wf.edges} == {("a", "c"), ("b", "c")}


def test_is_literal_refuses_interpreter_objects_and_deep_nesting():
    assert literals.is_literal({"a": [1, 2.0, None, ("x", True)]})
    assert not literals.is_literal(literals)
    deep: list = []
    for _ in range(50):
        deep = [deep]
    assert not literals.is_literal(deep)
