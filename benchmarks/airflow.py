"""wflint against Airflow's own DagBag on the example DAGs shipped in the Airflow wheels, in one run.

Users get a DAG's graph today by loading it with Airflow (``DagBag``, which imports and runs every
file). This times, as whole processes including interpreter start:

- ``wflint check <examples>`` (static read, analysis, every rule), and
- a Python process that loads the same folder with ``DagBag`` and collects every edge,

on the same copy of the example DAGs, alternating, and prints the best of N runs and the ratio.

    python benchmarks/airflow.py [--runs 5] [--venv .cache/airflow-venv]

The Airflow venv is the one the tests build (``pytest tests/airflow``); ``--build`` creates it.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOAD = """
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder={folder!r}, safe_mode=False)
edges = {{(d, up, t.task_id) for d, dag in bag.dags.items() for t in dag.tasks for up in t.upstream_task_ids}}
print(len(bag.dags), len(edges))
"""


def airflow_python(venv: Path, build: bool) -> Path:
    python = venv / "bin" / "python"
    if not python.exists():
        if not build:
            sys.exit(f"no Airflow venv at {venv}: run `pytest tests/airflow` or pass --build")
        sys.path.insert(0, str(ROOT / "tests" / "airflow"))
        from af_oracle import _build

        problem = _build()
        if problem:
            sys.exit(problem)
    return python


def copy_examples(python: Path, dest: Path) -> Path:
    base = Path(subprocess.run([str(python), "-c", "import airflow, os; print(os.path.dirname(airflow.__file__))"],
                               capture_output=True, text=True, check=True).stdout.strip())
    shutil.copytree(base / "example_dags", dest / "core", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(base / "providers" / "standard" / "example_dags", dest / "standard",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def timed(cmd: list[str], env: dict) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd[:3])}… failed:\n{proc.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--venv", type=Path, default=ROOT / ".cache" / "airflow-venv")
    parser.add_argument("--build", action="store_true", help="create the Airflow venv if missing")
    args = parser.parse_args()
    python = airflow_python(args.venv, args.build)
    with tempfile.TemporaryDirectory() as tmp:
        folder = copy_examples(python, Path(tmp) / "dags")
        home = Path(tmp) / "home"
        home.mkdir()
        files = list(folder.rglob("*.py"))
        env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
        af_env = dict(env, AIRFLOW_HOME=str(home), AIRFLOW__CORE__LOAD_EXAMPLES="False", PYTHONWARNINGS="ignore")
        wflint = [sys.executable, "-m", "wflint", "check", str(folder), "--fail-on", "never", "--format", "json"]
        dagbag = [str(python), "-c", LOAD.format(folder=str(folder))]
        timed(wflint, env)  # warm the file cache and .pyc files for both sides
        timed(dagbag, af_env)
        ours, theirs = [], []
        for _ in range(args.runs):
            ours.append(timed(wflint, env))
            theirs.append(timed(dagbag, af_env))
    best_ours, best_theirs = min(ours), min(theirs)
    print(f"example DAGs: {len(files)} .py files (Airflow {python.parent.parent.name})")
    print(f"wflint check (whole process): best {best_ours:.2f}s of {args.runs} (median {sorted(ours)[len(ours) // 2]:.2f}s)")
    median = sorted(theirs)[len(theirs) // 2]
    print(f"DagBag load  (whole process): best {best_theirs:.2f}s of {args.runs} (median {median:.2f}s)")
    print(f"ratio: wflint is {best_theirs / best_ours:.1f}x faster")


if __name__ == "__main__":
    main()
