"""``--jobs``: many files over worker processes give exactly what one process gives (pool.py)."""
from __future__ import annotations

import io
import os
import shutil
import signal
import sys
import time

import pytest
from conftest import FIXTURES, corpus_dir, run

from wflint import pool


@pytest.mark.parametrize("folder", ["gha", "n8n", "airflow"])
def test_workers_find_what_one_process_finds_in_the_same_order(folder):
    path = corpus_dir(folder)
    assert pool.workers_for(len(list(path.rglob("*.*"))), 2) == 2  # the pool is really used
    one = run("check", "--jobs", "1", "--preview", "--format", "json", path)
    two = run("check", "--jobs", "2", "--preview", "--format", "json", path)
    assert one.exit_code == two.exit_code
    assert one.json() == two.json()
    assert one.json()["summary"]["files"] > 2 * pool.MIN_FILES_PER_JOB


def test_sarif_fix_edits_are_made_in_the_workers():
    path = corpus_dir("gha")
    one = run("check", "--jobs", "1", "--format", "sarif", path)
    two = run("check", "--jobs", "2", "--format", "sarif", path)
    assert one.stdout == two.stdout and '"fixes"' in two.stdout


def test_fix_with_workers_writes_what_one_process_writes(tmp_path):
    source = corpus_dir("gha")
    for name in ("one", "two"):
        shutil.copytree(source, tmp_path / name / ".github" / "workflows")
        for copied in (tmp_path / name).rglob("*.yml"):
            copied.chmod(0o644)  # the corpus is read-only, and fix leaves read-only files alone
    one = run("fix", "--jobs", "1", tmp_path / "one")
    two = run("fix", "--jobs", "2", tmp_path / "two")
    assert one.stderr.replace("/one/", "/x/") == two.stderr.replace("/two/", "/x/")
    assert "fixed 0 findings" not in one.stderr
    written_one = {p.name: p.read_bytes() for p in (tmp_path / "one").rglob("*.yml")}
    written_two = {p.name: p.read_bytes() for p in (tmp_path / "two").rglob("*.yml")}
    assert written_one == written_two and written_one != {p.name: p.read_bytes() for p in source.glob("*.yml")}


def test_config_entries_matched_in_workers_count_as_used(tmp_path):
    spec = (FIXTURES / "examples" / "customer-health.wflint.yaml").read_text()
    for i in range(2 * pool.MIN_FILES_PER_JOB + 2):
        (tmp_path / f"w{i}.wflint.yaml").write_text(spec)
    (tmp_path / "wflint.toml").write_text('[per-file-ignores]\n"w3.wflint.yaml" = ["PAR001"]\n'
                                          '[tasks.fetch_crm]\nduration = "2s"\n')
    one = run("check", "--jobs", "1", tmp_path)
    two = run("check", "--jobs", "2", tmp_path)
    assert one.stdout == two.stdout
    assert "name no task" not in one.stderr and "name no task" not in two.stderr


def test_a_handful_of_files_stays_in_this_process():
    assert pool.workers_for(2 * pool.MIN_FILES_PER_JOB - 1, 8) == 1
    assert pool.workers_for(1000, 1) == 1


def test_jobs_must_be_a_positive_number():
    result = run("check", "--jobs", "0", FIXTURES / "examples")
    assert result.exit_code == 2 and "argument --jobs/-j: at least 1, not 0" in result.stderr


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_shown_on_a_terminal_for_long_runs_only(monkeypatch):
    from argparse import Namespace

    from wflint import cli

    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    show = cli._progress(Namespace(quiet=False))
    for done in range(1, 201):
        show(done, 200)
    assert terminal.getvalue().startswith("\rwflint: 25/200 files\rwflint: 50/200 files")
    assert terminal.getvalue().endswith("\rwflint: 200/200 files\r\x1b[K")  # the line is cleared at the end
    short = _Terminal()
    monkeypatch.setattr(sys, "stderr", short)
    show = cli._progress(Namespace(quiet=False))
    for done in range(1, 51):
        show(done, 50)
    assert short.getvalue() == ""
    assert cli._progress(Namespace(quiet=True)) is None
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert cli._progress(Namespace(quiet=False)) is None  # not a terminal


def test_summary_reports_are_made_in_the_workers(tmp_path):
    path = corpus_dir("gha")
    for jobs in ("1", "2"):
        run("check", "--jobs", jobs, path, "--exit-zero", "--summary-file", tmp_path / f"{jobs}.md", "--summary-report")
    one, two = ((tmp_path / f"{jobs}.md").read_text() for jobs in ("1", "2"))
    assert one == two and one.count("\n## Workflow analysis: ") >= 4  # the workflows with findings


def _parent_only(pid: int):
    return os.getpid() == pid


def test_results_come_in_order_whoever_made_them():
    parent = os.getpid()
    items = list(range(200))

    def work(i):  # this process's share is slower: the others take over part of it
        time.sleep(0.003 if _parent_only(parent) else 0.001)
        return i * i, os.getpid() == parent

    results = list(pool.map_in_order(work, items, 3))
    assert [r for r, _ in results] == [i * i for i in items]
    assert 0 < sum(here for _, here in results) < len(items)  # both this process and the others worked


def test_an_error_in_a_worker_is_raised_here_at_its_turn():
    parent = os.getpid()

    def work(i):  # this process is slow: item 30 is most likely a forked worker's
        if _parent_only(parent):
            time.sleep(0.005)
        if i == 30:
            raise ValueError("item 30")
        return i

    seen = []
    with pytest.raises(ValueError, match="item 30"):
        for result in pool.map_in_order(work, list(range(40)), 2):
            seen.append(result)
    assert seen == list(range(30))


def test_the_items_of_a_worker_killed_on_its_way_are_made_here():
    parent = os.getpid()

    def work(i):  # this process is slow: item 30 is most likely a forked worker's
        if _parent_only(parent):
            time.sleep(0.005)
        elif i == 30:
            os.kill(os.getpid(), signal.SIGKILL)
        return i

    assert list(pool.map_in_order(work, list(range(40)), 2)) == list(range(40))


def test_workers_are_stopped_when_the_results_are_not_all_taken():
    def work(i):
        time.sleep(0.001)
        return os.getpid()

    results = pool.map_in_order(work, list(range(400)), 2)
    next(results)
    results.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # no child left, not even a finished one


def test_workers_forked_before_a_fork_fails_are_stopped(monkeypatch):
    real_fork, forks = os.fork, []

    def fork_once():
        if forks:
            raise BlockingIOError("no more processes")
        forks.append(real_fork())
        return forks[-1]

    monkeypatch.setattr(os, "fork", fork_once)
    with pytest.raises(BlockingIOError):
        list(pool.map_in_order(lambda i: i, list(range(100)), 3))
    monkeypatch.undo()
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # the one forked worker was stopped and reaped
