"""Run inside the Airflow venv: load a folder with DagBag, write each DAG's tasks and edges as JSON.

Used only by the tests as the oracle; wflint itself never imports Airflow.
"""
import json
import os
import sys
import warnings

warnings.simplefilter("ignore")


def main(folder: str, out_path: str) -> None:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=folder, safe_mode=False)
    out = {"import_errors": {os.path.basename(k): v.strip().splitlines()[-1] for k, v in bag.import_errors.items()},
           "dags": {}}
    for dag_id, dag in sorted(bag.dags.items()):
        out["dags"][dag_id] = {
            "file": os.path.relpath(dag.fileloc, folder),
            "tasks": sorted(dag.task_dict),
            "edges": sorted([up, t.task_id] for t in dag.tasks for up in t.upstream_task_ids),
        }
    with open(out_path, "w") as handle:  # stdout carries Airflow's log lines
        json.dump(out, handle, indent=1, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
