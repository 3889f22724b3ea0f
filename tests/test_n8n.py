"""n8n adapter: references, reader, execution order, effects, rewriter, and the real corpus."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import CORPUS, FIXTURES, run, said

from wflint.adapters.n8n.effects import sql_tables
from wflint.adapters.n8n.facts import NodeFacts
from wflint.adapters.n8n.reader import read_n8n
from wflint.adapters.n8n.references import scan
from wflint.analysis import analyze
from wflint.engine import Selection, check_workflow, lint_paths
from wflint.errors import ParseError, RewriteError
from wflint.facets import ExecutionOrder, InvalidSetting, Starts
from wflint.finding import AddConcurrency, AddOrder, InsertJoin, RemoveOrder, SetExecutionOrder
from wflint.ir import EdgeKind, Join, Mode
from wflint.rule import all_rules

N8N_CORPUS = CORPUS / "n8n"
T = "Start"


def node(name, typ, pos=(0, 0), params=None, ver=1, **extra):
    n = {"parameters": params or {}, "name": name, "type": "n8n-nodes-base." + typ, "typeVersion": ver,
         "position": list(pos)}
    n.update(extra)
    return n


def links(*pairs):
    c: dict = {}
    for src, dst, *rest in pairs:
        out, idx = (rest + [0, 0])[:2]
        slots = c.setdefault(src, {"main": []})["main"]
        while len(slots) <= out:
            slots.append([])
        slots[out].append({"node": dst, "type": "main", "index": idx})
    return c


def doc(nodes, connections, order="v1", **extra):
    d = {"name": "t", "nodes": [node(T, "manualTrigger", (0, 300))] + nodes, "connections": connections}
    if order:
        d["settings"] = {"executionOrder": order}
    d.update(extra)
    return d


def read(d, path="w.json"):
    text = json.dumps(d, indent=2)
    return read_n8n(path, text)[0]


# --------------------------------------------------------------------------- references

@pytest.mark.parametrize("source,names", [
    ("$('Get user').item.json.id", ["Get user"]),
    ('$("Get user").first().json', ["Get user"]),
    ("$(`Get user`).all()", ["Get user"]),
    ("$('It\\'s here').last()", ["It's here"]),
    ('$("say \\"hi\\"").params', ['say "hi"']),
    ("$( 'Spaced' ).isExecuted", ["Spaced"]),
    ("$node[\"Old style\"].json.x", ["Old style"]),
    ("$node['Old style'].json.x", ["Old style"]),
    ("$node.Dotted.json.x", ["Dotted"]),
    ("$items(\"Legacy\", 0, 1)", ["Legacy"]),
    ("$item(0).$node[\"Paired\"].json", ["Paired"]),
    ("$('caf\\u00e9').item", ["café"]),
    ("jQuery$('nope') + my$node['nope']", []),
])
def test_every_reference_form_is_read_as_a_literal(source, names):
    assert [r.name for r in scan(source).references] == names


def test_python_references_and_dynamic_names():
    assert [r.name for r in scan("x = _('Fetch').first().json\ny = _node['Other']", python=True).references] == ["Fetch", "Other"]
    dynamic = scan("$(name).item; $('Prefix ' + x).item; $(`A ${b}`).item").references
    assert [r.name for r in dynamic] == [None, None, None]
    # JS strings are UTF-16: an emoji written as its surrogate pair is the one character of the name
    assert [r.name for r in scan("$('\\ud83d\\udd27 Build').item").references] == ["\U0001F527 Build"]
    assert scan("{{ $json.id }}").reads_input and scan("$input.first()").reads_input
    assert not scan("$('X').item.json").reads_input


@pytest.mark.parametrize("source,names", [
    # a shell command being built: $(...) is the shell's, inside a JS string or template text
    ("const cmd = `for s in $(systemctl list-units)`; return $('Config').first();", ["Config"]),
    ("const c = \"KRUN=$(uname -r)\" + 'x=$(date)'; $('A').item", ["A"]),
    # a template's substitution is code again, braces and nested templates included
    ("const t = `${$('E').first().json.x} and $(not)`;", ["E"]),
    ("const o = {a: `x${ {c: `${$('F').item}`}.c }y`}; $(`$(named so)`)", ["F", "$(named so)"]),
    # comments are not run: an old reference to a node since deleted is no reference
    ("// const old = $('Gone').first();\nconst a = $('C'); /* $('D') */", ["C"]),
    # a regex literal may hold `$(` (and quotes); a division is no regex
    ("const p = /\\$(.*?)\\$/g; const r = s.replace(/'/g, ''); $('G')", ["G"]),
    ("const q = a / b / c; $('H')", ["H"]),
    # a source that does not lex cleanly (a quote left open) is read as before: every match counts
    ("const bad = 'open\n $('I')", ["I"]),
])
def test_javascript_strings_comments_and_regexes_hold_no_reference(source, names):
    assert [r.name for r in scan(source).references] == names


def test_names_match_exactly_never_by_substring():
    wf = read(doc([node("HTTP Request", "httpRequest", (200, 300), {"url": "https://a.io"}, 4.2),
                   node("HTTP Request1", "set", (400, 300), {"v": "={{ $('HTTP Request1').item }}"}, 3.4),
                   node("Use", "set", (600, 300), {"v": "={{ $('HTTP Request').item.json.a }}"}, 3.4)],
                  links((T, "HTTP Request"), ("HTTP Request", "HTTP Request1"), ("HTTP Request1", "Use"))))
    implicit = {(e.u, e.v) for e in wf.edges if e.kind is EdgeKind.IMPLICIT}
    assert implicit == {("HTTP Request", "Use")}


def test_missing_and_dynamic_references():
    wf = read(doc([node("A", "set", (200, 300), {"v": "={{ $('Gone').item.json.x }}"}, 3.4),
                   node("B", "set", (400, 300), {"v": "={{ $(name).item }}"}, 3.4)],
                  links((T, "A"), ("A", "B"))))
    assert [(d.task, d.target) for d in wf.dangling] == [("A", "Gone")]
    assert wf.tasks["B"].dynamic and not wf.tasks["A"].dynamic
    # only {{ }} is evaluated in an expression; plain text that looks like a call is not a reference
    wf = read(doc([node("C", "set", (200, 300), {"v": "=$('title') is jQuery {{ 1 }}"}, 3.4)], links((T, "C"))))
    assert wf.dangling == []


# --------------------------------------------------------------------------- reader

def test_arrays_null_slots_error_type_sticky_notes_and_ai_sub_nodes():
    wf = doc([node("A", "httpRequest", (200, 300), {"url": "https://a.io"}, 4.2, onError="continueErrorOutput"),
              node("Ok", "noOp", (400, 200)), node("Failed", "noOp", (400, 400)),
              node("Note", "stickyNote", (0, 0), {"content": "hi"}),
              {"name": "Agent", "type": "@n8n/n8n-nodes-langchain.agent", "typeVersion": 1.7, "position": [600, 300],
               "parameters": {"text": "={{ $('A').item.json.q }}"}},
              {"name": "Model", "type": "@n8n/n8n-nodes-langchain.lmChatOpenAi", "typeVersion": 1, "position": [600, 500],
               "parameters": {}},
              {"name": "Sheet tool", "type": "n8n-nodes-base.googleSheetsTool", "typeVersion": 4.5, "position": [700, 500],
               "parameters": {"operation": "append", "documentId": {"__rl": True, "value": "D"}}}],
             {T: {"main": [[{"node": "A", "type": "main", "index": 0}], None]},
              "A": {"main": [[{"node": "Ok", "type": "main", "index": 0}],
                             [{"node": "Failed", "type": "main", "index": 0}]]},
              "Ok": {"main": [[{"node": "Agent", "type": "main", "index": 0}]]},
              "Failed": {"error": [[{"node": "Agent", "type": "main", "index": 0}]], "main": [[]]},
              "Model": {"ai_languageModel": [[{"node": "Agent", "type": "ai_languageModel", "index": 0}]]},
              "Sheet tool": {"ai_tool": [[{"node": "Agent", "type": "ai_tool", "index": 0}]]}})
    text = json.dumps([doc([], {}), wf])
    first, second = read_n8n("w.json", text)
    assert list(first.tasks) == [T]
    assert set(second.tasks) == {T, "A", "Ok", "Failed", "Agent"}
    assert second.tasks["Agent"].facet(NodeFacts).sub_nodes == ("Model", "Sheet tool")
    effects = second.tasks["Agent"].effects
    assert [e.mode for e in effects if not e.resource.startswith("model:")] == [Mode.WRITE]  # the tool appends to a sheet
    assert {e.mode for e in effects if e.resource.startswith("model:")} == {Mode.READ}  # agent and model ask the model
    assert second.tasks["A"].failure_policy == "continue"
    # n8n follows no connection filed under an `error` key (only main ones): no ordering
    assert ("Failed", "Agent") not in {(e.u, e.v) for e in second.edges if e.kind is EdgeKind.ORDER}
    assert ("A", "Agent") in {(e.u, e.v) for e in second.edges if e.kind is EdgeKind.IMPLICIT}
    assert second.location.pointer == (1,)


def test_ai_tool_sub_node_effects_fold_into_the_agent():
    d = doc([{"name": "Agent", "type": "@n8n/n8n-nodes-langchain.agent", "typeVersion": 1.7, "position": [200, 300],
              "parameters": {}},
             {"name": "Tool", "type": "n8n-nodes-base.postgresTool", "typeVersion": 2.5, "position": [200, 500],
              "parameters": {}}],
            {T: {"main": [[{"node": "Agent", "type": "main", "index": 0}]]},
             "Tool": {"ai_tool": [[{"node": "Agent", "type": "ai_tool", "index": 0}]]}})
    wf = read(d)
    assert set(wf.tasks) == {T, "Agent"}


def test_flags_pinned_items_and_item_multiplication():
    wf = read(doc([node("List", "set", (200, 300), {}, 3.4),
                   node("Each", "slack", (400, 300), {"text": "hi"}, 2.2),
                   node("Once", "slack", (600, 300), {"text": "hi"}, 2.2, executeOnce=True, disabled=False,
                        retryOnFail=True, alwaysOutputData=True, notes="# wflint: ignore[PAR001]")],
                  links((T, "List"), ("List", "Each"), ("Each", "Once")),
                  pinData={"List": [{"json": {"i": i}} for i in range(5)]}))
    each, once = wf.tasks["Each"], wf.tasks["Once"]
    assert each.items == 5 and each.duration.seconds == 5.0 and each.duration.source.value == "default"
    assert once.items == 1 and once.facet(NodeFacts).retry_on_fail is True and "wflint" in once.facet(NodeFacts).notes
    report = analyze(wf)
    assert report.current.makespan == pytest.approx(sum(report.duration.values()))


@pytest.mark.parametrize("bad,reason", [
    ('{"nodes": {}, "connections": {}}', "'nodes' must be an array"),
    ('{"nodes": [{"type": "x"}], "connections": {}}', "node without a 'name'"),
    ('{"nodes": [], "connections": {"A": 3}}', "must be an object"),
    ('{"nodes": [{"name": "A", "type": "x"}], "connections": {"A": {"main": [[{"node": 1}]]}}}', "target 'node'"),
    ('[]', "no workflow"),
    ('{"nodes": [', "invalid JSON"),
])
def test_unreadable_files_are_parse_errors_with_a_line(bad, reason):
    with pytest.raises(ParseError) as exc:
        read_n8n("w.json", bad)
    assert reason in exc.value.reason and exc.value.line >= 1


# --------------------------------------------------------------------------- execution order

def branches(order, a_y=200, b_y=400):
    return doc([node("Wait A", "wait", (200, a_y), {"amount": 3, "unit": "seconds"}, 1.1),
                node("Code A", "set", (400, a_y), {}, 3.4),
                node("Wait B", "wait", (200, b_y), {"amount": 3, "unit": "seconds"}, 1.1),
                node("Code B", "set", (400, b_y), {}, 3.4),
                node("Merge", "merge", (600, 300), {}, 3)],
               links((T, "Wait A"), (T, "Wait B"), ("Wait A", "Code A"), ("Wait B", "Code B"),
                     ("Code A", "Merge", 0, 0), ("Code B", "Merge", 0, 1)), order=order)


def test_orders_match_what_real_n8n_ran():
    """research/n8n-engine.md §3a: fwaappv1, fwaappv0, fwaswapv1, fwaswapv0."""
    order = lambda d: list(read(d).execution_model.order)
    assert order(branches("v1")) == [T, "Wait A", "Code A", "Wait B", "Code B", "Merge"]
    assert order(branches(None)) == [T, "Wait A", "Wait B", "Code A", "Code B", "Merge"]
    assert order(branches("v1", a_y=400, b_y=200)) == [T, "Wait B", "Code B", "Wait A", "Code A", "Merge"]
    assert order(branches("v0", a_y=400, b_y=200)) == [T, "Wait A", "Wait B", "Code A", "Code B", "Merge"]


def test_branching_saves_nothing_in_n8n():
    wf = read(branches("v1"))
    assert wf.tasks["Wait A"].duration.seconds == 3 and wf.tasks["Wait A"].duration.source.value == "declared"
    result = analyze(wf)
    assert result.current.makespan == pytest.approx(6.0 + 3 * 0.01 + 0.01)
    assert result.optimized.makespan == pytest.approx(result.current.makespan)
    assert not wf.execution_model.runs_parallel and wf.execution_model.mode == "sequential"


def test_report_counts_only_what_n8n_overlaps(tmp_path):
    """Branches save nothing in n8n; two independent requests to one endpoint merged into one HTTP
    node do. A request wired after another runs once per item the first returns: it is fed by it."""
    get = lambda name, x, y, key: node(name, "httpRequest", (x, y),
                                       {"url": f"=https://api.x.io/items/{{{{ $json.{key} }}}}"}, 4.2)
    series = doc([get("A", 200, 300, "a"), get("B", 400, 300, "b"), node("End", "noOp", (600, 300))],
                 links((T, "A"), ("A", "B"), ("B", "End")))
    branched = doc([get("A", 200, 200, "a"), get("B", 200, 400, "b")], links((T, "A"), (T, "B")))
    solo = doc([get("A", 200, 300, "a"), node("Slack", "slack", (400, 300), {"channelId": "C", "text": "x"}, 2.3)],
               links((T, "A"), ("A", "Slack")))
    for d, saved in ((series, 0.0), (branched, 1.0), (solo, 0.0)):
        path = tmp_path / "w.json"
        path.write_text(json.dumps(d, indent=2))
        report = run("report", path, "--format", "json").json()
        assert report["saved_s"] == pytest.approx(saved)
        assert report["optimized_s"] == pytest.approx(report["current_s"] - saved)
        assert [b["tasks"] for b in report["batches"]] == ([["A", "B"]] if saved else [])
        text = run("report", path).stdout
        assert ("Batch 1" in text) == bool(saved) and "still one task at a time" in text


def test_loops_are_not_cycles_or_dependencies():
    wf = read(doc([node("Loop", "splitInBatches", (200, 300), {}, 3),
                   node("Work", "httpRequest", (400, 400), {"url": "https://a.io"}, 4.2),
                   node("Done", "noOp", (400, 200))],
                  links((T, "Loop"), ("Loop", "Done", 0), ("Loop", "Work", 1), ("Work", "Loop"))))
    result = analyze(wf)
    assert result.relaxation.unordered_needs == []
    assert wf.tasks["Loop"].facet(NodeFacts).loop_output == 1


# --------------------------------------------------------------------------- effects

def test_defaults_follow_type_and_version():
    wf = read(doc([node("PG", "postgres", (200, 300), {"table": {"__rl": True, "value": "orders"}}, 2.5,
                        credentials={"postgres": {"id": "7", "name": "DW"}}),
                   node("Old HTTP", "httpRequest", (400, 300), {"url": "https://api.x.io/a", "requestMethod": "POST"}, 1),
                   node("New HTTP", "httpRequest", (600, 300), {"url": "https://api.x.io/a"}, 4.2),
                   node("Sheet", "googleSheets", (800, 300), {"documentId": {"__rl": True, "value": "D"},
                                                             "sheetName": {"__rl": True, "value": "S"}}, 4.5),
                   node("Run", "executeCommand", (1000, 300), {"command": "ls"})],
                  links((T, "PG"), ("PG", "Old HTTP"), ("Old HTTP", "New HTTP"), ("New HTTP", "Sheet"), ("Sheet", "Run"))))
    t = wf.tasks
    assert [(e.resource, e.mode) for e in t["PG"].effects] == [("postgres:postgres=7/public.orders", Mode.WRITE)]
    assert t["PG"].pools == ["postgres:postgres=7"]
    assert t["Old HTTP"].effects[0].mode is Mode.WRITE and t["New HTTP"].effects[0].mode is Mode.READ
    assert t["Sheet"].effects[0].mode is Mode.READ and t["Run"].opaque


def test_sql_is_parsed_for_tables():
    assert sql_tables("INSERT INTO public.orders SELECT * FROM staging.orders", "postgres") == {
        "public.orders": Mode.WRITE, "staging.orders": Mode.READ}
    assert sql_tables("UPDATE t SET a = {{ $json.a }} WHERE id = {{ $json.id }}", "postgres") == {"t": Mode.WRITE}
    assert sql_tables("SELEC nonsense ((", "postgres") is None


# --------------------------------------------------------------------------- rewriter

def test_insert_join_keeps_everything_else_byte_identical(tmp_path):
    src = Path(__file__).parent.parent / "fixtures" / "rules" / "SAF003" / "bad-n8n-no-merge.json"
    path = tmp_path / "w.json"
    path.write_text(src.read_text())
    assert run("fix", "--preview", "--unsafe-fixes", path).exit_code == 0  # Post summary sends each run
    new_text = path.read_text()
    new = json.loads(new_text)
    old = json.loads(src.read_text())
    merge = [n for n in new["nodes"] if n["type"] == "n8n-nodes-base.merge"]
    assert len(merge) == 1 and merge[0]["typeVersion"] == 3.2 and merge[0]["name"] == "Merge"
    assert new["nodes"][:-1] == old["nodes"] and new["pinData"] == old["pinData"] and new["meta"] == old["meta"]
    assert new["connections"]["Merge"] == {"main": [[{"node": "Summarize", "type": "main", "index": 0}]]}
    assert {new["connections"][b]["main"][0][0]["index"] for b in ("Fetch A", "Fetch B")} == {0, 1}
    assert new_text.startswith(src.read_text()[:src.read_text().index('"id"')])  # untouched prefix
    check = run("check", "--preview", path, "--format", "json", "--fail-on", "never").json()["findings"]
    assert "SAF003" not in {f["code"] for f in check}
    assert run("fix", "--preview", "--unsafe-fixes", path, "--diff").exit_code == 0  # idempotent


@pytest.mark.parametrize("indent", [None, "\t", 4])
def test_set_execution_order_keeps_the_file_style(indent):
    from test_n8n_oracle import rewrite

    d = doc([node("A", "set", (200, 300), {}, 3.4)], links((T, "A")), order=None, pinData={"A": []})
    text = json.dumps(d, indent=indent)
    wf = read_n8n("w.json", text)[0]
    out = rewrite(text, wf, [SetExecutionOrder("v1")])
    assert json.loads(out)["settings"] == {"executionOrder": "v1"}
    assert out.count("\n") == text.count("\n") + (0 if indent is None else 3)
    with pytest.raises(RewriteError):
        rewrite(text, wf, [SetExecutionOrder("v2")])
    d["settings"] = {"timezone": "UTC"}
    text = json.dumps(d, indent=indent)
    out = rewrite(text, read_n8n("w.json", text)[0], [SetExecutionOrder("v1")])
    assert json.loads(out)["settings"] == {"timezone": "UTC", "executionOrder": "v1"}


def test_unsupported_changes_are_left_for_hand():
    from wflint.adapters.n8n import supports

    wf = read(branches("v1"))
    assert supports(wf, InsertJoin("x", ())) and not supports(wf, RemoveOrder("a", "b"))  # saves nothing on n8n
    assert not supports(wf, AddConcurrency("x", "")) and not supports(wf, AddOrder("a", "b"))


def _two_writers_of_one_key(order=None):
    """Manual trigger → A and B, both setting the Redis key `user`: v0 runs A first (connection
    order), v1 runs B first (it is higher on the canvas), so the last write differs."""
    redis = lambda name, y: node(name, "redis", (200, y), {"operation": "set", "key": "user", "value": name},
                                 credentials={"redis": {"id": "r1", "name": "cache"}})
    return doc([redis("A", 400), redis("B", 200)], links((T, "A"), (T, "B")), order=order)


def test_notes_suppress_findings(tmp_path):
    d = _two_writers_of_one_key()
    d["nodes"][0]["notes"] = "wflint: ignore[PAR102] legacy on purpose"
    path = tmp_path / "w.json"
    path.write_text(json.dumps(d, indent=2))
    codes = [f["code"] for f in run("check", "--preview", path, "--format", "json", "--fail-on", "never").json()["findings"]]
    assert "PAR102" in codes  # a workflow-level finding is not covered by a node's note


# --------------------------------------------------------------------------- corpus

CORPUS_FILES = sorted(N8N_CORPUS.glob("*.json")) if N8N_CORPUS.is_dir() else []


@pytest.mark.skipif(not CORPUS_FILES, reason=f"n8n corpus not found at {N8N_CORPUS}")
def test_every_corpus_file_analyses_or_gives_a_clean_parse_error():
    result = run("check", "--preview", N8N_CORPUS, "--format", "json", "--fail-on", "never")
    assert result.exit_code == 0, result.stderr
    findings = result.json()["findings"]
    parse_errors = [f for f in findings if f["code"] == "WFL001"]
    assert all("\n" not in f["message"] for f in parse_errors)
    for path in CORPUS_FILES:
        text = path.read_text(encoding="utf-8")
        for wf in read_n8n(str(path), text):
            analyze(wf)
            assert set(wf.execution_model.order) == set(wf.tasks)


@pytest.mark.skipif(not CORPUS_FILES, reason=f"n8n corpus not found at {N8N_CORPUS}")
def test_corpus_findings_snapshot(snapshot):
    """Counts per file and code over the real exports: a change here is a behaviour change to review."""
    findings = run("check", "--preview", N8N_CORPUS, "--format", "json", "--fail-on", "never").json()["findings"]
    counts: dict[str, dict[str, int]] = {}
    for f in findings:
        per_file = counts.setdefault(Path(f["path"]).name, {})
        per_file[f["code"]] = per_file.get(f["code"], 0) + 1
    assert {name: dict(sorted(c.items())) for name, c in sorted(counts.items())} == snapshot


def test_the_order_setting_is_a_finding_only_where_switching_shows(tmp_path):
    same = doc([node("A", "set", (200, 300), {}, 3.4)], links((T, "A")), order=None)  # one order either way
    unseen = branches(None)  # the order differs, but no two reordered nodes touch one thing
    shows = _two_writers_of_one_key()
    for d, applicability in ((same, []), (unseen, []), (shows, ["unsafe"])):
        path = tmp_path / "w.json"
        path.write_text(json.dumps(d, indent=2))
        found = run("check", "--preview", path, "--select", "PAR102", "--format", "json", "--fail-on", "never").json()["findings"]
        assert [f["fix"]["applicability"] for f in found] == applicability
    assert "`A` and `B` both touch" in said(found[0]) or "`B` and `A` both touch" in said(found[0])


def test_http_node_fanning_pinned_items_over_a_configured_rate_limit(tmp_path):
    rows = node("Rows", "code", (200, 300), {"jsCode": "return []"}, 2)
    fetch = node("Fetch", "httpRequest", (400, 300), {"url": "=https://api.x.io/users/{{ $json.id }}"}, 4.2)
    d = doc([rows, fetch], links((T, "Rows"), ("Rows", "Fetch")), pinData={"Rows": [{"json": {"id": i}} for i in range(50)]})
    (tmp_path / "w.json").write_text(json.dumps(d, indent=2))
    (tmp_path / "wflint.toml").write_text('[limits.apis]\n"http:api.x.io" = "5/s"\n')
    found = run("check", "--preview", tmp_path / "w.json", "--format", "json").json()["findings"]
    assert [(f["code"], f["tasks"]) for f in found] == [("RES001", ["Fetch"])]
    assert "makes 50 calls to http:api.x.io" in said(found[0]) and "takes 9s" in said(found[0])  # 5 at once, 45 at 5/s
    (tmp_path / "wflint.toml").write_text('[limits.apis]\n"http:api.x.io" = "100/s"\n')
    assert run("check", "--preview", tmp_path / "w.json", "--format", "json").json()["findings"] == []


def test_a_reader_no_start_shares_with_its_source_never_reads_it():
    """On another trigger's path the reader never sees the source's data (preview); a node nothing
    connects never runs at all, so what it reads is no finding (issue 11 item 4)."""
    d = doc([node("Greet", "set", (200, 300), {}, 3.4),
             node("Hook", "webhook", (0, 600), {"path": "x"}, 2),
             node("Orphan", "slack", (200, 600), {"channelId": "C", "text": "={{ $('Greet').first().json.x }}"}, 2.3)],
            links((T, "Greet"), ("Hook", "Orphan")))
    found = list(check_workflow(read(d), [all_rules()["SAF004"]], preview=True).findings)
    assert len(found) == 1 and found[0].preview
    assert "Orphan never runs in the same execution as it (Orphan is reached only from Hook; " \
           f"Greet only from {T})" in found[0].message
    del d["connections"]["Hook"]
    d["nodes"] = [n for n in d["nodes"] if n["name"] != "Hook"]
    wf = read(d)
    assert list(check_workflow(wf, [all_rules()["SAF004"]], preview=True).findings) == []
    assert wf.tasks["Orphan"].duration.seconds == 0  # it never runs and costs nothing


def test_a_disabled_trigger_starts_nothing():
    d = doc([node("Greet", "set", (200, 300), {}, 3.4), node("Old hook", "webhook", (0, 600), {"path": "x"}, 2, disabled=True),
             node("Post", "slack", (200, 600), {"channelId": "C", "text": "={{ $('Greet').first().json.x }}"}, 2.3)],
            links((T, "Greet"), ("Old hook", "Post")))
    wf = read(d)
    assert wf.tasks["Post"].facet(Starts).starts == () and wf.tasks["Greet"].facet(Starts).starts == (T,)
    assert list(check_workflow(wf, [all_rules()["SAF004"]], preview=True).findings) == []


def _new_or_known(order=None):
    """Webhook → IF; true → Save (Redis set) → Forward; false → Update (Redis set) → Forward;
    Forward → Log (Redis set). With every output emitting at once, v1 runs Log before Update and
    v0 after; one request takes one side only, and then both orders run the same nodes alike."""
    redis = lambda name, y, x: node(name, "redis", (x, y), {"operation": "set", "key": "user", "value": "x"},
                                    credentials={"redis": {"id": "r1", "name": "cache"}})
    nodes = [node("Hook", "webhook", (0, 300), {"path": "u", "httpMethod": "POST"}, 2),
             node("New?", "if", (200, 300), {"conditions": {"boolean": [{"value1": "={{ $json.new }}", "value2": True}]}}),
             redis("Save", 200, 400), redis("Update", 400, 400), node("Forward", "set", (600, 300), {}, 3.4),
             redis("Log", 300, 800)]
    d = doc(nodes, links(("Hook", "New?"), ("New?", "Save", 0), ("New?", "Update", 1), ("Save", "Forward"),
                         ("Update", "Forward"), ("Forward", "Log")), order=order)
    d["nodes"] = [n for n in d["nodes"] if n["name"] != T]
    return d


def test_par102_order_differences_across_one_items_exclusive_outputs_are_no_finding():
    """A webhook request is one item: it takes one output of the IF, so the every-output order
    where v0 and v1 differ never happens."""
    wf = read(_new_or_known())
    assert wf.facet(ExecutionOrder).one_item_per_branch
    assert list(check_workflow(wf, [all_rules()["PAR102"]], preview=True).findings) == []


@pytest.mark.parametrize("source", [
    node("Rows", "redis", (100, 300), {"operation": "keys", "keyPattern": "user:*"}),  # a read: any number
    node("Rows", "code", (100, 300), {"jsCode": "return $input.all()"}, 2),  # once for all items
])
def test_par102_several_items_before_a_branch_can_take_both_ways_and_is_preview(source):
    d = _new_or_known()
    d["nodes"].append(source)
    d["connections"]["Hook"] = {"main": [[{"node": "Rows", "type": "main", "index": 0}]]}
    d["connections"]["Rows"] = {"main": [[{"node": "New?", "type": "main", "index": 0}]]}
    wf = read(d)
    assert not wf.facet(ExecutionOrder).one_item_per_branch
    assert [f for f in check_workflow(wf, [all_rules()["PAR102"]]).findings if not f.preview] == []
    preview = list(check_workflow(wf, [all_rules()["PAR102"]], preview=True).findings)
    assert len(preview) == 1 and "only where items of one run leave a branch" in preview[0].full_message
    assert "`Update` and `Log` both touch" in preview[0].full_message
    assert preview[0].fix.applicability.value == "unsafe"


def test_par102_scenarios_are_per_enabled_trigger_and_per_output_taken():
    d = _new_or_known()
    d["nodes"].append(node("Old hook", "webhook", (0, 600), {"path": "old"}, 2, disabled=True))
    d["connections"]["Old hook"] = {"main": [[{"node": "Log", "type": "main", "index": 0}]]}
    order = read(d).facet(ExecutionOrder)
    assert {s.start for s in order.scenarios} == {"Hook"}  # a disabled trigger starts nothing
    assert sorted(s.choices for s in order.scenarios) == [(("New?", 0),), (("New?", 1),)]
    assert [s.runs for s in order.scenarios if s.choices == (("New?", 1),)] == [("Hook", "New?", "Update", "Forward", "Log")]


def _two_writers(switch_options=None):
    """Hook → Route (Switch); output 0 → Write A (sheet append); output 1 → Call (HTTP, error
    output) whose error output → Write B (the same sheet)."""
    sheet = lambda name, x, y: node(name, "googleSheets", (x, y), {"operation": "append", "documentId": "doc",
                                                                   "sheetName": "log"}, 4.5,
                                    credentials={"googleSheetsOAuth2Api": {"id": "g1", "name": "g"}})
    route = node("Route", "switch", (200, 300), {"mode": "expression", "numberOutputs": 2,
                                                 "output": "={{ $json.kind }}", "options": switch_options or {}}, 3)
    call = node("Call", "httpRequest", (400, 400), {"url": "https://api.x.io/ping"}, 4.2, onError="continueErrorOutput")
    d = doc([node("Hook", "webhook", (0, 300), {"path": "w"}, 2), route, sheet("Write A", 400, 200), call,
             sheet("Write B", 600, 500)],
            links(("Hook", "Route"), ("Route", "Write A", 0), ("Route", "Call", 1), ("Call", "Write B", 1)))
    d["nodes"] = [n for n in d["nodes"] if n["name"] != T]
    return d


def test_writes_on_exclusive_outputs_are_never_together_even_through_an_error_output():
    relaxation = analyze(read(_two_writers())).relaxation
    assert not relaxation.together("Write A", "Write B")
    assert relaxation.conflicts == []
    every_match = analyze(read(_two_writers({"allMatchingOutputs": True}))).relaxation
    assert every_match.together("Write A", "Write B")  # one item may leave by both outputs


@pytest.mark.parametrize("version, params, seconds", [
    (1, {}, 3600.0),  # typeVersion 1: amount 1, unit hours by default
    (1, {"amount": 2}, 7200.0),
    (1.1, {}, 5.0),  # 1.1: amount 5, unit seconds by default
    (1.1, {"amount": 2}, 2.0),
    (1.1, {"amount": 1.5, "unit": "minutes"}, 90.0),
    (1.1, {"amount": 0}, 0.0),
])
def test_wait_amount_unit_by_type_version(version, params, seconds):
    d = doc([node("Pause", "wait", (200, 300), params, version)], links((T, "Pause")))
    task = read(d).tasks["Pause"]
    assert task.duration.seconds == seconds and task.duration.source.value == "declared"


@pytest.mark.parametrize("amount, code, words", [
    ("-3", "WFL004", "negative: n8n fails the run"),  # valid JSON: n8n imports it, the node fails when it runs
    ("NaN", "WFL001", "finite"), ("Infinity", "WFL001", "finite"), ("1e400", "WFL001", "finite"),
])
def test_a_wait_amount_n8n_rejects_is_a_finding_never_a_traceback(tmp_path, amount, code, words):
    d = doc([node("Pause", "wait", (200, 300), {"amount": 1, "unit": "days"}, 1.1),
             node("Next", "set", (400, 300), {}, 3.4)], links((T, "Pause"), ("Pause", "Next")))
    path = tmp_path / "w.json"
    path.write_text(json.dumps(d, indent=2).replace('"amount": 1', f'"amount": {amount}'))
    found = run("check", path, "--format", "json", "--fail-on", "never")
    assert found.exit_code == 0, found.stderr
    shown = [f for f in found.json()["findings"] if f["code"] == code]
    assert len(shown) == 1 and words in shown[0]["message"]
    if code == "WFL004":  # the rest of the workflow is still analysed, the Wait as 0 s
        assert shown[0]["tasks"] == ["Pause"]
        report = run("report", path, "--format", "json")
        assert report.exit_code == 0 and report.json()["current_s"] < 1, report.stderr
        assert run("graph", path).exit_code == 0


def test_a_wait_until_a_webhook_or_with_an_expression_has_no_declared_delay():
    for params in ({"resume": "webhook"}, {"amount": "={{ $json.delay }}", "unit": "seconds"}):
        d = doc([node("Pause", "wait", (200, 300), params, 1.1)], links((T, "Pause")))
        task = read(d).tasks["Pause"]
        assert task.duration.source.value == "default" and task.facet(InvalidSetting) is None


def _sheet(name, x, y, operation):
    return node(name, "googleSheets", (x, y), {"operation": operation, "documentId": "doc", "sheetName": "log"}, 4.5,
                credentials={"googleSheetsOAuth2Api": {"id": "g1", "name": "g"}})


def test_two_appends_never_conflict_but_an_append_and_a_read_do():
    """Appending rows (or creating records, pages, Drive files) overwrites nothing: two appends on
    branches nothing orders are no race; a read of the same sheet still races with either."""
    appends = doc([_sheet("Log A", 200, 200, "append"), _sheet("Log B", 200, 400, "append")],
                  links((T, "Log A"), (T, "Log B")))
    assert analyze(read(appends)).relaxation.conflicts == []
    mixed = doc([_sheet("Log A", 200, 200, "append"), _sheet("Read log", 200, 400, "read")],
                links((T, "Log A"), (T, "Read log")))
    assert [(c.a, c.b) for c in analyze(read(mixed)).relaxation.conflicts] == [("Log A", "Read log")]
    chained = doc([_sheet("Log A", 200, 300, "append"), _sheet("Log B", 400, 300, "append"),
                   _sheet("Read log", 600, 300, "read")], links((T, "Log A"), ("Log A", "Log B"), ("Log B", "Read log")))
    relaxed = analyze(read(chained)).relaxation.relaxed
    assert ("Log A", "Read log") in relaxed and ("Log B", "Read log") in relaxed  # the read sees both rows
    upsert = doc([_sheet("Log A", 200, 200, "appendOrUpdate"), _sheet("Log B", 200, 400, "append")],
                 links((T, "Log A"), (T, "Log B")))
    assert len(analyze(read(upsert)).relaxation.conflicts) == 1  # an upsert may overwrite the other's row


def test_model_inference_over_http_reads():
    ask = lambda name, y: node(name, "httpRequest", (200, y), {"method": "POST",
                                                               "url": "https://api.openai.com/v1/chat/completions"}, 4.2)
    post = lambda name, y: node(name, "httpRequest", (200, y), {"method": "POST", "url": "https://api.x.io/v1/items"}, 4.2)
    asks = doc([ask("Ask A", 200), ask("Ask B", 400)], links((T, "Ask A"), (T, "Ask B")))
    assert {e.mode for t in read(asks).tasks.values() for e in t.effects} == {Mode.READ}
    assert analyze(read(asks)).relaxation.conflicts == []
    posts = doc([post("Post A", 200), post("Post B", 400)], links((T, "Post A"), (T, "Post B")))
    assert len(analyze(read(posts)).relaxation.conflicts) == 1  # any other POST still writes


def test_par102_says_when_v0_stops_a_loop_whose_merge_it_had_to_force():
    """Loop Over Items → IF → Merge (the IF's false side feeds the Merge's other input) → back to
    the loop: v0 forces that side on the first pass only; on the next it waits for ever (measured
    on n8n 2.8.4, tests/test_n8n_oracle.py)."""
    loop = node("Loop", "splitInBatches", (400, 300), {"batchSize": 1, "options": {}}, 3)
    gate = node("Gate", "if", (600, 400), {"conditions": {"boolean": [{"value1": "={{ $json.ok }}", "value2": True}]}})
    d = doc([node("Rows", "set", (200, 300), {}, 3.4), loop, gate, node("Other", "set", (800, 500), {}, 3.4),
             node("Merge", "merge", (1000, 400), {}, 3), node("Back", "set", (1200, 400), {}, 3.4),
             node("End", "set", (600, 200), {}, 3.4)],
            links((T, "Rows"), ("Rows", "Loop"), ("Loop", "End", 0), ("Loop", "Gate", 1), ("Gate", "Merge", 0, 1),
                  ("Gate", "Other", 1), ("Other", "Merge", 0, 0), ("Merge", "Back"), ("Back", "Loop")), order=None)
    wf = read(d)
    shown = [f for f in check_workflow(wf, [all_rules()["PAR102"]]).findings if not f.preview]
    assert len(shown) == 1 and "on a later pass of `Loop` that goes the same way" in shown[0].full_message
    stalled = [s for s in wf.facet(ExecutionOrder).scenarios if s.legacy_stalls]
    assert [s.choices for s in stalled] == [(("Gate", 0),)]  # the false side runs Other itself


@pytest.mark.parametrize("router, params, one_way", [
    ("switch", {"mode": "expression", "numberOutputs": 2, "output": "={{ $json.k }}"}, True),
    ("switch", {"mode": "expression", "numberOutputs": 2, "output": "={{ $json.k }}",
                "options": {"allMatchingOutputs": True}}, False),
    ("@textClassifier", {"categories": {}}, True),
    ("@textClassifier", {"categories": {}, "options": {"multiClass": True}}, False),
    ("compareDatasets", {}, False),  # its outputs all emit in one run
])
def test_which_routers_send_one_item_one_way(router, params, one_way):
    kind = "@n8n/n8n-nodes-langchain.textClassifier" if router.startswith("@") else "n8n-nodes-base." + router
    r = {"name": "R", "type": kind, "typeVersion": 3, "position": [200, 300], "parameters": params}
    d = doc([r, node("A", "set", (400, 200), {}, 3.4), node("B", "set", (400, 400), {}, 3.4)],
            links((T, "R"), ("R", "A", 0), ("R", "B", 1)))
    choices = sorted(s.choices for s in read(d).facet(ExecutionOrder).scenarios)
    assert choices == ([(("R", 0),), (("R", 1),)] if one_way else [()])


def test_a_directive_in_notes_is_read_once_and_used_not_reported_unused(tmp_path):
    """JSON has no comments: the notes are the directive's only place (no spurious WFL002)."""
    d = json.loads((FIXTURES / "rules" / "SAF003" / "bad-n8n-no-merge.json").read_text())
    for n in d["nodes"]:
        if n["name"] == "Summarize":
            n["notes"] = "wflint: ignore[SAF003] runs per branch on purpose"
    path = tmp_path / "w.json"
    path.write_text(json.dumps(d, indent=2))
    codes = [f["code"] for f in run("check", path, "--format", "json", "--fail-on", "never").json()["findings"]]
    assert "SAF003" not in codes and "WFL002" not in codes


