"""`wflint check` over the example DAGs shipped in the Airflow wheels: no traceback, stable findings."""
from __future__ import annotations

import pytest
from af_oracle import airflow_python, example_dags  # noqa: F401
from conftest import run


@pytest.fixture(scope="module")
def examples(airflow_python, tmp_path_factory):  # noqa: F811
    return example_dags(airflow_python, tmp_path_factory.mktemp("corpus"))


def test_check_over_example_dags(examples, snapshot):
    # catch_exceptions=False in conftest.run: a traceback fails this test.
    result = run("check", examples, "--format", "json", "--fail-on", "never")
    assert result.exit_code == 0, result.stderr
    report = result.json()
    airflow_files = [p for p in examples.rglob("*.py") if "airflow" in p.read_text(encoding="utf-8")]
    assert report["summary"]["files"] >= len(airflow_files) - 5
    assert not [f for f in report["findings"] if f["code"] == "WFL001"]
    findings = sorted((f["path"].replace(str(examples) + "/", ""), f["line"], f["code"], f["confidence"],
                       f["message"]) for f in report["findings"])
    assert findings == snapshot
