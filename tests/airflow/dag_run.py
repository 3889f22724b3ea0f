"""Run inside the Airflow venv: run every DAG of a folder once with ``dag.test()`` (in process, a
SQLite database in AIRFLOW_HOME) and write each task's final state and the run's as JSON.

Used only by the tests as the oracle of what a run does (trigger rules, skips, failures); wflint
itself never imports Airflow.
"""
import json
import sys
import warnings

warnings.simplefilter("ignore")


def main(folder: str, out_path: str) -> None:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=folder, safe_mode=False)
    out = {"import_errors": sorted(bag.import_errors), "runs": {}}
    for dag_id, dag in sorted(bag.dags.items()):
        run = dag.test()
        out["runs"][dag_id] = {"state": str(run.state),
                               "tasks": {ti.task_id: str(ti.state) for ti in run.get_task_instances()}}
    with open(out_path, "w") as handle:  # stdout carries Airflow's log lines
        json.dump(out, handle, indent=1, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