@pytest.mark.parametrize("change, flagged", [
    (None, True),
    ("v0", False),  # legacy v0 also runs the other side's chain: the Merge gets a pair (oracle)
    ("unpaired", False),  # Include Any Unpaired Items sends the lone item on
    ("fields", False),  # combining by matching fields is another question
])
def test_combine_by_position_after_both_sides_of_one_if(change, flagged):
    doc = json.loads((FIXTURES / "rules" / "SAF003" / "bad-n8n-combine-by-position-after-if.json").read_text())
    merge = next(n for n in doc["nodes"] if n["name"] == "Merge")
    if change == "v0":
        del doc["settings"]
    elif change == "unpaired":
        merge["parameters"]["options"] = {"includeUnpaired": True}
    elif change == "fields":
        merge["parameters"]["combineBy"] = "combineByFields"
    wf = read_n8n("wf.json", json.dumps(doc))[0]
    found = [f for f in check_workflow(wf, [all_rules()["SAF003"]]).findings if "by position" in f.full_message]
    assert len(found) == flagged
    if flagged:
        assert "`Kept` and `Discarded` never both send an item in one run" in found[0].full_message


def test_a_merge_with_an_input_unwired_runs_at_once():
    """n8n 2.8.4 (measured: Merge v1 passThrough and v3.2 append, v1 and v0 order, input 2 unwired)
    runs the Merge at once with input 1's item and sends it on: it does not wait. In append mode
    that is what the wired input brings, as without the Merge: only the two branches wired into
    input 1 are a finding. A combining Merge outputs something else without its input 2: said."""
    path = FIXTURES / "rules" / "SAF003" / "bad-n8n-merge-one-input.json"
    doc = json.loads(path.read_text())
    wf = read_n8n(path.name, json.dumps(doc))[0]
    messages = [f.full_message for f in check_workflow(wf, [all_rules()["SAF003"]]).findings]
    assert any("input 1 has 2 connections" in m for m in messages)
    assert not any("is not connected" in m or "waits for it" in m for m in messages)
    merge = next(n for n in doc["nodes"] if n["name"] == "Merge")
    merge["parameters"] = {"mode": "combine", "combineBy": "combineByPosition"}
    wf = read_n8n(path.name, json.dumps(doc))[0]
    messages = [f.full_message for f in check_workflow(wf, [all_rules()["SAF003"]]).findings]
    assert any("input 2 is not connected; n8n runs the Merge at once" in m for m in messages)


