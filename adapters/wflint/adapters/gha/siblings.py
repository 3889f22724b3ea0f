"""Races across workflows: jobs of the other workflow files of one repository that write the same
floating target (a named branch, the Pages site, an image tag written out) under another group
or none.

GitHub runs every workflow of a repository on its own; only one concurrency group key shared by
both keeps two of them from deploying at once. What a sibling file does is read from it the way
it is read alone, once per file version, and only its named floating targets and group keys are
kept. Each race is recorded once, in the file whose name sorts first.
"""
from __future__ import annotations

import os

from wflint.errors import ParseError
from wflint.facets import Concurrency, Publishing
from wflint.ir import Workflow
from wflint.records import dataclass

from .facts import JobFacts

# Targets that are one thing whatever the file: a branch of this repository, its Pages site, an
# image tag written out. An environment alone is not (one `production` often guards several
# services, one per workflow): two jobs in one environment are rivals only when they also deploy
# with the same tool (`deploy:wrangler`), and even then a guess, shown with --preview.
NAMED = ("git:", "pages", "registry:docker:")
ENVIRONMENT = "env:"


@dataclass(frozen=True)
class Writer:
    """A job that writes a floating target, with the group key that serializes it (if any)."""

    file: str
    job: str
    target: str
    group: str | None
    frequent: bool
    tools: tuple[str, ...] = ()  # an environment's writer: the deploy tools the job runs

    @property
    def by_environment(self) -> bool:
        """A rival found through an environment and a tool: a guess, never shown by default."""
        return bool(self.tools)


_SUMMARIES: dict[tuple[str, int, int], list[Writer]] = {}


def writers(workflow: Workflow, file: str) -> list[Writer]:
    """The jobs of ``workflow`` that write a named floating target."""
    out = []
    for job_id, task in workflow.tasks.items():
        facts, publishing = task.facet(JobFacts), task.facet(Publishing)
        if facts is None or publishing is None:
            continue
        concurrency = task.facet(Concurrency) or Concurrency()
        group = concurrency.group or concurrency.workflow_group
        tools = tuple(sorted({r for r, _, _ in facts.targets if r.startswith("deploy:")}))
        for resource, floating, _ in facts.targets:
            if floating is not True or any(c in resource for c in "*($"):
                continue
            if resource.startswith(NAMED):
                out.append(Writer(file, job_id, resource, group, publishing.frequent))
            elif resource.startswith(ENVIRONMENT) and tools:
                out.append(Writer(file, job_id, resource, group, publishing.frequent, tools))
    return out


def rivals(path: str, workflow: Workflow, read) -> dict[str, list[tuple[Writer, Writer]]]:
    """job → (its write, a sibling's write of the same target in another group), for siblings whose
    file name sorts after this one's (the race is reported once, in the first file)."""
    folder = os.path.dirname(os.path.abspath(path))
    if not folder.replace("\\", "/").endswith("/.github/workflows"):
        return {}
    mine = writers(workflow, os.path.basename(path))
    if not mine:
        return {}
    found: dict[str, list[tuple[Writer, Writer]]] = {}
    try:
        names = sorted(os.listdir(folder))
    except OSError:  # text read for a path with no folder behind it (a library caller)
        return {}
    for name in names:
        if name <= os.path.basename(path) or not name.endswith((".yml", ".yaml")):
            continue
        for theirs in _summary(os.path.join(folder, name), read):
            for own in mine:
                if own.target == theirs.target and not same_group(own.group, theirs.group) \
                        and (not own.by_environment or set(own.tools) & set(theirs.tools)):
                    found.setdefault(own.job, []).append((own, theirs))
    return found


def same_group(a: str | None, b: str | None) -> bool:
    """One key in both files: equal text that does not name the workflow (which differs)."""
    return a is not None and a == b and "github.workflow" not in a


def _summary(path: str, read) -> list[Writer]:
    try:
        stat = os.stat(path)
    except OSError:
        return []
    key = (path, stat.st_mtime_ns, stat.st_size)
    if key not in _SUMMARIES:
        try:
            with open(path, encoding="utf-8") as handle:
                workflows = read(path, handle.read())
        except (ParseError, OSError, UnicodeDecodeError):  # its own check reports it
            workflows = []
        _SUMMARIES[key] = [w for wf in workflows for w in writers(wf, os.path.basename(path))]
    return _SUMMARIES[key]
