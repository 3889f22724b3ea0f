"""A Jinja2 template of a DAG file: a ``.py`` that a generator DAG renders into the DAGs folder.

Airflow never parses the template, only the files rendered from it, so it is not a DAG file. Only
Jinja in code position counts: ``{{ ds }}`` in a string literal is an Airflow templated field of a
real DAG file. A template shows itself one of two ways:

- a tag in code position (``{% raw %}``, ``{# note #}``, ``{{ name }}``) in a file that does not
  parse as Python (on any grammar wflint reads);
- ``{{ name }}`` / ``{{ x|filter }}`` in code position of a file that does parse: a set display
  whose only element is a set display, in code that runs at import, where it always raises (the
  name is the template's, undefined in the file; were it defined, a set is unhashable), so no DAG
  can come of the file.

The text is scanned once, strings and comments skipped, by a regular expression whose every
alternative, once started, runs to its end (no backtracking: linear); a tag is looked at over a
bounded stretch of its own line. The file is parsed only where such a tag is found, and nothing
from it is evaluated.
"""
from __future__ import annotations

import ast

from wflint.patterns import lazy

# Each string form, once its quote is seen, runs to its end: its closing quote, its line's end
# (a single-quoted string left open) or the text's end; any character is one of its alternatives.
_STRINGS_COMMENTS_MARKERS = lazy(
    r"'''(?:[^'\\]+|(?:\\[\s\S])+|\\\Z|'(?!''))*(?:'''|\Z)"
    r'|"""(?:[^"\\]+|(?:\\[\s\S])+|\\\Z|"(?!""))*(?:"""|\Z)'
    r"|'(?:[^'\\\r\n]+|(?:\\[\s\S])+|\\\Z)*(?:'|(?=[\r\n])|\Z)"
    r'|"(?:[^"\\\r\n]+|(?:\\[\s\S])+|\\\Z)*(?:"|(?=[\r\n])|\Z)'
    r"|#[^\r\n]*"
    r"|\{[%#{]")
_BOUND = 200  # how far along its line a tag is looked for
_MARKERS = 10_000  # marker-like pairs looked at before giving up (a template has a few dozen)
_CLOSES = {"{%": "%}", "{#": "#}"}
# A Jinja statement or comment, matched only up to the first close after it on its own line.
_STATEMENT_OR_COMMENT = lazy(r"\{%[-+]?[ \t]*[A-Za-z_]\w*[^\n]*?%\}|\{#[^\n]*?#\}")
# A Jinja expression: no brace inside, on one line.
_EXPRESSION = lazy(r"\{\{[^{}\n]{1," + str(_BOUND) + r"}\}\}")
_SHOWN = 40


def template_marker(text: str, path: str = "<unknown>") -> str:
    """Where ``text`` shows itself a Jinja2 template ("`{% raw %}` at line 3"); "" when it does not."""
    if _LAST[0] is text:
        return _LAST[1]
    found = _marker(text, path)  # the caller (``airflow._template``) asked only of a text with a tag-like pair
    _LAST[:] = [text, found]
    return found


_LAST: list = [None, ""]  # the last text asked about and its answer: sniff and why_not ask in turn


def _marker(text: str, path: str) -> str:
    tag = _first_tag(text)
    if tag is None:
        return ""
    from .pysyntax import parse_python

    try:
        module = parse_python(text, path)
    except (SyntaxError, ValueError, RecursionError):
        at, shown = tag
        return f"{_show(shown)} at line {text.count(chr(10), 0, at) + 1}"
    held = _set_of_a_set(module)
    if held is None:
        return ""
    return f"{_show(_segment(text, held))} at line {held.lineno}, a set holding a set, which fails at import"


def _first_tag(text: str) -> tuple[int, str] | None:
    """(offset, text) of the first Jinja statement or comment tag in code position, else of the
    first expression tag: ``{% raw %}`` says more of why the file does not parse than ``{{ x }}``.

    Linear: a statement or comment is matched only where the next close of its kind (``%}``,
    ``#}``, each found once and kept until passed) lies on the same line (the next line break is
    kept the same way) within the bound; an expression's match stops at the first brace or line
    break, before the next marker, so no character is looked at twice by failing matches."""
    expression = None
    ahead: dict[str, int] = {}  # what (a close, "\n") -> the offset of its next one (-1: none left)
    looked = 0
    for m in _STRINGS_COMMENTS_MARKERS.finditer(text):
        at = m.start()
        if text[at] != "{":  # a string or a comment, passed over (its text is never copied)
            continue
        looked += 1
        if looked > _MARKERS:  # text dense with braces: looked no further (bounds the time it takes)
            break
        kind = text[at:at + 2]
        if kind == "{{":
            if expression is None:
                tag = _EXPRESSION.match(text, at)
                expression = (at, tag.group()) if tag is not None else None
            continue
        close, line_end = _next(text, _CLOSES[kind], at + 2, ahead), _next(text, "\n", at, ahead)
        if close < 0 or close - at > 2 * _BOUND or 0 <= line_end < close:
            continue
        tag = _STATEMENT_OR_COMMENT.match(text, at, close + 2)
        if tag is not None:
            return at, tag.group()
    return expression


def _next(text: str, what: str, start: int, ahead: dict[str, int]) -> int:
    """The offset of the first ``what`` at or after ``start``; each search starts where the last one
    found, so all of them together read the text once."""
    found = ahead.get(what)
    if found is None or 0 <= found < start:
        found = text.find(what, start)
        ahead[what] = found
    return found


def _set_of_a_set(module: ast.Module) -> ast.Set | None:
    """The first ``{{ x }}`` (a set whose only element is a set) in code that runs at import: not in
    a function or lambda body, a comprehension, or a ``try`` that may catch what it raises."""
    stack: list[ast.AST] = [module]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Set) and len(node.elts) == 1 and isinstance(node.elts[0], ast.Set):
            return node
        if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.Try)) \
                or type(node).__name__ == "TryStar":
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            stack.extend([*node.decorator_list, *node.args.defaults, *(d for d in node.args.kw_defaults if d)])
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(node))))
    return None


def _segment(text: str, node: ast.expr) -> str:
    """The node's text on its first line (``col_offset`` counts UTF-8 bytes, at least as many as
    characters: the characters up to the end offset hold its bytes)."""
    start = _line_start(text, node.lineno)
    end = text.find("\n", start)
    end = len(text) if end < 0 else end
    one_line = node.end_lineno == node.lineno and node.end_col_offset is not None
    stop = node.end_col_offset if one_line and node.end_col_offset is not None else node.col_offset + 4 * _SHOWN
    raw = text[start:min(end, start + stop)].encode("utf-8", "surrogatepass")
    return raw[node.col_offset:stop].decode("utf-8", "replace")


def _line_start(text: str, lineno: int) -> int:
    at = 0
    for _ in range(lineno - 1):
        at = text.find("\n", at) + 1
    return at


def _show(tag: str) -> str:
    from wflint.display import printable

    tag = tag.strip()
    return "`" + printable(tag if len(tag) <= _SHOWN else tag[:_SHOWN - 1] + "…") + "`"