# --------------------------------------------------------------------------- loops and status checks

def _loop(report_text, *, back_from="Notify"):
    """Start → Rows → Loop Over Items (v3: output 0 done, 1 loop) → Reply → Notify → back; done → Report."""
    return doc([node("Rows", "code", (200, 300), {"jsCode": "return [{json: {p: 1}}];"}, 2),
                node("Loop", "splitInBatches", (400, 300), {"batchSize": 1, "options": {}}, 3),
                node("Reply", "set", (600, 400), {}, 3.4), node("Notify", "set", (800, 400), {}, 3.4),
                node("Report", "slack", (600, 100), {"channelId": "C", "text": report_text}, 2.3)],
               links((T, "Rows"), ("Rows", "Loop"), ("Loop", "Report", 0), ("Loop", "Reply", 1),
                     ("Reply", "Notify"), (back_from, "Loop")))


def test_what_follows_a_loops_done_output_is_ordered_after_the_whole_body():
    """Loop Over Items emits on done only after its body ran for every batch: Report's read of the
    body's last node is ordered (no SAF004), by an ordering that is no extra input (no SAF003)."""
    wf = read(_loop("={{ $('Notify').last().json.p }}"))
    ordered = [e for e in wf.edges if (e.u, e.v) == ("Notify", "Report") and e.kind is not EdgeKind.IMPLICIT]
    assert [(e.kind, e.detail) for e in ordered] == [
        (EdgeKind.CONTROL, "Report runs on the done output of Loop, after its body (Notify) has run for every batch")]
    rules = [all_rules()[c] for c in ("SAF003", "SAF004")]
    assert list(check_workflow(wf, rules, preview=True).findings) == []


