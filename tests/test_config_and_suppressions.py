"""Configuration files and inline suppressions, as a user of ruff would expect them to behave."""
from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest
from conftest import FIXTURES, run

SAF = (FIXTURES / "rules" / "SAF001" / "bad.wflint.yaml").read_text()
SEQ = (FIXTURES / "rules" / "PAR001" / "bad-sequential.wflint.yaml").read_text()


def codes(result) -> list[str]:
    return [f["code"] for f in result.json()["findings"]]


def test_pyproject_config_found_by_walking_up(write, tmp_path):
    write("pyproject.toml", '[tool.wflint]\nignore = ["SAF001"]\n')
    path = write("flows/deep/w.wflint.yaml", SAF)
    assert codes(run("check", path, "--format", "json")) == []
    assert run("check", path).exit_code == 0


def test_wflint_toml_wins_over_pyproject_in_the_same_folder(write):
    write("pyproject.toml", '[tool.wflint]\nignore = ["SAF001"]\n')
    write("wflint.toml", 'select = ["SAF", "PAR"]\n')
    path = write("w.wflint.yaml", SAF)
    assert codes(run("check", path, "--format", "json")) == ["SAF001"]


def test_pyproject_without_a_wflint_table_is_passed_over(write):
    write("wflint.toml", 'ignore = ["SAF001"]\n')
    write("sub/pyproject.toml", '[project]\nname = "x"\n')
    path = write("sub/w.wflint.yaml", SAF)
    assert codes(run("check", path, "--format", "json")) == []


def test_cli_select_replaces_config_select_and_ignore_adds(write):
    write("wflint.toml", 'select = ["PAR"]\n')
    path = write("w.wflint.yaml", SAF)
    assert codes(run("check", path, "--format", "json")) == []
    assert codes(run("check", path, "--format", "json", "--select", "SAF")) == ["SAF001"]
    assert codes(run("check", path, "--format", "json", "--extend-select", "SAF")) == ["SAF001"]


def test_per_file_ignores_and_fail_on(write):
    write("wflint.toml", 'fail-on = "warning"\n[per-file-ignores]\n"legacy/*" = ["SAF"]\n')
    legacy = write("legacy/w.wflint.yaml", SAF)
    fresh = write("new/w.wflint.yaml", SAF)
    seq = write("new/seq.wflint.yaml", SEQ)
    assert codes(run("check", legacy, "--format", "json")) == []
    assert codes(run("check", fresh, "--format", "json")) == ["SAF001"]
    assert run("check", seq).exit_code == 1  # the config's fail-on = warning
    assert run("check", seq, "--fail-on", "error").exit_code == 0  # the command line wins
    assert run("check", fresh, "--exit-zero").exit_code == 0


def test_durations_limits_and_effects_from_config(write):
    write("wflint.toml", '[durations]\nfetch_crm = "5s"\ntask = "2s"\n'
                         '[limits]\nconcurrency = 1\n[limits.pools]\ndb = 1\n'
                         '[effects.fetch_tickets]\nwrites = ["crm:customers"]\n')
    path = write("w.wflint.yaml", SEQ)
    report = run("report", path, "--format", "json").json()
    tasks = {t["id"]: t for t in report["tasks"]}
    assert tasks["fetch_crm"]["duration_s"] == 5 and tasks["fetch_crm"]["duration_source"] == "configured"
    assert tasks["score"]["duration_s"] == 2 and tasks["score"]["duration_source"] == "configured"  # by kind
    # fetch_tickets now writes what fetch_crm reads: the pair is no longer independent.
    assert report["groups"] == []
    assert report["resource_check"]["concurrency"]["limit"] == 1


def test_measured_beats_configured(write):
    write("wflint.toml", '[durations]\nfetch_crm = "5s"\n')
    path = write("w.wflint.yaml", SEQ)
    timings = write("t.json", '{"fetch_crm": 7}')
    tasks = {t["id"]: t for t in run("report", path, "--format", "json", "--timings", timings).json()["tasks"]}
    assert tasks["fetch_crm"]["duration_s"] == 7 and tasks["fetch_crm"]["duration_source"] == "measured"


