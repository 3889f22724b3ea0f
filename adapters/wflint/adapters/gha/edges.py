"""What each `needs:` entry carries: data, a gate, or nothing but order (docs/architecture.md).

Data: ``needs.X.*`` (other than ``.result``), ``toJSON(needs)``, an artifact or cache key X makes
and the job takes, images through one registry, or outputs of a workflow wflint cannot read. Gate:
an upstream `if:` whose skip reaches the job only through this entry, an ``always()``/``failure()``
finalizer, a status check, publish-after-test. Only order-only entries may be relaxed.
"""
from __future__ import annotations

import fnmatch
from collections.abc import Sequence

from wflint.errors import ParseError
from wflint.ir import Dangling, Edge, EdgeKind, Location, Mode, Task, Workflow
from wflint.patterns import lazy

from .facts import JobFacts
from .steps import _all_text, _names

FINALIZER = lazy(r"\b(always|failure|cancelled)\s*\(\)")  # an `if:` that runs after failures
EXPRESSION = lazy(r"\$\{\{(.*?)\}\}")  # the body of each ${{ ... }}
# toJSON(needs) ends in "needs)". What must come before a word is a look-behind after it, so that
# every alternative starts with a literal: the pattern is scanned for those, not tried at every offset.
_AGGREGATE = lazy(r"needs(?<![\w.-]needs)(?:\.\*|\s*\)|\s*\}\})|Join\(\s*needs\b|join\(\s*needs\b")


def with_edges(workflow: Workflow, jobs: dict, tasks: dict[str, Task]) -> Workflow:
    """Add an edge per `needs:` entry (a dangling one per unknown job id)."""
    by_lower = {j.lower(): j for j in jobs}
    names_of = {j: _names(job.get("needs")) for j, job in jobs.items()}
    needs_of = {j: [by_lower[n.lower()] for n in names if n.lower() in by_lower] for j, names in names_of.items()}
    gating = _Gates(tasks, needs_of)
    sides = {j: _Side(task) for j, task in tasks.items()}
    uploaded = _Uploads({made for side in sides.values() for made in side.facts.artifacts_out})
    for job_id, job in jobs.items():
        if not names_of[job_id]:
            continue
        listed = isinstance(job.get("needs"), list)
        statement = Location(("jobs", job_id, "needs"))  # a list's entries are one statement
        # once per job, not per `needs:` entry: what it references of needs, what no step uploads
        references, aggregate = _references(job)
        down = sides[job_id]
        unmade = [w for w in down.facts.artifacts_in if not uploaded.match(w)]
        for i, need in enumerate(names_of[job_id]):
            where = Location(("jobs", job_id, "needs") + ((i,) if listed else ()))
            target = by_lower.get(need.lower())
            if target is None:
                workflow.dangling.append(Dangling(job_id, need, where, f"`needs: {need}` names no job"))
                continue
            if target == job_id:  # GitHub refuses such a file when it loads it
                pos = workflow.source.resolve(where)
                raise ParseError(workflow.path, f"job `{job_id}` needs itself", pos.line, pos.column)
            kind, detail = classify(sides[target], down, references, aggregate, gating.lost(target, job_id), unmade)
            workflow.edges.append(Edge(target, job_id, kind, where, detail, statement=statement))
    return workflow


def _references(job: dict) -> tuple[dict[str, list[str]], bool]:
    """What the job reads of `needs` (``needs_refs``) and whether it reads all of it, from every
    value of the job but its `needs:` list."""
    body = _all_text({k: val for k, val in job.items() if k != "needs"})
    return needs_refs(body), "needs" in body and bool(_AGGREGATE.search(body))


_NEEDS_REF = lazy(r"needs(?<!\wneeds)\s*(?:\.\s*([\w-]+)|\[\s*['\"]([\w-]+)['\"]\s*\])(\.\w+)?")


def needs_refs(body: str) -> dict[str, list[str]]:
    """job id (lower case) → what follows each ``needs.<id>`` in the job (``.outputs``, ``.result``)."""
    found: dict[str, list[str]] = {}
    if "needs" in body:
        for dotted, quoted, rest in _NEEDS_REF.findall(body):
            found.setdefault((dotted or quoted).lower(), []).append(rest)
    return found


