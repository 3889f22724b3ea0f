"""The DAG's own repository code, followed statically (issue 14 item 1): operator subclasses, task
group factories, helpers, ``functools.partial``, Enum ids, dataclass config, long loops; and what
cannot be followed is marked, never dropped. ``fixtures/airflow-repository`` is checked against DagBag."""
from __future__ import annotations

import sys

import pytest
from af_oracle import ROOT, airflow_python  # noqa: F401

from wflint.adapters import airflow
from wflint.analysis.coverage import coverage
from wflint.facets import Unresolved

sys.path.insert(0, str(ROOT / "benchmarks"))
import airflow_oracle

REPO = ROOT / "fixtures" / "airflow-repository"


def read(path):
    return {wf.name: wf for wf in airflow.read(str(path), path.read_text())}


def test_the_fixture_repository_loads_in_airflow_as_wflint_reads_it(airflow_python, tmp_path):  # noqa: F811
    layout = airflow_oracle.Layout(("dags",), ("dags",))
    real = airflow_oracle.dagbag(airflow_python, REPO, layout, tmp_path)
    assert real["import_errors"] == {}
    seen, unread = airflow_oracle.static(REPO)
    result = airflow_oracle.compare("fixture", real, seen, unread)
    verdicts = {dag: v for (_, dag), v in result.verdicts.items()}
    # `exports` comes from a loader that imports no airflow itself, only the repository's factory
    assert verdicts == {"feeds": "match", "many_partitions": "match", "reports": "marked", "exports": "match"}
    assert result.extra == []  # `backfill` is absent from Airflow, and wflint marks it conditional


def test_helpers_groups_partials_and_enum_ids_build_the_graph():
    feeds = read(REPO / "dags" / "pipeline.py")["feeds"]
    assert {"extract", "publish", "load_orders.shard_1", "load_refunds.shard_2", "check_refunds",
            "smoke_eu"} <= set(feeds.tasks)
    assert not coverage(feeds).partial
    edges = {(e.u, e.v) for e in feeds.edges}
    assert {("extract", "load_orders.shard_0"), ("load_orders.shard_1", "check_orders"),
            ("check_orders", "publish")} <= edges


def test_a_task_made_in_a_helper_is_reported_at_the_dag_files_call():
    feeds = read(REPO / "dags" / "pipeline.py")["feeds"]
    text = (REPO / "dags" / "pipeline.py").read_text().splitlines()
    line = feeds.source.resolve(feeds.tasks["check_orders"].location).line
    assert "check(feed)" in text[line - 1]


def test_a_repository_operator_class_is_opaque_whatever_its_name(tmp_path):
    (tmp_path / "ops.py").write_text(
        "from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator\n"
        "class PostgresOperator(KubernetesPodOperator):\n    pass\n")
    dag = tmp_path / "dag.py"
    dag.write_text("from airflow.sdk import DAG\nfrom ops import PostgresOperator\n"
                   "with DAG('d'):\n    PostgresOperator(task_id='t', sql='DROP TABLE a') >> "
                   "PostgresOperator(task_id='u', sql='SELECT 1 FROM b')\n")
    (wf,) = read(dag).values()
    assert wf.tasks["t"].opaque and wf.tasks["t"].effects == []  # a pod running psql, not Airflow's operator


def test_a_loop_longer_than_the_old_cut_is_read_whole():
    many = read(REPO / "dags" / "pipeline.py")["many_partitions"]
    assert len(many.tasks) == 601 and not coverage(many).partial


def test_a_condition_on_an_opaque_imported_name_keeps_the_dag_and_marks_it(tmp_path):
    dag = tmp_path / "dag.py"
    dag.write_text("from airflow.sdk import DAG\nfrom airflow.providers.standard.operators.empty import EmptyOperator\n"
                   "from settings_not_here import env\nif env == 'prod':\n    with DAG('only_prod'):\n"
                   "        EmptyOperator(task_id='a') >> EmptyOperator(task_id='b')\n")
    wf = read(dag)["only_prod"]
    seen = coverage(wf)
    assert seen.partial and any("condition at line 4" in why for why in seen.unresolved)


