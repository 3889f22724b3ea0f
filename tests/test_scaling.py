"""Scaling guards that count, not time: the pair-reachability oracle is exact in chunks, and the
conflict index asks one ancestor pass, never the full closure."""
import random

import pytest

from wflint.analysis import graph


def _random_dag(n: int, seed: int):
    rng = random.Random(seed)
    order = [f"n{i}" for i in range(n)]
    edges = [(order[i], order[j]) for j in range(n) for i in rng.sample(range(j), k=min(j, 2))]
    return order, graph.adjacency(order, edges)


def test_ancestor_pairs_is_exact_in_one_pass_and_in_small_chunks():
    order, (succ, pred) = _random_dag(300, 3)
    rank = {n: i for i, n in enumerate(order)}
    rng = random.Random(5)
    queries: dict[str, list[str]] = {}
    for _ in range(2000):
        a, b = sorted(rng.sample(order, 2), key=rank.__getitem__)
        queries.setdefault(b, []).append(a)
    truth = {(a, b) for b, ancestors in queries.items() for a in ancestors if graph.reaches(succ, a, b, rank)}
    assert truth and len(truth) < sum(map(len, queries.values()))  # both answers occur
    assert graph.ancestor_pairs(order, pred, queries) == truth
    assert graph.ancestor_pairs(order, pred, queries, budget_bits=64) == truth  # many chunks


def test_upstream_is_the_feeders_and_their_ancestors_from_the_floor():
    order, (succ, pred) = _random_dag(200, 9)
    rank = {n: i for i, n in enumerate(order)}
    feeders = ["n150", "n170"]
    found = graph.upstream(pred, feeders, rank, 100)
    expected = {m for m in order[100:] if m in feeders or any(graph.reaches(succ, m, f, rank) for f in feeders)}
    assert found == expected


def test_streamed_masks_equal_the_full_masks_and_keep_only_the_frontier():
    order, (succ, pred) = _random_dag(300, 11)
    bit = {n: i for i, n in enumerate(order)}
    below = dict(graph.streamed_masks(order[::-1], succ, bit))
    assert below == graph.descendant_masks(order, succ, bit)
    assert dict(graph.streamed_masks(order, pred, bit)) == graph.ancestor_masks(order, pred, bit)
    tracked = {n: i for i, n in enumerate(order[::7])}  # a few tracked nodes: the others add no bit
    assert dict(graph.streamed_masks(order[::-1], succ, tracked)) == graph.descendant_masks(order, succ, tracked)


TRICKY_PYTHON = '''"""Module docstring with a # hash and a ( bracket."""
import os

with DAG("big") as dag:
{body}
    t0 >> t1

other = 1; more = 2
'''

TRICKY_LINES = [
    't{i} = BashOperator(task_id="t{i}", bash_command="echo # ( {i}")',
    "s{i} = '''a triple\n    string spanning ( lines'''",
    "if {i} % 2:\n        x = [\n  1,\n    ]\n    else:\n        x = 2",
    "@decorator\n    def f{i}():\n        return {i}",
    "a{i} = 1; b{i} = 2",
    "c{i} = 1 + \\\n        2",
    "try:\n        pass\n    except ValueError:\n        pass\n    finally:\n        pass",
]


def test_python_parsed_in_pieces_is_the_whole_parse(monkeypatch):
    import ast

    from wflint.adapters.airflow import pieces

    monkeypatch.setattr(pieces, "LARGE", 0)
    body = "\n".join("    " + TRICKY_LINES[i % len(TRICKY_LINES)].format(i=i) for i in range(60))
    text = TRICKY_PYTHON.format(body=body)
    for piece in (1, 2, 3, 5, 8):
        monkeypatch.setattr(pieces, "PIECE", piece)
        got = pieces.parse_in_pieces(text, ast.parse)
        assert got is not None
        assert ast.dump(got, include_attributes=True) == ast.dump(ast.parse(text), include_attributes=True)
    top_level = "\n".join(TRICKY_LINES[i % len(TRICKY_LINES)].format(i=i).replace("\n    ", "\n") for i in range(30))
    got = pieces.parse_in_pieces(top_level + "\n", ast.parse)
    assert got is not None
    assert ast.dump(got, include_attributes=True) == ast.dump(ast.parse(top_level + "\n"), include_attributes=True)
    assert pieces.parse_in_pieces(text.replace("    c5 =", "\tc5 ="), ast.parse) is None  # tabs: parsed whole
    assert pieces.parse_in_pieces(text.replace("return 3", "return (3"), ast.parse) is None  # invalid: whole


