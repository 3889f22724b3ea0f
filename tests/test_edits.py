"""Text edits (wflint.edits): applying them, refusing overlaps, an EditLog's steps kept as edits of
the original; and the fixer reading a file once per fix, plus once to verify each fix."""
from __future__ import annotations

import pytest
from conftest import FIXTURES, run
from hypothesis import given, settings
from hypothesis import strategies as st

from wflint.edits import EditLog, TextEdit, apply_edits, ordered, regions
from wflint.errors import RewriteError


def test_apply_edits_uses_offsets_into_the_given_text():
    text = "a: 1\nb: 2\nc: 3\n"
    edits = [TextEdit(10, 15, ""), TextEdit(0, 0, "# top\n"), TextEdit(8, 9, "20")]
    assert apply_edits(text, edits) == "# top\na: 1\nb: 20\n"
    assert apply_edits(text, []) == text
    assert apply_edits("ab", [TextEdit(1, 1, "x"), TextEdit(1, 1, "y"), TextEdit(1, 2, "")]) == "axy"


def test_overlapping_or_out_of_range_edits_are_refused():
    with pytest.raises(RewriteError, match="same text"):
        apply_edits("abcdef", [TextEdit(0, 3, "x"), TextEdit(2, 4, "y")])
    with pytest.raises(RewriteError, match="past the end"):
        apply_edits("abc", [TextEdit(2, 4, "")])
    with pytest.raises(ValueError):
        TextEdit(3, 2, "")


def test_regions_are_one_based_lines_and_columns():
    text = "x: 1\nafter: [a, b]\n"
    assert regions(text, [TextEdit(13, 16, "")]) == [
        {"start_line": 2, "start_column": 9, "end_line": 2, "end_column": 12, "text": ""}]


@st.composite
def steps(draw):
    text = draw(st.text("ab\n", max_size=20))
    log, current, plan = EditLog(text), text, []
    for _ in range(draw(st.integers(1, 5))):
        cuts = sorted(draw(st.lists(st.integers(0, len(current)), min_size=2, max_size=6)))
        edits = [TextEdit(cuts[i], cuts[i + 1], draw(st.text("XY", max_size=3))) for i in range(0, len(cuts) - 1, 2)]
        try:
            ordered(current, edits)
        except RewriteError:
            continue
        current = apply_edits(current, edits)
        plan.append(edits)
    return text, plan, log, current


@settings(max_examples=300, deadline=None)
@given(steps())
def test_an_edit_log_keeps_its_steps_as_edits_of_the_original(case):
    text, plan, log, expected = case
    for edits in plan:
        log.apply(*edits)
    assert log.text == expected
    kept = log.edits
    assert all(a.end < b.start for a, b in zip(kept, kept[1:]))  # apart: edits that meet are merged
    assert apply_edits(text, kept) == expected


def test_a_fix_reads_the_file_once_and_each_rewrite_once_to_verify(monkeypatch, tmp_path):
    from wflint.adapters import spec

    reads = []
    read = spec.read
    monkeypatch.setattr(spec, "read", lambda path, text: reads.append(text) or read(path, text))
    path = tmp_path / "bad-after.wflint.yaml"
    path.write_text((FIXTURES / "rules" / "PAR001" / "bad-after.wflint.yaml").read_text())
    result = run("fix", "--preview", path, "--select", "PAR001")
    assert "fixed 2 findings in 1 file" in result.stdout
    assert len(reads) == 3 and len(set(reads)) == 3  # the file, then each rewritten text once
    reads.clear()
    log = run("check", "--preview", FIXTURES / "rules" / "PAR001" / "bad-after.wflint.yaml", "--format", "sarif").json()
    fixes = [r for r in log["runs"][0]["results"] if "fixes" in r]
    assert len(reads) == 1 + len(fixes) == 3  # the file once, then each fix's rewrite to verify it
