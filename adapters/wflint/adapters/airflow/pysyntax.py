"""Parse a DAG file (or a module it imports) into ``ast`` on any Python wflint runs on.

Airflow runs on Python 3.12+, where f-strings may reuse their own quotes (PEP 701:
``f"{"a" if x else "b"}"``); the ``ast`` of Python 3.10/3.11 rejects them. When ``ast`` fails, the
file is parsed again with libcst, whose grammar knows PEP 701: each f-string the running ``ast``
cannot read is swapped for a placeholder name of the same lines and width, the text is parsed,
and the placeholder is replaced by the ``JoinedStr`` built from libcst's parts. Nothing is
evaluated. A file that libcst rejects too, or that still fails, is invalid on every version.
"""
from __future__ import annotations

import ast
import re
import warnings

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def parse_python(text: str, path: str = "<unknown>") -> ast.Module:
    """The module's ``ast``; raises ``SyntaxError`` (of the first parse) when no grammar reads it."""
    try:
        pieces = _parse_large(text, path)
        return pieces if pieces is not None else _ast_parse(text, path)
    except SyntaxError as first:
        module = _parse_newer_fstrings(text, path)
        if module is not None:
            return module
        module = _parse_without_type_parameters(text, path)
        if module is not None:
            return module
        if first.msg.startswith("f-string"):  # the older grammar stops at the f-string: say where it really fails
            raise _newer_grammar_error(text, path) or first from None
        raise first from None


def _parse_large(text: str, path: str) -> ast.Module | None:
    """A very large file parsed in pieces (``pieces.py``), the same tree at a fraction of the peak."""
    try:
        from .pieces import parse_in_pieces
    except ImportError:  # this file loaded on its own (the Airflow oracle does): parsed whole
        return None
    return parse_in_pieces(text, lambda source: _ast_parse(source, path))


# PEP 695 (Python 3.12): `type Alias[T] = ...`, `def f[T](...)`, `class C[T]:`, at a line's start.
_TYPE_ALIAS = re.compile(r"^([ \t]*)type([ \t]+)[A-Za-z_]\w*[ \t]*(?=[\[=])", re.M)
_GENERIC_DEF = re.compile(r"^[ \t]*(?:async[ \t]+)?(?:def|class)[ \t]+[A-Za-z_]\w*(?=\[)", re.M)


def _parse_without_type_parameters(text: str, path: str) -> ast.Module | None:
    """The module of a file that uses PEP 695's syntax, with it blanked to what older Pythons read:
    type parameter lists as spaces, and ``type X = v`` as ``X = v`` (the same lines; that line's
    columns move left by the keyword). A type alias is a name for a type, evaluated lazily; read as
    an assignment it makes no task. None when the file has none of it, or is still unreadable."""
    chars = list(text)
    keywords = []  # (start, end) of each alias's `type` and the blanks after it
    for m in _TYPE_ALIAS.finditer(text):
        start = m.start() + len(m.group(1))
        keywords.append((start, start + 4 + len(m.group(2))))
        _blank_brackets(text, chars, m.end())
    for m in _GENERIC_DEF.finditer(text):
        _blank_brackets(text, chars, m.end())
    for start, end in reversed(keywords):
        del chars[start:end]
    blanked = "".join(chars)
    if blanked == text:
        return None
    try:
        return _ast_parse(blanked, path)
    except SyntaxError:
        return _parse_newer_fstrings(blanked, path)


def _blank_brackets(text: str, chars: list[str], at: int) -> None:
    """Spaces over the bracketed list that starts at ``at`` (if one does), on its own line."""
    if text[at:at + 1] != "[":
        return
    depth = 0
    for i in range(at, len(text)):
        c = text[i]
        if c == "\n":
            return  # a parameter list over several lines: left as it is
        depth += c == "["
        depth -= c == "]"
        if not depth:
            chars[at:i + 1] = " " * (i + 1 - at)
            return


def _newer_grammar_error(text: str, path: str) -> SyntaxError | None:
    """Where the PEP 701 grammar (libcst) finds the file invalid, as a ``SyntaxError``."""
    import libcst as cst

    try:
        cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        reason = exc.message.split(": ", 2)[-1] if exc.message.startswith("parser error") else exc.message
        reason = reason if len(reason) < 80 else reason[:77] + "..."
        return SyntaxError(f"invalid syntax on every Python version ({reason})",
                           (path, exc.raw_line, exc.raw_column + 1, None))
    except (RecursionError, ValueError):
        return None
    return None


def _ast_parse(text: str, path: str) -> ast.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # invalid escape sequences etc. are the file's business
        return ast.parse(text, filename=path)


def _parse_newer_fstrings(text: str, path: str) -> ast.Module | None:
    """The module with PEP 701 f-strings grafted in, or None when it is not such a file."""
    try:
        import libcst as cst
        from libcst.metadata import MetadataWrapper, PositionProvider
    except ImportError:  # pragma: no cover - libcst is a dependency
        return None
    try:
        wrapper = MetadataWrapper(cst.parse_module(text), unsafe_skip_copy=True)
    except (cst.ParserSyntaxError, RecursionError, ValueError):
        return None
    positions = wrapper.resolve(PositionProvider)
    found = _unreadable_strings(wrapper.module)
    if not found:
        return None
    starts = _line_starts(text)
    spans = sorted(((starts[positions[node].start.line - 1] + positions[node].start.column,
                     starts[positions[node].end.line - 1] + positions[node].end.column, node) for node in found),
                   key=lambda span: span[0])
    swapped, grafts, stem = text, {}, _free_stem(text)
    for n, (begin, end, node) in reversed(list(enumerate(spans))):  # from the end: earlier offsets hold
        name = f"{stem}{n}"
        swapped = swapped[:begin] + _placeholder(name, text[begin:end]) + swapped[end:]
        grafts[name] = (node, wrapper.module)
    try:
        module = _ast_parse(swapped, path)
    except SyntaxError:
        return None  # something else is invalid too: the first error stands
    return _Graft(grafts).visit(module)


