"""How wflint's time grows with workflow size, and what one small check costs as a whole process.

Generates layered workflows (1,000 / 10,000 / 50,000 tasks; each task needs one or two tasks of
the layer before, some carry a needless `after`, tasks read and write a few hundred tables, some
call rate-limited APIs or hold pool slots) and times `wflint report` and `wflint check` on each as
separate processes, in one run. Prints seconds per size and the growth ratio between sizes.

    python benchmarks/scale.py [--sizes 1000,10000,50000] [--yaml]
    python benchmarks/scale.py --shapes [--sizes 1000,10000,100000] [--timeout 120] [--commands check,report]
                               [--keep DIR] [--only airflow,github]

``--shapes`` times `check` and `report` (markdown) on the five shapes of every format instead: spec
layered, spec `current: sequential`, an n8n tree (v1 order), GitHub jobs layered by `needs`, an
Airflow DAG of explicit operators wired with `>>`; one run each, with its peak memory (from
/usr/bin/time where present) and the growth from the first size to the second. ``--keep DIR`` leaves
the generated files there (to profile one: ``python -m cProfile -o x.prof -m wflint check FILE``);
``--only`` times the shapes whose label holds one of the words.

Spec files are written as JSON (which is YAML) unless --yaml asks for block YAML, so the figure
is the analysis rather than the YAML parser; --yaml shows what a hand-written format costs.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SMALL = os.path.join(ROOT, "fixtures", "examples", "customer-health.wflint.yaml")


def layered(n: int, width: int = 50, seed: int = 7) -> dict:
    rng = random.Random(seed)
    tables = [f"db:t{i}" for i in range(max(10, n // 20))]
    tasks: dict[str, dict] = {}
    layers: list[list[str]] = []
    for i in range(n):
        layer = i // width
        if layer == len(layers):
            layers.append([])
        name = f"t{i}"
        task: dict = {"duration": f"{rng.randint(1, 30)}s"}
        if layer:
            task["needs"] = sorted(set(rng.sample(layers[layer - 1], k=min(2, len(layers[layer - 1])))))
            if layer > 1 and rng.random() < 0.3:
                task["after"] = [rng.choice(layers[layer - 2])]
        mode = "writes" if rng.random() < 0.2 else "reads"
        task[mode] = [rng.choice(tables)]
        if rng.random() < 0.1:
            task["api"] = {"crm": rng.randint(1, 20)}
        if rng.random() < 0.1:
            task["pool"] = "db"
        tasks[name] = task
        layers[layer].append(name)
    return {"name": f"layered-{n}", "current": "graph", "tasks": tasks,
            "limits": {"apis": {"crm": "50/s"}, "pools": {"db": 8}, "concurrency": 32}}


def to_yaml(doc: dict) -> str:
    lines = [f"name: {doc['name']}", "current: graph", "tasks:"]
    for name, task in doc["tasks"].items():
        lines.append(f"  {name}:")
        for key, value in task.items():
            lines.append(f"    {key}: {json.dumps(value)}")
    lines.append("limits:")
    for key, value in doc["limits"].items():
        lines.append(f"  {key}: {json.dumps(value)}")
    return "\n".join(lines) + "\n"


def timed(args: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "wflint", *args], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1) or "Traceback" in proc.stderr:
        raise SystemExit(f"wflint {' '.join(args)} failed:\n{proc.stderr}")
    return elapsed


def spec_sequential(n: int) -> tuple[str, str]:
    doc = layered(n)
    doc["current"] = "sequential"
    for task in doc["tasks"].values():
        task.pop("after", None)
    return ".wflint.json", json.dumps(doc)


def n8n_tree(n: int) -> tuple[str, str]:
    """A binary tree of Set nodes under one trigger, v1 order: each node reads its parent's field."""
    nodes = [{"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "parameters": {},
              "position": [0, 0]}]
    connections: dict[str, dict] = {}
    for i in range(1, n):
        parent = "Start" if i == 1 else f"n{i // 2}"
        nodes.append({"name": f"n{i}", "type": "n8n-nodes-base.set", "typeVersion": 3.4, "position": [i * 10, i % 97],
                      "parameters": {"assignments": {"assignments": [
                          {"id": str(i), "name": f"f{i}", "value": "={{ $json.x }}", "type": "string"}]}}})
        connections.setdefault(parent, {"main": [[]]})["main"][0].append({"node": f"n{i}", "type": "main", "index": 0})
    return ".json", json.dumps({"name": f"tree-{n}", "nodes": nodes, "connections": connections,
                                "settings": {"executionOrder": "v1"}})


def gha_layered(n: int) -> tuple[str, str]:
    rng = random.Random(7)
    lines = ["on: push", "jobs:"]
    for i in range(n):
        lines += [f"  j{i}:", "    runs-on: ubuntu-latest"]
        if i >= 50:
            needs = sorted({f"j{rng.randrange(i - i % 50 - 50, i - i % 50)}" for _ in range(2)})
            lines.append(f"    needs: [{', '.join(needs)}]")
        lines += ["    steps:", f"      - run: make part-{i}"]
    return ".yml", "\n".join(lines) + "\n"


def airflow_explicit(n: int) -> tuple[str, str]:
    lines = ["from airflow import DAG", "from airflow.operators.bash import BashOperator", "",
             'with DAG("big", schedule=None):']
    lines += [f'    t{i} = BashOperator(task_id="t{i}", bash_command="run {i}")' for i in range(n)]
    lines += [f"    t{i - 50 if i >= 50 else 0} >> t{i}" for i in range(1, n)]
    return ".py", "\n".join(lines) + "\n"


