"""What an n8n node does to the outside world, from type + resource + operation (research §4).

Exports omit parameters equal to their default, so the default resource and operation of each node
type (and type version) are part of the table, read from the n8n node sources: a Postgres v2 node
with no ``operation`` *inserts*, an AWS S3 node with none *downloads*. An operation value the tables
do not classify is taken as a write (the safe side). The identity of a resource is (system,
credential, object): the credential names the account, hence the connection pool and the rate limit.
"""
from __future__ import annotations

import re
from dataclasses import field
from urllib.parse import urlsplit

from wflint.ir import ApiUse, Mode
from wflint.records import dataclass
from wflint.sqltables import ALL_COLUMNS, column_accesses, tables_in_sql

MAX_MERGE_INPUTS = 10  # n8n's Merge node (v3) offers 2 to 10 inputs (``numberInputs``)

PREFIX = "n8n-nodes-base."

# Node types whose effects cannot be known from the file: arbitrary code or another workflow.
OPAQUE = {"code", "function", "functionItem", "executeWorkflow", "executeCommand", "ssh",
          "toolCode", "toolWorkflow"}
# Nodes that touch nothing outside the execution (logic, formatting, triggers are handled apart).
PURE = {"set", "if", "switch", "merge", "noOp", "filter", "splitOut", "aggregate", "limit", "sort",
        "removeDuplicates", "splitInBatches", "wait", "dateTime", "markdown", "html", "itemLists",
        "renameKeys", "stopAndError", "compareDatasets", "summarize", "crypto", "xml", "extractFromFile",
        "convertToFile", "respondToWebhook", "executionData", "start", "stickyNote"}

SQL_TYPES = {"postgres": "postgres", "mySql": "mysql", "microsoftSql": "tsql"}
SQL_WRITES = {"insert", "update", "upsert", "delete", "deleteTable", "executeQuery"}

# What an export means when it omits ``resource`` or ``operation``: the defaults of the node
# description, per type and typeVersion. Rows are (first typeVersion, default resource,
# {resource: default operation}), oldest first; '' is the resource of nodes that have none.
# Read from packages/nodes-base/nodes/<path> in github.com/n8n-io/n8n (commit of the file read in
# brackets) and checked against the built descriptions of npm n8n-nodes-base@2.41.2
# (dist/types/nodes.json). httpRequest (GET) and Postgres (insert, v1 and v2) are defaulted in
# _http and _sql.
DEFAULTS: dict[str, tuple[tuple[float, str, dict[str, str]], ...]] = {
    # Google/Sheet/v1 and v2 (typeVersions 1-4.x), checked in npm 2.41.2 only: sheet → read.
    "googleSheets": ((1, "sheet", {"sheet": "read", "spreadsheet": "create"}),),
    # Airtable/v1/AirtableV1.node.ts (npm 2.41.2): no resource. v2: Airtable/v2/actions/
    # versionDescription.ts + record/Record.resource.ts [4f10a55e]; that commit has 'read' (not an
    # option), 2.41.2 has 'get': a read either way.
    "airtable": ((1, "", {"": "read"}), (2, "record", {"record": "get", "base": "getMany"})),
    # Notion/v2/VersionDescription.ts [010f3e08] (v1 and v3 the same in 2.41.2);
    # Notion/shared/descriptions/PageDescription.ts [2823a8c9]: page → create in v1 and v2+.
    "notion": ((1, "page", {"page": "create", "databasePage": "create", "database": "get",
                            "block": "append", "user": "get", "dataSource": "get"}),),
    # Supabase/Supabase.node.ts, Supabase/RowDescription.ts [00d89c7c].
    "supabase": ((1, "row", {"row": "create"}),),
    # Redis/Redis.node.ts [02489fb8]: no resource.
    "redis": ((1, "", {"": "info"}),),
    # Aws/S3/V2/AwsS3V2.node.ts [00ea909c], Aws/S3/V2/FileDescription.ts [05b16ef5]; V1 the same.
    "awsS3": ((1, "file", {"file": "download", "bucket": "create", "folder": "create"}),),
    # S3/S3.node.ts [010f3e08] (resource file), operations shared with Aws/S3.
    "s3": ((1, "file", {"file": "download", "bucket": "create", "folder": "create"}),),
    # Google/Drive/v2/actions/versionDescription.ts [286d5a04] (typeVersion 3),
    # file/File.resource.ts [2250978c]; Google/Drive/v1 (typeVersion 1-2) the same in 2.41.2.
    "googleDrive": ((1, "file", {"file": "upload", "folder": "create", "drive": "create",
                                 "fileFolder": "search"}),),
    # Slack/V2/SlackV2.node.ts [00525382], Slack/V2/MessageDescription.ts [00b54966];
    # Slack/V1 the same in 2.41.2 (userProfile only there).
    "slack": ((1, "message", {"message": "post", "channel": "create", "file": "upload",
                              "reaction": "add", "star": "add", "user": "info", "userGroup": "create",
                              "userProfile": "get"}),),
    # Telegram/Telegram.node.ts [00ea909c] (typeVersions 1-1.2).
    "telegram": ((1, "message", {"message": "sendMessage", "chat": "get", "callback": "answerQuery",
                                 "file": "get"}),),
    # Google/Gmail/v1/GmailV1.node.ts [07a85169], v1/DraftDescription.ts [41aba9bc];
    # Google/Gmail/v2/GmailV2.node.ts [062a2c83] (v2 message → send, label → getAll in 2.41.2).
    "gmail": ((1, "draft", {"draft": "create", "label": "create", "message": "send",
                            "messageLabel": "add"}),
              (2, "message", {"message": "send", "label": "getAll", "draft": "create",
                              "thread": "getAll"})),
}
# Operation values that only read, in every node above (none of them writes under another resource,
# so one set serves all resources).
READ_OPS = {"get", "getAll", "getMany", "search", "list", "read", "lookup", "info", "keys", "llen",
            "download", "history", "member", "replies", "administrators", "getPermalink",
            "getManyScheduled", "getProfile", "getPresence", "getUsers", "lookupByEmail", "getSchema",
            "getMarkdown", "getPresignedUrl"}
