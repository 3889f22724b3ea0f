"""Shared reading of step lanes for the parallel-steps rules (SAF301–SAF303).

Adapters that know steps record ``task.attrs["steps"]`` (dicts with an ``id``) and
``task.attrs["concurrent_pairs"]`` (step ids that may run at the same time).
"""
from __future__ import annotations

from wflint.ir import Task


def concurrent_steps(task: Task) -> tuple[dict[str, dict], dict[str, list[str]]]:
    """(steps by id, step id → the steps that may run at the same time as it)."""
    steps = {s["id"]: s for s in task.attrs.get("steps") or ()}
    peers: dict[str, list[str]] = {}
    for a, b in task.attrs.get("concurrent_pairs") or ():
        peers.setdefault(a, []).append(b)
        peers.setdefault(b, []).append(a)
    return steps, peers


def peer_locations(steps: dict[str, dict], others: list[str]):
    """Related locations naming the steps that run concurrently with a finding's step."""
    from wflint.finding import Related
    from wflint.ir import Location

    return tuple(Related(Location(steps[o]["pointer"]), f"runs concurrently: {steps[o]['name']}", o) for o in others)