def test_a_read_of_the_loop_body_from_outside_the_done_output_is_still_a_race():
    """Only the done output waits for the body: a sibling of the loop on Rows' other output reading
    Notify is as unordered as before."""
    d = _loop("x")
    d["nodes"].append(node("Early", "slack", (400, 0), {"channelId": "C", "text": "={{ $('Notify').first().json.p }}"},
                           2.3))
    d["connections"]["Rows"]["main"][0].append({"node": "Early", "type": "main", "index": 0})
    found = list(check_workflow(read(d), [all_rules()["SAF004"]]).findings)
    assert [f.tasks for f in found] == [("Notify", "Early")]


def test_is_executed_asks_whether_a_node_ran_and_reads_none_of_its_output():
    """``$('A').isExecuted`` is n8n's own guard for a node that may not have run: no ordering, no
    SAF004; ``$('A').first()`` in the same place reads A's output and is one."""
    def sibling(expression):
        return doc([node("B", "set", (200, 200), {"assignments": {"assignments": [
            {"id": "b", "name": "b", "value": expression, "type": "string"}]}}, 3.4),
            node("A", "set", (200, 400), {}, 3.4)], links((T, "A"), (T, "B")))
    assert scan("$('A').isExecuted").references[0].status_only
    assert not scan("$('A').isExecuted()").references[0].status_only  # a call is not the property
    guarded = read(sibling("={{ $('A').isExecuted ? 'ran' : 'not yet' }}"))
    assert not [e for e in guarded.edges if (e.u, e.v) == ("A", "B")]
    assert list(check_workflow(guarded, [all_rules()["SAF004"]]).findings) == []
    reading = read(sibling("={{ $('A').isExecuted ? $('A').first().json.a : '' }}"))
    assert [f.tasks for f in check_workflow(reading, [all_rules()["SAF004"]]).findings] == [("A", "B")]