def spec_layered(n: int) -> tuple[str, str]:
    return ".wflint.json", json.dumps(layered(n))


SHAPES = {"spec layered": spec_layered, "spec sequential": spec_sequential, "n8n tree v1": n8n_tree,
          "GitHub layered needs": gha_layered, "Airflow explicit >>": airflow_explicit}


def timed_with_memory(args: list[str], timeout: float) -> tuple[float | None, float | None]:
    """Seconds and peak MB of one `wflint` process; (None, None) past the timeout."""
    import shutil

    wrapper = ["/usr/bin/time", "-f", "%M"] if shutil.which("/usr/bin/time") else []
    start = time.perf_counter()
    try:
        proc = subprocess.run([*wrapper, sys.executable, "-m", "wflint", *args], capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, None
    elapsed = time.perf_counter() - start
    if "Traceback" in proc.stderr:
        raise SystemExit(f"wflint {' '.join(args)} failed:\n{proc.stderr}")
    last = proc.stderr.strip().splitlines()[-1] if wrapper and proc.stderr.strip() else ""
    return elapsed, (int(last) / 1024 if last.isdigit() else None)


def write_shape(tmp: str, label: str, make, n: int) -> str:
    """Write one generated shape of n tasks where its format's reader looks for it; its path."""
    suffix, text = make(n)
    folder = os.path.join(tmp, label.replace(" ", "-"), str(n))
    if suffix == ".yml":
        folder = os.path.join(folder, ".github", "workflows")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"w{suffix}")
    with open(path, "w") as handle:
        handle.write(text)
    return path


COMMANDS = {"check": lambda path: ["check", path, "--fail-on", "never"],
            "report": lambda path: ["report", path, "--format", "markdown"]}


def cell(seconds: float | None, mb: float | None, timeout: float) -> str:
    shown = f"{seconds:>9.2f}" if seconds is not None else f"{'>' + str(int(timeout)):>9}"
    return shown + (f" {mb:>5.0f}" if mb is not None else f" {'':>5}")


def shapes(sizes: list[int], timeout: float, commands: list[str], keep: str | None = None,
           only: str | None = None) -> None:
    """One row per shape and command: seconds and peak MB per size, growth from the first to the second size.

    With ``keep`` the generated files stay in that folder, to profile one of them afterwards."""
    print(f"{'shape':<22}{'cmd':<7}" + "".join(f"{str(n) + ' s':>9} {'MB':>5}" for n in sizes) + "  growth")
    with tempfile.TemporaryDirectory() as scratch:
        tmp = keep or scratch
        for label, make in SHAPES.items():
            if only and not any(word.lower() in label.lower() for word in only.split(",")):
                continue
            paths = [write_shape(tmp, label, make, n) for n in sizes]
            for command in commands:
                row, times = f"{label:<22}{command:<7}", []
                for path in paths:
                    seconds, mb = timed_with_memory(COMMANDS[command](path), timeout)
                    times.append(seconds)
                    row += cell(seconds, mb, timeout)
                if len(times) > 1 and times[0] and times[1]:
                    row += f"  {times[1] / times[0]:>5.1f}x"
                print(row, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--yaml", action="store_true", help="write block YAML instead of JSON")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure; the best is kept")
    parser.add_argument("--shapes", action="store_true", help="time check on the five shapes of every format")
    parser.add_argument("--timeout", type=float, default=120, help="seconds before a --shapes run is cut off")
    parser.add_argument("--commands", default="check,report", help="--shapes: the commands to time")
    parser.add_argument("--keep", metavar="DIR", help="--shapes: write the generated files here and keep them")
    parser.add_argument("--only", help="--shapes: the shapes to time, comma-separated words of their labels")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.shapes:
        shapes(sizes, args.timeout, args.commands.split(","), args.keep, args.only)
        return
    small = min(timed(["check", SMALL]) for _ in range(max(5, args.repeat)))
    print(f"one small file, `wflint check` as a whole process: {small:.3f}s (goal <= 0.25s)")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            doc = layered(n)
            suffix = ".wflint.yaml" if args.yaml else ".wflint.json"
            path = os.path.join(tmp, f"layered-{n}{suffix}")
            with open(path, "w") as handle:
                handle.write(to_yaml(doc) if args.yaml else json.dumps(doc))
            report = min(timed(["report", path, "--format", "json"]) for _ in range(args.repeat))
            check = min(timed(["check", path, "--fail-on", "never"]) for _ in range(args.repeat))
            rows.append((n, report, check))
    print(f"{'tasks':>8} {'report s':>9} {'check s':>8} {'growth':>7}")
    for i, (n, report, check) in enumerate(rows):
        growth = f"{report / rows[i - 1][1]:.1f}x" if i else ""
        print(f"{n:>8} {report:>9.2f} {check:>8.2f} {growth:>7}")
    by_size = {n: r for n, r, _ in rows}
    if 1000 in by_size and 10000 in by_size:
        print(f"report 1k → 10k growth: {by_size[10000] / by_size[1000]:.1f}x for 10x the tasks (goal < 15x); "
              f"10k in {by_size[10000]:.2f}s (goal < 2s)")


if __name__ == "__main__":
    main()
