"""Does analysis stay linear on the shapes real workflows take, not only on scale.py's five?

Each shape below is one idiom of its engine grown to n and to 4n tasks: a TaskFlow chain, a join
of thousands of branches, `xcom_pull` in templates, a chain of `$('X').item` reads, jobs gated by
`if:` or fanned into one job's `needs:`, a chain of Merges, a chain of IFs. It reads and checks
each (every rule, in this process, CPU time) and prints the time at both sizes and the growth: about
4x is linear, 16x quadratic. Quadratic paths these shapes found (and that are fixed) are in the
commit log; the ones still there are marked "superlinear".

    python benchmarks/growth.py [--sizes 500,2000] [--only taskflow,merges]
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import tempfile
import time


def taskflow_chain(n: int) -> tuple[str, str]:
    body = "".join(f"    v{i} = step(v{i - 1})\n" for i in range(1, n))
    return "w.py", ("import pendulum\nfrom airflow.decorators import dag, task\n\n@task\ndef step(x=None):\n"
                    "    return 1\n\n@dag(schedule=None, start_date=pendulum.datetime(2024, 1, 1))\ndef chain():\n"
                    f"    v0 = step()\n{body}\nchain()\n")


def wide_join(n: int) -> tuple[str, str]:
    tasks = "".join(f"    t{i} = BashOperator(task_id='t{i}', bash_command='run {i} > /data/out{i}.csv')\n" for i in range(n))
    return "w.py", ("from airflow import DAG\nfrom airflow.operators.bash import BashOperator\n"
                    "from airflow.operators.empty import EmptyOperator\nwith DAG('d', schedule=None):\n"
                    "    s = EmptyOperator(task_id='s')\n    e = EmptyOperator(task_id='e', trigger_rule='all_done')\n"
                    f"{tasks}    s >> [{', '.join(f't{i}' for i in range(n))}] >> e\n")


def template_pulls(n: int) -> tuple[str, str]:
    lines = [f"    t{i} = BashOperator(task_id='t{i}', bash_command='echo"
             + (f" {{{{ ti.xcom_pull(task_ids=\"t{i - 1}\") }}}}" if i else "") + "')" for i in range(n)]
    lines += [f"    t{i - 1} >> t{i}" for i in range(1, n)]
    return "w.py", "from airflow import DAG\nfrom airflow.operators.bash import BashOperator\nwith DAG('d', schedule=None):\n" \
        + "\n".join(lines) + "\n"


def _n8n(nodes: list[dict], connections: dict) -> tuple[str, str]:
    return "w.json", json.dumps({"nodes": nodes, "connections": connections})


def _node(name: str, kind: str, x: int, y: int, parameters: dict | None = None, version: float = 1) -> dict:
    return {"name": name, "type": f"n8n-nodes-base.{kind}", "typeVersion": version, "position": [x, y],
            "parameters": parameters or {}}


def _to(*targets: tuple[str, int]) -> list[dict]:
    return [{"node": node, "type": "main", "index": index} for node, index in targets]


def lineage_reads(n: int) -> tuple[str, str]:
    nodes, connections, prev = [_node("Start", "manualTrigger", 0, 0)], {}, "Start"
    for i in range(1, n):
        value = "={{ $('" + prev + "').item.json.f }}"
        nodes.append(_node(f"n{i}", "set", i * 10, 0, {"assignments": {"assignments": [
            {"id": str(i), "name": "f", "value": value, "type": "string"}]}}, 3.4))
        connections[prev] = {"main": [_to((f"n{i}", 0))]}
        prev = f"n{i}"
    return _n8n(nodes, connections)


def merge_chain(n: int) -> tuple[str, str]:
    nodes, connections = [_node("Start", "manualTrigger", 0, 0)], {"Start": {"main": [[]]}}
    for i in range(n // 2):
        nodes += [_node(f"h{i}", "httpRequest", 100, i * 10, {"url": f"https://x.test/{i}"}, 4.2),
                  _node(f"m{i}", "merge", 200, i * 10, {}, 3)]
        connections["Start"]["main"][0] += _to((f"h{i}", 0))
        connections[f"h{i}"] = {"main": [_to((f"m{i}", 0))]}
        if i:
            connections[f"m{i - 1}"] = {"main": [_to((f"m{i}", 1))]}
    return _n8n(nodes, connections)


def if_chain(n: int) -> tuple[str, str]:
    nodes, connections, prev = [_node("Start", "manualTrigger", 0, 0)], {}, "Start"
    for i in range(n // 2):
        nodes += [_node(f"if{i}", "if", i * 20, 0, {}, 2), _node(f"s{i}", "set", i * 20 + 10, 50, {}, 3.4)]
        connections[prev] = {"main": [_to((f"if{i}", 0))] + ([_to((f"s{i - 1}", 0))] if i else [])}
        prev = f"if{i}"
    connections[prev] = {"main": [_to((f"s{n // 2 - 1}", 0)), []]}
    return _n8n(nodes, connections)


def gated_jobs(n: int) -> tuple[str, str]:
    jobs = "".join(f"  j{i}:\n    runs-on: ubuntu-latest\n"
                   + (f"    needs: [j{i - 1}]\n    if: needs.j{i - 1}.outputs.go == 'true'\n" if i else "")
                   + "    outputs: {go: '${{ steps.s.outputs.go }}'}\n"
                   + "    steps:\n      - id: s\n        run: echo go=true >> $GITHUB_OUTPUT\n" for i in range(n))
    return ".github/workflows/w.yml", f"on: push\njobs:\n{jobs}"


def needs_fan_in(n: int) -> tuple[str, str]:
    jobs = "".join(f"  j{i}:\n    runs-on: ubuntu-latest\n    if: github.event_name == 'push'\n"
                   f"    steps: [{{run: make {i}}}]\n" for i in range(n))
    return ".github/workflows/w.yml", (f"on: push\njobs:\n{jobs}  all:\n    runs-on: ubuntu-latest\n"
                                       f"    needs: [{', '.join(f'j{i}' for i in range(n))}]\n    steps: [{{run: echo ok}}]\n")


SHAPES = {"taskflow": taskflow_chain, "join": wide_join, "pulls": template_pulls, "lineage": lineage_reads,
          "merges": merge_chain, "ifs": if_chain, "gates": gated_jobs, "fan-in": needs_fan_in}
KNOWN_SUPERLINEAR = {"merges": "n8n v0 order: the walk up from a Merge's other input",
                     "ifs": "n8n routes: every node below a chain of IFs holds each IF above it"}


def seconds(make, n: int) -> float:
    from wflint.analysis import analyze
    from wflint.engine import check_workflow, load
    from wflint.rule import all_rules

    name, text = make(n)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        start = time.process_time()
        for workflow in load(path, text=text) or []:
            check_workflow(workflow, list(all_rules().values()), False, analyze(workflow), text)
        return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="500,2000")
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    small, large = (int(s) for s in args.sizes.split(","))
    gc.disable()  # as the command runs
    print(f"{'shape':10} {small:>8} s {large:>8} s  growth")
    for label, make in SHAPES.items():
        if args.only and label not in args.only.split(","):
            continue
        a, b = seconds(make, small), seconds(make, large)
        note = f"  superlinear: {KNOWN_SUPERLINEAR[label]}" if label in KNOWN_SUPERLINEAR else ""
        print(f"{label:10} {a:10.2f} {b:10.2f}  {b / a:5.1f}x{note}", flush=True)


if __name__ == "__main__":
    main()
