"""Shared wording of the race rules (SAF001, SAF002) for tasks only partly resolved."""
from __future__ import annotations


def as_far_as_read(unresolved: list[str]) -> str:
    """`` (as far as wflint can read: `a` is only partly resolved)``, or "" when none is."""
    if not unresolved:
        return ""
    names = " and ".join(f"`{t}`" for t in unresolved)
    return f" (as far as wflint can read: {names} {'is' if len(unresolved) == 1 else 'are'} only partly resolved)"
