"""n8n effects: what a node does when its export omits ``resource`` and/or ``operation``.

The expected values are the defaults of the n8n node descriptions (see DEFAULTS in
adapters/n8n/effects.py for the source files read).
"""
import pytest

from wflint.adapters.n8n.effects import infer
from wflint.ir import Mode

R, W = Mode.READ, Mode.WRITE


def node(kind: str, version: float, **params) -> dict:
    return {"name": "X", "type": f"n8n-nodes-base.{kind}", "typeVersion": version, "parameters": params}


def effect(n: dict) -> tuple[str, list[Mode]]:
    found = infer(n)
    return found.operation, [mode for _, mode, _ in found.effects]


# Neither resource nor operation in the export: the default resource's default operation.
@pytest.mark.parametrize("kind, version, operation, mode", [
    ("notion", 2.2, "create", W),        # page → create
    ("notion", 1, "create", W),
    ("supabase", 1, "create", W),        # row → create
    ("redis", 1, "info", R),             # no resource
    ("awsS3", 2, "download", R),         # file → download
    ("awsS3", 1, "download", R),
    ("s3", 1, "download", R),
    ("googleDrive", 3, "upload", W),     # file → upload
    ("googleDrive", 2, "upload", W),
    ("slack", 2.2, "post", W),           # message → post
    ("slack", 1, "post", W),
    ("telegram", 1.2, "sendMessage", W),  # message → sendMessage
    ("gmail", 2.1, "send", W),           # message → send
    ("gmail", 1, "create", W),           # v1: draft → create
    ("googleSheets", 4.5, "read", R),    # sheet → read
    ("airtable", 2.1, "get", R),         # record → get
    ("airtable", 1, "read", R),
])
def test_omitted_resource_and_operation(kind, version, operation, mode):
    assert effect(node(kind, version)) == (operation, [mode])


# The resource is in the export, the operation is not: that resource's default operation.
@pytest.mark.parametrize("kind, version, resource, operation, mode", [
    ("notion", 2.2, "database", "get", R),
    ("notion", 2.2, "block", "append", W),
    ("supabase", 1, "row", "create", W),
    ("awsS3", 2, "bucket", "create", W),
    ("s3", 1, "folder", "create", W),
    ("googleDrive", 3, "fileFolder", "search", R),
    ("googleDrive", 3, "folder", "create", W),
    ("slack", 2.2, "user", "info", R),
    ("slack", 2.2, "channel", "create", W),
    ("telegram", 1.2, "file", "get", R),
    ("telegram", 1.2, "chat", "get", R),
    ("gmail", 2.1, "label", "getAll", R),
    ("gmail", 1, "label", "create", W),  # v1 and v2 differ
    ("gmail", 2.1, "thread", "getAll", R),
    ("googleSheets", 4.5, "spreadsheet", "create", W),
])
def test_omitted_operation_of_a_given_resource(kind, version, resource, operation, mode):
    assert effect(node(kind, version, resource=resource)) == (operation, [mode])


def test_redis_has_no_resource_so_only_the_operation_counts():
    assert effect(node("redis", 1, operation="keys")) == ("keys", [R])
    assert effect(node("redis", 1, operation="pop")) == ("pop", [W])  # pop removes from the list


@pytest.mark.parametrize("kind, version, params, mode", [
    ("slack", 2.2, {"resource": "message", "operation": "sendAndWait"}, W),
    ("slack", 2.2, {"resource": "message", "operation": "search"}, R),
    ("slack", 2.2, {"resource": "star", "operation": "delete"}, W),
    ("googleDrive", 3, {"operation": "deleteFile"}, W),
    ("googleDrive", 3, {"operation": "download"}, R),
    ("awsS3", 2, {"operation": "getAll"}, R),
    ("gmail", 2.1, {"resource": "thread", "operation": "trash"}, W),
    ("notion", 2.2, {"resource": "page", "operation": "search"}, R),
    ("telegram", 1.2, {"resource": "chat", "operation": "leave"}, W),
])
def test_explicit_operations(kind, version, params, mode):
    assert effect(node(kind, version, **params)) == (params["operation"], [mode])