# Operation values that write, from the same descriptions. A value in neither set (a newer
# operation, an expression) is not classified and is taken as a write: the safe side.
WRITE_OPS = {
    "googleSheets": {"append", "appendOrUpdate", "clear", "create", "delete", "deleteSpreadsheet",
                     "remove", "update", "upsert"},
    "airtable": {"append", "create", "delete", "deleteRecord", "update", "upsert"},
    "notion": {"append", "archive", "create", "update", "updateMarkdown"},
    "supabase": {"create", "delete", "update"},
    "redis": {"delete", "incr", "pop", "publish", "push", "set"},
    "awsS3": {"copy", "create", "delete", "upload"},
    "s3": {"copy", "create", "delete", "upload"},
    "googleDrive": {"copy", "create", "createFromText", "delete", "deleteDrive", "deleteFile",
                    "deleteFolder", "move", "share", "update", "upload"},
    "slack": {"add", "archive", "close", "create", "delete", "deleteScheduled", "disable", "enable",
              "invite", "join", "kick", "leave", "open", "post", "postEphemeral", "remove", "rename",
              "schedule", "sendAndWait", "setPurpose", "setTopic", "unarchive", "update",
              "updateProfile", "updateUsers", "upload"},
    "telegram": {"answerInlineQuery", "answerQuery", "deleteMessage", "editMessageText", "leave",
                 "pinChatMessage", "sendAndWait", "sendAnimation", "sendAudio", "sendChatAction",
                 "sendDocument", "sendLocation", "sendMediaGroup", "sendMessage", "sendMessageDraft",
                 "sendPhoto", "sendRichMessage", "sendRichMessageDraft", "sendSticker", "sendVideo",
                 "setDescription", "setTitle", "unpinChatMessage"},
    "gmail": {"add", "addLabels", "create", "delete", "markAsRead", "markAsUnread", "remove",
              "removeLabels", "reply", "send", "sendAndWait", "trash", "untrash"},
}
READ_METHODS = {"GET", "HEAD", "OPTIONS"}
# Operations that only add a new object (a sheet row, an Airtable record, a Notion page or block,
# a Drive file: Drive keeps files of one name apart) and overwrite nothing, per node type. Sending
# a message adds one too, but the order of messages is what people read, so those stay plain
# writes; so do SQL and Supabase inserts (a unique key makes the second of two inserts fail).
APPEND_OPS = {"googleSheets": {"append"}, "airtable": {"append", "create"}, "notion": {"create", "append"},
              "googleDrive": {"upload", "createFromText", "create"}}
