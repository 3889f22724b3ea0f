"""Real Airflow as the oracle: a cached venv with apache-airflow-core, DagBag in a subprocess.

The venv is built once under ``<repo>/.cache/airflow-venv`` (gitignored, ~300 MB, ~1 min). Without
network the Airflow tests skip, except under CI (``CI`` set), where a failed install fails them.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AIRFLOW_VERSION = "3.3.2"
VENV = ROOT / ".cache" / "airflow-venv"
MARKER = VENV / f".wflint-airflow-{AIRFLOW_VERSION}"
DUMP = Path(__file__).with_name("dagbag_dump.py")
RUN = Path(__file__).with_name("dag_run.py")


def _python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _build() -> str | None:
    """Create the venv next to its final place and move it in only when the install worked."""
    tmp = VENV.with_name(VENV.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.rmtree(VENV, ignore_errors=True)
    tmp.parent.mkdir(parents=True, exist_ok=True)
    steps = [[sys.executable, "-m", "venv", str(tmp)],
             [str(_python(tmp)), "-m", "pip", "install", "-q", f"apache-airflow-core=={AIRFLOW_VERSION}"]]
    for cmd in steps:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
        if proc.returncode != 0:
            return f"{' '.join(cmd[:4])} failed: {(proc.stderr or proc.stdout)[-2000:]}"
    # venvs hard-code their own path in scripts; the interpreter itself moves fine.
    tmp.rename(VENV)
    MARKER.write_text("ok\n")
    return None


def ensure_airflow(build=None) -> Path:
    """The venv's python; under CI a failed install fails the tests instead of skipping them."""
    if not MARKER.exists():
        problem = (build or _build)()
        if problem is not None:
            if os.environ.get("CI"):
                pytest.fail(f"could not install apache-airflow-core {AIRFLOW_VERSION}: {problem}")
            pytest.skip(f"apache-airflow-core {AIRFLOW_VERSION} not installable here: {problem[:300]}")
    return _python(VENV)


@pytest.fixture(scope="session")
def airflow_python() -> Path:
    return ensure_airflow()


def dagbag(python: Path, folder: Path) -> dict:
    """{"import_errors": {...}, "dags": {dag_id: {"file", "tasks", "edges"}}} as real Airflow sees it."""
    with tempfile.TemporaryDirectory() as home:
        out = Path(home) / "dags.json"
        env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
        env.update(AIRFLOW_HOME=home, AIRFLOW__CORE__LOAD_EXAMPLES="False", PYTHONWARNINGS="ignore")
        proc = subprocess.run([str(python), str(DUMP), str(folder), str(out)], capture_output=True, text=True,
                              env=env, timeout=300)
        assert proc.returncode == 0, proc.stderr[-3000:]
        return json.loads(out.read_text())


def dag_runs(python: Path, folder: Path) -> dict:
    """{dag_id: {"state": the run's, "tasks": {task_id: state}}}: each DAG of ``folder`` run once by
    real Airflow (``dag.test()``, a fresh SQLite database: about 6 s to make, 10 s a run)."""
    with tempfile.TemporaryDirectory() as home:
        out = Path(home) / "runs.json"
        env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
        # dag.test() stores the DAG before it runs it, only from the configured DAG folder
        env.update(AIRFLOW_HOME=home, AIRFLOW__CORE__LOAD_EXAMPLES="False", PYTHONWARNINGS="ignore",
                   AIRFLOW__CORE__DAGS_FOLDER=str(folder))
        for cmd in ([str(python), "-m", "airflow", "db", "migrate"], [str(python), str(RUN), str(folder), str(out)]):
            proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
            assert proc.returncode == 0, proc.stderr[-3000:]
        found = json.loads(out.read_text())
        assert found["import_errors"] == [], found["import_errors"]
        return found["runs"]


def example_dags(python: Path, dest: Path) -> Path:
    """Copy the example DAGs shipped in the wheels (core and the standard provider) to ``dest``."""
    proc = subprocess.run([str(python), "-c", "import airflow, os; print(os.path.dirname(airflow.__file__))"],
                          capture_output=True, text=True, check=True)
    base = Path(proc.stdout.strip())
    for name, src in (("core", base / "example_dags"), ("standard", base / "providers" / "standard" / "example_dags")):
        shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def static_graph(folder: Path) -> dict:
    """What wflint reads from every Airflow file under ``folder``, in the oracle's shape."""
    from wflint.adapters import airflow
    from wflint.ir import EdgeKind

    out = {}
    for path in sorted(folder.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if not airflow.sniff(str(path), text):
            continue
        for wf in airflow.read(str(path), text):
            out[wf.name] = {
                "file": str(path.relative_to(folder)),
                "tasks": sorted(wf.tasks),
                "edges": sorted([e.u, e.v] for e in {(e.u, e.v): e for e in wf.edges
                                                     if e.kind is not EdgeKind.IMPLICIT}.values()),
                "conditional": all(t.dynamic for t in wf.tasks.values()) and bool(wf.tasks),
            }
    return out


def differences(real: dict, static: dict) -> list[str]:
    """Every DAG where wflint and DagBag disagree, with the diff. A DAG defined under a condition
    wflint cannot evaluate (e.g. an optional import) may be absent from DagBag."""
    problems = []
    for dag_id in sorted(set(real) | set(static)):
        a, b = real.get(dag_id), static.get(dag_id)
        if a is None:
            if not b["conditional"]:
                problems.append(f"{dag_id} ({b['file']}): wflint found a DAG that Airflow does not load")
            continue
        if b is None:
            problems.append(f"{dag_id} ({a['file']}): Airflow loads it, wflint does not see it")
            continue
        ta, tb = set(a["tasks"]), set(b["tasks"])
        ea, eb = {tuple(e) for e in a["edges"]}, {tuple(e) for e in b["edges"]}
        if ta != tb or ea != eb:
            problems.append(f"{dag_id} ({a['file']}): tasks only in Airflow {sorted(ta - tb)}, only in wflint "
                            f"{sorted(tb - ta)}; edges only in Airflow {sorted(ea - eb)}, only in wflint "
                            f"{sorted(eb - ea)}")
    return problems
