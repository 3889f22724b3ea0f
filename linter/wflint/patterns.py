"""Regular expressions compiled on first use instead of at import.

An adapter holds dozens of module-level patterns (publishing commands, expressions, shell words);
compiling them all at import cost about a tenth of a ``wflint check`` on one small file, mostly
for patterns that file never reaches (issue 10 item 8: nothing heavy at import). ``lazy()`` keeps
the module-level constant and its use (``PATTERN.search(text)``) unchanged: the first call
compiles, binds the compiled pattern's methods onto the instance, and later calls go straight to
them.
"""
from __future__ import annotations

import re
from typing import Any, cast

_METHODS = ("match", "fullmatch", "search", "finditer", "findall", "sub", "subn", "split")


class _LazyPattern:
    def __init__(self, pattern: str, flags: int) -> None:
        self.pattern = pattern
        self.flags = flags

    def __getattr__(self, name: str) -> Any:
        """Reached only until the first use: compile, then serve every method from the compiled one."""
        if name.startswith("__"):
            raise AttributeError(name)
        compiled = re.compile(self.pattern, self.flags)
        for method in _METHODS:
            setattr(self, method, getattr(compiled, method))
        self.__dict__.update(groups=compiled.groups, groupindex=compiled.groupindex)
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy({self.pattern!r})"


def lazy(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)``, compiled when first used."""
    return cast("re.Pattern[str]", _LazyPattern(pattern, flags))
