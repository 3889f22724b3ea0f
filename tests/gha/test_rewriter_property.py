"""Generated `needs:` shapes (scalar, flow, block; quotes, comments, spacing): removing any subset
leaves exactly the other entries, and every line outside the `needs:` key untouched."""
from __future__ import annotations

from helpers import workflow
from hypothesis import given, settings
from hypothesis import strategies as st

from wflint.adapters import gha
from wflint.edits import apply_edits
from wflint.finding import RemoveOrder

UPSTREAM = ["a", "b", "c", "d"]


@st.composite
def needs_block(draw):
    names = draw(st.lists(st.sampled_from(UPSTREAM), min_size=1, max_size=4, unique=True))
    quote = draw(st.sampled_from(["", "'", '"']))
    items = [f"{quote}{n}{quote}" for n in names]
    comment = draw(st.sampled_from(["", "  # why"]))
    style = draw(st.sampled_from(["scalar", "flow", "block"] if len(names) == 1 else ["flow", "block"]))
    if style == "scalar":
        text = f"    needs: {items[0]}{comment}\n"
    elif style == "flow":
        pad = draw(st.sampled_from(["", " "]))
        text = f"    needs: [{pad}{', '.join(items)}{pad}]{comment}\n"
    else:
        indent = draw(st.sampled_from(["      ", "    "]))
        text = "    needs:" + comment + "\n" + "".join(f"{indent}- {i}{comment}\n" for i in items)
    return names, text


@settings(max_examples=150, deadline=None)
@given(needs_block(), st.data())
def test_removing_any_subset_of_needs(shape, data):
    names, needs = shape
    gone = data.draw(st.lists(st.sampled_from(names), min_size=1, unique=True))
    head = "on: push\njobs:\n" + "".join(f"  {u}:\n    runs-on: x\n    steps: [{{run: {u}}}]\n" for u in UPSTREAM)
    tail = "    runs-on: x  # keep\n    steps:\n      - run: z\n"
    text = head + "  z:\n" + needs + tail
    old = workflow(text)
    changes = [RemoveOrder(u, "z") for u in gone]
    out = apply_edits(text, gha.rewrite(text, old, changes))
    new = workflow(out)
    assert gha.verify(old, new, changes) is None
    assert sorted(e.u for e in new.edges) == sorted(set(names) - set(gone))
    assert out.startswith(head + "  z:\n") and out.endswith(tail)