class _Gates:
    """Skip propagation: a job is skipped when a job it needs is skipped, unless its own `if:` uses
    a status function. ``lost(u, v)``: the `if:`-gated jobs whose skip reaches v only through u.

    A job's gated ancestors are kept as a set up to ``KEPT`` of them; past that (a long chain of
    gated jobs, where every job would hold every one before it: quadratic) only the ``MANY``
    marker is, and an edge out of such a job is taken to carry a skip: an ordering presumed needed."""

    KEPT = 64

    def __init__(self, tasks: dict[str, Task], needs_of: dict[str, list[str]]) -> None:
        self.tasks, self.needs_of = tasks, needs_of
        self.memo: dict[str, frozenset[str] | None] = {}  # None: more than KEPT (``MANY``)
        self.counts: dict[str, dict[str, int] | None] = {}  # ``_shared``'s
        self.gated = any(_facts(task).condition for task in tasks.values())  # else no job is ever skipped

    def of(self, job: str, seen: frozenset = frozenset()) -> frozenset[str] | None:
        if job in self.memo:
            return self.memo[job]
        condition = _facts(self.tasks[job]).condition
        found: set[str] | None = {job} if condition else set()
        needs = self.needs_of[job]
        if needs and not FINALIZER.search(condition) and job not in seen:
            inner = seen | {job}  # once per job, not per need
            for up in needs:
                above = self.of(up, inner)
                joined = None if above is None or found is None else found | above
                found = None if joined is None or len(joined) > self.KEPT else joined
                if found is None:
                    break
        result = None if found is None else frozenset(found)
        self.memo[job] = result
        return result

    def lost(self, u: str, v: str) -> list[str]:
        if not self.gated:  # no job has an `if:`: no skip to lose
            return []
        mine = self.of(u)
        if mine is None:  # too many to tell apart: the skip of one of them may come only this way
            return [u] if _facts(self.tasks[u]).condition else ["a gated job before " + u]
        if not mine:  # no gated job before u: nothing to lose, whatever v's other needs bring
            return []
        shared = self._shared(v)
        if shared is None:  # what some need brings is not known: u's kept, the ordering presumed needed
            return sorted(mine)
        return sorted(g for g in mine if shared[g] == 1)  # u's alone

    def _shared(self, v: str) -> dict[str, int] | None:
        """gated job → how many of v's needs its skip reaches v through (None: one need has ``MANY``),
        once per job: a subtraction per `needs:` entry made a job of 2,000 needs quadratic."""
        if v not in self.counts:
            counts: dict[str, int] | None = {}
            for need in dict.fromkeys(self.needs_of[v]):
                theirs = self.of(need)
                if theirs is None or counts is None:
                    counts = None
                    break
                for g in theirs:
                    counts[g] = counts.get(g, 0) + 1
            self.counts[v] = counts
        return self.counts[v]


class _Side:
    """What ``classify`` reads of one job, found once: a job on either end of many `needs:`
    entries had its facts looked up, its permissions and its `if:` read again for each."""

    __slots__ = ("task", "facts", "reads", "cache_saves", "registries", "finalizer", "scopes")

    def __init__(self, task: Task) -> None:
        self.task = task
        self.facts = facts = _facts(task)
        self.reads: list[str] = []
        self.cache_saves: set[str] = set()
        for effect in task.effects:  # one pass, none for a job with no effects
            if effect.mode is Mode.READ:
                self.reads.append(effect.resource)
            elif effect.mode is Mode.WRITE and effect.resource.startswith("cache:"):
                self.cache_saves.add(effect.resource)
        self.registries = set(facts.registries)
        self.finalizer = bool(FINALIZER.search(facts.condition))
        self.scopes = _write_scopes(facts.permissions)