def test_an_ifs_two_sides_into_a_looped_node_are_no_fan_in():
    """Join is fed by both sides of an IF and by its own loop (Again → Join): the IF's sides never
    both carry one item, and the loop brings data on a later pass, so Join is no fan-in and SAF003
    names nothing (n8n runs each item through Join once a pass: test_n8n_oracle measures it).
    Two parallel branches into it beside the loop still are one."""
    from test_n8n_oracle import if_sides_into_one_node

    doc = if_sides_into_one_node("looped", "={{ $json.p }}")
    doc["nodes"].append({"parameters": {"url": "https://example.org/again", "options": {}}, "name": "Again",
                         "id": "00000000-0000-4000-8000-0000000000a9", "type": "n8n-nodes-base.httpRequest",
                         "typeVersion": 4.2, "position": [1200, 300]})  # each pass calls out: its runs are seen
    doc["connections"]["Join"] = {"main": [[{"node": "Again", "type": "main", "index": 0}]]}
    doc["connections"]["Again"] = {"main": [[{"node": "Join", "type": "main", "index": 0}]]}
    (wf,) = read_n8n("looped.json", json.dumps(doc))
    assert wf.tasks["Join"].join is not Join.EACH
    assert check_workflow(wf, [all_rules()["SAF003"]]).findings == []
    doc["connections"]["Start"]["main"][0].append({"node": "Join", "type": "main", "index": 0})  # beside Config
    (wf,) = read_n8n("looped.json", json.dumps(doc))
    assert wf.tasks["Join"].join is Join.EACH
    assert [f.code for f in check_workflow(wf, [all_rules()["SAF003"]]).findings] == ["SAF003"]


