"""The production DAGs of ``../shared/corpus/airflow`` against real Airflow (issue 14 item 6).

Each repository is loaded from a temporary copy by DagBag in the cached Airflow venv, with only the
third-party modules that venv lacks stubbed (``dagbag_stubbed.py``). For every DAG Airflow loads,
wflint's static graph is the same (task ids and edges), or wflint itself says its graph is partial
(coverage / WFL003): a difference wflint does not mark is a reader bug. The per-repository figures
are ``python benchmarks/airflow_oracle.py``.
"""
from __future__ import annotations

import sys

import pytest
from af_oracle import ROOT, airflow_python  # noqa: F401
from conftest import CORPUS

sys.path.insert(0, str(ROOT / "benchmarks"))
import airflow_oracle

# Floors measured on the corpus (benchmarks/airflow_oracle.py): a reader change that loses them fails.
EXACT_AT_LEAST = {"WordPress__openverse-catalog": 9, "Ferlab-Ste-Justine__clin-pipelines-dags": 29,
                  "Sage-Bionetworks-Workflows__orca-recipes": 21, "GoogleCloudPlatform__python-docs-samples": 21}


@pytest.fixture(scope="module")
def results(airflow_python):  # noqa: F811
    corpus = CORPUS / "airflow"
    if not all((corpus / name).is_dir() for name in airflow_oracle.REPOSITORIES):
        pytest.skip(f"the shared Airflow corpus is not at {corpus} (it lives beside the repository)")
    return {r.repository: r for r in airflow_oracle.run(corpus, airflow_python)}


def test_every_difference_from_airflow_is_marked_by_wflint(results):
    unmarked = [f"{name}: {dag}: {r.details[key]}" for name, r in results.items()
                for key, dag in ((k, k[1]) for k, v in r.verdicts.items() if v == "unmarked")]
    assert not unmarked, "\n".join(unmarked)


def test_no_dag_is_invented(results):
    invented = [(name, key) for name, r in results.items() for key in r.extra]
    assert not invented, invented


def test_the_repositories_own_code_is_followed(results):
    print("\n" + airflow_oracle.table(list(results.values())))
    for name, floor in EXACT_AT_LEAST.items():
        assert results[name].count("match") >= floor, airflow_oracle.table([results[name]])
    observatory = results["The-Academic-Observatory__academic-observatory-workflows"]
    assert len(observatory.verdicts) == 10  # every create_dag of config-example.yaml, built as its loader does
    # Read with DagParams' defaults. The platform's tasks (gke_delete_storage, its sensors) are stubs
    # that make none in this DagBag, while wflint keeps the order through them (presumed): those
    # DAGs are partial and say so, never unmarked.
    assert observatory.count("match") >= 4 and observatory.count("unmarked") == 0
    ferlab = results["Ferlab-Ste-Justine__clin-pipelines-dags"]
    assert ferlab.tasks_both >= 0.95 * ferlab.tasks_airflow  # operators and task groups of dags/lib
