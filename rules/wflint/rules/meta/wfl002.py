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
    return iter(())  # decided after suppressions are applied; see ``for_directives``


def for_directives(path: str, directives, known_codes, selected) -> list[Finding]:
    info = check.rule_info
    out = []
    for d in directives:
        named = d.codes if d.codes is not None else ()
        unknown = [c for c in named if not any(k.startswith(c) for k in known_codes)]
        unused = [c for c in named if c not in unknown and not any(u.startswith(c) for u in d.used)
                  and any(selected(k) for k in known_codes if k.startswith(c))]
        if d.codes is None and not d.used:
            message = "suppression `wflint: ignore` suppresses nothing here"
        elif unknown:
            message = f"suppression names unknown code{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}"
        elif unused:
            message = f"suppression of {', '.join(unused)} suppresses nothing here"
        else:
            continue
        out.append(Finding(code=info.code, name=info.name, severity=info.severity, message=message,
                           path=path, line=d.line, column=d.column, tasks=(d.task,) if d.task else ()))
    return out
