"""What an n8n node does to the outside world, from type + resource + operation (research §4).

Exports omit parameters equal to their default, so the default operation of each node type (and
type version) is part of the table: a Postgres v2 node with no ``operation`` *inserts*. Where a
default could not be checked against the node source it is marked below and chosen on the safe
side (a write). The identity of a resource is (system, credential, object): the credential names
the account, hence the connection pool and the rate limit.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from wflint.ir import ApiUse, Mode

PREFIX = "n8n-nodes-base."

# Node types whose effects cannot be known from the file: arbitrary code or another workflow.
OPAQUE = {"code", "function", "functionItem", "executeWorkflow", "executeCommand", "ssh",
          "toolCode", "toolWorkflow"}
# Nodes that touch nothing outside the execution (logic, formatting, triggers are handled apart).
PURE = {"set", "if", "switch", "merge", "noOp", "filter", "splitOut", "aggregate", "limit", "sort",
        "removeDuplicates", "splitInBatches", "wait", "dateTime", "markdown", "html", "itemLists",
        "renameKeys", "stopAndError", "compareDatasets", "summarize", "crypto", "xml", "extractFromFile",
        "convertToFile", "respondToWebhook", "executionData", "start", "stickyNote"}

# (type, version predicate) → default operation when ``operation`` is omitted.
# Checked against node source: httpRequest (GET), googleSheets (read), postgres v2 (insert),
# airtable v2 (read).
# Not checked here, chosen as the safe (write) side or as the UI's first option: the rest.
SQL_TYPES = {"postgres": "postgres", "mySql": "mysql", "microsoftSql": "tsql"}
SQL_WRITES = {"insert", "update", "upsert", "delete", "deleteTable", "executeQuery"}
WRITE_OPS = {
    "googleSheets": {"append", "appendOrUpdate", "update", "delete", "clear", "create", "remove", "upsert"},
    "airtable": {"append", "create", "update", "upsert", "delete", "deleteRecord"},
    "notion": {"create", "update", "archive", "append", "delete"},
    "supabase": {"create", "update", "delete", "upsert"},
    "redis": {"set", "incr", "push", "delete", "publish", "pop"},
    "awsS3": {"upload", "delete", "copy", "create", "move"},
    "s3": {"upload", "delete", "copy", "create", "move"},
    "googleDrive": {"upload", "update", "delete", "create", "move", "copy", "share", "createFromText",
                    "deleteFile", "deleteFolder", "updateFile"},
    "slack": {"post", "update", "delete", "create", "add", "invite", "kick", "archive", "sendAndWait",
              "postEphemeral", "upload", "setTopic", "rename", "replace"},
    "telegram": {"sendMessage", "sendPhoto", "sendDocument", "sendAudio", "sendVideo", "sendAnimation",
                 "sendLocation", "sendMediaGroup", "sendSticker", "sendChatAction", "editMessageText",
                 "deleteMessage", "pinChatMessage", "unpinChatMessage", "answerQuery", "answerInlineQuery",
                 "sendAndWait", "leave", "setDescription", "setTitle"},
    "gmail": {"send", "reply", "addLabels", "removeLabels", "markAsRead", "markAsUnread", "delete",
              "create", "sendAndWait"},
}
DEFAULT_OPS = {  # type → (default for typeVersion < switch, switch, default for >= switch)
    "googleSheets": ("read", 0, "read"),
    "airtable": ("read", 2, "read"),  # v2's description says 'read' (not one of its options)
    "notion": ("create", 0, "create"),  # unverified: safe side
    "supabase": ("create", 0, "create"),  # unverified: safe side
    "redis": ("info", 0, "info"),
    "awsS3": ("upload", 0, "upload"),
    "s3": ("upload", 0, "upload"),
    "googleDrive": ("upload", 3, "upload"),
    "slack": ("post", 0, "post"),  # posting a message is the omitted default
    "telegram": ("sendMessage", 0, "sendMessage"),
    "gmail": ("send", 0, "send"),
}
READ_METHODS = {"GET", "HEAD", "OPTIONS"}
DB_DEFAULT_SCHEMA = {"postgres": "public"}


@dataclass
class NodeEffects:
    effects: list[tuple[str, Mode, tuple]] = field(default_factory=list)  # resource, mode, param path
    opaque: bool = False
    apis: list[ApiUse] = field(default_factory=list)
    pools: list[str] = field(default_factory=list)
    operation: str = ""
    notes: list[str] = field(default_factory=list)


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


def infer(node: dict) -> NodeEffects:
    kind = short_type(str(node.get("type", "")))
    if kind.endswith("Tool") and kind not in OPAQUE and (kind[:-4] in WRITE_OPS or kind[:-4] in SQL_TYPES):
        kind = kind[:-4]  # an AI agent's tool wraps the node of the same name
    params = node.get("parameters") if isinstance(node.get("parameters"), dict) else {}
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
    return out


def _http(node: dict, params: dict, cred: str, out: NodeEffects) -> None:
    key = "requestMethod" if version(node) < 3 else "method"
    method = text(params.get(key)) or "GET"
    out.operation = method
    url = text(params.get("url"))
    host, path = url_parts(url)
    mode = Mode.READ if method.upper() in READ_METHODS else Mode.WRITE
    # An unknown host could be anything: it gets a resource of its own rather than a claimed conflict.
    resource = f"http:{host}{path}" if host != "?" else f"http:?{node.get('name', '')}"
    out.effects.append((resource + (f"#{cred}" if cred else ""), mode, ("url",)))
    out.apis.append(ApiUse(f"http:{host}", 1.0, per_item=True))


def url_parts(url: str) -> tuple[str, str]:
    """Host and path of a URL that may hold ``{{ }}`` expressions (replaced by ``*``)."""
    literal = re.sub(r"\{\{.*?\}\}", "*", url.lstrip("="), flags=re.S).strip()
    if not re.match(r"^[a-z][a-z0-9+.-]*://", literal, re.I):
        return ("?", "") if not literal or literal.startswith("*") else (literal.split("/", 1)[0], "")
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
        tables = sql_tables(text(params.get("query")), SQL_TYPES[kind])
        if tables is None:
            out.effects.append((f"{system}:{db}/*", Mode.WRITE, ("query",)))
            out.notes.append("SQL could not be parsed: treated as writing the whole database")
        for table, mode in (tables or {}).items():
            out.effects.append((f"{system}:{db}/{table}", mode, ("query",)))
        return
    schema = text(params.get("schema")) or DB_DEFAULT_SCHEMA.get(kind, "")
    table = text(params.get("table")) or "?"
    name = f"{schema}.{table}" if schema else table
    mode = Mode.WRITE if op in SQL_WRITES else Mode.READ
    out.effects.append((f"{system}:{db}/{name.lower()}", mode, ("table",)))


def sql_tables(query: str, dialect: str) -> dict[str, Mode] | None:
    """Tables a query reads and writes; None when it cannot be parsed (sqlglot imported lazily)."""
    if not query.strip():
        return {}
    literal = re.sub(r"\{\{.*?\}\}", "0", query.lstrip("="), flags=re.S)
    try:
        import logging

        import sqlglot
        from sqlglot import exp
    except ImportError:
        return None
    # sqlglot logs a warning for statements it only partly understands (CREATE EXTENSION ...);
    # those end up as unknown SQL here, and a linter's stderr is for its own messages.
    logging.getLogger("sqlglot").setLevel(logging.ERROR)
    try:
        statements = sqlglot.parse(literal, read=dialect)
    except Exception:  # sqlglot raises several error types; any of them means "unknown SQL"
        return None
    out: dict[str, Mode] = {}
    for statement in statements:
        if statement is None:
            continue
        written = set()
        if isinstance(statement, (exp.Insert, exp.Update, exp.Delete, exp.Merge, exp.Create, exp.Drop,
                                  exp.TruncateTable, exp.Alter)):
            target = statement.this
            for table in ([target] if isinstance(target, exp.Table) else list(target.find_all(exp.Table)) if target else []):
                written.add(_table_name(table))
        elif not isinstance(statement, (exp.Select, exp.Union, exp.Subquery)):
            if statement.find(exp.Table) is None:
                continue
        for table in statement.find_all(exp.Table):
            name = _table_name(table)
            if name and out.get(name) is not Mode.WRITE:
                out[name] = Mode.WRITE if name in written else Mode.READ
    return out


def _table_name(table) -> str:
    parts = [p for p in (table.args.get("db"), table.args.get("this")) if p is not None]
    return ".".join(getattr(p, "name", str(p)) for p in parts).lower()


def _generic(kind: str, node: dict, params: dict, cred: str, out: NodeEffects) -> None:
    before, switch, after = DEFAULT_OPS[kind]
    op = text(params.get("operation")) or (after if switch and version(node) >= switch else before)
    out.operation = op
    mode = Mode.WRITE if op in WRITE_OPS[kind] else Mode.READ
    target = _target(kind, params)
    system = {"googleSheets": "gsheet", "awsS3": "s3"}.get(kind, kind.lower())
    out.effects.append((f"{system}:{cred or 'default'}/{target}", mode, ()))
    out.apis.append(ApiUse(f"{system}:{cred or 'default'}", 1.0, per_item=True))  # one call per item


def _target(kind: str, params: dict) -> str:
    t = lambda *keys: "/".join(text(params.get(k)) or "?" for k in keys)  # noqa: E731
    if kind == "googleSheets":
        return t("documentId", "sheetName") if "documentId" in params else t("sheetId", "range")
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
        return t("bucketName", "fileName")
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
