"""Which tables a SQL text reads and writes, for any adapter that finds SQL in a workflow.

sqlglot parses; anything it only half understands (a ``Command``) or cannot parse at all makes the
answer None: unknown effects, never "touches nothing". Table names are lower-cased (unquoted SQL
identifiers are case-insensitive) and qualified as written (``catalog.db.table``). CTE names are
not tables. sqlglot is imported on first use, not at start-up.
"""
from __future__ import annotations

from .ir import Mode


def tables_in_sql(sql: str, dialect: str | None = None) -> dict[str, Mode] | None:
    """table → WRITE if any statement writes it, else READ; None when the SQL cannot be read."""
    if not sql.strip():
        return {}
    import logging

    import sqlglot
    from sqlglot import exp

    # sqlglot logs a warning for each statement it falls back on; here those are unknown SQL,
    # and a linter's stderr is for its own messages.
    logging.getLogger("sqlglot").setLevel(logging.ERROR)
    try:
        statements = sqlglot.parse(sql, read=dialect)
    except Exception:
        return None
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


def _name(table) -> str:
    return ".".join(p for p in (table.catalog, table.db, table.name) if p).lower()
