"""The run model (issue 12 bullet 6): a matrix job takes as many places under the concurrent-job
cap as instances run at once (its expanded matrix, or `max-parallel`); the cap is configurable and
the report names the one it used."""
from __future__ import annotations

from helpers import workflow

from wflint.analysis import analyze
from wflint.config import Config
from wflint.facets import Instances
from wflint.report import build_report


def ci(max_parallel: str = "") -> str:
    jobs = "".join(f"  lint{i}: {{runs-on: x, steps: [{{run: make lint{i}}}]}}\n" for i in range(8))
    strategy = "    strategy:\n      matrix:\n        os: [a, b, c, d]\n        py: ['3.10', '3.11', '3.12', '3.13']\n"
    strategy += "        exclude: [{os: a, py: '3.10'}]\n        include: [{os: e, py: '3.13'}]\n"
    strategy += f"      max-parallel: {max_parallel}\n" if max_parallel else ""
    return f"on: push\njobs:\n  test:\n    runs-on: x\n{strategy}    steps: [{{run: make test}}]\n{jobs}"


def test_a_matrix_expands_with_include_and_exclude_and_respects_max_parallel():
    assert workflow(ci()).tasks["test"].facet(Instances) == Instances(at_once=16, total=16)
    assert workflow(ci("4")).tasks["test"].facet(Instances) == Instances(at_once=4, total=16)


def test_matrix_instances_count_against_the_concurrent_job_cap():
    full = analyze(workflow(ci()))  # 16 instances + 8 jobs > 20 (GitHub Free): some jobs wait a round
    assert full.current.makespan == 1200 and full.current.waits.get("concurrency")
    assert analyze(workflow(ci("4"))).current.makespan == 600  # 4 + 8 fit


def test_the_cap_is_configurable_and_the_report_names_it():
    wf = workflow(ci())
    Config(concurrency=40, path="wflint.toml").apply(wf)
    assert analyze(wf).current.makespan == 600
    limit = build_report(analyze(wf))["resource_check"]["concurrency"]
    assert limit == {"limit": 40, "source": "limits.concurrency in wflint.toml", "peak_optimized": 24}
    default = build_report(analyze(workflow(ci())))["resource_check"]["concurrency"]
    assert default["limit"] == 20 and "GitHub Free" in default["source"] and default["peak_optimized"] <= 20


def test_every_report_format_names_the_cap_it_used():
    from wflint.render.markdown import report_markdown
    from wflint.render.text import report_text

    wf = workflow(ci())
    Config(concurrency=40, path="wflint.toml").apply(wf)
    report = build_report(analyze(wf))
    assert "Concurrency cap: 40 task(s) at once (limits.concurrency in wflint.toml)" in report_text(report)
    assert "| Concurrency | 40 tasks (limits.concurrency in wflint.toml) |" in report_markdown(report)
