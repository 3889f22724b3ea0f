"""Per group, what one failed branch should do and the engine's construct for it (issue 15 item 5)."""
from __future__ import annotations

from conftest import FIXTURES, SEED_BRIEF, run


def failures(path) -> dict[tuple[str, ...], str]:
    report = run("report", path, "--format", "json").json()
    return {tuple(r["tasks"]): r["partial_failure"] for r in report["recommendations"] if r["group"]}


def test_the_seed_brief_fails_together_where_the_join_reads_both_and_lets_side_effects_finish():
    found = failures(SEED_BRIEF)
    fetches, notifications = found[("1", "2")], found[("4", "5")]
    assert fetches.startswith("Calculate customer health score reads what every branch makes, so one failed "
                              "branch should fail the group.")
    assert "`await Promise.all([...])`" in fetches and "allSettled" not in fetches
    assert notifications.startswith("No task joins these branches, so one failing need not stop the others")
    assert "`Promise.allSettled([...])`" in notifications and "`asyncio.Semaphore(n)`" in notifications


def test_each_engine_names_its_own_construct():
    gha = failures(FIXTURES / "rules" / "PAR001" / "bad-gha.yml")
    assert all("On GitHub Actions: `if: ${{ !cancelled() }}`" in text for text in gha.values())
    n8n = failures(FIXTURES / "rules" / "PAR001" / "good-n8n-chain.json")
    assert all(text.endswith("In n8n: a node's error stops the execution (its default On Error: 'Stop Workflow'), "
                             "so the branches not yet run do not run, and a Merge joins the branches that ran.")
               for text in n8n.values())


def test_an_airflow_join_that_reads_every_branch_fails_the_group(tmp_path):
    dag = tmp_path / "dag.py"
    dag.write_text('''
from airflow.sdk import DAG, task

with DAG("fan", schedule=None):
    @task
    def start():
        return 1

    @task
    def left(x):
        return x

    @task
    def right(x):
        return x

    @task
    def both(a, b):
        return a + b

    s = start()
    a = left(s)
    b = right(s)
    b.set_upstream(a)  # a needless ordering: right only reads start
    both(a, b)
''')
    # a TaskFlow body is code wflint does not read: its effects are declared, or the group is not offered
    declared = "".join(f"[effects.{t}]\nindependent = true\n" for t in ("start", "left", "right", "both"))
    (tmp_path / "wflint.toml").write_text(declared)
    (text,) = failures(dag).values()
    assert text.startswith("both reads what every branch makes, so one failed branch should fail the group.")
    assert "In Airflow: `[b, c] >> d` with d's default `trigger_rule=\"all_success\"`" in text