def test_what_cannot_be_followed_is_marked_with_its_reason():
    reports = read(REPO / "dags" / "partial.py")["reports"]
    seen = coverage(reports)
    assert seen.partial and any("call at line 12" in why for why in seen.unresolved)


def test_a_classic_operator_partial_expand_is_one_mapped_task(tmp_path):
    dag = tmp_path / "dag.py"
    dag.write_text("from airflow import DAG, XComArg\nfrom airflow.operators.bash import BashOperator\n"
                   "from airflow.operators.trigger_dagrun import TriggerDagRunOperator\nwith DAG('m'):\n"
                   "    pull = BashOperator(task_id='pull', bash_command='./pull.sh')\n"
                   "    TriggerDagRunOperator.partial(task_id='fan').expand(trigger_dag_id=XComArg(pull))\n")
    wf = read(dag)["m"]
    assert set(wf.tasks) == {"pull", "fan"} and {(e.u, e.v) for e in wf.edges} == {("pull", "fan")}
    assert not coverage(wf).partial


def test_each_dag_gives_its_own_reasons():
    dags = read(REPO / "dags" / "partial.py")
    reports, backfill = coverage(dags["reports"]).unresolved, coverage(dags["backfill"]).unresolved
    assert any("call at line 12" in why for why in reports) and not any("condition" in why for why in reports)
    assert any("condition at line 14" in why for why in backfill) and not any("call at" in why for why in backfill)


def test_dags_registered_through_globals_and_task_sets(tmp_path):
    dag = tmp_path / "dag.py"
    dag.write_text("from airflow import DAG\nfrom airflow.operators.bash import BashOperator\n"
                   "def make(name):\n    dag = DAG(dag_id=f'load_{name}')\n"
                   "    a, b, c = (BashOperator(task_id=t, bash_command='x', dag=dag) for t in 'abc')\n"
                   "    a >> set([b, c])\n    return dag\n"
                   "for name in ['eu', 'us']:\n    globals()[f'dag_{name}'] = make(name)\n")
    dags = read(dag)
    assert set(dags) == {"load_eu", "load_us"}
    assert {(e.u, e.v) for e in dags["load_eu"].edges} == {("a", "b"), ("a", "c")}


def test_an_ordering_made_in_a_helper_is_never_rewritten_in_the_dag_file(tmp_path):
    import shutil

    copy = tmp_path / "repo"
    shutil.copytree(REPO, copy)
    feeds = read(copy / "dags" / "pipeline.py")["feeds"]
    inner = next(e for e in feeds.edges if (e.u, e.v) == ("load_refunds.shard_0", "load_refunds.shard_1"))
    written = next(e for e in feeds.edges if (e.u, e.v) == ("check_orders", "publish"))
    assert inner.location.pointer[0] == "helper-edge" and written.location.pointer[0] == "edge"
    from wflint.finding import RemoveOrder

    assert not airflow.supports(feeds, RemoveOrder(inner.u, inner.v))


def test_nested_loops_past_the_unrolling_budget_are_marked_not_run_forever(tmp_path):
    dag = tmp_path / "dag.py"
    dag.write_text("from airflow.sdk import DAG\nfrom airflow.providers.standard.operators.empty import EmptyOperator\n"
                   "with DAG('nested'):\n    for a in range(5000):\n        for b in range(5000):\n"
                   "            x = a * b\n    EmptyOperator(task_id='start') >> EmptyOperator(task_id='end')\n")
    seen = coverage(read(dag)["nested"])
    assert seen.partial and any("too long to unroll" in why for why in seen.unresolved)


FACTORY = ROOT / "fixtures" / "airflow-repository-factory"


