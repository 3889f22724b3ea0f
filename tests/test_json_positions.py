"""Positions in JSON: seeking along one pointer agrees with indexing every token of the file."""
from __future__ import annotations

import json

import pytest
from conftest import CORPUS, FIXTURES
from hypothesis import given, settings
from hypothesis import strategies as st

from wflint.ir import Location
from wflint.sourcemap import JsonIndex, JsonSeeker, json_offsets, json_seek

FILES = sorted(FIXTURES.rglob("*.json")) + (sorted((CORPUS / "n8n").glob("*.json")) if CORPUS.is_dir() else [])

keys = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6)
values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | keys,
                      lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
                      max_leaves=25)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_seek_finds_every_pointer_where_the_full_index_does(path):
    text = path.read_text(encoding="utf-8")
    offsets = list(json_offsets(text).items())
    seeker = JsonSeeker(text)  # one seeker for every lookup: its scans are reused
    assert [seeker.offset(p) for p, _ in offsets] == [o for _, o in offsets]
    for pointer, offset in offsets[::max(1, len(offsets) // 50)]:  # a fresh seek costs a pass: sample
        assert json_seek(text, pointer) == offset, pointer


@settings(max_examples=200, deadline=None)
@given(values, st.sampled_from([None, 0, 2, "\t"]), st.booleans())
def test_seek_agrees_on_any_json(value, indent, ascii_only):
    text = json.dumps(value, indent=indent, ensure_ascii=ascii_only)
    seeker = JsonSeeker(text)
    for pointer, offset in json_offsets(text).items():
        assert json_seek(text, pointer) == offset == seeker.offset(pointer), pointer


def test_missing_pointers_fall_back_to_the_nearest_ancestor():
    text = '{\n  "a": {"b": [1, 2]},\n  "a\\u0021": 3,\n  "d": 1, "d": 2\n}'
    assert json_seek(text, ("a", "b", 5)) is None and json_seek(text, ("zz",)) is None
    assert json_seek(text, ("a!",)) == text.index('"a\\u0021"')
    assert json_seek(text, ("d",)) == text.rindex('"d"')  # the last duplicate, as json.loads keeps
    index = JsonIndex(text)
    assert index.resolve(Location(("a", "b", 5))) == index.resolve(Location(("a", "b")))
    assert (index.resolve(Location(("a", "b", 1))).line, index.resolve(Location(("a", "b", 1))).column) == (2, 18)