def test_unclassified_operations_are_writes_with_a_note():
    found = infer(node("slack", 2.2, resource="message", operation="somethingNew"))
    assert [m for _, m, _ in found.effects] == [W] and found.notes
    # An unknown resource has no default operation: also a write.
    found = infer(node("slack", 2.2, resource="huddle"))
    assert found.operation == "" and [m for _, m, _ in found.effects] == [W] and found.notes
    # Known reads carry no note.
    assert not infer(node("redis", 1)).notes


def test_tool_variant_uses_the_same_defaults():
    assert effect({"name": "T", "type": "n8n-nodes-base.awsS3Tool", "typeVersion": 2, "parameters": {}}) \
        == ("download", [R])


def test_a_spreadsheet_by_url_or_by_id_and_a_tab_by_list_or_id_are_one_resource():
    from wflint.adapters.n8n.effects import infer
    doc_id = "1AbC-dEf_123"
    spellings = [
        {"documentId": {"__rl": True, "mode": "url", "value": f"https://docs.google.com/spreadsheets/d/{doc_id}/edit#gid=0"},
         "sheetName": {"__rl": True, "mode": "list", "value": "gid=0", "cachedResultName": "Log"}},
        {"documentId": {"__rl": True, "mode": "id", "value": doc_id}, "sheetName": {"__rl": True, "mode": "id", "value": "0"}},
    ]
    resources = {infer({"type": "n8n-nodes-base.googleSheets", "typeVersion": 4.5,
                        "parameters": {"operation": "append", **p}}).effects[0][0] for p in spellings}
    assert resources == {f"gsheet:default/{doc_id}/gid=0"}


@pytest.mark.parametrize("node_type, params, expected", [
    ("n8n-nodes-base.clockify", {"operation": "create"}, "opaque"),  # no table for it: unknown, not "nothing"
    ("@n8n/n8n-nodes-langchain.code", {}, "opaque"),
    ("@n8n/n8n-nodes-langchain.toolWorkflow", {}, "opaque"),
    ("@n8n/n8n-nodes-langchain.lmChatOpenAi", {}, "read"),
    ("@n8n/n8n-nodes-langchain.embeddingsOpenAi", {}, "read"),
    ("@n8n/n8n-nodes-langchain.chainLlm", {}, "read"),
    ("@n8n/n8n-nodes-langchain.openAi", {}, "read"),  # resource text, message a model
    ("@n8n/n8n-nodes-langchain.openAi", {"resource": "file", "operation": "upload"}, "opaque"),
    ("@n8n/n8n-nodes-langchain.vectorStoreQdrant", {"mode": "insert", "qdrantCollection": "docs"}, "write"),
    ("@n8n/n8n-nodes-langchain.vectorStoreQdrant", {"mode": "load", "qdrantCollection": "docs"}, "read"),
    ("@n8n/n8n-nodes-langchain.memoryPostgresChat", {}, "write"),
    ("@n8n/n8n-nodes-langchain.outputParserStructured", {}, "none"),
    ("n8n-nodes-base.htmlExtract", {}, "none"),
    ("n8n-nodes-base.telegramTrigger", {}, "none"),
])
def test_what_an_unlisted_or_ai_node_does(node_type, params, expected):
    from wflint.adapters.n8n.effects import infer
    found = infer({"type": node_type, "typeVersion": 1, "parameters": params})
    got = "opaque" if found.opaque else (found.effects[0][1].value if found.effects else "none")
    assert got == expected


def test_requests_with_other_headers_are_other_callers():
    from wflint.adapters.n8n.effects import http_endpoint
    call = lambda **p: http_endpoint({"type": "n8n-nodes-base.httpRequest", "typeVersion": 4.2,
                                      "parameters": {"url": "https://api.x.io/search", "method": "POST", **p}})
    assert call() == call() and call() is not None
    key = lambda k: {"sendHeaders": True, "specifyHeaders": "json", "jsonHeaders": f'{{"x-api-key": "{k}"}}'}
    assert call(**key("a")) != call(**key("b"))
    named = lambda k: {"headerParameters": {"parameters": [{"name": "Authorization", "value": k}]}}
    assert call(**named("Bearer a")) != call(**named("Bearer b"))
    assert call(url="={{ $json.url }}") is None  # an endpoint built per item is unknown
    assert call(authentication="predefinedCredentialType", nodeCredentialType="slackApi") is None  # credentials not exported