# Model inference over HTTP (chat, completions, embeddings): a POST that computes and stores nothing.
INFERENCE_PATH = re.compile(r"/(chat/)?completions$|/embeddings?$|/v1/messages$|:(generateContent|embedContent|"
                            r"streamGenerateContent)$|/api/(generate|chat|embed|embeddings)$")
# A search sent as a POST (its query in the body): Elasticsearch `_search`, Notion `databases/{id}/query`,
# `/index_with_search`. The last path segment names the search; one that also names a change
# (`_delete_by_query`, `_update_by_query`) stays a write.
SEARCH_PATH = re.compile(r"(?:^|/)(?![^/]*(?:delete|update|remove|replace|write|create|set|put|patch))"
                         r"[^/]*(?:search|query)/?$", re.IGNORECASE)
DB_DEFAULT_SCHEMA = {"postgres": "public"}


@dataclass
class NodeEffects:
    """What an n8n node reads and writes, as its type and parameters say, for the task's effects and APIs."""

    effects: list[tuple[str, Mode, tuple]] = field(default_factory=list)  # resource, mode, param path
    opaque: bool = False
    apis: list[ApiUse] = field(default_factory=list)
    pools: list[str] = field(default_factory=list)
    operation: str = ""
    notes: list[str] = field(default_factory=list)
    appends: set[str] = field(default_factory=set)  # resources it only adds new objects to


# Ways a Code or Function node's code reaches outside the run: requests and modules
# (`this.helpers`, `require`, `fetch`), state kept between executions (`$getWorkflowStaticData`),
# the execution's saved data (`$execution.customData`), the process, and code made at run time.
_CODE_REACHES_OUT = re.compile(r"\b(this|helpers|require|import|fetch|eval|Function|globalThis|process|"
                               r"XMLHttpRequest|WebSocket|setTimeout|setInterval)\b|\$getWorkflowStaticData|"
                               r"customData|\$evaluateExpression")
CODE_TYPES = {"code", "function", "functionItem"}


def code_stays_in_memory(node: dict) -> bool:
    """Does a Code or Function node's code only compute its output? JavaScript written out with
    none of the ways out above; Python (imports, files) and code not written out never count."""
    params = node.get("parameters")
    if not isinstance(params, dict) or str(params.get("language", "javaScript")) != "javaScript":
        return False
    code = params.get("jsCode") if short_type(str(node.get("type", ""))) == "code" else params.get("functionCode")
    return isinstance(code, str) and bool(code.strip()) and _CODE_REACHES_OUT.search(code) is None


def short_type(node_type: str) -> str:
    return node_type[len(PREFIX):] if node_type.startswith(PREFIX) else node_type


def credential(node: dict) -> str:
    """``type=id-or-name`` of the node's first credential, or '' (old exports store a bare name)."""
    creds = node.get("credentials")
    if not isinstance(creds, dict) or not creds:
        return ""
    kind, value = next(iter(creds.items()))
    if isinstance(value, dict):
        value = value.get("id") or value.get("name") or ""
    return f"{kind}={value}" if isinstance(value, (str, int)) else str(kind)


def text(value) -> str:
    """A parameter's literal text: resource locators give their ``value``; expressions stay as written."""
    if isinstance(value, dict) and "value" in value:
        value = value.get("value")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value if isinstance(value, str) else ""


