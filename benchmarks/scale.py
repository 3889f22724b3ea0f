"""How wflint's time grows with workflow size, and what one small check costs as a whole process.

Generates layered workflows (1,000 / 10,000 / 50,000 tasks; each task needs one or two tasks of
the layer before, some carry a needless `after`, tasks read and write a few hundred tables, some
call rate-limited APIs or hold pool slots) and times `wflint report` and `wflint check` on each as
separate processes, in one run. Prints seconds per size and the growth ratio between sizes.

    python benchmarks/scale.py [--sizes 1000,10000,50000] [--yaml]

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--yaml", action="store_true", help="write block YAML instead of JSON")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure; the best is kept")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
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
