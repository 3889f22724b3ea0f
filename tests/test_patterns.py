"""Guarded patterns (``wflint.patterns.guarded``): a pattern behind the fixed words every match of it
contains. A word left out of a guard would hide real matches, so each guard is held to its pattern
on strings generated from the pattern itself, and on the corpus's scripts."""
from __future__ import annotations

import importlib
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wflint.patterns import GUARDED, guarded

MODULES = ("wflint.adapters.gha.steps", "wflint.adapters.gha.targets")  # where guarded patterns live
for _module in MODULES:
    importlib.import_module(_module)
PATTERNS = list(GUARDED)


def test_the_adapters_guard_their_command_patterns():
    assert len(PATTERNS) >= 10


@pytest.mark.parametrize("guard", PATTERNS, ids=lambda g: g.pattern[:40])
def test_every_match_contains_a_guard_word(guard):
    raw = re.compile(guard.pattern, guard.flags)

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.from_regex(raw))
    def holds(text: str) -> None:
        for match in raw.finditer(text):
            assert any(word in match.group(0) for word in guard.words), (match.group(0), guard.words)
        assert [m.span() for m in guard.finditer(text)] == [m.span() for m in raw.finditer(text)]
        assert guard.findall(text) == raw.findall(text)
        assert bool(guard.search(text)) == bool(raw.search(text))

    holds()


def test_a_text_without_the_words_is_not_scanned():
    pattern = guarded(r"\bcargo\s+publish\b", "publish")
    GUARDED.remove(pattern)  # type: ignore[arg-type]  # a probe, not one of the adapters'
    assert pattern.search("cargo build") is None
    assert list(pattern.finditer("cargo build")) == []
    assert pattern.search("cargo  publish --dry-run").group(0) == "cargo  publish"  # type: ignore[union-attr]


def test_a_guard_is_case_sensitive():
    with pytest.raises(ValueError):
        guarded(r"publish", "publish", flags=re.I)
