"""Files valid on the Python versions Airflow runs on (3.12+ f-strings, PEP 701) are read on any
Python wflint runs on; a file invalid on every version stays WFL001 with its line and reason."""
from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys

import pytest
from af_oracle import ROOT
from conftest import CORPUS, run

from wflint.adapters import airflow
from wflint.adapters.airflow.pysyntax import parse_python
from wflint.errors import ParseError

PY312 = ROOT / "fixtures" / "airflow-py312"


def _shape(module: ast.AST) -> str:
    """The tree without positions and without fields only newer Pythons add (``type_params``)."""
    return ast.dump(module, include_attributes=False).replace(", type_params=[]", "")


def test_nested_quotes_give_the_tree_of_the_same_code_written_for_311():
    newer = parse_python((PY312 / "nested_quotes.py").read_text())
    older = ast.parse((PY312 / "nested_quotes_311.py").read_text())
    assert _shape(newer) == _shape(older)


def test_a_pep701_dag_reads_whole_with_its_ids_and_edges():
    (wf,) = airflow.read(str(PY312 / "nested_quotes.py"), (PY312 / "nested_quotes.py").read_text())
    assert wf.name == "export_daily"
    assert set(wf.tasks) == {"export_eu_europe", "export_us_us", "report_all"}
    assert {(e.u, e.v) for e in wf.edges} == {("export_eu_europe", "export_us_us"), ("export_us_us", "report_all")}
    assert not any(t.dynamic for t in wf.tasks.values())


def test_positions_after_a_grafted_fstring_stay_where_they_were():
    text = 'x = f"load_{"eu"}"; k = 2\ny = (f"""{\n"a"\n}""", 3)\nz = 1\n'
    module = parse_python(text)
    names = {n.id: (n.lineno, n.col_offset) for n in ast.walk(module) if isinstance(n, ast.Name)}
    assert names["k"] == (1, 20) and names["z"] == (5, 0)
    fstring, three = module.body[2].value.elts
    assert ast.unparse(fstring) == "f\"{'a'}\"" and three.value == 3


@pytest.mark.parametrize("code, expected", [
    ('f"{"a" "b"}"', "ab"),
    ('"pre" f"{"x"}" "post"', "prexpost"),
    ('f"{{{"y"}}}"', "{y}"),
    (r'rf"\d{"z"}"', r"\dz"),
])
def test_literal_parts_keep_python_meaning(code, expected):
    module = parse_python(f"v = {code}\n")
    value = module.body[0].value
    text = "".join(p.value if isinstance(p, ast.Constant) else ast.literal_eval(p.value)
                   for p in (value.values if isinstance(value, ast.JoinedStr) else [value]))
    assert text == expected


def test_a_file_invalid_on_every_version_is_wfl001_with_its_real_line():
    result = run("check", PY312 / "still_invalid.py", "--format", "json")
    assert result.exit_code == 1
    (finding,) = result.json()["findings"]
    assert finding["code"] == "WFL001" and finding["line"] == 7
    assert "every Python version" in finding["message"]


def test_an_ordinary_syntax_error_keeps_pythons_own_message(tmp_path):
    path = tmp_path / "dag.py"
    path.write_text('from airflow import DAG\nx = f"{1}"\nwith DAG("d") as d\n    pass\n')
    (finding,) = run("check", path, "--format", "json").json()["findings"]
    assert finding["code"] == "WFL001" and finding["line"] == 3 and "expected ':'" in finding["message"]


def test_an_error_after_a_pep701_fstring_is_not_blamed_on_the_fstring(tmp_path):
    path = tmp_path / "dag.py"
    path.write_text('from airflow import DAG\nx = f"{"a"}"\nwith DAG("d") as d\n    pass\n')
    (finding,) = run("check", path, "--format", "json").json()["findings"]
    assert finding["code"] == "WFL001" and finding["line"] in (3, 4)  # CPython 3.12 says 3, libcst 4
    assert "every Python version" in finding["message"]


def test_the_corpus_module_with_pep701_fstrings_is_read():
    path = CORPUS / "airflow" / "Ferlab-Ste-Justine__clin-pipelines-dags" / "dags" / "lib" / "tasks" / "batch_type.py"
    if not path.is_file():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    assert airflow.read(str(path), path.read_text()) == []  # a support module: no DAG, and no WFL001
    _same_tree_as_python_312(path)


def _python_312() -> list[str] | None:
    if sys.version_info >= (3, 12):
        return [sys.executable]
    if shutil.which("python3.12"):
        probe = subprocess.run(["python3.12", "-c", "1"], capture_output=True)
        if probe.returncode == 0:
            return ["python3.12"]
    return None


def _same_tree_as_python_312(path) -> None:
    """Where a Python 3.12+ is installed, its own ``ast`` is the oracle for the grafted tree."""
    python = _python_312()
    if python is None:
        return
    dump = "import ast, sys; print(ast.dump(ast.parse(open(sys.argv[1]).read()), include_attributes=False))"
    proc = subprocess.run([*python, "-c", dump, str(path)], capture_output=True, text=True,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().replace(", type_params=[]", "") == _shape(parse_python(path.read_text()))


def test_pep_695_type_aliases_and_parameters_are_read_on_any_python():
    """Airflow 3 images run Python 3.12+, where `type X = ...` and `def f[T]` are valid (dfinity's
    shared module): read on the Python wflint runs on, as the DAG it builds, not as invalid Python."""
    text = ("import pendulum\nfrom airflow import DAG\nfrom airflow.operators.bash import BashOperator\n"
            "type SubnetId = str\ntype Pair[T] = tuple[T, T]\n\n\ndef command[T](x: T) -> str:\n    return f'./run.sh {x}'\n\n\n"
            "class Box[T: (int, str)]:\n    pass\n\n\n"
            "with DAG('d', start_date=pendulum.datetime(2024, 1, 1), schedule=None):\n"
            "    BashOperator(task_id='a', bash_command=command(1)) >> BashOperator(task_id='b', bash_command='./b.sh')\n")
    [wf] = airflow.read("d.py", text)
    assert set(wf.tasks) == {"a", "b"} and [(e.u, e.v) for e in wf.edges] == [("a", "b")]
    with pytest.raises(ParseError):
        airflow.read("bad.py", "type = = 3\n")
