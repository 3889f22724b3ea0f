"""Remove `needs` entries of the corpus one at a time (up to 6 per file, to keep the test fast):
each edit re-parses to exactly the intended graph and changes at most one line; and removing an
entry no expression refers to adds no actionlint error (the research's 'surgical edit' check)."""
from __future__ import annotations

from helpers import actionlint_errors, laid_out_corpus

from wflint.adapters import gha
from wflint.adapters.gha.rewriter import exact
from wflint.edits import apply_edits
from wflint.finding import RemoveOrder


def test_every_needs_entry_can_be_removed_exactly(tmp_path):
    before, after = {}, {}
    for path in sorted(p for p in laid_out_corpus().values() if p.suffix == ".yml"):
        text = path.read_text(encoding="utf-8")
        old = gha.read(str(path), text)[0]
        for edge in old.edges[:6]:
            change = [RemoveOrder(edge.u, edge.v)]
            new_text = apply_edits(text, gha.rewrite(text, old, change))
            new = gha.read(str(path), new_text)[0]
            assert exact(old, new, change) is None, (path.name, edge)
            changed = [line for line in new_text.splitlines() if line not in text.splitlines()]
            assert len(changed) <= 1, (path.name, edge, changed)  # a flow list is rewritten in place
            if path.name not in before and "needs." not in edge.detail and "toJSON" not in edge.detail:
                before[path.name], after[path.name] = text, new_text
    assert len(before) > 15
    old_errors = actionlint_errors(before, tmp_path / "before")
    new_errors = actionlint_errors(after, tmp_path / "after")
    for name in before:
        added = new_errors[name] - old_errors[name]
        assert not added, (name, added)
