"""A suppression comment that suppresses nothing.

**What.** A `# wflint: ignore[CODE]` directive (or the same text in an n8n node's notes) where no
finding of that code is reported on its line or on the task it sits on, or that names a code
wflint does not have.

**Why.** Stale suppressions hide the next real finding on that line and mislead readers into
thinking a hazard was reviewed.

**Example.**

```yaml
tasks:
  fetch: {duration: 2s}   # wflint: ignore[SAF001] nothing conflicts here
```

**Fix.** Delete the directive, or correct the code it names. No automatic fix.
"""
from __future__ import annotations

from collections.abc import Iterator

from wflint.finding import Finding, Severity
from wflint.rule import Context, rule


@rule("WFL002", "unused-suppression", Severity.INFO, needs_analysis=False)
def check(ctx: Context) -> Iterator[Finding]:
    return iter(())  # decided where suppressions are applied: ``wflint.suppress.unused``
