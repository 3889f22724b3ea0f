"""n8n run data for ``--timings``: an execution from the API (``GET /executions/{id}?includeData=true``),
a saved execution, or ``n8n execute --rawOutput``.

Each node's ``runData`` entry lists its runs (a loop runs a node once per pass) with
``executionTime`` in milliseconds; n8n runs one node at a time, so the node's time is their sum.
"""
from __future__ import annotations


def run_durations(data) -> list[dict[str, float]] | None:
    """Seconds per node name, one dict per execution; None when ``data`` holds no n8n run data."""
    executions = data if isinstance(data, list) else [data]
    runs = [r for r in (_run_data(e) for e in executions) if r is not None]
    if not runs:
        return None
    return [{name: sum(_ms(run) for run in node_runs) / 1000 for name, node_runs in run_data.items()
             if isinstance(node_runs, list)} for run_data in runs]


def _run_data(execution) -> dict | None:
    """``runData`` where an export, the API or the CLI put it: data.resultData, resultData or the top."""
    node = execution
    for key in ("data", "resultData"):
        if isinstance(node, dict) and key in node and isinstance(node[key], dict):
            node = node[key]
    run_data = node.get("runData") if isinstance(node, dict) else None
    return run_data if isinstance(run_data, dict) else None


def _ms(run) -> float:
    value = run.get("executionTime") if isinstance(run, dict) else None
    return float(value) if isinstance(value, (int, float)) and value >= 0 else 0.0