def test_a_read_that_works_only_by_canvas_position_is_a_warning_not_an_error():
    """Hook feeds Normalize (above) and Respond (below), which reads `$('Normalize')`; the manual
    trigger feeds Normalize too, so one serialization of the graph puts Respond first. In n8n v1
    the upper branch runs first in every execution that runs Respond: the read works today, only by
    canvas position (a warning). With Respond above, it runs first and reads nothing (an error)."""
    def layout(respond_y):
        return doc([node("Hook", "webhook", (0, 400), {"path": "x"}, 2),
                    node("Normalize", "set", (200, 400), {}, 3.4),
                    node("Respond", "slack", (200, respond_y), {"channelId": "C",
                                                                "text": "={{ $('Normalize').first().json.x }}"}, 2.3)],
                   links(("Hook", "Normalize"), ("Hook", "Respond"), (T, "Normalize")))
    (fragile,) = check_workflow(read(layout(600)), [all_rules()["SAF004"]]).findings
    assert fragile.severity.value == "warning" and "only because n8n happens to order them so" in fragile.message
    (broken,) = check_workflow(read(layout(200)), [all_rules()["SAF004"]]).findings
    assert broken.severity.value == "error" and "Respond runs before it" in broken.message


def test_reading_javascript_stays_linear_on_hostile_code():
    """Slashes that open a regex never closed, unclosed templates: each costs a constant, not the line."""
    import time

    for source in ["(/[" * 40000, "(/[\\]" * 30000, "`${" * 40000, "x/" * 50000]:
        started = time.perf_counter()
        scan(source)
        assert time.perf_counter() - started < 3.0, source[:8]


