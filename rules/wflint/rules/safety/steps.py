"""Shared reading of step lanes for the parallel-steps rules (SAF301–SAF303), from the ``Steps`` facet."""
from __future__ import annotations

from wflint.facets import Step, Steps
from wflint.finding import Related
from wflint.ir import Location, Task


def concurrent_steps(task: Task) -> tuple[dict[str, Step], dict[str, list[str]]]:
    """(steps by id, step id → the steps that may run at the same time as it)."""
    facet = task.facet(Steps)
    if facet is None:
        return {}, {}
    peers: dict[str, list[str]] = {}
    for a, b in facet.concurrent_pairs:
        peers.setdefault(a, []).append(b)
        peers.setdefault(b, []).append(a)
    return facet.by_id(), peers


def peer_locations(steps: dict[str, Step], others: list[str]) -> tuple[Related, ...]:
    """Related locations naming the steps that run concurrently with a finding's step."""
    return tuple(Related(Location(steps[o].pointer), f"runs concurrently: {steps[o].name}", o) for o in others)