def version(node: dict) -> float:
    v = node.get("typeVersion", 1)
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else 1.0


LANGCHAIN = "@n8n/n8n-nodes-langchain."
# Base nodes that only reshape items in memory, beyond PURE (conversions, extraction, forms that
# wait for a person): they touch nothing outside the execution.
IN_MEMORY = {"htmlExtract", "editImage", "compression", "moveBinaryData", "spreadsheetFile", "form",
             "itemLists", "debugHelper", "noOp", "respondToWebhook"}
# AI (LangChain) nodes: model calls and chains read a model and store nothing; parsers, splitters,
# loaders, the window memory and a few tools work in memory.
AI_MODEL_CALL = re.compile(r"^(lmChat\w*|lm\w*|embeddings\w*|chainLlm|chainSummarization|chainRetrievalQa|"
                           r"informationExtractor|textClassifier|sentimentAnalysis|agent|agentTool|"
                           r"toolWikipedia|toolSerpApi|toolWolframAlpha|toolVectorStore|rerankerCohere)$")
AI_IN_MEMORY = re.compile(r"^(outputParser\w*|textSplitter\w*|document\w*Loader|memoryBufferWindow|"
                          r"toolCalculator|toolThink|chat|chatTrigger|manualChatTrigger)$")
AI_OPENAI_READS = {"text", "image", "audio"}  # the OpenAI node's resources that only ask the model


def _ai(name: str, node: dict, params: dict, cred: str, out: NodeEffects) -> None:
    """What an AI (LangChain) node does: vector stores insert or read, chat memories store the
    conversation, model calls read; any other AI node (LangChain Code, MCP, unknown) is opaque."""
    if AI_IN_MEMORY.match(name):
        return
    if AI_MODEL_CALL.match(name) or name == "openAi" and (text(params.get("resource")) or "text") in AI_OPENAI_READS:
        out.effects.append((f"model:{name}:{cred or 'default'}", Mode.READ, ()))
        return
    if name.startswith("vectorStore"):
        mode = text(params.get("mode")) or "retrieve"
        key = next((k for k in ("qdrantCollection", "pineconeIndex", "tableName", "collection", "indexName")
                    if k in params), "")
        out.operation = mode
        out.effects.append((f"vector:{name}:{cred or 'default'}/{text(params.get(key)) if key else '?'}",
                            Mode.WRITE if mode in ("insert", "update") else Mode.READ, (key,) if key else ()))
        return
    if name.startswith("memory"):  # a chat memory in a database stores each turn
        out.effects.append((f"memory:{name}:{cred or 'default'}/{text(params.get('sessionKey')) or '?'}",
                            Mode.WRITE, ()))
        return
    out.opaque = True
    out.notes.append(f"AI node {name} not classified: its effects are unknown")


def infer(node: dict) -> NodeEffects:
    full = str(node.get("type", ""))
    if full.startswith(LANGCHAIN):
        raw = node.get("parameters")
        found = NodeEffects()
        if node.get("disabled") is not True:
            _ai(full[len(LANGCHAIN):], node, raw if isinstance(raw, dict) else {}, credential(node), found)
        return found
    kind = short_type(full)
    if kind.endswith("Tool") and kind not in OPAQUE and (kind[:-4] in WRITE_OPS or kind[:-4] in SQL_TYPES):
        kind = kind[:-4]  # an AI agent's tool wraps the node of the same name
    raw_params = node.get("parameters")
    params: dict = raw_params if isinstance(raw_params, dict) else {}
    out = NodeEffects()
    cred = credential(node)
    if node.get("disabled") is True:
        return out
    if kind in OPAQUE:
        out.opaque = True
        return out
    if kind == "httpRequest" or kind == "toolHttpRequest":
        _http(node, params, cred, out)
    elif kind in SQL_TYPES:
        _sql(kind, node, params, cred, out)
    elif kind in WRITE_OPS:
        _generic(kind, node, params, cred, out)
    elif kind == "emailSend":
        out.operation = str(params.get("operation", "send"))
        out.effects.append((f"email:{cred or 'smtp'}/{text(params.get('toEmail')) or '?'}", Mode.WRITE, ("toEmail",)))
    elif kind not in PURE and kind not in IN_MEMORY and not _starts_executions(kind):
        out.opaque = True  # a node type wflint has no table for: unknown, never "touches nothing"
        out.notes.append(f"node type {kind} not classified: its effects are unknown")
    return out


