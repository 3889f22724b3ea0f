"""Which tables a SQL text reads and writes, for any adapter that finds SQL in a workflow.

sqlglot parses; anything it only half understands (a ``Command``), a call of a function it does not
know (``SELECT refresh_stats()``: a user's function may write anything) or SQL it cannot parse at
all makes the answer None: unknown effects, never "touches nothing". Table names are lower-cased (unquoted SQL
identifiers are case-insensitive) and qualified as written (``catalog.db.table``). CTE names are
not tables. sqlglot is imported on first use, not at start-up.
"""
from __future__ import annotations

import re

from .ir import Mode
from .patterns import lazy


def tables_in_sql(sql: str, dialect: str | None = None) -> dict[str, Mode] | None:
    """table → WRITE if any statement writes it, else READ; None when the SQL cannot be read."""
    if not sql.strip():
        return {}
    from sqlglot import exp

    statements = _parse(sql, dialect)
    if statements is None or any(s is not None and s.find(exp.Anonymous) for s in statements):
        return None  # a function sqlglot does not know (a stored procedure, a UDF) may write anything
    out: dict[str, Mode] = {}
    for statement in statements:
        if statement is None:
            continue
        if isinstance(statement, exp.Command):
            return None
        written: set[str] = set()
        if isinstance(statement, (exp.Insert, exp.Update, exp.Delete, exp.Merge, exp.Create, exp.Alter)):
            target = statement.this
            table = target if isinstance(target, exp.Table) else target.find(exp.Table) if target else None
            if table is not None:
                written.add(_name(table))
        elif isinstance(statement, exp.TruncateTable):
            written.update(_name(t) for t in statement.expressions if isinstance(t, exp.Table))
        elif isinstance(statement, exp.Drop):
            written.update(_name(t) for t in statement.find_all(exp.Table))
        ctes = {c.alias_or_name.lower() for c in statement.find_all(exp.CTE)}
        for name in written:
            out[name] = Mode.WRITE
        for table in statement.find_all(exp.Table):
            name = _name(table)
            if name and name not in ctes and name not in out:
                out[name] = Mode.READ
    out.pop("", None)
    return out


# What a schema definition creates: objects that hold no data yet, made in milliseconds.
_SCHEMA_KINDS = {"TABLE", "SCHEMA", "DATABASE", "INDEX"}
_STARTS_WITH_DDL = lazy(r"\A(?:\s|--[^\n]*\n|/\*.*?\*/)*(?:create|alter)\b", re.I | re.S)


def schema_objects(sql: str, dialect: str | None = None) -> list[str] | None:
    """The objects a SQL text defines when all it does is define schema (``CREATE TABLE IF NOT
    EXISTS t (...)``, ``CREATE SCHEMA``, ``CREATE INDEX``, ``ALTER TABLE``; never ``CREATE TABLE ...
    AS SELECT``, which moves data); None for anything else, or SQL that cannot be read."""
    if not _STARTS_WITH_DDL.match(sql):
        return None
    from sqlglot import exp

    statements = [s for s in _parse(sql, dialect) or () if s is not None]
    names: list[str] = []
    for statement in statements:
        alters = isinstance(statement, exp.Alter) and statement.args.get("kind") == "TABLE"
        creates = isinstance(statement, exp.Create) and statement.args.get("kind") in _SCHEMA_KINDS \
            and statement.args.get("expression") is None
        if not (alters or creates):
            return None
        table = statement.find(exp.Table)
        names.append(_name(table) if table is not None else "")
    return list(dict.fromkeys(names)) or None


def _parse(sql: str, dialect: str | None) -> list | None:
    """sqlglot's statements, or None where it cannot parse the text."""
    import logging

    import sqlglot

    # sqlglot logs a warning for each statement it falls back on; here those are unknown SQL,
    # and a linter's stderr is for its own messages.
    logging.getLogger("sqlglot").setLevel(logging.ERROR)
    try:
        return sqlglot.parse(sql, read=dialect)
    except Exception:
        return None


def _name(table) -> str:
    return ".".join(p for p in (table.catalog, table.db, table.name) if p).lower()
