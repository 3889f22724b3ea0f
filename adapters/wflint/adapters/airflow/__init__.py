"""Apache Airflow DAG files (``.py`` that import airflow), read statically with libcst.

wflint never imports or executes the DAG file: a small interpreter follows the module's statements
over values it can know (docs/architecture.md, research/airflow.md §1). libcst and sqlglot are imported only
when a file is read.
"""
from __future__ import annotations

import re

FORMAT = "airflow"
_IMPORTS_AIRFLOW = re.compile(r"^\s*(?:from\s+airflow[\s.]|import\s+airflow\b)", re.M)


def sniff(path: str, text: str) -> bool:
    """A ``.py`` file that imports airflow, or (as Airflow's own parser takes any file that says
    "airflow" and "dag") one that imports a module of its repository that does: a loader calling
    the repository's DAG factory (``DAG = build_export_dag(...)``). Not a Jinja2 template of one
    (``jinja.py``): Airflow parses only the files rendered from it."""
    return _looks_like_a_dag_file(path, text) and not _template(path, text)


def _looks_like_a_dag_file(path: str, text: str) -> bool:
    if not path.endswith(".py"):
        return False
    if _IMPORTS_AIRFLOW.search(text):
        return True
    if path == "-" or not (_AIRFLOW_WORD.search(text) and _DAG_WORD.search(text)):
        return False
    from .imports import imports_local_airflow

    return imports_local_airflow(path, text, _IMPORTS_AIRFLOW)


def _template(path: str, text: str) -> str:
    """Where the file shows itself a Jinja2 template; "" for most files, told by three substring
    searches (the module is imported only for a file with ``{{``, ``{%`` or ``{#`` in it)."""
    if "{{" not in text and "{%" not in text and "{#" not in text:
        return ""
    from .jinja import template_marker

    return template_marker(text, path)


_AIRFLOW_WORD = re.compile(r"airflow", re.I)
_DAG_WORD = re.compile(r"dag", re.I)


_LOOKS_LIKE_A_DAG = re.compile(r">>|\bDAG\b|\bdag\b")


def why_not(path: str, text: str) -> str:
    """A Jinja2 template of a DAG file; or a Python file that speaks of DAGs but imports nothing
    from airflow: DAGs built by a project's own helpers, which wflint does not follow into other modules."""
    marker = _template(path, text) if path.endswith(".py") else ""
    if marker and _looks_like_a_dag_file(path, text):
        return f"a Jinja2 template of a DAG file ({marker}): Airflow parses only the files rendered from it"
    if path.endswith(".py") and _LOOKS_LIKE_A_DAG.search(text):
        return ("a .py file is read as an Airflow DAG file when it imports airflow, as "
                "`from airflow import DAG` does, or a module of its repository that does; this one imports neither")
    return ""


def read(path: str, text: str):
    from .reader import read_dag_file

    return read_dag_file(path, text)


def supports(workflow, change) -> bool:
    """Only declared orderings written in the file (``>>``, ``chain``, ``set_downstream``) are removed."""
    from wflint.finding import RemoveOrder

    return isinstance(change, RemoveOrder) and (change.u, change.v) in _written_orderings(workflow)


_WRITTEN: list = [None, 0, frozenset()]  # the last workflow asked about, its edge count, its pairs


def _written_orderings(workflow) -> frozenset[tuple[str, str]]:
    """The (u, v) of the declared orderings written in the file, made once per workflow: a fix
    per group asks of each of its orderings, and a scan of every edge each time was quadratic."""
    from wflint.ir import EdgeKind

    if _WRITTEN[0] is not workflow or _WRITTEN[1] != len(workflow.edges):
        pairs = frozenset((e.u, e.v) for e in workflow.edges if e.kind is EdgeKind.ORDER and e.location is not None
                          and e.location.pointer[:1] == ("edge",))
        _WRITTEN[:] = [workflow, len(workflow.edges), pairs]
    return _WRITTEN[2]


def rewrite(text: str, workflow, changes) -> list:
    """The text edits (``wflint.edits.TextEdit``, offsets into ``text``) that make ``changes``."""
    from .rewriter import rewrite as _rewrite

    return _rewrite(text, workflow, changes)


def verify(old, new, changes) -> str | None:
    from .rewriter import verify as _verify

    return _verify(old, new, changes)


def run_durations(data):
    """This engine's run data (``--timings``) as seconds per task name, one dict per run; else None."""
    from .runs import run_durations as _run_durations

    return _run_durations(data)