def _starts_executions(kind: str) -> bool:
    """Triggers read the event that starts the run and touch nothing else."""
    return kind.lower().endswith("trigger") or kind in ("webhook", "start", "cron", "interval")


def _http(node: dict, params: dict, cred: str, out: NodeEffects) -> None:
    key = "requestMethod" if version(node) < 3 else "method"
    method = text(params.get(key)) or "GET"
    out.operation = method
    url = text(params.get("url"))
    host, path = url_parts(url)
    inference = method.upper() == "POST" and bool(INFERENCE_PATH.search(path))
    search = method.upper() == "POST" and bool(SEARCH_PATH.search(path.split("?", 1)[0]))
    mode = Mode.READ if method.upper() in READ_METHODS or inference or search else Mode.WRITE
    if inference:
        out.notes.append("a model inference call (chat, completion or embedding): it reads")
    elif search:
        out.notes.append("a search sent as a POST (the endpoint names a search or query): it reads")
    # An unknown host could be anything: it gets a resource of its own rather than a claimed conflict.
    resource = f"http:{host}{path}" if host != "?" else f"http:?{node.get('name', '')}"
    out.effects.append((resource + (f"#{cred}" if cred else ""), mode, ("url",)))
    if mode is Mode.WRITE and method.upper() == "POST" and _creates(path):
        out.appends.add(resource + (f"#{cred}" if cred else ""))
    out.apis.append(ApiUse(f"http:{host}", 1.0, per_item=True))


# A POST whose endpoint names a creation (`/api/upload`, `/v1/files/create`, `/addRow`) adds a new
# object each call and overwrites nothing; any other POST (an RPC such as `update`, `send`) stays a
# plain write.
CREATE_ENDPOINT = re.compile(r"(?:^|/)(?:upload|create|add|new|import)[A-Za-z_-]*/?$", re.IGNORECASE)


def _creates(path: str) -> bool:
    return bool(CREATE_ENDPOINT.search(path.split("?", 1)[0]))


# Request settings that change what one call does beyond its URL (the items carry body and query).
CALL_SETTINGS = ("onError", "continueOnFail", "retryOnFail", "maxTries", "executeOnce", "alwaysOutputData")


def http_endpoint(node: dict) -> str | None:
    """What one HTTP Request node calls and as whom: method, host and path, the credential and the
    literal headers. Two nodes can become one multi-item node only when this is the same for both;
    None where it cannot be known (a URL built by an expression, a credential the export left out)."""
    raw = node.get("parameters")
    params: dict = raw if isinstance(raw, dict) else {}
    method = (text(params.get("requestMethod" if version(node) < 3 else "method")) or "GET").upper()
    host, path = url_parts(text(params.get("url")))
    if host == "?":
        return None
    auth = text(params.get("authentication")) or "none"
    who = "none"
    if auth != "none":
        who = credential(node)
        if not who:
            return None  # an export without its credentials: unknown, never "the same"
    headers = sorted(f"{text(h.get('name'))}={text(h.get('value'))}" for h in _header_list(params)
                     if isinstance(h, dict))
    if text(params.get("jsonHeaders")):
        headers.append("json:" + " ".join(text(params.get("jsonHeaders")).split()))
    settings = [f"{k}={node.get(k)!r}" for k in CALL_SETTINGS if node.get(k) is not None]
    return " ".join([method, host + path, auth, who, *headers, *settings])


def _header_list(params: dict) -> list:
    headers = params.get("headerParameters")
    found = headers.get("parameters") if isinstance(headers, dict) else None
    return found if isinstance(found, list) else []