def test_a_factory_no_file_calls_is_read_with_its_defaults_as_airflow_builds_it(airflow_python, tmp_path):  # noqa: F811
    """``create_dag(dag_params)`` is called only by an external loader from ``config.yaml``: wflint
    reads it once with ``DagParams``'s defaults (the sources loop included) and says the DAG is
    partial; Airflow, given the loader's call, builds the same tasks and edges. Around the external
    ``check_dependencies()`` in ``chain()``, the other pairs still hold."""
    layout = airflow_oracle.Layout(("dags",), ("src",), factory_config="config.yaml")
    real = airflow_oracle.dagbag(airflow_python, FACTORY, layout, tmp_path)
    assert real["import_errors"] == {}
    seen, unread = airflow_oracle.static(FACTORY)
    result = airflow_oracle.compare("factory", real, seen, unread)
    assert result.verdicts == {("src/telescope.py", "telescope"): "match"}
    (wf,) = read(FACTORY / "src" / "telescope.py").values()
    assert ("process.load_south", "cleanup") in {(e.u, e.v) for e in wf.edges}
    assert coverage(wf).partial
    assert "create_dag" in wf.facet(Unresolved).reasons[0]


def test_a_loader_of_the_repositorys_factory_is_read_and_the_factory_alone_only_in_preview(tmp_path):
    """A file that imports no airflow but calls a repository module that does (``DAG =
    build_export_dag(...)``) is a DAG file to Airflow, which parses any file saying "airflow" and
    "dag": wflint reads it, through the factory. The factory module, which Airflow finds no DAG
    in, is read as if called; that it is partial is said only with --preview."""
    from wflint.engine import Selection, lint_paths

    loader = REPO / "dags" / "exports.py"
    assert airflow.sniff(str(loader), loader.read_text())
    (tmp_path / "util.py").write_text("def dag_name(x):\n    return x\n")
    other = tmp_path / "names.py"
    other.write_text("# airflow dag names\nfrom util import dag_name\n")
    assert not airflow.sniff(str(other), other.read_text())  # its import is no airflow module
    factory = str(REPO / "dags" / "lib" / "factory.py")
    default = lint_paths([factory], Selection())[0].findings
    preview = lint_paths([factory], Selection(preview=True))[0].findings
    assert [f.code for f in default] == [] and [f.code for f in preview] == ["WFL003"]
    alone = tmp_path / "repo" / "factory.py"  # no file of its repository calls it: said by default
    alone.parent.mkdir()
    (alone.parent / "pyproject.toml").write_text("")
    alone.write_text((REPO / "dags" / "lib" / "factory.py").read_text().replace("lib.operators.shell", "company"))
    assert [f.code for f in lint_paths([str(alone)], Selection())[0].findings] == ["WFL003"]


def test_copies_of_one_dag_made_by_a_loop_share_one_finding(tmp_path):
    """A loader that calls a factory once per config entry makes copies whose ids wflint cannot
    know: each copy is equally partial, and that is said once, for all of them."""
    from wflint.engine import Selection, lint_paths

    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "make.py").write_text(
        "from airflow.sdk import DAG\nfrom airflow.providers.standard.operators.bash import BashOperator\n"
        "from company import steps\n"
        "def make(conf):\n    with DAG(dag_id=conf.dag_id) as dag:\n"
        "        BashOperator(task_id='start', bash_command='./s.sh') >> steps(conf)\n    return dag\n")
    loader = tmp_path / "loader.py"
    loader.write_text("# airflow dags, one per feed\nfrom lib.make import make\nfrom company import Feed\n"
                      "for feed in [Feed('a'), Feed('b'), Feed('c')]:\n    globals()[feed.name] = make(feed)\n")
    (finding,) = lint_paths([str(loader)], Selection())[0].findings
    assert finding.code == "WFL003" and "the same in 3 workflows made here" in finding.full_message


