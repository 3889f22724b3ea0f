"""The file could not be read as its format.

**What.** Invalid YAML/JSON/Python, a key the format does not have, a value of the wrong type or
form (a duration such as `2x`), a sentence in a brief that matches no known form.

**Why.** wflint reports what it cannot read rather than guessing; the rest of the run goes on.

**Example.**

```yaml
tasks:
  fetch: {duration: 2x}    # WFL001: tasks.fetch.duration: not a duration: '2x'
```

**Fix.** Correct the file; the message names the line and the key. No automatic fix.
"""
from __future__ import annotations

from collections.abc import Iterator

from wflint.finding import Finding, Severity
from wflint.rule import Context, rule


@rule("WFL001", "parse-error", Severity.ERROR, needs_analysis=False)
def check(ctx: Context) -> Iterator[Finding]:
    return iter(())  # a file that cannot be read has no workflow: ``ParseError.finding`` reports it
