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

from collections.abc import Iterator

from wflint.analysis.durations import fmt_seconds
from wflint.finding import Applicability, Confidence, Finding, Fix, Related, Severity
from wflint.rule import Context, rule


@rule("PAR101", "n8n-independent-http-requests", Severity.WARNING)
def check(ctx: Context) -> Iterator[Finding]:
    for batch in ctx.analysis.batches:  # the analysis groups them (linter/analysis/batches.py)
        group = batch.tasks
        names = ", ".join(ctx.task_name(t) for t in group)
        yield ctx.finding(
            f"HTTP Request nodes {names} do not depend on each other, but n8n runs them one after "
            f"another ({fmt_seconds(batch.sequential_s)}); one HTTP Request node fed one item per request "
            f"sends them all at once, about {fmt_seconds(batch.batched_s)} ({batch.duration_source} durations), "
            f"saving about {fmt_seconds(batch.saved_s)}. Its Batching option only spaces out request starts "
            f"and does not cap requests in flight: check the API's rate limit. If one of them returns several "
            f"items, the nodes after it run once per item today; keep that when regrouping",
            location=ctx.location_of(group[1]),
            tasks=tuple(group),
            related=tuple(Related(ctx.location_of(t), f"request {t}", t) for t in group[:1]),
            fix=Fix(Applicability.DISPLAY, "send the requests from one HTTP Request node fed one item per request"),
            saved_s=round(batch.saved_s, 6),
            duration_source=batch.duration_source,
            confidence=Confidence.MEDIUM,
        )