TRICKY_YAML = '''on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo "a
          multi-line"
      - {uses: actions/checkout@v4, with: {fetch-depth: 0}}
  b:
    needs: [a]
    if: ${{ true }}
    env: {N: 1, F: 1.5, B: yes, Z: null, S: "1"}
    steps: []
'''


def test_yaml_built_from_events_is_the_composed_build():
    import yaml

    from wflint import sourcemap

    for reject in (False, True):
        streamed = sourcemap._Streamed.build(sourcemap._loader(), TRICKY_YAML, reject)
        assert streamed is not None
        build = sourcemap._Builder("w.yml", reject)
        value = build.value(yaml.compose(TRICKY_YAML, Loader=sourcemap._loader()), ())
        assert repr(streamed[0]) == repr(value)
        assert list(streamed[1].items()) == list(build.nodes.items())
    for irregular in ("a: &x 1\nb: *x\n", "a: 1\na: 2\n", "? [a]\n: 1\n", "---\na: 1\n---\nb: 2\n", "", "a: [1\n"):
        assert sourcemap._Streamed.build(sourcemap._loader(), irregular, True) is None


def _scale_shapes():
    import importlib.util
    import os

    spec = importlib.util.spec_from_file_location("scale", os.path.join(os.path.dirname(__file__), "..", "benchmarks",
                                                                        "scale.py"))
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SCALE = _scale_shapes()
GROUPED_AIRFLOW = '''from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.utils.task_group import TaskGroup

with DAG("grouped", schedule=None):
{body}
'''


def _grouped_airflow(n: int) -> tuple[str, str]:
    body = "\n".join(f'    with TaskGroup("g{i}"):\n        t{i} = BashOperator(task_id="t", bash_command="run")'
                     + (f"\n    t{i - 1} >> t{i}" if i else "") for i in range(n))
    return ".py", GROUPED_AIRFLOW.format(body=body)