def _unreadable_strings(module) -> list:
    """The outermost strings (formatted or concatenated) the running ``ast`` cannot parse."""
    import libcst as cst

    found, stack = [], [module]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.FormattedString, cst.ConcatenatedString)):
            if not _readable(module.code_for_node(node)):
                found.append(node)
            continue
        stack.extend(node.children)
    return found


def _readable(code: str) -> bool:
    try:
        _ast_parse(f"(\n{code}\n)", "<string>")
    except SyntaxError:
        return False
    return True


def _free_stem(text: str) -> str:
    """A short name prefix the file never uses (short, so the placeholder fits the string's width)."""
    stem = "_wfs"
    while stem in text:
        stem += "_"
    return stem


def _line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in _LINE_BREAK.finditer(text)]


def _placeholder(name: str, original: str) -> str:
    """``(name)`` spanning the original's lines, padded to its width so later columns stay put."""
    lines = _LINE_BREAK.split(original)
    if len(lines) == 1:
        return "(" + name.ljust(len(original) - 2) + ")"
    return "(" + name + "\n" * (len(lines) - 1) + " " * max(0, len(lines[-1]) - 1) + ")"


class _Graft(ast.NodeTransformer):
    """Replaces each placeholder name by the string's ``ast``, placed where the string was."""

    def __init__(self, grafts: dict) -> None:
        self.grafts = grafts

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id not in self.grafts:
            return node
        built = _string_ast(*self.grafts[node.id])
        if built is None:
            return node  # an unbound name: the interpreter reads it as unknown, never guesses
        for inner in ast.walk(built):
            if "lineno" in inner._attributes:
                ast.copy_location(inner, node)
        return built


def _string_ast(node, module) -> ast.expr | None:
    """``ast`` for a libcst string (simple, formatted or concatenated); None where it cannot."""
    import libcst as cst

    if isinstance(node, cst.SimpleString):
        return _eval_body(node.value)
    if isinstance(node, cst.ConcatenatedString):
        left, right = _string_ast(node.left, module), _string_ast(node.right, module)
        return None if left is None or right is None else _concatenate(left, right)
    if isinstance(node, cst.FormattedString):
        values = _fstring_values(node.parts, node, module)
        return None if values is None else ast.JoinedStr(values=values)
    return None


def _fstring_values(parts, owner, module) -> list[ast.expr] | None:
    import libcst as cst

    out: list[ast.expr] = []
    for part in parts:
        if isinstance(part, cst.FormattedStringText):
            text = _decode_text(part.value, owner)
            if text is None:
                return None
            if text:
                out.append(ast.Constant(text))
            continue
        value = _expression_ast(module.code_for_node(part.expression))
        if value is None:
            return None
        conversion = ord(part.conversion) if part.conversion else -1
        spec = None
        if part.format_spec is not None:
            spec_values = _fstring_values(part.format_spec, owner, module)
            if spec_values is None:
                return None
            spec = ast.JoinedStr(values=spec_values)
        if part.equal is not None:  # f"{x=}": the source text, then repr unless told otherwise
            out.append(ast.Constant(module.code_for_node(part.expression) + "="))
            conversion = conversion if conversion != -1 or spec is not None else ord("r")
        out.append(ast.FormattedValue(value=value, conversion=conversion, format_spec=spec))
    return out


def _decode_text(raw: str, owner) -> str | None:
    """A text part's value: the string prefix's escapes applied, then ``{{``/``}}`` undoubled."""
    prefix = "".join(c for c in owner.prefix if c.lower() != "f")
    quote = owner.start[len(owner.prefix):]
    value = _eval_body(f"{prefix}{quote}{raw}{quote}") if raw else ast.Constant("")
    if not isinstance(value, ast.Constant) or not isinstance(value.value, str):
        return None
    return value.value.replace("{{", "{").replace("}}", "}")


def _eval_body(code: str) -> ast.expr | None:
    try:
        return _ast_parse(f"(\n{code}\n)", "<string>").body[0].value  # type: ignore[attr-defined]
    except (SyntaxError, IndexError, AttributeError):
        return None


def _expression_ast(code: str) -> ast.expr | None:
    """An f-string's inner expression, which may hold PEP 701 f-strings of its own."""
    direct = _eval_body(code)
    if direct is not None:
        return direct
    module = _parse_newer_fstrings(f"(\n{code}\n)", "<string>")
    statement = module.body[0] if module is not None and module.body else None
    return statement.value if isinstance(statement, ast.Expr) else None


def _concatenate(left: ast.expr, right: ast.expr) -> ast.expr:
    """``"a" f"{b}"``: one string, as the compiler joins adjacent literals."""
    parts = [p for side in (left, right) for p in (side.values if isinstance(side, ast.JoinedStr) else [side])]
    if all(isinstance(p, ast.Constant) for p in parts):
        return ast.Constant("".join(str(p.value) for p in parts))  # type: ignore[attr-defined]
    return ast.JoinedStr(values=parts)