def classify(up: _Side, down: _Side, references: dict[str, list[str]], aggregate: bool,
             lost_gates: Sequence[str] = (), unmade: Sequence[str] = ()) -> tuple[EdgeKind, str]:
    """What the edge up→down carries, strongest first, with the reason in words. ``unmade``: the
    artifacts ``down`` downloads that no step wflint can read uploads."""
    u, v = up.task.id, down.task.id
    fu, fd = up.facts, down.facts
    refs = references.get(u.lower(), [])
    non_status = [r for r in refs if r.lower() != ".result"]
    if non_status:
        return EdgeKind.DATA, f"{v} reads needs.{u}{non_status[0] if non_status[0] else ''}"
    if aggregate:
        return EdgeKind.DATA, f"{v} reads every needed job's result (toJSON(needs) / needs.*)"
    shared = _shared_data(up, down)
    if shared:
        return EdgeKind.DATA, f"{v} downloads {shared} that {u} produces"
    if unmade and fu.unseen_actions:
        return EdgeKind.DATA, (f"{v} downloads artifact `{unmade[0]}`, which no step wflint can read uploads: "
                               f"an action {u} runs may")
    if fu.maybe_out and fd.maybe_in:
        return EdgeKind.DATA, f"{v} may read what {u} saves through an action wflint cannot see into"
    if up.task.opaque and (fd.artifacts_in or any(r.startswith("cache:") for r in down.reads)):
        return EdgeKind.DATA, f"{v} downloads artifacts or caches that {u} (a workflow wflint cannot read) may produce"
    registries = up.registries & down.registries
    if registries:
        return EdgeKind.DATA, f"{v} may use images {u} pushes to {', '.join(sorted(registries))}"
    if refs:
        return EdgeKind.CONTROL, f"{v} checks needs.{u}.result"
    if down.finalizer:
        return EdgeKind.CONTROL, f"{v} is a finalizer (if: {fd.condition.strip()}) that runs after {u}"
    if lost_gates:
        via = "" if len(lost_gates) == 1 and lost_gates[0] == u else f" through {u}"
        return EdgeKind.CONTROL, f"gate: {v} is skipped when {', '.join(lost_gates)} is skipped{via}"
    if fd.publish_like:
        return EdgeKind.CONTROL, f"gate: {v} publishes only after {u} succeeds"
    if down.scopes:  # it can change the repository or ship, by steps wflint cannot read the effect of
        return EdgeKind.CONTROL, f"gate: {v} can write {', '.join(down.scopes)} and runs only after {u} succeeds"
    if down.task.opaque:  # unknown effects are not none: it may publish or deploy
        return EdgeKind.CONTROL, f"gate: {v} calls a workflow wflint cannot read, which may publish, after {u} succeeds"
    return EdgeKind.ORDER, f"{v} waits for {u} and is skipped when it fails; no data passes"


_SHIPPING_SCOPES = ("contents", "packages", "deployments", "pages", "id-token", "actions", "attestations")


def _write_scopes(permissions) -> list[str]:
    """The token scopes a job may write with that publish or deploy (`write-all` is all of them)."""
    if isinstance(permissions, str):
        return list(_SHIPPING_SCOPES) if permissions.strip() == "write-all" else []
    if not isinstance(permissions, dict):
        return []
    return [s for s in _SHIPPING_SCOPES if str(permissions.get(s, "")).strip() == "write"]


def _shared_data(up: _Side, down: _Side) -> str:
    for wanted in down.facts.artifacts_in:
        for made in up.facts.artifacts_out:
            if _matches(wanted, made):
                return f"artifact `{made}`"
    for resource in down.reads:
        if resource in up.cache_saves:
            return f"`{resource}`"
    return ""


def _facts(task: Task) -> JobFacts:
    facts = task.facet(JobFacts)
    assert facts is not None, "every job the reader makes carries its JobFacts"
    return facts


class _Uploads:
    """The artifact names a workflow's steps upload, for "does any match this download?" in about
    constant time where neither side has a wildcard (a name with none is looked up, not compared
    with every upload of a 10,000-job workflow)."""

    def __init__(self, names: set[str]) -> None:
        self.plain = {n for n in names if not _WILDCARD.search(n)}
        self.patterns = [n for n in names if _WILDCARD.search(n)]

    def match(self, wanted: str) -> bool:
        if wanted in self.plain or any(_matches(wanted, m) for m in self.patterns):
            return True
        return bool(_WILDCARD.search(wanted)) and any(fnmatch.fnmatchcase(m, wanted) for m in self.plain)


_WILDCARD = lazy(r"[*?\[]")


def _matches(read: str, written: str) -> bool:
    return read == written or fnmatch.fnmatchcase(written, read) or fnmatch.fnmatchcase(read, written)
