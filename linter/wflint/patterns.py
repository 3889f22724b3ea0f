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
from collections.abc import Iterator
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


GUARDED: list[_GuardedPattern] = []  # every guarded pattern made, for the test that holds each to its words


class _GuardedPattern:
    """A lazy pattern that first looks for the fixed words every match of it contains."""

    def __init__(self, pattern: str, flags: int, words: tuple[str, ...]) -> None:
        if flags & re.IGNORECASE or not words:
            raise ValueError("a guard is case-sensitive and needs at least one word")
        self.pattern, self.flags, self.words = pattern, flags, words
        self._compiled = lazy(pattern, flags)
        GUARDED.append(self)

    def _may_match(self, text: str) -> bool:
        return any(map(text.__contains__, self.words))  # map over a C method: no Python frame per word

    def search(self, text: str, *args: int) -> re.Match[str] | None:
        return self._compiled.search(text, *args) if self._may_match(text) else None

    def finditer(self, text: str, *args: int) -> Iterator[re.Match[str]]:
        return self._compiled.finditer(text, *args) if self._may_match(text) else iter(())

    def findall(self, text: str, *args: int) -> list[Any]:
        return self._compiled.findall(text, *args) if self._may_match(text) else []

    def __repr__(self) -> str:
        return f"guarded({self.pattern!r}, {', '.join(map(repr, self.words))})"


def guarded(pattern: str, *words: str, flags: int = 0) -> re.Pattern[str]:
    """``lazy(pattern, flags)`` for a pattern that runs on most scripts and matches few: ``words``
    are fixed strings of which every match contains at least one, so a text with none of them is
    answered by substring tests in C instead of a scan position by position. Only ``search``,
    ``finditer`` and ``findall``; tests/test_patterns.py holds each guard to its pattern."""
    return cast("re.Pattern[str]", _GuardedPattern(pattern, flags, words))
