"""The libcst rewriter on its own: exact output text, refusals, byte-identity when nothing applies."""
from __future__ import annotations

import pytest
from conftest import run

from wflint.adapters import airflow
from wflint.edits import apply_edits
from wflint.errors import RewriteError
from wflint.finding import RemoveOrder

HEAD = '''from airflow.sdk import DAG, Label, chain
from airflow.providers.standard.operators.empty import EmptyOperator as E

with DAG("d"):
    a, b, c, d, e = E(task_id="a"), E(task_id="b"), E(task_id="c"), E(task_id="d"), E(task_id="e")
'''


def rewrite(body: str, *removed: tuple[str, str]) -> str:
    text = HEAD + body
    (wf,) = airflow.read("dag.py", text)
    return apply_edits(text, airflow.rewrite(text, wf, [RemoveOrder(u, v) for u, v in removed]))[len(HEAD):]


def test_shift_chain_becomes_a_list():
    assert rewrite("    a >> b >> c >> d\n", ("b", "c")) == "    a >> [b, c] >> d\n"


def test_chain_call_becomes_a_list():
    assert rewrite("    chain(a, b, c, d)  # why\n", ("b", "c")) == "    chain(a, [b, c], d)  # why\n"


def test_parentheses_comments_and_labels_are_kept():
    body = ("    (\n"
            "        a  # start\n"
            "        >> Label(\"go\")\n"
            "        >> b  # first\n"
            "        >> c  # second\n"
            "        >> d\n"
            "    )\n")
    out = rewrite(body, ("b", "c"))
    assert out == ("    (\n"
                   "        a  # start\n"
                   "        >> Label(\"go\")\n"
                   "        >> [b,  # first\n"
                   "            c]  # second\n"
                   "        >> d\n"
                   "    )\n")
    compile(HEAD + out, "dag.py", "exec")


def test_run_at_the_start_and_two_runs():
    assert rewrite("    a >> b >> c >> d\n", ("a", "b")) == "    [a, b] >> c >> d\n"
    assert rewrite("    a >> b >> c >> d >> e\n", ("a", "b"), ("d", "e")) == "    [a, b] >> c >> [d, e]\n"
    with pytest.raises(RewriteError, match=r"`chain_linear\(\[a, b\], \[c, d\]\)` instead of `a >> b >> c >> d`"):
        rewrite("    a >> b >> c >> d\n", ("a", "b"), ("c", "d"))  # list >> list: display-only, exact code


def test_never_list_next_to_list():
    # Merging b, c next to the list [a, d] would write list >> list (a TypeError in Airflow).
    with pytest.raises(RewriteError):
        rewrite("    [a, d] >> b >> c\n", ("b", "c"))


def test_refuses_what_it_cannot_write():
    with pytest.raises(RewriteError, match="every ordering of `a >> b`.*; delete that statement by hand"):
        rewrite("    a >> b\n", ("a", "b"))  # would delete the whole statement
    with pytest.raises(RewriteError):
        rewrite("    a.set_downstream(b)\n    b >> c\n", ("a", "b"))
    with pytest.raises(RewriteError):
        rewrite("    a >> b >> c\n", ("a", "c"))  # not an edge of this statement


def test_file_without_applicable_fix_is_byte_identical(tmp_path):
    text = HEAD + "    a >> b  # keep\n" + "\n\n\n# trailing   \n"
    path = tmp_path / "dag.py"
    path.write_bytes(text.encode())
    run("fix", path, "--unsafe-fixes")
    assert path.read_bytes() == text.encode()


def test_fix_is_idempotent(tmp_path):
    text = HEAD.replace('E(task_id="a")', 'E(task_id="a")') + "    chain(a, b, c, d)\n"
    path = tmp_path / "dag.py"
    path.write_text(text)
    run("fix", path, "--unsafe-fixes")
    once = path.read_text()
    run("fix", path, "--unsafe-fixes")
    assert path.read_text() == once


def test_verify_rejects_lost_orderings():
    from wflint.adapters.airflow.rewriter import verify

    (old,) = airflow.read("dag.py", HEAD + "    a >> b >> c\n")
    (new,) = airflow.read("dag.py", HEAD + "    a >> b\n")
    assert "lost the ordering b → c" in verify(old, new, [])
    (extra,) = airflow.read("dag.py", HEAD + "    a >> b >> c\n    d >> a\n")
    assert "added an ordering d → a" in verify(old, extra, [])