def url_parts(url: str) -> tuple[str, str]:
    """Host and path of a URL that may hold ``{{ }}`` expressions (replaced by ``*``)."""
    literal = re.sub(r"\{\{.*?\}\}", "*", url.lstrip("="), flags=re.S).strip()
    if not re.match(r"^[a-z][a-z0-9+.-]*://", literal, re.I):  # no scheme: a placeholder host, or a bare one
        if not literal or literal.startswith("*"):
            return "?", ""
        host, slash, rest = literal.partition("/")
        return host, (slash + rest).split("?", 1)[0].split("#", 1)[0].rstrip("/")
    try:
        parts = urlsplit(literal)
    except ValueError:
        return "?", ""
    host = parts.hostname or "?"
    if "*" in parts.netloc:
        host = "?"
    return host, parts.path.rstrip("/")


def _sql(kind: str, node: dict, params: dict, cred: str, out: NodeEffects) -> None:
    op = text(params.get("operation")) or "insert"
    out.operation = op
    system = kind.lower()
    db = cred or "default"
    out.pools.append(f"{system}:{db}")
    if op == "executeQuery":
        query = _sql_text(text(params.get("query")))
        by_column = column_accesses(query, SQL_TYPES[kind])
        if by_column is not None:  # one table's rows and columns, statement by statement
            for resource, mode, append in by_column:
                out.effects.append((f"{system}:{db}/{resource}", mode, ("query",)))
                if append:
                    out.appends.add(f"{system}:{db}/{resource}")
            return
        tables = tables_in_sql(query, SQL_TYPES[kind])
        if tables is None:
            out.effects.append((f"{system}:{db}/*", Mode.WRITE, ("query",)))
            out.notes.append("SQL could not be parsed: treated as writing the whole database")
        for table, mode in (tables or {}).items():
            _whole_table(out, f"{system}:{db}/{table}", mode, ("query",))
        return
    schema = text(params.get("schema")) or DB_DEFAULT_SCHEMA.get(kind, "")
    table = text(params.get("table")) or "?"
    name = f"{schema}.{table}" if schema else table
    mode = Mode.WRITE if op in SQL_WRITES else Mode.READ
    _whole_table(out, f"{system}:{db}/{name.lower()}", mode, ("table",))


def _whole_table(out: NodeEffects, resource: str, mode: Mode, tail: tuple) -> None:
    """A read or write of a whole table: a read takes every column too (``#*``), which an update
    of some columns (``column_accesses``) changes; a write of the table meets every read of it."""
    out.effects.append((resource, mode, tail))
    if mode is Mode.READ:
        out.effects.append((resource + ALL_COLUMNS, Mode.READ, tail))


def _sql_text(query: str) -> str:
    """A query's ``{{ }}`` expressions stand for values, not names."""
    return re.sub(r"\{\{.*?\}\}", "0", query.lstrip("="), flags=re.S)


def sql_tables(query: str, dialect: str) -> dict[str, Mode] | None:
    """Tables a query reads and writes (whole tables)."""
    return tables_in_sql(_sql_text(query), dialect)


def default_operation(kind: str, node: dict, params: dict) -> str:
    """The operation n8n runs when the export omits it ('' when the resource is not in the table)."""
    rows = DEFAULTS.get(kind, ())
    v = version(node)
    row = next((r for r in reversed(rows) if v >= r[0]), rows[0] if rows else None)
    if row is None:
        return ""
    resource = text(params.get("resource")) if "resource" in params else row[1]
    return row[2].get(resource, "")


def _generic(kind: str, node: dict, params: dict, cred: str, out: NodeEffects) -> None:
    op = text(params.get("operation")) or default_operation(kind, node, params)
    out.operation = op
    if op in WRITE_OPS[kind] or op not in READ_OPS:
        mode = Mode.WRITE
        if op not in WRITE_OPS[kind]:
            out.notes.append(f"operation {op or '?'} not classified: treated as a write")
    else:
        mode = Mode.READ
    target = _target(kind, params)
    system = {"googleSheets": "gsheet", "awsS3": "s3"}.get(kind, kind.lower())
    resource = f"{system}:{cred or 'default'}/{target}"
    out.effects.append((resource, mode, ()))
    fields = _patched_fields(kind, node, params) if op == "update" else None
    if op in APPEND_OPS.get(kind, ()) or fields:
        out.appends.add(resource)
    for name in fields or ():
        out.effects.append((f"{resource}#{name}", Mode.WRITE, ("columns", "value", name)))
    out.apis.append(ApiUse(f"{system}:{cred or 'default'}", 1.0, per_item=True))  # one call per item


