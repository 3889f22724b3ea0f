"""n8n HTTP Request nodes that one multi-item HTTP Request node would send concurrently.

**What.** Two or more HTTP Request nodes with the same credential and no dependency between them
(no data, no conflicting write) run in one n8n execution, in series or on sibling branches.

**Why.** n8n runs one node at a time, so branching them saves nothing: their times add up. One
HTTP Request node fed one item per request sends all its requests at once (measured on n8n 2.8.4:
5 requests of 1 s each took 1.1 s). That is the one cheap form of real concurrency n8n has.
The node's *Batching* option only spaces out request starts; it does not cap how many requests
are in flight, so check the API's rate limit before merging many calls.

**Example.**

```text
Trigger → Get user (GET /users/1) → Get orders (GET /orders?user=1) → Merge
# Get orders does not read Get user's output: build two items {url} and send them from one node
```

**Fix.** Build one item per request (url, method, body) in a Set or Code node and feed them to a
single HTTP Request node; split the responses after it. Display only: the items' shape depends
on how later nodes read the responses.
"""
from __future__ import annotations

from typing import Iterator

from wflint.analysis import graph
from wflint.analysis.relax import alternatives
from wflint.analysis.durations import fmt_seconds
from wflint.finding import Applicability, Confidence, Finding, Fix, Related, Severity
from wflint.rule import Context, rule

HTTP_KINDS = ("n8n-nodes-base.httpRequest",)


@rule("PAR101", "n8n-independent-http-requests", Severity.WARNING)
def check(ctx: Context) -> Iterator[Finding]:
    wf = ctx.workflow
    if wf.format != "n8n":
        return
    relaxation = ctx.analysis.relaxation
    rank = relaxation.rank
    # Merging requests changes how often a node runs, not which data it sees: orderings that exist
    # only because a node runs once per item of its parent (control) do not count here.
    data = {(e.u, e.v) for e in wf.edges if e.kind.value in ("data", "implicit")}
    control = {(e.u, e.v) for e in wf.edges if e.kind.value == "control"} - data
    succ, _ = graph.adjacency(relaxation.order, [e for e in relaxation.strict_edges() if e not in control])
    by_credential: dict[str, list[str]] = {}
    for t in relaxation.order:
        task = wf.tasks[t]
        if task.kind in HTTP_KINDS and not task.attrs.get("disabled") and not task.dynamic \
                and (task.items or 1) == 1:
            by_credential.setdefault(str(task.attrs.get("credential", "")), []).append(t)
    for calls in by_credential.values():
        groups: list[list[str]] = []
        for t in calls:
            home = next((g for g in groups if all(_independent(succ, rank, m, t) and _together(wf, m, t)
                                                   for m in g)), None)
            if home is None:
                groups.append([t])
            else:
                home.append(t)
        for group in groups:
            if len(group) < 2:
                continue
            seconds = [ctx.analysis.duration[t] for t in group]
            saved = sum(seconds) - max(seconds)
            source = min((wf.tasks[t].duration.source.value for t in group), key=_weakness)
            names = ", ".join(ctx.task_name(t) for t in group)
            yield ctx.finding(
                f"HTTP Request nodes {names} do not depend on each other, but n8n runs them one after "
                f"another ({fmt_seconds(sum(seconds))}); one HTTP Request node fed one item per request "
                f"sends them all at once, about {fmt_seconds(max(seconds))} ({source} durations), saving "
                f"about {fmt_seconds(saved)}. Its Batching option only spaces out request starts and does "
                f"not cap requests in flight: check the API's rate limit. If one of them returns several "
                f"items, the nodes after it run once per item today; keep that when regrouping",
                location=ctx.location_of(group[1]),
                tasks=tuple(group),
                related=tuple(Related(ctx.location_of(t), f"request {t}", t) for t in group[:1]),
                fix=Fix(Applicability.DISPLAY, "send the requests from one HTTP Request node fed one item per request"),
                saved_s=round(saved, 6),
                duration_source=source,
                confidence=Confidence.MEDIUM,
            )


def _independent(succ, rank, a: str, b: str) -> bool:
    first, second = (a, b) if rank[a] < rank[b] else (b, a)
    return not graph.reaches(succ, first, second, rank)


def _together(wf, a: str, b: str) -> bool:
    """Both run in one execution for one item: same trigger, not alternative IF/Switch outputs."""
    ta, tb = wf.tasks[a].attrs, wf.tasks[b].attrs
    if "starts" in ta and "starts" in tb and not set(ta["starts"]) & set(tb["starts"]):
        return False
    return not alternatives(ta.get("routes") or {}, tb.get("routes") or {})


def _weakness(source: str) -> int:
    return -["measured", "configured", "declared", "default"].index(source)
