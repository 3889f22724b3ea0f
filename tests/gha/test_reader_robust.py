"""Whatever shape a workflow's values take, reading it gives a workflow or a ParseError (WFL001),
never a traceback; and checking it runs every rule without error."""
from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from wflint.adapters import gha
from wflint.engine import check_workflow
from wflint.errors import ParseError
from wflint.rule import all_rules

scalars = st.one_of(st.none(), st.booleans(), st.integers(-2, 300), st.sampled_from(
    ["a", "b", "${{ matrix.x }}", "${{ fromJSON(needs.a.outputs.m) }}", "ubuntu-latest", "actions/checkout@v4",
     "actions/upload-artifact@v4", "actions/download-artifact@v4", "./.github/workflows/x.yml", "$/x.yml",
     "echo x >> $GITHUB_ENV", "git push origin main", "production", "always()", "needs.a.result", "*"]))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3),
    st.dictionaries(st.sampled_from(["name", "with", "path", "key", "pattern", "include", "exclude", "x",
                                     "group", "url", "id", "run", "uses", "parallel", "background", "wait"]),
                    inner, max_size=3)), max_leaves=8)
job_keys = st.sampled_from(["needs", "if", "runs-on", "steps", "strategy", "matrix", "environment", "concurrency",
                            "outputs", "uses", "with", "permissions", "name"])
job = st.one_of(values, st.dictionaries(job_keys, values, max_size=6))
workflow = st.fixed_dictionaries({"on": values, "jobs": st.one_of(values, st.dictionaries(
    st.sampled_from(["a", "b", "c"]), job, max_size=3))}, optional={"concurrency": values})


@settings(max_examples=250, deadline=None)
@given(workflow)
def test_any_shape_reads_or_is_a_parse_error(doc):
    text = json.dumps(doc)  # JSON is YAML: every shape, written exactly
    try:
        workflows = gha.read("ci.yml", text)
    except ParseError:
        return
    check_workflow(workflows[0], all_rules().values())
