"""The text helpers every finding and report line goes through take a shortcut for the common
case; each shortcut must give what the general way gives, on any text."""
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from wflint.display import markdown_safe
from wflint.finding import split_message
from wflint.render.mermaid import NodeIds

SYNTAX = st.lists(st.sampled_from(list("ab ;`()[]{}<>_-.é\n") + ["; ", "> ", "```", "\n> "]), max_size=30).map("".join)


def _split_by_scanning(text: str) -> tuple[str, str]:
    """The general way: cut at the first ``; `` outside brackets and backticks."""
    depth, quoted = 0, False
    for i, ch in enumerate(text):
        if ch == "`":
            quoted = not quoted
        elif quoted:
            continue
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
        elif ch == ";" and depth == 0 and text[i + 1:i + 2] == " ":
            return text[:i], text[i + 2:]
    return text, ""


@settings(max_examples=400, deadline=None)
@given(SYNTAX)
def test_split_message_cuts_where_scanning_cuts(text):
    assert split_message(text) == _split_by_scanning(text)


def test_split_message_keeps_a_cut_inside_brackets_or_code():
    assert split_message("a (x; y); z") == ("a (x; y)", "z")
    assert split_message("run `a; b`; then c") == ("run `a; b`", "then c")
    assert split_message("one sentence") == ("one sentence", "")


def _escape_by_parts(text: str) -> str:
    out, fenced = [], False
    for line in text.split("\n"):
        if line.startswith("```"):
            fenced = not fenced
            out.append(line)
            continue
        if fenced:
            out.append(line)
            continue
        quote = "> " if line.startswith("> ") else ""
        parts = line[len(quote):].split("`")
        for i in range(0, len(parts), 2):
            parts[i] = parts[i].replace("<", "&lt;").replace(">", "&gt;")
        out.append(quote + "`".join(parts))
    return "\n".join(out)


@settings(max_examples=400, deadline=None)
@given(SYNTAX)
def test_markdown_safe_escapes_as_the_general_way(text):
    assert markdown_safe(text) == _escape_by_parts(text)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(st.sampled_from(list("aZ09_-. é") + ["end", "class"]), max_size=6).map("".join), max_size=12))
def test_mermaid_ids_are_the_regex_ids(task_ids):
    expected, taken = {}, set()
    for task_id in task_ids:
        if task_id in expected:
            continue
        base = re.sub(r"\W+", "_", task_id, flags=re.ASCII).strip("_") or "task"
        if not base[0].isalpha() or base.lower() in {"end", "class"}:
            base = "t_" + base
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}_{n}"
        expected[task_id] = candidate
        taken.add(candidate)
    ids = NodeIds()
    assert {t: ids(t) for t in task_ids} == expected