@pytest.mark.parametrize("method, url, creates", [
    ("POST", "https://api.upload-post.com/api/upload", True),   # each call adds a post
    ("POST", "https://api.x.io/v1/files/create", True),
    ("POST", "https://api.x.io/v1/addRow", True),
    ("POST", "https://api.x.io/v1/records/update", False),     # an RPC that overwrites
    ("POST", "https://api.telegram.org/bot1/sendMessage", False),  # message order is read
    ("PUT", "https://api.x.io/v1/upload", False),              # PUT replaces what is there
])
def test_a_post_to_a_creating_endpoint_only_adds(method, url, creates):
    found = infer(node("httpRequest", 4.2, method=method, url=url))
    assert [mode for _, mode, _ in found.effects] == [W]
    assert bool(found.appends) is creates


def airtable_update(name, y, *fields, mapping="defineBelow"):
    value = {"id": "={{ $json.id }}", **dict.fromkeys(fields, True)}
    params = {"operation": "update", "base": {"__rl": True, "mode": "id", "value": "app1"},
              "table": {"__rl": True, "mode": "id", "value": "tbl1"},
              "columns": {"mappingMode": mapping, "value": value, "matchingColumns": ["id"]}}
    return {"name": name, "type": "n8n-nodes-base.airtable", "typeVersion": 2.1, "position": [400, y], "parameters": params}


def test_airtable_updates_of_different_fields_of_one_table_do_not_conflict():
    """An Airtable v2 update with columns defined below PATCHes only those fields (n8n-nodes-base
    2.8.4 update.operation.js): on branches nothing orders, different fields are no conflict, one
    field written by both still is, and so is a write of fields taken from the input item."""
    from test_n8n import T, doc, links, read

    from wflint.engine import check_workflow
    from wflint.rule import all_rules

    def conflicts(a, b):
        wf = read(doc([a, b], links((T, a["name"]), (T, b["name"]))))
        return [f.tasks for f in check_workflow(wf, [all_rules()["SAF001"]], preview=True).findings]

    assert conflicts(airtable_update("X", 200, "TDone"), airtable_update("L", 400, "LDone")) == []
    assert conflicts(airtable_update("X", 200, "TDone", "Note"), airtable_update("L", 400, "LDone", "Note")) != []
    assert conflicts(airtable_update("X", 200, "TDone"), airtable_update("L", 400, "LDone", mapping="autoMapInputData")) != []
    found = infer(airtable_update("X", 200, "TDone"))
    assert [(r.rsplit("/", 1)[-1], m) for r, m, _ in found.effects] == [("tbl1", W), ("tbl1#TDone", W)]


@pytest.mark.parametrize("url, mode", [
    ("https://es.x.io/orders/_search", R),                    # Elasticsearch: the query is the body
    ("https://api.notion.com/v1/databases/abc/query", R),
    ("https://api.rentprog.ru/api/v1/index_with_search", R),
    ("https://api.x.io/v1/search?limit=5", R),
    ("https://es.x.io/orders/_delete_by_query", W),           # names a change: still a write
    ("https://es.x.io/orders/_update_by_query", W),
    ("https://api.x.io/v1/search/save", W),                   # the search is not the last segment
])
def test_a_post_that_names_a_search_reads(url, mode):
    found = infer(node("httpRequest", 4.2, method="POST", url=url))
    assert [m for _, m, _ in found.effects] == [mode]