def _patched_fields(kind: str, node: dict, params: dict) -> tuple[str, ...] | None:
    """The fields an update sets where it sets only those: an Airtable v2 update with columns
    defined below sends a PATCH of the mapped fields, the matching columns aside (n8n-nodes-base
    2.8.4, Airtable/v2/actions/record/update.operation.js and transport batchUpdate). Two such
    updates of different fields overwrite nothing of each other; as for an append, a read of the
    table still waits for each. None where the node may write any field (columns mapped from the
    input item, or names that are expressions)."""
    columns = params.get("columns")
    if kind != "airtable" or version(node) < 2 or not isinstance(columns, dict):
        return None
    value, matching = columns.get("value"), columns.get("matchingColumns", ["id"])
    if columns.get("mappingMode") != "defineBelow" or not isinstance(value, dict) or not isinstance(matching, list):
        return None
    names = tuple(k for k in value if k not in matching and k != "id")
    if not names or any(not isinstance(k, str) or k.startswith("=") or "{{" in k for k in names):
        return None
    return names


GOOGLE_FILE_URL = re.compile(r"/(?:spreadsheets|document|file|presentation)/d/([\w-]+)")


def _sheet_target(params: dict) -> str:
    """One spelling per spreadsheet and tab, however the resource locator names them: a document
    by URL or by id is its id; a tab picked from the list (``gid=0``) or by id is its gid."""
    doc = text(params.get("documentId"))
    found = GOOGLE_FILE_URL.search(doc) if not doc.startswith("=") else None
    doc = found.group(1) if found else doc
    tab = text(params.get("sheetName"))
    if re.fullmatch(r"(gid=)?\d+", tab):
        tab = "gid=" + tab.removeprefix("gid=")
    return f"{doc or '?'}/{tab or '?'}"


def _s3_key(params: dict) -> str:
    """bucket/key of an S3 file: an upload names it ``fileName`` (under the additional field
    ``parentFolderKey``), a download or delete ``fileKey`` (Aws/S3/V2/FileDescription.ts)."""
    key = text(params.get("fileKey")) or text(params.get("fileName"))
    extra = params.get("additionalFields")
    folder = text(extra.get("parentFolderKey")) if isinstance(extra, dict) else ""
    if key and folder:
        key = f"{folder.rstrip('/')}/{key}"
    return f"{text(params.get('bucketName')) or '?'}/{key or '?'}"


def _target(kind: str, params: dict) -> str:
    t = lambda *keys: "/".join(text(params.get(k)) or "?" for k in keys)
    if kind == "googleSheets":
        return _sheet_target(params) if "documentId" in params else t("sheetId", "range")
    if kind == "airtable":
        return t("base", "table") if "base" in params else t("application", "table")
    if kind == "notion":
        for key in ("databaseId", "pageId", "blockId"):
            if key in params:
                return f"{key[:-2]}:{text(params[key]) or '?'}"
        return "?"
    if kind == "supabase":
        return t("tableId")
    if kind == "redis":
        return t("key")
    if kind in ("awsS3", "s3"):
        return _s3_key(params)
    if kind == "googleDrive":
        for key in ("fileId", "folderId", "driveId"):
            if key in params:
                return text(params[key]) or "?"
        return text(params.get("name")) or "?"
    if kind == "slack":
        return text(params.get("channelId")) or text(params.get("channel")) or text(params.get("user")) or "?"
    if kind == "telegram":
        return t("chatId")
    if kind == "gmail":
        return text(params.get("sendTo")) or text(params.get("messageId")) or "?"
    return "?"