def test_set_downstream_statements_where_unambiguous():
    body = ("    a.set_downstream(b)\n"
            "    b.set_downstream(c)  # keep\n"
            "    c.set_downstream(d)\n")
    assert rewrite(body, ("b", "c")) == ("    a.set_downstream(b)\n"
                                        "    a.set_downstream(c)  # keep\n"
                                        "    b.set_downstream(d)\n"
                                        "    c.set_downstream(d)\n")
    mirrored = "    b.set_upstream(a)\n    c.set_upstream(b)\n    d.set_upstream(c)\n"
    assert rewrite(mirrored, ("b", "c")) == ("    b.set_upstream(a)\n    c.set_upstream(a)\n"
                                            "    d.set_upstream(b)\n    d.set_upstream(c)\n")


def test_set_downstream_in_a_loop_is_left_alone():
    with pytest.raises(RewriteError):
        rewrite("    prev = a\n    for t in [b, c, d]:\n        prev.set_downstream(t)\n        prev = t\n",
                ("b", "c"))


def test_members_written_one_per_line_become_one_line_list():
    body = "    chain(\n        a,\n        b,\n        c,\n        d,\n    )\n"
    assert rewrite(body, ("b", "c")) == "    chain(\n        a,\n        [b, c],\n        d,\n    )\n"
    shifted = "    (\n        a\n        >> b\n        >> c\n        >> d\n    )\n"
    assert rewrite(shifted, ("a", "b")) == "    (\n        [a, b]\n        >> c\n        >> d\n    )\n"


def test_members_with_comments_line_up_under_the_first():
    body = "    chain(\n        a,\n        b,  # two\n        c,\n        d,\n    )\n"
    assert rewrite(body, ("b", "c")) == "    chain(\n        a,\n        [b,  # two\n         c],\n        d,\n    )\n"
    shifted = "    (\n        a  # one\n        >> b\n        >> c\n    )\n"
    out = rewrite(shifted, ("a", "b"))
    assert out == "    (\n        [a,  # one\n         b]\n        >> c\n    )\n"
    compile(HEAD + out, "dag.py", "exec")


def test_a_statement_that_makes_tasks_keeps_them_when_its_orderings_go():
    # Deleting the statement would delete the tasks it makes: each call stays, only `>>` goes.
    body = '    E(task_id="x") >> E(task_id="y")  # why\n    chain(E(task_id="z"), e)\n'
    out = rewrite(body, ("x", "y"), ("z", "e"))
    assert out == '    E(task_id="x")  # why\n    E(task_id="y")\n    E(task_id="z")\n'
    (wf,) = airflow.read("dag.py", HEAD + out)
    assert {"x", "y", "z"} <= set(wf.tasks) and not [e for e in wf.edges if e.u in "xyz" or e.v in "xyz"]


def test_a_statement_of_names_only_is_refused_with_its_reason():
    with pytest.raises(RewriteError) as refused:
        rewrite("    a >> b\n", ("a", "b"))
    assert refused.value.reason == ("the ordering a → b cannot be removed in place: the fix removes every "
                                    "ordering of `a >> b`, which would delete the statement, and wflint "
                                    "does not delete statements")
    assert refused.value.by_hand == "delete that statement by hand"


def test_an_ordering_of_tasks_with_unknown_effects_is_never_rewritten(tmp_path):
    # The commands' effects are unknown, so the ordering is presumed needed: no finding, and even
    # `fix --unsafe-fixes --preview` leaves the file byte for byte.
    path = tmp_path / "dag.py"
    text = ('from airflow.sdk import DAG\n'
            'from airflow.providers.standard.operators.bash import BashOperator as B\n'
            'with DAG("d"):\n'
            '    hello, bye = B(task_id="hello", bash_command="hi"), B(task_id="bye", bash_command="bye")\n'
            '    hello >> bye\n')
    path.write_text(text)
    result = run("fix", path, "--unsafe-fixes", "--preview")
    assert "fixed 0 findings" in result.stdout + result.stderr
    assert path.read_text() == text


def test_a_refused_unsafe_fix_suggests_nothing_by_hand():
    """A refusal shows the change to make by hand only for a fix wflint judged safe: for an unsafe
    one, deleting the statement by hand is exactly what wflint could not prove harmless."""
    from wflint.finding import Applicability, Fix
    from wflint.fixer import _refusal

    refused = RewriteError("the fix removes every ordering of `hello >> bye`", "delete that statement by hand")
    unsafe = _refusal(refused, Fix(Applicability.UNSAFE, "run hello, bye in parallel"))
    assert "the fix is unsafe (wflint could not prove these orderings unneeded)" in unsafe
    assert "delete that statement" not in unsafe
    assert _refusal(refused, Fix(Applicability.SAFE, "run hello, bye in parallel")).endswith("delete that statement by hand")
