"""The plain-text brief as people write it (issue 15 item 1): the canonical question exactly as
given, and each form of the grammar with exact expected numbers."""
from __future__ import annotations

import time

import pytest
from conftest import CORPUS, run

CANONICAL = '''Current sequential task list:
"1. Fetch customer data from CRM (2s). 2. Fetch support tickets from Zendesk (3s). 3. Calculate customer health score (1s). 4. Send summary email (2s). 5. Update analytics dashboard (1s)."
Data dependencies:
"Task 3 needs Task 1 and Task 2. Task 4 needs Task 3. Task 5 needs Task 3. Tasks 1 and 2 are independent. Tasks 4 and 5 are independent (both need Task 3, not each other)."
API rate limits:
"CRM: 10 req/s, Zendesk: 5 req/s"
Infrastructure constraints:
"Single database connection pool (max 10)"
'''  # noqa: E501


def report(tmp_path, text: str) -> dict:
    path = tmp_path / "brief.wflint.txt"
    path.write_text(text)
    result = run("report", path, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return result.json()


def error(tmp_path, text: str) -> str:
    path = tmp_path / "brief.wflint.txt"
    path.write_text(text)
    result = run("report", path)
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    return result.stderr.strip()


def durations(data: dict) -> dict[str, float]:
    return {t["id"]: t["duration_s"] for t in data["tasks"]}


def assert_the_seed_answer(data: dict) -> None:
    assert (data["current_s"], data["optimized_s"], data["saved_s"], data["saved_pct"]) == (9, 6, 3, 33.3)
    assert [g["tasks"] for g in data["groups"]] == [["1", "2"], ["4", "5"]]
    assert all(a["ok"] for a in data["resource_check"]["apis"])
    (pool,) = data["resource_check"]["pools"]
    assert pool["size"] == 10 and pool["ok"]


def test_the_canonical_brief_exactly_as_written(tmp_path):
    assert_the_seed_answer(report(tmp_path, CANONICAL))


def test_the_shared_seed_brief():
    seed = CORPUS.parent / "seed-brief.txt"
    if not seed.is_file():
        pytest.skip(f"{seed} not found (it lives beside the repository in CI)")
    result = run("report", seed, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert_the_seed_answer(result.json())


def test_unquoted_one_per_line_and_grouped_subjects(tmp_path):
    data = report(tmp_path, "Current sequential task list\n1. A (1.5 min)\n2) B (250ms)\nTask 3: C (0.5 s)\n"
                            "Data dependencies\nTasks 2 and 3 need Task 1\n")
    assert durations(data) == {"1": 90, "2": 0.25, "3": 0.5}
    assert data["optimized_s"] == 90.5 and [g["tasks"] for g in data["groups"]] == [["2", "3"]]


def test_a_duration_after_the_title_without_brackets_and_items_numbered_with_a_bracket(tmp_path):
    data = report(tmp_path, "Current sequential task list\n1) Fetch invoices - 2s; 2) Email: 1.5 min. 3) Resize — 10 x 0.5s\n"
                            "4. Score rows 250ms. 5. Tag (CRM) 3 s.\nData dependencies\nTasks 2, 3, 4 and 5 need Task 1\n")
    assert durations(data) == {"1": 2, "2": 90, "3": 5, "4": 0.25, "5": 3}
    assert [t["name"] for t in data["tasks"]] == ["Fetch invoices", "Email", "Resize", "Score rows", "Tag (CRM)"]
    assert data["optimized_s"] == 92
    worded = report(tmp_path, "Current sequential task list\n1. Fetch data - takes about 2 seconds. 2. Email ~1s. "
                              "3. Score, approx. 1.5 min.\n")
    assert durations(worded) == {"1": 2, "2": 1, "3": 90}
    assert [t["name"] for t in worded["tasks"]] == ["Fetch data", "Email", "Score"]
    after_bracket = report(tmp_path, "Current sequential task list\n1) Fetch (top 3) rows (2s) 2) Email (1s)\n")
    assert durations(after_bracket) == {"1": 2, "2": 1}  # `(top 3) rows` is no item: `3)` is not at an item's start


def test_items_without_full_stops_split_at_the_next_number_and_never_merge_silently(tmp_path):
    data = report(tmp_path, "Current sequential task list\n1. Fetch 2 rows 2s 2. Email 1s 3. Log 250ms\n")
    assert durations(data) == {"1": 2, "2": 1, "3": 0.25}
    assert [t["name"] for t in data["tasks"]] == ["Fetch 2 rows", "Email", "Log"]
    message = error(tmp_path, "Current sequential task list\n1. A 2s 3. B 1s\n")  # 3 is not the next number
    assert "task 1: 'A 2s 3. B 1s' reads as more than one numbered item" in message


def test_a_task_without_a_duration_says_where_to_write_it(tmp_path):
    message = error(tmp_path, "Current sequential task list\n1. Fetch invoices. 2. Email (1s).\n")
    assert ":2:1:" in message and "task 1: no duration in 'Fetch invoices'" in message
    assert "'1. Fetch invoices (2s)'" in message


def test_per_item_work_after_the_title_without_brackets(tmp_path):
    data = report(tmp_path, "Current sequential task list\n1. Send 200 invoices - 0.5s each. 2. Resize images: 100 x 0.2s. "
                            "3. Score rows - 10ms per item for 300 items.\n")
    assert durations(data) == {"1": 100, "2": 20, "3": 3}


def test_work_per_item_is_the_whole_tasks_time(tmp_path):
    data = report(tmp_path, 'Current sequential task list:\n"1. Send 200 invoices (0.5s each). 2. Resize images '
                            '(100 × 0.2s). 3. Score rows (10ms per item for 300 items). 4. Resize more (50 x 1s)."\n')
    assert durations(data) == {"1": 100, "2": 20, "3": 3, "4": 50}


@pytest.mark.parametrize("sentence", ["Tasks 1 and 2 can run in parallel", "Tasks 1 and 2 could run at the same time",
                                      "Tasks 1 and 2 don't depend on each other", "Tasks 1 and 2 do not depend on one another"])
def test_independence_in_the_words_people_use_is_checked_like_are_independent(tmp_path, sentence):
    tasks = "Current sequential task list\n1. A (2s). 2. B (3s). 3. C (1s).\nData dependencies\n"
    data = report(tmp_path, tasks + f"Task 3 needs Task 1 and Task 2. {sentence}.\n")
    assert (data["current_s"], data["optimized_s"]) == (6, 4) and [g["tasks"] for g in data["groups"]] == [["1", "2"]]
    contradicted = error(tmp_path, tasks + f"Task 2 needs Task 1. {sentence}.\n")
    assert "tasks 1 and 2 are said to be independent, but task 2 depends on task 1" in contradicted


@pytest.mark.parametrize("limit", ["CRM: 10 req/s", "CRM API: 10 rps", "CRM - 10 req/s", "CRM 10/s", "CRM: 600 per minute",
                                   "CRM API limit: 10 requests/second", "CRM rate limit - 600 rpm"])
def test_a_rate_limit_in_the_forms_people_write(tmp_path, limit):
    data = report(tmp_path, "Current sequential task list\n1. Fetch accounts from CRM (2s). 2. Fetch tickets (3s).\n"
                            f"Data dependencies\nNone.\nAPI rate limits\n{limit}\n")
    assert [(a["name"], a["limit_per_s"], a["tasks"]) for a in data["resource_check"]["apis"]] == [("crm", 10, ["1"])]


@pytest.mark.parametrize("pool, name", [("Postgres pool of 10 connections", "postgres pool"), ("DB pool size 10", "db pool"),
                                        ("Max 10 database connections", "database connection pool"),
                                        ("Database connection pool: 10", "database connection pool"),
                                        ("Single database connection pool (max 10)", "database connection pool")])
def test_a_pool_in_the_forms_people_write(tmp_path, pool, name):
    data = report(tmp_path, "Current sequential task list\n1. Load rows into Postgres (2s). 2. Fetch tickets (3s).\n"
                            f"Data dependencies\nNone.\nInfrastructure constraints\n{pool}\n")
    assert [(p["name"], p["size"], p["tasks"]) for p in data["resource_check"]["pools"]] == [(name, 10, ["1"])]


@pytest.mark.parametrize("sentence, calls", [("Task 1 calls the CRM API twice", 2), ("Task 1 makes 3 calls to the CRM API", 3),
                                             ("Task 1 uses the CRM API", 1), ("Task 1 calls the CRM API 4 times", 4)])
def test_api_use_in_the_words_people_use(tmp_path, sentence, calls):
    data = report(tmp_path, "Current sequential task list\n1. Sync accounts (2s). 2. Fetch tickets (3s).\n"
                            f"Data dependencies\n{sentence}.\nAPI rate limits\nCRM: 10 req/s\n")
    assert [(a["name"], a["tasks"], a["calls_per_run"]) for a in data["resource_check"]["apis"]] == [("crm", ["1"], calls)]


@pytest.mark.parametrize("sentence", ["Task 2 reads the customer record that Task 1 writes",
                                      "Task 2 reads the customer record written by Task 1", "Task 2 reads what Task 1 writes"])
def test_a_read_of_what_another_task_writes_keeps_it_after_the_writer(tmp_path, sentence):
    data = report(tmp_path, "Current sequential task list\n1. A (2s). 2. B (3s). 3. C (1s).\n"
                            f"Data dependencies\n{sentence}.\n")
    assert (data["current_s"], data["optimized_s"]) == (6, 5)  # B waits for A; C runs beside them
    assert not any({"1", "2"} <= set(g["tasks"]) for g in data["groups"])


def test_an_effect_sentence_that_names_another_task_in_a_form_not_known_is_an_error(tmp_path):
    message = error(tmp_path, "Current sequential task list\n1. A (2s). 2. B (3s).\nData dependencies\n"
                              "Task 2 reads the table from Task 1.\n")
    assert "cannot read dependency 'Task 2 reads the table from Task 1'" in message  # not a resource named so


@pytest.mark.parametrize("sentence", ["Task 3 only needs Task 2", "Task 3 needs Task 2's output", "Task 3 needs Task 2 to finish",
                                      "Task 3 waits for Task 2 to complete"])
def test_a_dependency_in_more_of_the_words_people_use(tmp_path, sentence):
    data = report(tmp_path, f"Current sequential task list\n1. A (2s). 2. B (3s). 3. C (1s).\nData dependencies\n{sentence}.\n")
    assert (data["current_s"], data["optimized_s"]) == (6, 4)  # C after B; A beside them


def test_ranges_of_task_numbers(tmp_path):
    tasks = "Current sequential task list\n1. A (2s). 2. B (3s). 3. C (1s). 4. D (2s). 5. E (1s).\nData dependencies\n"
    data = report(tmp_path, tasks + "Task 3 needs Tasks 1-2. Tasks 4 to 5 need Task 3.\n")
    shape = (data["current_s"], data["optimized_s"], [g["tasks"] for g in data["groups"]])
    assert shape == (9, 6, [["1", "2"], ["4", "5"]])
    assert "tasks 3 to 1 is not a range of task numbers" in error(tmp_path, tasks + "Task 4 needs Tasks 3-1.\n")


def test_a_stated_independence_that_the_dependencies_contradict_is_an_error(tmp_path):
    message = error(tmp_path, "Current sequential task list\n1. A (1s). 2. B (1s). 3. C (1s).\n"
                              "Data dependencies\nTask 2 needs Task 1. Task 3 needs Task 2. Tasks 1 and 3 are independent.\n")
    assert ":4:" in message and "tasks 1 and 3 are said to be independent" in message


def test_effects_keep_writers_apart_and_readers_after(tmp_path):
    data = report(tmp_path, "Current sequential task list\n1. A (2s). 2. B (2s). 3. C (2s). 4. D (2s).\n"
                            "Data dependencies\nNone.\nTasks 1 and 2 both write the same record. "
                            "Task 4 reads what Task 3 writes. Task 1 reads the orders table.\n")
    assert data["groups"] == [] or all({"1", "2"} - set(g["tasks"]) and {"3", "4"} - set(g["tasks"])
                                       for g in data["groups"])
    assert data["optimized_s"] == 4  # 1 beside 3, then 2 beside 4: never the two writers, nor 4 before 3


def test_api_calls_pool_use_locks_and_a_cap(tmp_path):
    data = report(tmp_path, "Current sequential task list\n1. Pull accounts (1s). 2. Pull deals (1s). 3. Post ledger (1s). "
                            "4. Close books (1s).\nData dependencies\nTask 1 calls the CRM API 30 times. "
                            "Tasks 3 and 4 use the database pool.\nAPI rate limits\nCRM: 10 req/s\n"
                            "Infrastructure constraints\nSingle database connection pool (max 1)\n"
                            "Tasks 3 and 4 lock the ledger table.\nAt most 2 tasks at once\n")
    (api,) = data["resource_check"]["apis"]
    assert api["tasks"] == ["1"]
    (pool,) = data["resource_check"]["pools"]
    assert pool["tasks"] == ["3", "4"] and pool["size"] == 1
    assert not any({"3", "4"} <= set(g["tasks"]) for g in data["groups"])  # one lock, one connection


def test_a_sentence_that_matches_nothing_names_its_line_and_the_nearest_form(tmp_path):
    message = error(tmp_path, "Current sequential task list\n1. A (1s). 2. B (1s).\nData dependencies\n"
                              "Task 2 needs Task 1. Task 2 probably wants Task 1.\n")
    assert ":4:22:" in message and "cannot read dependency 'Task 2 probably wants Task 1'" in message
    assert "nearest form" in message


@pytest.mark.parametrize("section, line", [
    ("Current sequential task list", "1. " + "x" * 150_000),
    ("Data dependencies", "Task 1 needs " + "Task 2, " * 20_000),
    ("API rate limits", "CRM" * 50_000 + ": 10 req"),
    ("Infrastructure constraints", "pool (" * 25_000),
])
def test_a_huge_line_is_read_or_refused_in_linear_time(tmp_path, section, line):
    path = tmp_path / "brief.wflint.txt"
    path.write_text("Current sequential task list\n1. A (1s).\n" + f"{section}\n{line}\n")
    start = time.perf_counter()
    result = run("check", path)
    assert time.perf_counter() - start < 1.5
    assert "Traceback" not in result.stdout + result.stderr


def fanout_brief(tasks: str, deps: str = "", apis: str = "", infra: str = "") -> str:
    return (f"Current sequential task list\n{tasks}\nData dependencies\n{deps or 'None.'}\n"
            + (f"API rate limits\n{apis}\n" if apis else "") + (f"Infrastructure constraints\n{infra}\n" if infra else ""))


def test_per_item_work_fans_out_paced_by_its_apis_token_bucket(tmp_path):
    # 200 calls to Stripe (one per invoice, named in the title) against 25/s: 25 at once, the other
    # 175 at 25/s (7 s), then the last item's 0.5 s: 7.5 s instead of 100 s.
    data = report(tmp_path, fanout_brief("1. Fetch invoices from Stripe (200 × 0.5s). 2. Total them (1s).",
                                         "Task 2 needs Task 1.", "Stripe: 25 req/s"))
    (fan,) = data["fanouts"]
    assert (fan["task"], fan["items"], fan["fanned_s"], fan["paced_by"], fan["saved_s"]) == ("1", 200, 7.5, "stripe", 92.5)
    assert (data["current_s"], data["optimized_s"], data["saved_s"]) == (101, 8.5, 92.5)
    (api,) = data["resource_check"]["apis"]
    assert api["calls_per_run"] == 200 and api["ok"] and api["worst_window"]["sent"] <= api["worst_window"]["allowed"]
    assert data["stages_after"][0] == {"tasks": ["1"], "duration_s": 7.5, "fanned": {"1": 7.5}}
    assert any("token bucket" in r["text"] for r in data["recommendations"])


def test_per_item_work_fans_out_in_waves_of_its_pools_size(tmp_path):
    # 100 rows at 0.2 s each, four connections: 25 waves of 0.2 s = 5 s; the pool is never over-drawn.
    data = report(tmp_path, fanout_brief("1. Load 100 rows into Postgres (0.2s per item for 100 items). 2. Report (1s).",
                                         "Task 2 needs Task 1.", infra="Postgres pool (max 4)"))
    (fan,) = data["fanouts"]
    assert (fan["fanned_s"], fan["in_flight"], fan["paced_by"]) == (5, 4, "")
    assert data["optimized_s"] == 6
    (pool,) = data["resource_check"]["pools"]
    assert pool["tasks"] == ["1"] and pool["peak_optimized"] == 4 and pool["ok"]


def test_a_fan_out_that_does_not_shorten_the_plan_is_not_proposed(tmp_path):
    data = report(tmp_path, fanout_brief("1. Resize images (100 × 0.1s). 2. Train model (60s)."))
    assert data["fanouts"] == [] and data["optimized_s"] == 60


def test_calls_per_item_multiply_by_the_items(tmp_path):
    data = report(tmp_path, fanout_brief("1. Enrich leads (50 × 1s).", "Task 1 calls the CRM API 2 times per item.",
                                         "CRM: 10 req/s"))
    (api,) = data["resource_check"]["apis"]
    assert api["calls_per_run"] == 100
    assert data["fanouts"][0]["fanned_s"] == 10  # (100 - 10) / 10 + 1


def test_the_database_pool_means_the_one_database_pool_declared(tmp_path):
    data = report(tmp_path, fanout_brief("1. Fetch orders from Postgres (1s). 2. Fetch users (1s). 3. Write ledger (1s).",
                                         "Tasks 2 and 3 use the database pool.", infra="Postgres pool (max 2)"))
    (pool,) = data["resource_check"]["pools"]
    assert (pool["name"], pool["size"], pool["tasks"]) == ("postgres pool", 2, ["2", "3"])
    assert data["resource_check"]["pools_without_size"] == []
    named = report(tmp_path, fanout_brief("1. Fetch orders from Postgres (1s). 2. Fetch users (1s).",
                                          infra="Postgres pool (max 2)"))
    assert named["resource_check"]["pools"][0]["tasks"] == ["1"]  # the title names the pool's system


def test_a_pool_that_could_be_either_of_two_is_an_error(tmp_path):
    message = error(tmp_path, fanout_brief("1. A (1s). 2. B (1s).", "Tasks 1 and 2 use the database pool.",
                                           infra="Postgres pool (max 2). MySQL pool (max 3)."))
    assert ":4:" in message and "could mean the postgres pool or the mysql pool" in message


@pytest.mark.parametrize("sentence", ["Concurrency cap 3", "Max concurrency: 3", "At most 3 tasks at once",
                                      "No more than 3 tasks in parallel", "Up to 3 workers"])
def test_a_concurrency_cap_in_the_forms_people_write(tmp_path, sentence):
    data = report(tmp_path, fanout_brief("1. A (1s). 2. B (1s). 3. C (1s). 4. D (1s).", infra=sentence))
    assert data["resource_check"]["concurrency"]["limit"] == 3 and data["optimized_s"] == 2


def test_shorter_headings_in_a_file_named_as_a_brief(tmp_path):
    """`Tasks:`, `Dependencies:`, `Rate limits:`, `Constraints:` read in a *.wflint.txt; a plain .txt
    needs the canonical first heading to be taken for a brief at all (a README's `## Tasks` is not one)."""
    text = ("Tasks:\n1. Fetch from CRM (2s). 2. B (3s).\nDependencies:\nNone.\nRate limits:\nCRM: 10 req/s\n"
            "Constraints:\nAt most 2 tasks at once\n")
    data = report(tmp_path, text)
    assert (data["current_s"], data["optimized_s"]) == (5, 3)
    assert data["resource_check"]["concurrency"]["limit"] == 2
    plain = tmp_path / "notes.txt"
    plain.write_text(text)
    assert run("check", plain).exit_code == 2  # not a workflow wflint can read