@pytest.mark.parametrize("toml, words", [
    ('colour = "red"\n', "colour: unknown key"),
    ('select = "PAR"\n', "select: expected a list of rule codes"),
    ('select = ["NOPE9"]\n', "unknown rule code or prefix: 'NOPE9'"),
    ('fail-on = "sometimes"\n', "fail-on: expected one of"),
    ('[durations]\nx = "soon"\n', "durations.x: not a duration"),
    ('[limits.apis]\ncrm = "lots"\n', "limits.apis.crm: not a rate"),
    ('[limits.pools]\ndb = 0\n', "limits.pools.db: expected a whole number"),
    ('[effects.x]\nowns = ["a"]\n', "effects.x.owns: unknown key"),
    ('select = [\n', "invalid config"),
])
def test_invalid_config_is_exit_2_naming_file_key_and_reason(write, toml, words):
    config = write("wflint.toml", toml)
    path = write("w.wflint.yaml", SAF)
    result = run("check", path)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(config) in lines[0] and words in lines[0], result.stderr


def test_config_schema_accepts_what_the_loader_accepts(write):
    import tomllib

    text = ('select = ["PAR", "SAF"]\nextend-select = ["GRA"]\nignore = ["GRA003"]\nfail-on = "warning"\n'
            '[per-file-ignores]\n"a/*" = ["SAF001"]\n[durations]\nx = "2s"\ny = 3\n'
            '[limits]\nconcurrency = 4\n[limits.apis]\ncrm = "10/s"\n[limits.pools]\ndb = 2\n'
            '[effects.x]\nreads = ["db:t"]\nindependent = true\n')
    config = write("wflint.toml", text)
    path = write("w.wflint.yaml", SAF)
    assert run("check", path, "--config", config).exit_code == 1
    schema = json.loads(resources.files("wflint").joinpath("schemas/config.schema.json").read_text())
    jsonschema.validate(tomllib.loads(text), schema)


def test_suppression_on_the_task_line_silences_and_unused_is_wfl002():
    result = run("check", FIXTURES / "rules" / "WFL002", "--format", "json")
    found = result.json()["findings"]
    assert [f["code"] for f in found] == ["WFL002", "WFL002"]
    assert "SAF002" not in codes(result)


def test_suppression_on_the_enclosing_task_key(write):
    text = ("current: graph\ntasks:\n  a: {duration: 1s}\n"
            "  b:   # wflint: ignore[PAR001] kept apart on purpose\n    duration: 1s\n    after:\n      - a\n")
    path = write("w.wflint.yaml", text)
    assert codes(run("check", path, "--format", "json")) == []
    unsuppressed = write("u.wflint.yaml", text.replace("# wflint: ignore[PAR001] kept apart on purpose", ""))
    (finding,) = run("check", unsuppressed, "--format", "json").json()["findings"]
    assert (finding["code"], finding["line"]) == ("PAR001", 7)  # reported on the `after` entry


def test_suppressing_all_codes_and_unused_blanket(write):
    path = write("w.wflint.yaml", "current: graph\ntasks:\n  a: {}  # wflint: ignore\n")
    assert codes(run("check", path, "--format", "json")) == ["WFL002"]
    assert codes(run("check", path, "--format", "json", "--ignore", "WFL002")) == []


def test_suppression_in_an_airflow_dag_on_the_operator_line(write):
    text = (FIXTURES / "rules" / "SAF001" / "bad-airflow.py").read_text()
    quiet = text.replace('SET amount = 0 WHERE amount < 0")',
                         'SET amount = 0 WHERE amount < 0")  # wflint: ignore[SAF001] fix is idempotent')
    assert quiet != text
    path = write("dags/orders.py", quiet)
    assert "SAF001" not in codes(run("check", path, "--format", "json", "--fail-on", "never"))
    loud = write("dags/orders_loud.py", text)
    assert "SAF001" in codes(run("check", loud, "--format", "json", "--fail-on", "never"))