@pytest.mark.parametrize("import_line", ["from sub import make_sub", "from sub import (\n    make_sub,\n)",
                                         "from sub \\\n    import make_sub"])
def test_a_factory_imported_over_several_lines_is_called_elsewhere(tmp_path, import_line):
    """A factory another file imports (on one line or in parentheses over several) and calls has a
    loader wflint reads: that the factory alone is partial is said only with --preview."""
    from wflint.engine import Selection, lint_paths

    (tmp_path / "pyproject.toml").write_text("")
    factory = tmp_path / "sub.py"
    factory.write_text("from airflow import DAG\nfrom airflow.operators.bash import BashOperator\n"
                       "def make_sub(parent, args):\n    sub = DAG(dag_id=f'{parent}.sub', default_args=args)\n"
                       "    BashOperator(task_id='t', bash_command='./t.sh', dag=sub)\n    return sub\n")
    (tmp_path / "parent.py").write_text(f"from airflow import DAG\n{import_line}\n"
                                        "with DAG('parent') as dag:\n    make_sub('parent', {{}})\n")
    assert [f.code for f in lint_paths([str(factory)], Selection())[0].findings] == []
    assert [f.code for f in lint_paths([str(factory)], Selection(preview=True))[0].findings] == ["WFL003"]


@pytest.mark.parametrize("factory, loader", [
    ("class Factory:\n    def build(self):\n        with DAG('by_method') as d:\n"
     "            BashOperator(task_id='a', bash_command='./a.sh')\n        return d\n",
     "from airflow import DAG\nfrom maker import Factory\n\ndag = Factory().build()\n"),
    ("def assemble(name):\n    with DAG(name) as d:\n        BashOperator(task_id='a', bash_command='./a.sh')\n"
     "    return d\n\n\ndef create_all():\n    return [assemble(n) for n in ['x', 'y']]\n",
     "# the airflow dags of every provider\nfrom maker import create_all\n\nDAGS = create_all()\n"),
])
def test_a_dag_made_through_a_method_or_another_function_a_loader_calls_is_no_finding(tmp_path, factory, loader):
    """The DAG is made inside a method, or a function only another function of the file calls: a
    file of the repository that imports and calls the class or that function reads it whole."""
    from wflint.engine import Selection, lint_paths

    (tmp_path / "pyproject.toml").write_text("")
    maker = tmp_path / "maker.py"
    maker.write_text("from airflow import DAG\nfrom airflow.operators.bash import BashOperator\n\n\n" + factory)
    assert [f.code for f in lint_paths([str(maker)], Selection())[0].findings] == ["WFL003"]  # no loader yet
    import wflint.adapters.airflow.imports as imports

    imports._CALLERS.clear()
    (tmp_path / "loader.py").write_text(loader)
    assert [f.code for f in lint_paths([str(maker)], Selection())[0].findings] == []


def test_an_unresolved_operand_in_a_helper_names_the_helpers_file_and_what_it_is(tmp_path):
    """A reason that quotes an operand of repository code says which file its line is in (the DAG
    file has no such line), and calls an object of the repository's class by its class."""
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "wrapper.py").write_text(
        "class Step:\n    def __init__(self, op):\n        self.op = op\n\n\n"
        "def link(*steps):\n    for i in range(len(steps) - 1):\n        steps[i] >> steps[i + 1]\n")
    dag_file = tmp_path / "my_dag.py"
    dag_file.write_text(
        "import pendulum\nfrom airflow import DAG\nfrom airflow.operators.empty import EmptyOperator\n"
        "from wrapper import Step, link\n\nwith DAG('w', start_date=pendulum.datetime(2024, 1, 1)):\n"
        "    link(Step(EmptyOperator(task_id='a')), Step(EmptyOperator(task_id='b')))\n")
    [wf] = read(dag_file).values()
    why = " ".join(coverage(wf).unresolved)
    assert "(`steps[i]` at line 8 of wrapper.py)" in why and "an object of the repository's class `Step`" in why
