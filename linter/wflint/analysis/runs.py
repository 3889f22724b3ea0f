"""A workflow several triggers start, seen as the runs they start (issue 11 item 4).

An n8n workflow with two webhooks, or a GitHub workflow whose deploy job runs only on push, is
not one run: each trigger (each event) starts an execution of its own part of the graph. Judged
as one graph, its "current flow" is the sum of runs that never happen together and its critical
path crosses from one to the other. The adapters say which starts reach each task (``Starts``);
here the tasks are grouped into one run per distinct set of tasks, the starts that run the same
tasks being one run, and each run becomes a workflow of its own for the analysis and the report.
"""
from __future__ import annotations

from dataclasses import replace

from wflint.records import dataclass

from ..facets import StartNames, Starts
from ..ir import Workflow

MAX_RUNS = 12  # beyond this many distinct runs, the report keeps to the whole graph


@dataclass(frozen=True)
class Run:
    """One execution of a workflow: the starts that begin it and the part of the graph it runs."""

    started_by: tuple[str, ...]
    workflow: Workflow


def runs_of(workflow: Workflow) -> list[Run]:
    """The workflow's runs, first-task order; empty where it is one run (or the adapter cannot say)."""
    return [Run(started_by, _part(workflow, tasks)) for started_by, tasks in run_tasks(workflow)]


def run_tasks(workflow: Workflow) -> list[tuple[tuple[str, ...], frozenset[str]]]:
    """(the starts in words, the tasks) of each run, first-task order; empty where it is one run."""
    by_start = _tasks_by_start(workflow)
    if by_start is None or len(by_start) < 2:
        return []
    same = _starts_by_body(by_start)
    if len(same) < 2 or len(same) > MAX_RUNS:
        return []
    order = {t: i for i, t in enumerate(workflow.tasks)}
    runs = [(_wording(workflow, starts), frozenset(t for s in starts for t in by_start[s])) for starts in same.values()]
    return sorted(runs, key=lambda r: min(order[t] for t in r[1]))


def in_words(started_by: list[tuple[str, ...]]) -> str:
    """"the run 'X' starts", "the runs 'X' or 'Y' and 'Z' start": runs by the starts that begin them."""
    names = [" or ".join(f"'{s}'" for s in starts) for starts in started_by]
    if len(names) == 1:
        return f"the run {names[0]} starts"
    return f"the runs {', '.join(names[:-1])} and {names[-1]} start"


def _starts_by_body(by_start: dict[str, list[str]]) -> dict[frozenset[str], list[str]]:
    """Starts grouped by the tasks their runs reach besides the starts themselves: a manual trigger
    and a sub-workflow trigger in front of one chain start the same run."""
    same: dict[frozenset[str], list[str]] = {}
    for start, tasks in by_start.items():
        same.setdefault(frozenset(t for t in tasks if t not in by_start), []).append(start)
    return same


def _tasks_by_start(workflow: Workflow) -> dict[str, list[str]] | None:
    """start → the tasks its execution reaches, in the workflow's order; None where some task's
    starts are unknown. A task no start reaches belongs to no run."""
    by_start: dict[str, list[str]] = {}
    for t, task in workflow.tasks.items():
        starts = task.facet(Starts)
        if starts is None:
            return None
        for start in starts.starts:
            by_start.setdefault(start, []).append(t)
    return by_start


def _wording(workflow: Workflow, starts: list[str]) -> tuple[str, ...]:
    """The starts of one run in words (``StartNames``); a kind every one of whose starts begins
    this run is named alone ("push" rather than each branch and tag a push may be to)."""
    names = workflow.facet(StartNames)
    if names is None:
        return tuple(starts)
    of_kind: dict[str, set[str]] = {}
    for start, kind in names.kind.items():
        of_kind.setdefault(kind, set()).add(start)
    out: list[str] = []
    for start in starts:
        own = names.kind.get(start)
        whole = own is not None and of_kind[own] <= set(starts)
        out.append(own if whole and own is not None else names.wording.get(start, start))
    return tuple(dict.fromkeys(out))


def _part(workflow: Workflow, tasks: frozenset[str]) -> Workflow:
    """The workflow cut down to ``tasks``, the orderings between them and the engine's order of them."""
    model = workflow.execution_model
    return replace(workflow,
                   execution_model=replace(model, order=tuple(t for t in model.order if t in tasks)),
                   tasks={t: task for t, task in workflow.tasks.items() if t in tasks},
                   edges=[e for e in workflow.edges if e.u in tasks and e.v in tasks],
                   dangling=[d for d in workflow.dangling if d.task in tasks],
                   facets=dict(workflow.facets))