def test_config_applies_to_every_format(write):
    write("wflint.toml", '[per-file-ignores]\n"dags/*" = ["SAF001"]\n"flows/*" = ["SAF"]\n')
    dag = write("dags/orders.py", (FIXTURES / "rules" / "SAF001" / "bad-airflow.py").read_text())
    n8n = write("flows/inserts.json", (FIXTURES / "rules" / "SAF001" / "bad-n8n-sibling-inserts.json").read_text())
    gha = write("ci/deploy.yml", (FIXTURES / "rules" / "SAF001" / "bad-gha-env.yml").read_text())
    assert "SAF001" not in codes(run("check", dag, "--format", "json", "--fail-on", "never"))
    assert "SAF001" not in codes(run("check", n8n, "--format", "json", "--fail-on", "never"))
    assert "SAF001" in codes(run("check", gha, "--format", "json", "--fail-on", "never"))


def test_exclude_and_gitignore_style_per_file_ignores(tmp_path):
    import shutil

    from conftest import FIXTURES

    (tmp_path / "flows" / "generated" / "deep").mkdir(parents=True)
    (tmp_path / "flows" / "legacy").mkdir()
    race = FIXTURES / "rules" / "SAF001" / "bad.wflint.yaml"
    for where in ("flows/main.wflint.yaml", "flows/generated/deep/x.wflint.yaml", "flows/legacy/old.wflint.yaml"):
        shutil.copy(race, tmp_path / where)
    (tmp_path / "wflint.toml").write_text('extend-exclude = ["flows/generated/"]\n'
                                          'per-file-ignores = { "flows/**/old.*" = ["SAF001"] }\n')
    out = run("check", tmp_path, "--format", "json", "--fail-on", "never").json()
    by_file = {}
    for f in out["findings"]:
        by_file.setdefault(f["path"].split("flows/")[-1], set()).add(f["code"])
    assert "generated/deep/x.wflint.yaml" not in by_file and out["summary"]["files"] == 2
    assert "SAF001" in by_file["main.wflint.yaml"] and "SAF001" not in by_file.get("legacy/old.wflint.yaml", set())
    named = tmp_path / "flows" / "generated" / "deep" / "x.wflint.yaml"
    assert run("check", named, "--format", "json", "--fail-on", "never").json()["summary"]["files"] == 1
    (tmp_path / "wflint.toml").write_text('extend-exclude = ["flows/generated/"]\nforce-exclude = true\n')
    assert "passed over" not in run("check", named, tmp_path / "flows" / "main.wflint.yaml").stderr
    assert run("check", named, "--format", "json", "--fail-on", "never",
               "--ignore-unknown").json()["summary"]["files"] == 0


def test_a_config_entry_that_names_no_task_is_a_warning_when_a_folder_is_checked(tmp_path):
    import shutil

    from conftest import FIXTURES

    shutil.copy(FIXTURES / "examples" / "customer-health.wflint.yaml", tmp_path)
    (tmp_path / "wflint.toml").write_text('[durations]\nfetch_crm = "4s"\nfetch_crn = "1s"\n'
                                          '[effects.dashbaord]\nwrites = ["x:y"]\n')
    folder = run("check", tmp_path, "--fail-on", "never")
    assert "durations.fetch_crn, effects.dashbaord name no task" in folder.stderr
    assert "durations.fetch_crm" not in folder.stderr
    named = run("check", tmp_path / "customer-health.wflint.yaml", "--fail-on", "never")
    assert "name no task" not in named.stderr


def test_a_file_level_ignore_silences_its_codes_in_the_whole_file(tmp_path):
    from conftest import FIXTURES

    race = (FIXTURES / "rules" / "SAF001" / "bad.wflint.yaml").read_text()
    path = tmp_path / "race.wflint.yaml"
    path.write_text("# wflint: ignore-file[SAF001] a known race, tracked elsewhere\n" + race)
    codes = [f["code"] for f in run("check", path, "--format", "json", "--fail-on", "never").json()["findings"]]
    assert "SAF001" not in codes and "WFL002" not in codes
    path.write_text("# wflint: ignore-file[SAF002]\n" + race)
    found = run("check", path, "--format", "json", "--fail-on", "never").json()["findings"]
    assert "SAF001" in [f["code"] for f in found]
    assert any(f["code"] == "WFL002" and "SAF002 suppresses nothing" in f["message"] for f in found)
