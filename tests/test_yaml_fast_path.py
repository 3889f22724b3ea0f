"""``load_yaml``'s fast way (libyaml's events, positions composed only when asked for) gives what
composing gives: the same values, the same error for a file it cannot read, the same positions."""
from __future__ import annotations

import pytest
from conftest import FIXTURES, corpus_dir
from hypothesis import given, settings
from hypothesis import strategies as st

from wflint import sourcemap
from wflint.errors import ParseError
from wflint.ir import Location

EDGES = [
    "on: push\n", "a: yes\nb: No\nc: ~\nd:\ne: 0x1F\nf: 1_000\ng: 1e3\nh: .inf\ni: -.5\nk: 2001-12-14\n",
    "a: !!int 3\nb: !!str 3\nc: ! 3\nd: !custom x\ne: !!float 1\nf: !!bool yes\n", "1: one\ntrue: t\nnull: n\n",
    "a: |\n  x\n  y\nb: >\n  z\n", "[1, 2, {a: b}]\n", "{a: [1, {b: c}], 'on': 'off'}\n", "%YAML 1.1\n---\na: 1\n",
    "--- !!map\na: 1\n", "a: 'it''s'\nb: \"\\t\\u00e9\"\n", "hello\n", "null\n", "---\n", "# only\n", "", "a: 1\n...\n",
    # each of these the fast way leaves to composing
    "<<: {a: 1}\n", "a: 1\na: 2\n", "a: 1\n---\nb: 2\n", "? [a]\n: 1\n", "a: &x 1\nb: *x\n", "a: *x\n",
    "a: &a [*a]\n", "a: [\n", "a: b: c\n", "a: \x01\n", "[" * 300 + "]" * 300 + "\n", "!!str 1: x\n",
]


def _outcome(load, text: str, merge: bool):
    try:
        value, index = load(text, merge)
    except ParseError as error:
        return "error", str(error), error.line, error.column
    return "read", repr(value), type(index) is sourcemap.SourceIndex


def _same(text: str) -> None:
    for merge in (True, False):
        fast = _outcome(lambda t, m: sourcemap.load_yaml(t, "w.yml", reject_merge_keys=m), text, merge)
        composed = _outcome(lambda t, m: sourcemap._composed(t, "w.yml", m), text, merge)
        assert fast == composed, text


@pytest.mark.parametrize("text", EDGES)
def test_edge_cases_read_as_composing_reads_them(text):
    _same(text)


def test_every_real_workflow_reads_the_fast_way_as_composed():
    paths = sorted(corpus_dir("gha").glob("*.yml")) + sorted(FIXTURES.rglob("*.y*ml"))
    fast = 0
    for path in paths:
        text = path.read_text(encoding="utf-8")
        _same(text)
        fast += sourcemap._plain_values(text) is not None
    assert fast > 0.9 * len(paths)  # the fast way is the usual one


def test_positions_are_the_composed_ones():
    text = (corpus_dir("gha") / sorted(p.name for p in corpus_dir("gha").glob("*.yml"))[0]).read_text()
    _, lazy = sourcemap.load_yaml(text, "w.yml")
    _, composed = sourcemap._composed(text, "w.yml", False)
    assert isinstance(composed, sourcemap.SpanIndex) and len(composed._spans) > 20
    for pointer in composed._spans:
        assert lazy.resolve(Location(pointer)) == composed.resolve(Location(pointer))


_SCALARS = st.sampled_from([0, 1, -3, 2.5, True, False, None, "on", "yes", "x", "", "1e3", "0x10", "a: b", "#c", "~",
                            "- d", "\u00e9", "1_0", "...", "null", "NO", "0o7", ".nan", "2020-01-01"])
_DOCS = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(st.sampled_from(["on", "a", "1", "true", "null", "k k", "\u00e9"]), inner, max_size=4),
                     max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(_DOCS, st.sampled_from([None, True, False]))
def test_dumped_documents_read_as_composed(value, flow):
    import yaml

    _same(yaml.safe_dump(value, default_flow_style=flow, allow_unicode=True))