def test_an_s3_file_is_named_by_its_key_whether_uploaded_or_downloaded():
    """An upload names the object `fileName` under `parentFolderKey`, a download `fileKey`: the same
    object either way, so a download of what an upload wrote reads that write."""
    upload = infer(node("awsS3", 2, operation="upload", bucketName="reports", fileName="daily.csv",
                        additionalFields={"parentFolderKey": "2024/"}))
    download = infer(node("awsS3", 2, operation="download", bucketName="reports", fileKey="2024/daily.csv"))
    other = infer(node("awsS3", 2, operation="download", bucketName="reports", fileKey="2024/weekly.csv"))
    assert upload.effects[0][:2] == ("s3:default/reports/2024/daily.csv", W)
    assert download.effects[0][:2] == ("s3:default/reports/2024/daily.csv", R)
    assert other.effects[0][0] != upload.effects[0][0]


@pytest.mark.parametrize("url, resource", [
    ("https://x.supabase.co/rest/v1/invoices?select=id", "http:x.supabase.co/rest/v1/invoices"),
    ("REPLACE/rest/v1/invoices?select=id&status=in.(sent)", "http:REPLACE/rest/v1/invoices"),  # a placeholder host
    ("api.example.com/v1/items/", "http:api.example.com/v1/items"),
    ("={{ $env.BASE }}/rest/v1/invoices", "http:?Call"),  # no known host: a resource of its own
])
def test_a_request_is_named_by_host_and_path_with_or_without_a_scheme(url, resource):
    """Without a scheme the path still says what is called: two tables behind one placeholder host
    are two resources, never one `http:REPLACE` every request reads and writes."""
    found = infer({**node("httpRequest", 4.2, method="GET", url=url), "name": "Call"})
    assert [r for r, _, _ in found.effects] == [resource]


@pytest.mark.parametrize("update, reported", [
    ("UPDATE offers SET description = '' WHERE created_at < now() - interval '90 days'", False),  # other columns
    ("UPDATE offers SET status = 'old' WHERE created_at < now() - interval '90 days'", True),  # a column it filters on
    ("DELETE FROM offers WHERE created_at < now() - interval '90 days'", True),  # rows it counts go
    ("INSERT INTO offers (status) VALUES ('new')", True),
])
def test_saf002_between_sql_on_one_table_only_where_what_is_read_may_change(update, reported):
    """A count of recent rows by status and an update of other columns of old rows read and write
    nothing in common; a write of a column the count filters on, or of its rows, does."""
    from test_n8n import doc, links, node, read

    from wflint.engine import check_workflow
    from wflint.rule import all_rules

    count = "SELECT count(*) FROM offers WHERE created_at >= now() - interval '7 days' AND status = 'new'"
    nodes = [node("Stats", "postgres", (200, 0), {"operation": "executeQuery", "query": count}, ver=2.5,
                  credentials={"postgres": {"id": "1", "name": "pg"}}),
             node("Purge", "postgres", (200, 200), {"operation": "executeQuery", "query": update}, ver=2.5,
                  credentials={"postgres": {"id": "1", "name": "pg"}})]
    wf = read(doc(nodes, links(("Start", "Stats"), ("Start", "Purge"))))
    found = check_workflow(wf, [all_rules()["SAF002"]]).findings
    assert bool(found) is reported


def test_column_accesses_of_queries_and_updates():
    from wflint.sqltables import column_accesses

    read = column_accesses("SELECT h.idpais, p.nombre FROM huesped h JOIN pais p ON p.id = h.idpais", "postgres")
    assert ("huesped#idpais", Mode.READ, False) in read and ("pais#id", Mode.READ, False) in read
    assert column_accesses("SELECT x FROM a JOIN b ON a.id = b.id", "postgres") is None  # x: whose column?
    assert ("t#*", Mode.READ, False) in column_accesses("SELECT * FROM t", "postgres")
    update = column_accesses("UPDATE t SET a = b + 1 WHERE id = 3", "postgres")
    assert {r for r, m, _ in update if m is Mode.WRITE} == {"t#a", "t#*"} and ("t#b", Mode.READ, False) in update
    assert column_accesses("UPDATE t SET a = 1 WHERE id IN (SELECT id FROM u)", "postgres") is None