def _garbage_after_checking(path: str) -> int:
    """Objects only the cyclic collector could free after reading and checking ``path``."""
    import gc

    from wflint.engine import check_workflow, load
    from wflint.rule import all_rules

    rules = list(all_rules().values())
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for workflow in load(path) or ():
            check_workflow(workflow, rules, preview=True)
        del workflow
        gc.collect()
        return len(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if enabled:
            gc.enable()


@pytest.mark.parametrize("shape", [*sorted(SCALE.SHAPES), "Airflow task groups"])
def test_reading_and_checking_leave_no_cycles_that_grow_with_the_file(shape, tmp_path):
    """The command runs with the cyclic collector off (cli), so a reader or rule that leaves its state
    in cycles keeps it to the end of the run: a large file's parse tree alongside its analysis."""
    make = _grouped_airflow if shape == "Airflow task groups" else SCALE.SHAPES[shape]
    _garbage_after_checking(SCALE.write_shape(str(tmp_path), shape, make, 30))  # what importing leaves
    small = _garbage_after_checking(SCALE.write_shape(str(tmp_path), shape, make, 100))
    large = _garbage_after_checking(SCALE.write_shape(str(tmp_path), shape, make, 400))
    assert large <= small + 20, (small, large)


def test_artifact_matching_looks_names_up_and_compares_wildcards_as_before(monkeypatch):
    """A download is matched against a workflow's uploads by lookup where neither has a wildcard
    (2,000 jobs each uploading and downloading compare a handful of names, not 4 million), with the
    same answer as comparing it with every upload."""
    import fnmatch

    from wflint.adapters.gha import edges

    names = {f"dist-{i}" for i in range(2000)} | {"wheels-*", "docs"}
    uploads = edges._Uploads(names)
    wanted = ("dist-7", "wheels-linux", "docs", "missing")
    expected = [any(edges._matches(w, m) for m in names) for w in wanted]
    calls = []
    real = fnmatch.fnmatchcase
    monkeypatch.setattr(edges.fnmatch, "fnmatchcase", lambda a, b: calls.append(1) or real(a, b))
    assert [uploads.match(w) for w in wanted] == expected == [True, True, True, False]
    assert len(calls) < 50
    assert uploads.match("dist-1?") and not uploads.match("nothing-*")  # a wildcard download: compared


def test_covered_names_by_index_are_those_a_scan_of_every_name_finds():
    """Airflow's ``covering_prefixes`` looks names up in an index (``_Names``); it was a scan of
    every name per effect, quadratic (unseen round 8: 55,000 SQL tasks, 430 s)."""
    from wflint.adapters.airflow.effects import _covered, _Names

    rng = random.Random(4)
    parts = ["p", "ds", "t1", "t2", "x"]
    names = sorted({f"sql:{rng.choice('ab')}/" + ".".join(rng.sample(parts, rng.randint(1, 3))) for _ in range(300)}
                   | {f"gs://b/{rng.choice(['day', 'night'])}/{rng.randint(0, 20)}.avro" for _ in range(100)})

    def scanned(resource: str) -> list[str]:
        if "://" in resource:
            prefix = resource.split("*")[0] if "*" in resource else resource
            return [n for n in names if n != resource and n.startswith(prefix)]
        conn, table = resource.split("/", 1)
        return [n for n in names if n != resource and n.startswith(conn + "/") and n.endswith("." + table)]

    index = _Names(names)
    for resource in names[::3] + ["gs://b/day/", "gs://b/night/1*.avro", "sql:a/t1", "sql:b/ds.t2"]:
        assert _covered(resource, index) == scanned(resource), resource


def test_a_task_fanned_out_to_thousands_has_its_orderings_checked_without_a_walk_each(monkeypatch):
    """GRA003 asks "is u → v implied?" only of a v with another way in: each of a wave's copies,
    ordered after one task alone, is answered at once (unseen round 8: coherentdevs' SQL waves,
    a walk of the whole fan-out per ordering)."""
    from wflint.adapters import airflow
    from wflint.engine import check_workflow
    from wflint.rule import all_rules

    body = "".join(f"    load_{w}_{i} = EmptyOperator(task_id='load_{w}_{i}')\n" for w in range(3) for i in range(200))
    body += "".join(f"    load_{w}_199 >> [{', '.join(f'load_{w + 1}_{i}' for i in range(200))}]\n" for w in range(2))
    text = f"from airflow.sdk import DAG\nfrom airflow.providers.standard.operators.empty import EmptyOperator\n" \
           f"with DAG('waves'):\n{body}"
    (wf,) = airflow.read("waves.py", text)
    calls = []
    real = graph.reaches
    monkeypatch.setattr(graph, "reaches", lambda *a, **k: calls.append(a[1:3]) or real(*a, **k))
    assert check_workflow(wf, [all_rules()["GRA003"]]).findings == []
    assert calls == []


def test_a_chain_of_lineage_reads_walks_only_between_each_read_and_its_source(monkeypatch):
    """n8n: each node of a 300-node chain reads `$('the one before').item`. Each reader's walk up
    stops at the connections out of the node it reads (it walked to the start: quadratic), and
    every such connection is still kept as a control edge (with the same edges before and after)."""
    import json

    from wflint.adapters import n8n
    from wflint.adapters.n8n import reader
    from wflint.ir import EdgeKind

    nodes = [{"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "position": [0, 0],
              "parameters": {}}]
    connections, prev = {}, "Start"
    for i in range(1, 300):
        value = "={{ $('" + prev + "').item.json.f }}"
        nodes.append({"name": f"n{i}", "type": "n8n-nodes-base.set", "typeVersion": 3.4, "position": [i * 10, 0],
                      "parameters": {"assignments": {"assignments": [{"id": str(i), "name": "f", "value": value,
                                                                      "type": "string"}]}}})
        connections[prev] = {"main": [[{"node": f"n{i}", "type": "main", "index": 0}]]}
        prev = f"n{i}"
    visited = []
    real = reader.reach

    def counted(*args):
        found = real(*args)
        if len(args) > 2:  # a walk kept within ranks: the lineage's
            visited.append(len(found))
        return found

    monkeypatch.setattr(reader, "reach", counted)
    (wf,) = n8n.read("chain.json", json.dumps({"nodes": nodes, "connections": connections}))
    assert len(visited) == 299 and max(visited) <= 2
    lineage = {(e.u, e.v) for e in wf.edges if e.kind is EdgeKind.CONTROL and "lineage" in e.detail}
    assert lineage == {(f"n{i - 1}", f"n{i}") for i in range(2, 300)}  # Start → n1 is a control edge already


def test_a_chain_of_gated_jobs_keeps_a_bounded_set_of_gates_per_job():
    """GitHub: 300 jobs, each needing the one before and gated by its `if:`. Every job would hold
    every gated job before it (quadratic); past ``_Gates.KEPT`` a job holds a marker, and every
    edge still carries the skip (a control edge: an ordering presumed needed)."""
    from wflint.adapters import gha
    from wflint.adapters.gha.edges import _Gates
    from wflint.ir import EdgeKind

    jobs = "".join(f"  j{i}:\n    runs-on: x\n" + (f"    needs: j{i - 1}\n    if: needs.j{i - 1}.result == 'success'\n"
                                                 if i else "    if: github.event_name == 'push'\n")
                   + f"    steps: [{{run: make {i}}}]\n" for i in range(300))
    (wf,) = gha.read(".github/workflows/w.yml", "on: push\njobs:\n" + jobs)
    assert all(e.kind is EdgeKind.CONTROL for e in wf.edges) and len(wf.edges) == 299
    gates = _Gates(wf.tasks, {f"j{i}": [f"j{i - 1}"] if i else [] for i in range(300)})
    assert gates.of("j299") is None and gates.of(f"j{_Gates.KEPT - 1}") == {f"j{i}" for i in range(_Gates.KEPT)}


def test_the_tasks_left_unordered_among_many_are_those_a_search_of_every_pair_finds():
    """``Analysis.unordered_among`` (SAF005's branches of a join): bit masks past 8 tasks, the
    same answer as asking ``ordered`` of each pair (a 2,000-branch join: 2 million searches)."""
    import json
    from itertools import combinations

    from wflint.adapters import spec
    from wflint.analysis import analyze

    rng = random.Random(17)
    for trial in range(20):
        n = rng.randint(12, 40)
        needs = {i: sorted({f"t{j}" for j in rng.sample(range(i), k=min(i, rng.randint(0, 2)))}) for i in range(n)}
        tasks = {f"t{i}": {"duration": "1s", **({"needs": needs[i]} if needs[i] else {})} for i in range(n)}
        (wf,) = spec.read("w.wflint.json", json.dumps({"name": "w", "current": "graph", "tasks": tasks}))
        analysis = analyze(wf)
        members = rng.sample(sorted(tasks), k=rng.randint(9, n))
        pairwise = {x for a, b in combinations(members, 2) if not analysis.ordered(a, b) for x in (a, b)}
        assert set(analysis.unordered_among(members)) == pairwise, trial


@pytest.mark.parametrize("jobs, tried", [(60, True), (1000, False)])
def test_the_dry_run_of_fixes_reads_at_most_its_budget(jobs, tried, tmp_path, monkeypatch):
    """``check`` tries each fix on the text; a rewriter may re-read the file per change (GitHub's
    does), so the budget counts the text once per change: one GitHub fix of 1,880 removed orderings
    on 1,000 jobs was a re-read per ordering, minutes of ``check --preview``. A small one is tried."""
    from wflint import engine

    read = []
    refused = engine._refused
    monkeypatch.setattr(engine, "_refused", lambda module, text, wf, fix: (
        read.append(len(text) * max(1, len(fix.changes))), refused(module, text, wf, fix))[1])
    monkeypatch.setattr(engine, "DRY_RUN_BUDGET", 2_000_000)
    shape = "GitHub layered needs"
    path = SCALE.write_shape(str(tmp_path), shape, SCALE.SHAPES[shape], jobs)
    [result] = engine.lint_paths([path], engine.Selection(preview=True))
    assert any(f.fix and len(f.fix.changes) > 1 for f in result.findings)
    assert bool(read) is tried and sum(read) <= 2_000_000