def test_any_node_wired_to_two_input_indexes_is_a_join_that_runs_once():
    """n8n parks a node's data until every input index wired to it has some, whatever the node (a
    Code node fed on input 0 and input 1 runs once, reading `$input.all(1)`); only parents on one
    index make it run once per branch (SAF003)."""
    code = {"jsCode": "return [...$input.all(0), ...$input.all(1)]"}
    nodes = [node("A", "noOp", (200, 200)), node("B", "noOp", (200, 400)), node("C", "noOp", (200, 600)),
             node("Join", "code", (400, 300), code, ver=2), node("Send", "httpRequest", (600, 300), ver=4.2)]
    joined = read(doc(nodes, links((T, "A"), (T, "B"), ("A", "Join", 0, 0), ("B", "Join", 0, 1), ("Join", "Send"))))
    assert joined.tasks["Join"].join is Join.ALL
    assert check_workflow(joined, [all_rules()["SAF003"]]).findings == []
    twice = read(doc(nodes, links((T, "A"), (T, "B"), (T, "C"), ("A", "Join", 0, 0), ("B", "Join", 0, 0),
                                  ("C", "Join", 0, 1), ("Join", "Send"))))
    assert twice.tasks["Join"].join is Join.EACH
    [finding] = check_workflow(twice, [all_rules()["SAF003"]]).findings
    assert {"A", "B"} <= set(finding.tasks)


def _findings(d, code, preview=False):
    return [f for f in check_workflow(read(d), [all_rules()[code]], preview=preview).findings if f.code == code]


@pytest.mark.parametrize("feeder, wording", [
    ("manualTrigger", "never runs in the same execution"),  # one item: an IF takes one way per run
    ("code", "only when a branch choice splits its items"),  # a Code node may emit several items
])
def test_saf004_read_of_a_node_on_another_route_of_a_choice_is_preview(feeder, wording):
    route = {"conditions": {"string": [{"value1": "={{ $json.action }}", "value2": "list"}]}}
    read_other = {"jsCode": "if ($json.action === 'list') { return $('List').all(); }\nreturn $input.all();"}
    nodes = [node("Parse", "code", (100, 0), {"jsCode": "return [{json: {}}];"})] if feeder == "code" else []
    first = "Parse" if feeder == "code" else T
    nodes += [node("Route", "if", (200, 0), route), node("Format", "code", (300, -100), read_other),
              node("List", "noOp", (300, 100))]
    pairs = [(T, "Parse")] if feeder == "code" else []
    d = doc(nodes, links(*pairs, (first, "Route"), ("Route", "Format", 1), ("Route", "List", 0)))
    assert _findings(d, "SAF004") == []
    [finding] = _findings(d, "SAF004", preview=True)
    assert wording in finding.message + finding.detail


def test_connections_filed_under_node_ids_are_reported_and_each_missing_name_once():
    nodes = [node("A", "set", (200, 0), id="a1"),
             node("B", "set", (400, 0), {"values": {"string": [{"name": "x", "value": "={{ $('Gone').item.json.x }}"},
                                                                {"name": "y", "value": "={{ $('Gone').item.json.y }}"}]}})]
    d = doc(nodes, {"t1": {"main": [[{"node": "a1", "type": "main", "index": 0}]]},
                    "A": {"main": [[{"node": "B", "type": "main", "index": 0}]]}})
    d["nodes"][0]["id"] = "t1"
    found = _findings(d, "GRA002")
    assert sorted(f.subject for f in found) == ["Gone", "t1"]
    by_subject = {f.subject: f for f in found}
    assert "id of node `Start`" in by_subject["t1"].detail
    assert "(2 places)" in by_subject["Gone"].message and len(by_subject["Gone"].related) == 1


@pytest.mark.parametrize("names, missing", [
    (["Edit Fields", "Edit_Fields", "edit-fields"], []),  # the first is there: the others are never needed
    (["Gone", "Edit_Fields"], ["Gone"]),  # none is there: said once, naming every try
])
def test_reads_tried_one_after_another_in_try_catch_are_missing_only_when_none_is_there(names, missing):
    if missing:
        names = [n for n in names if n != "Edit Fields"]
    code = "let src;\n" + "\n".join(f"try {{ if (!src) src = $('{n}'); }} catch (e) {{}}" for n in names)
    nodes = [node("Edit Fields", "set", (200, 0)), node("Collect", "code", (400, 0), {"jsCode": code + "\nreturn [];"})]
    d = doc(nodes, links((T, "Edit Fields"), ("Edit Fields", "Collect")))
    found = _findings(d, "GRA002")
    assert [f.subject for f in found] == missing
    if missing:
        assert "none of them is a node" in found[0].detail


def test_a_disabled_node_reads_nothing_and_a_part_no_trigger_reaches_is_not_reported():
    """n8n evaluates no parameter of a disabled node (it passes its input through), and runs no node
    that nothing from a trigger reaches (measured on n8n 2.8.4)."""
    reader = node("Later", "set", (400, 0), {"values": {"string": [{"name": "x", "value": "={{ $('Other').item.json.x }}"}]}},
                  disabled=True)
    nodes = [node("Other", "set", (200, 200)), reader, node("Lone", "noOp", (0, 600)),
             node("A", "set", (200, 600)), node("B", "set", (200, 800)), node("Join", "set", (400, 700)),
             node("Send", "httpRequest", (600, 700), {"url": "https://example.com/x", "method": "POST"})]
    wiring = [("Lone", "A"), ("Lone", "B"), ("A", "Join"), ("B", "Join"), ("Join", "Send")]
    d = doc(nodes, links((T, "Later"), (T, "Other"), *wiring))
    assert _findings(d, "SAF004", preview=True) == [] and _findings(d, "GRA002") == []
    assert _findings(d, "SAF003") == []
    wired = doc(nodes, links((T, "Later"), (T, "Other"), (T, "Lone"), *wiring))  # the same part, reached
    assert len(_findings(wired, "SAF003")) == 1


