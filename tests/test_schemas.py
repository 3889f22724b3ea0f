"""JSON outputs follow their published schemas; the spec reader agrees with the spec schema."""
from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest
import yaml
from conftest import FIXTURES, run
from hypothesis import given, settings
from hypothesis import strategies as st

from wflint.adapters.spec.reader import read_spec
from wflint.errors import ParseError


def schema(package: str, name: str) -> dict:
    return json.loads(resources.files(package).joinpath(name).read_text())


CHECK = schema("wflint", "schemas/check.schema.json")
REPORT = schema("wflint", "schemas/report.schema.json")
SPEC = schema("wflint.adapters.spec", "spec.schema.json")
ALL_FIXTURES = sorted(p for p in FIXTURES.rglob("*") if p.is_file() and ".wflint." in p.name)


def test_schemas_are_valid_json_schema():
    for s in (CHECK, REPORT, SPEC):
        jsonschema.Draft202012Validator.check_schema(s)


def test_check_json_validates():
    out = run("check", FIXTURES, "--format", "json", "--fail-on", "never").json()
    assert out["summary"]["findings"] > 10
    jsonschema.validate(out, CHECK)


@pytest.mark.parametrize("path", [p for p in ALL_FIXTURES if "WFL001" not in str(p) and "GRA00" not in str(p)],
                         ids=lambda p: p.name)
def test_report_json_validates(path):
    result = run("report", path, "--format", "json")
    assert result.exit_code == 0, result.stderr
    jsonschema.validate(result.json(), REPORT)


@pytest.mark.parametrize("path", [p for p in ALL_FIXTURES if p.name.endswith(".yaml")],
                         ids=lambda p: str(p.parent.name + "/" + p.name))
def test_reader_and_schema_agree_on_fixtures(path):
    text = path.read_text()
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return  # not YAML at all: both reject
    schema_ok = jsonschema.Draft202012Validator(SPEC).is_valid(data)
    try:
        read_spec(str(path), text)
        reader_ok = True
    except ParseError:
        reader_ok = False
    if reader_ok:
        assert schema_ok, f"{path} read but the schema rejects it"
    if not schema_ok:
        assert not reader_ok


names = st.sampled_from(["a", "b", "c"])
values = st.one_of(st.integers(-2, 5), st.floats(0, 5, allow_nan=False), st.booleans(), st.none(),
                   st.sampled_from(["2s", "1.5m", "250ms", "2x", "10/s", "5/min", "fast", "all", "any", "oops"]),
                   st.lists(names, max_size=2), st.dictionaries(names, st.integers(-1, 3), max_size=2))
task = st.dictionaries(st.sampled_from(["title", "duration", "needs", "after", "reads", "writes", "api", "pool",
                                        "items", "join", "kind", "bogus"]), values, max_size=4)
document = st.fixed_dictionaries(
    {"tasks": st.dictionaries(names, st.one_of(st.none(), task), min_size=1, max_size=3)},
    optional={"current": st.sampled_from(["graph", "sequential", "parallel"]),
              "name": st.one_of(st.text(max_size=3), st.integers()),
              "limits": st.fixed_dictionaries({}, optional={
                  "apis": st.dictionaries(names, values, max_size=2),
                  "pools": st.dictionaries(names, values, max_size=2),
                  "concurrency": values})})


@settings(max_examples=300, deadline=None)
@given(document)
def test_whatever_the_reader_accepts_the_schema_accepts(doc):
    text = json.dumps(doc)
    try:
        read_spec("gen.wflint.json", text)
    except ParseError:
        return
    jsonschema.validate(doc, SPEC)


def test_check_json_says_which_graphs_were_read_only_in_part():
    """A clean check on a partly read graph is not a clean bill: the JSON carries each workflow's coverage."""
    folder = FIXTURES / "rules" / "WFL003"
    out = run("check", folder, "--format", "json", "--fail-on", "never", "--select", "PAR").json()
    jsonschema.validate(out, CHECK)
    partial = {w["path"].rsplit("/", 1)[-1]: w["coverage"]["partial"] for w in out["workflows"]}
    assert partial["good.py"] is False
    assert partial["bad-tables-from-environment.py"] is True
    assert partial["bad-factory.py"] is True  # its uncalled factory read with unknown parameters: partial
