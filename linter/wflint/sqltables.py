"""Which tables a SQL text reads and writes, for any adapter that finds SQL in a workflow.

sqlglot parses; anything it only half understands (a ``Command``), a call of a function it does not
know (``SELECT refresh_stats()``: a user's function may write anything) or SQL it cannot parse at
all makes the answer None: unknown effects, never "touches nothing". Table names are lower-cased (unquoted SQL
identifiers are case-insensitive) and qualified as written (``catalog.db.table``). CTE names are
not tables. sqlglot is imported on first use, not at start-up.
"""
from __future__ import annotations

import functools
import re

from .ir import Mode
from .patterns import lazy


def tables_in_sql(sql: str, dialect: str | None = None) -> dict[str, Mode] | None:
    """table → WRITE if any statement writes it, else READ; None when the SQL cannot be read."""
    if not sql.strip():
        return {}
    from sqlglot import exp

    statements = _parse(sql, dialect)
    if statements is None or any(s is not None and _calls_unknown(s) for s in statements):
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
        elif isinstance(statement, exp.Copy):
            written.update(_copy_target(statement))
        ctes = {c.alias_or_name.lower() for c in statement.find_all(exp.CTE)}
        for name in written:
            out[name] = Mode.WRITE
        for table in statement.find_all(exp.Table):
            name = _name(table)
            if name and name not in ctes and name not in out and not name.startswith("@"):  # a stage is no table
                out[name] = Mode.READ
    out.pop("", None)
    return out


# Built-in functions of the warehouses that sqlglot parses as unknown calls but that only compute a
# value (JSON, arrays, text, dates, ids): a query that uses them still writes only what it says.
# Anything else sqlglot does not know may be a procedure or a UDF that writes: the SQL is unread.
PURE_BUILTINS = frozenset("""
    jsonb_array_elements jsonb_array_elements_text json_array_elements json_array_elements_text
    jsonb_build_array jsonb_build_object json_build_array json_build_object jsonb_typeof json_typeof
    jsonb_each jsonb_each_text json_each json_each_text jsonb_object_keys json_object_keys
    jsonb_extract_path jsonb_extract_path_text jsonb_agg jsonb_set jsonb_strip_nulls jsonb_pretty
    to_jsonb to_json row_to_json array_to_json jsonb_array_length json_array_length
    uuid_generate_v4 age cardinality make_date regexp_split_to_array regexp_split_to_table
    regexp_matches regexp_match octet_length parse_date parse_timestamp format_date format_timestamp
    zeroifnull iff try_to_number try_to_date object_construct array_construct
""".split())


def _calls_unknown(statement) -> bool:
    """Does the statement call a function neither sqlglot nor ``PURE_BUILTINS`` knows?"""
    from sqlglot import exp

    return any(call.name.lower() not in PURE_BUILTINS for call in statement.find_all(exp.Anonymous))


ALL_COLUMNS = "#*"  # what a read of every column (``SELECT *``) shares with any update of one


def column_accesses(sql: str, dialect: str | None = None) -> list[tuple[str, Mode, bool]] | None:
    """Where every statement is a query (its subqueries too) or an update of one table:
    (resource, mode, append) by column. A table's rows are ``table``; a column is
    ``table#column``. A ``SELECT`` reads the rows of each table it reads and each column it names
    (``table#*`` for ``*``); an ``UPDATE`` reads the rows and the columns its ``WHERE`` names and
    writes each column it sets, plus an append of ``table#*`` (it changes some column a
    ``SELECT *`` reads, but no other update's columns). So a count of recent rows and an update of
    old rows' other columns touch nothing in common, while an ``INSERT``, a ``DELETE`` or any
    write of the whole table (``table``) still meets every read. None where a column's table is
    not certain (a join's unqualified column), or for any other statement: the caller reads
    tables whole."""
    if not sql.strip():
        return None
    from sqlglot import exp

    statements = [st for st in _parse(sql, dialect) or [None] if st is not None]
    if not statements or tables_in_sql(sql, dialect) is None or any(st.find(exp.CTE) for st in statements):
        return None
    out: list[tuple[str, Mode, bool]] = []
    for statement in statements:
        if isinstance(statement, exp.Update):
            found = _update_columns(statement)
        elif isinstance(statement, (exp.Select, exp.Union)):
            found = _query_columns(statement)
        else:
            return None
        if found is None:
            return None
        out += found
    return list(dict.fromkeys(out))