def test_a_missing_name_read_by_a_node_nothing_starts_is_preview_unless_the_file_lost_its_wiring():
    """A node no trigger reaches never runs, so nothing evaluates its `$('Gone')` (gen-era's copied
    part with no input): shown only with --preview. Where the export has no connections at all (its
    wiring was lost), reachability tells nothing of intent, so the read is reported as before."""
    reader = node("Reader", "set", (600, 0), {"values": {"string": [{"name": "x", "value": "={{ $('Gone').item.json.x }}"}]}})
    dead = doc([node("A", "set", (200, 0)), node("Orphan", "set", (400, 200)), reader],
               links((T, "A"), ("Orphan", "Reader")))
    assert _findings(dead, "GRA002") == [] and [f.subject for f in _findings(dead, "GRA002", preview=True)] == ["Gone"]
    live = doc([node("A", "set", (200, 0)), reader], links((T, "A"), ("A", "Reader")))
    assert [f.subject for f in _findings(live, "GRA002")] == ["Gone"]
    unwired = doc([node("A", "set", (200, 0)), reader], {})
    assert [f.subject for f in _findings(unwired, "GRA002")] == ["Gone"]
    # no enabled trigger at all: n8n starts nothing ("Missing node to start execution")
    untriggered = {**live, "nodes": [n for n in live["nodes"] if n["name"] != T],
                   "connections": {k: v for k, v in live["connections"].items() if k != T}}
    assert _findings(untriggered, "GRA002") == [] and len(_findings(untriggered, "GRA002", preview=True)) == 1


def test_an_empty_export_is_an_n8n_workflow_with_nothing_to_report(tmp_path):
    """n8n imports a workflow with `nodes: []`; wflint reads it (no tasks, nothing found) rather
    than calling it no workflow file, and a folder scan counts it."""
    path = tmp_path / "empty.json"
    path.write_text(json.dumps({"name": "empty", "nodes": [], "connections": {}, "settings": {"executionOrder": "v1"}}))
    [wf] = read_n8n(str(path), path.read_text())
    assert wf.tasks == {}
    [result] = lint_paths([str(tmp_path)], Selection())
    assert result.findings == [] and [r.workflow.name for r in result.results] == ["empty"]


def test_a_node_fed_only_by_error_outputs_is_a_failure_handler():
    """One `Report Error` node on the error outputs of two queries set to continue on error runs
    once per failure, as built: no SAF003 (a failure handler). Fed by a regular output too, it is
    no handler, and the fan-in is reported."""
    def wf(extra_link):
        nodes = [node("A", "code", (200, 200), {"jsCode": "return []"}, onError="continueErrorOutput"),
                 node("B", "code", (200, 400), {"jsCode": "return []"}, onError="continueErrorOutput"),
                 node("UseA", "noOp", (400, 100)), node("UseB", "noOp", (400, 500)),
                 node("Report", "httpRequest", (600, 300), ver=4.2)]  # posts each failure
        pairs = [(T, "A"), (T, "B"), ("A", "UseA", 0), ("A", "Report", 1), ("B", "UseB", 0), ("B", "Report", 1)]
        return doc(nodes, links(*pairs, *extra_link))
    assert _findings(wf([]), "SAF003", preview=True) == []
    assert len(_findings(wf([("UseA", "Report")]), "SAF003", preview=True)) == 1


@pytest.mark.parametrize("disabled, reported", [(True, False), (None, True)])
def test_par102_says_nothing_where_only_disabled_nodes_run_differently(disabled, reported):
    """v0 forces the chain feeding a Merge's other input (the IF's false side) where v1 does not;
    where that chain and the Merge are disabled nodes, which only pass items on, the switch shows
    in nothing the workflow does (MilesEducation's parked branch)."""
    parked = {"disabled": disabled} if disabled else {}
    nodes = [node("OK?", "if", (200, 300)), node("Main", "set", (400, 200)),
             node("A", "set", (400, 300), **parked), node("B", "set", (400, 500), **parked),
             node("Join", "merge", (600, 400), {"mode": "append"}, 2, **parked),
             node("End", "httpRequest", (800, 400), {"method": "POST", "url": "https://x.io/end"}, 4, **parked)]
    d = doc(nodes, links((T, "OK?"), ("OK?", "Main"), ("OK?", "A"), ("OK?", "B", 1), ("A", "Join"), ("B", "Join", 0, 1),
                         ("Join", "End")), order=None)
    assert bool(_findings(d, "PAR102", preview=True)) is reported


def test_a_no_op_that_closes_a_loop_fed_by_two_branches_is_a_fan_in():
    """Unseen round 8 (jcalderon90's ITERAR DATA, labelled true): a No Operation node fed by two
    branches of one pass, feeding the loop back, runs once per branch and sends the loop round
    twice a pass. It is no marker nothing follows, though its only way on closes the loop."""
    def looped(*branches):
        wiring = links((T, "Loop"), ("Loop", "Done", 0), ("Loop", "Work", 1), *[("Work", b) for b in branches],
                       *[(b, "Back") for b in branches], ("Back", "Loop"))
        nodes = [node("Loop", "splitInBatches", (200, 300), {"options": {}}, 3), node("Done", "noOp", (400, 100)),
                 node("Work", "set", (400, 300), {}, 3.4), node("Back", "noOp", (800, 300))]
        nodes += [node(b, "set", (600, 200 + 200 * i), {}, 3.4) for i, b in enumerate(branches)]
        return check_workflow(read(doc(nodes, wiring)), [all_rules()["SAF003"]]).findings
    assert [f.tasks[0] for f in looped("A", "B")] == ["Back"]
    assert looped("A") == []


def test_every_way_back_into_a_loop_closes_it_whatever_order_the_entries_are_listed_in():
    """Unseen round 9, F1: a revision loop Draft → {A, B} → Merge → IF → Revise → {A, B}. Both
    Revise → reviewer connections close the loop, whichever reviewer Draft lists first, and the
    reviewers' connections to the Merge stay forward ones. A node inside the loop fed by the
    reviewers without a Merge is still a fan-in (SAF003), since nothing outside the loop feeds it."""
    from wflint.adapters.n8n.order import back_edges

    def closers(first, second, into="Merge"):
        kids = {"Draft": [(first, 0, 0), (second, 0, 0)], "A": [(into, 0, 0)], "B": [(into, 0, 1)],
                into: [("IF", 0, 0)], "IF": [("Revise", 0, 0), ("Done", 1, 0)], "Revise": [(second, 0, 0), (first, 0, 0)]}
        names = ["Draft", "A", "B", into, "IF", "Revise", "Done"]
        return back_edges(names, kids, names)
    assert closers("A", "B") == closers("B", "A") == {("Revise", "A"), ("Revise", "B")}
    nodes = [node("Draft", "set", (200, 300), {}, 3.4), node("A", "set", (400, 200), {}, 3.4),
             node("B", "set", (400, 400), {}, 3.4), node("Gather", "set", (600, 300), {}, 3.4),
             node("Again?", "if", (800, 300)), node("Revise", "httpRequest", (1000, 200), ver=4.2)]  # a model call
    wiring = links((T, "Draft"), ("Draft", "B"), ("Draft", "A"), ("A", "Gather"), ("B", "Gather"), ("Gather", "Again?"),
                   ("Again?", "Revise"), ("Revise", "A"), ("Revise", "B"))
    findings = check_workflow(read(doc(nodes, wiring)), [all_rules()["SAF003"]]).findings
    assert [f.tasks[0] for f in findings] == ["Gather"]