def _update_columns(statement) -> list[tuple[str, Mode, bool]] | None:
    """An ``UPDATE t SET a = ... WHERE ...`` of one table, nothing nested."""
    from sqlglot import exp

    target = statement.this
    if not isinstance(target, exp.Table) or statement.args.get("from_") or statement.args.get("from") \
            or statement.find(exp.Select) is not None:
        return None
    table = _name(target)
    where = statement.args.get("where")
    read = [c.name.lower() for c in where.find_all(exp.Column)] if where is not None else []
    read += [c.name.lower() for e in statement.expressions if isinstance(e, exp.EQ) for c in e.expression.find_all(exp.Column)]
    written = [e.this.name.lower() for e in statement.expressions if isinstance(e, exp.EQ) and isinstance(e.this, exp.Column)]
    if len(written) != len(statement.expressions) or not table:
        return None
    return ([(table, Mode.READ, False)] + [(f"{table}#{c}", Mode.READ, False) for c in read]
            + [(f"{table}#{c}", Mode.WRITE, False) for c in written] + [(table + ALL_COLUMNS, Mode.WRITE, True)])


def _query_columns(statement) -> list[tuple[str, Mode, bool]] | None:
    """Each ``SELECT`` of a query (subqueries too) with its own ``FROM``: the tables it reads and
    their columns it names, a column placed by its qualifier or, unqualified, in the one table."""
    from sqlglot import exp

    out: list[tuple[str, Mode, bool]] = []
    for select in statement.find_all(exp.Select):
        tables: dict[str, str] = {}  # alias or name → table
        derived: set[str] = set()
        sources = [select.args.get("from_") or select.args.get("from"), *(select.args.get("joins") or [])]
        for source in sources:
            item = source.this if source is not None else None
            if isinstance(item, exp.Table):
                tables[(item.alias_or_name or "").lower()] = _name(item)
                tables.setdefault(item.name.lower(), _name(item))
            elif item is not None:
                derived.add((item.alias_or_name or "").lower())
        names = set(tables.values())
        out += [(t, Mode.READ, False) for t in names]
        for column in _own_columns(select):
            qualifier = column.table.lower()
            if qualifier in derived or not qualifier and not tables:
                continue  # a derived table's output, or a name that is no column (``SELECT now()``)
            table = tables.get(qualifier) if qualifier else (next(iter(names)) if len(names) == 1 else None)
            if table is None:
                return None
            name = ALL_COLUMNS[1:] if isinstance(column.this, exp.Star) else column.name.lower()
            out.append((f"{table}#{name}", Mode.READ, False))
        if any(isinstance(e, exp.Star) for e in select.expressions):
            out += [(t + ALL_COLUMNS, Mode.READ, False) for t in names]
    return out


def _own_columns(select):
    """The columns of ``select`` that no nested ``SELECT`` holds."""
    from sqlglot import exp

    for column in select.find_all(exp.Column):
        parent = column.parent
        while parent is not None and not isinstance(parent, exp.Select):
            parent = parent.parent
        if parent is select:
            yield column


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


@functools.lru_cache(maxsize=256)
def _parse(sql: str, dialect: str | None) -> tuple | None:
    """sqlglot's statements, or None where it cannot parse the text. Kept for the next ask of the
    same text: a query is read by column, by table and for its schema in turn, and the trees are
    only read, never changed."""
    import logging

    import sqlglot

    # sqlglot logs a warning for each statement it falls back on; here those are unknown SQL,
    # and a linter's stderr is for its own messages.
    logging.getLogger("sqlglot").setLevel(logging.ERROR)
    try:
        return tuple(sqlglot.parse(sql, read=dialect))
    except Exception:
        return None


def _copy_target(statement) -> set[str]:
    """The table a ``COPY`` loads (``COPY INTO t FROM @stage``, ``COPY t FROM 's3://…'``): a write,
    as an ``INSERT`` is. An unload (``COPY INTO @stage FROM t``, ``COPY t TO STDOUT``) only reads."""
    from sqlglot import exp

    target = statement.this
    if not statement.args.get("kind") or not isinstance(target, exp.Table) or _name(target).startswith("@"):
        return set()
    return {_name(target)}


def _name(table) -> str:
    return ".".join(p for p in (table.catalog, table.db, table.name) if p).lower()
