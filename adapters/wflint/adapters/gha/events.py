"""Which runs a job takes part in: the `on:` events, and the `if:` conditions evaluated per event.

A *run context* is one kind of run the workflow can have: an event and what its ref is (a
branch, a tag, or a ref the file names). A job runs in a context unless its `if:` is false there
or a job it needs does not run there (skip propagation, unless its `if:` uses a status function).
Conditions are evaluated three-valued: what the file does not fix (inputs, outputs, matrix
values, repository names) is unknown, and unknown means the job may run. Two jobs no context
runs both of are never in one run: no race, no conflict and no group between them.

GitHub compares strings case-insensitively; so does this evaluator.
"""
from __future__ import annotations

import re

from wflint.patterns import lazy
from wflint.records import dataclass

UNKNOWN = object()  # a value the file does not fix

# Events whose runs happen on a branch, on a tag, or either (a manual dispatch may pick a tag).
_TAG_EVENTS = {"release", "registry_package"}
_EITHER = {"workflow_dispatch", "create", "delete", "workflow_call", "repository_dispatch"}
_STATUS = lazy(r"\b(always|failure|cancelled|success)\s*\(")


@dataclass(frozen=True)
class RunContext:
    """One kind of run: ``event`` (None when the caller decides, as for `workflow_call`), the
    ref type, and the ref when a condition names it (``""``: any other ref of that type)."""

    event: str | None
    ref_type: str  # "branch" | "tag" | "pull" (a pull request's merge ref, refs/pull/N/merge)
    ref: str = ""
    named: frozenset[str] = frozenset()  # the refs of this type conditions name (``ref`` is none of them when empty)
    # a called workflow's `inputs.*` in this run (lower-case name → value; a value may be ``UNKNOWN``):
    # what its caller passes in `with:`, else the input's default. Empty: every input unknown.
    inputs: tuple[tuple[str, object], ...] = ()
    # a called workflow's run as the repository's callers make it: their event, which its
    # `github.event_name` is (GitHub gives a called workflow its caller's `github` context)
    caller_event: str | None = None
    # values every job of the run sees alike, taken as one of their cases (``split.py``): (the parsed
    # sub-expression, its value); a run of the file is in the context of one case of each
    assumed: tuple[tuple[tuple, object], ...] = ()
    case: str = ""  # those cases in words (part of the context's name)

    @property
    def github_event(self) -> str | None:
        """`github.event_name` in this run: a called workflow's is its caller's (None: unknown)."""
        return self.event or self.caller_event

    @property
    def name(self) -> str:
        caller = f"caller:{self.caller_event}" if self.caller_event else "caller"
        name = f"{self.event or caller}@{self.ref_type}" + (f":{self.ref}" if self.ref else "")
        return f"{name} ({self.case})" if self.case else name

    @property
    def wording(self) -> str:
        """The context as a person says it: "push to main", "push of another tag", "pull_request"."""
        event = self.event or (f"a caller's {self.caller_event}" if self.caller_event else "a caller's run")
        if self.ref_type == "pull":
            return event
        where = {"branch": "to", "tag": "of"}.get(self.ref_type, "on")
        if self.ref:
            return f"{event} {where} {self.ref_type} {self.ref}" if self.ref_type == "tag" else f"{event} {where} {self.ref}"
        other = "another " if self.named else "a "
        return f"{event} {where} {other}{self.ref_type}"


def run_contexts(on, conditions: list[str], called: tuple[tuple[str, str], ...] | None = None) -> list[RunContext]:
    """Every run context of a workflow: its events × ref types × the refs its conditions name, less
    the refs a push's filters rule out (``ref_filter``). ``called``: the (event, ref type) of the
    runs its callers call it in (``local.caller_runs``), when known; else a call may be on any."""
    named = _named_refs(conditions)
    config = on if isinstance(on, dict) else {}
    out = []
    for event, ref_types in _events(on):
        ways: list[tuple[str, str | None]] = [(ref_type, None) for ref_type in ref_types]
        if event is None and called:
            ways = [(ref_type, caller) for caller, ref_type in called]
        for ref_type, caller in ways:
            of_type = frozenset(ref for kind, ref in named if kind == ref_type)
            only, ignored = ref_filter(event, config.get(event), ref_type)
            if only is None or only - of_type:  # some ref the conditions do not name can start it
                out.append(RunContext(event, ref_type, named=of_type, caller_event=caller))
            out += [RunContext(event, ref_type, ref, of_type, caller_event=caller) for ref in sorted(of_type)
                    if (only is None or ref in only) and ref not in ignored
                    and ref.startswith(_QUEUE_BRANCH if (event or caller) == "merge_group" else "")]
    return out


def schedule_gap_minutes(on) -> int | None:
    """The shortest time between two starts of the workflow's `schedule:` crons, in minutes, read
    from their minute and hour fields alone (days, months and weekdays only make starts rarer);
    None when it has no schedule or a cron wflint cannot read."""
    entries = on.get("schedule") if isinstance(on, dict) else None
    if not isinstance(entries, list) or not entries:
        return None
    starts: set[int] = set()
    for entry in entries:
        fields = str(entry.get("cron", "")).split() if isinstance(entry, dict) else []
        minutes = _cron_values(fields[0], 60) if len(fields) == 5 else None
        hours = _cron_values(fields[1], 24) if len(fields) == 5 else None
        if not minutes or not hours:
            return None
        starts.update(h * 60 + m for h in hours for m in minutes)
    ordered = sorted(starts)
    return min(b - a for a, b in zip(ordered, [*ordered[1:], ordered[0] + DAY_MINUTES]))


DAY_MINUTES = 24 * 60
_CRON_PART = lazy(r"(\*|\d+(?:-\d+)?)(?:/(\d+))?")


def _cron_values(field: str, size: int) -> set[int] | None:
    """The values a cron field (`*`, `5`, `1-5`, `*/15`, `0-30/10`, lists of them) allows."""
    out: set[int] = set()
    for part in field.split(","):
        match = _CRON_PART.fullmatch(part)
        if not match:
            return None
        span, step = match.group(1), int(match.group(2) or 1)
        low, _, high = span.partition("-")
        if span == "*":
            first, last = 0, size - 1
        else:  # `5/10` runs from 5 to the end, every 10
            first = int(low)
            last = int(high) if high else size - 1 if match.group(2) else first
        if step < 1 or not 0 <= first <= last < size:
            return None
        out.update(range(first, last + 1, step))
    return out


_FILTER_KEYS = {"branch": ("branches", "branches-ignore"), "tag": ("tags", "tags-ignore")}
_LITERAL_REF = lazy(r"[\w./-]+")  # a filter pattern without `*`, `?`, `+`, `[]` or `!`: one ref


def ref_filter(event: str | None, config, ref_type: str) -> tuple[frozenset[str] | None, frozenset[str]]:
    """The refs of ``ref_type`` a push's `branches:`/`tags:` filter allows (None: not only literal
    names, so any), and the literal names its `-ignore` filter refuses. Other events' filters are
    on another ref than the run's (a pull request's base branch), so they rule nothing out."""
    if event != "push" or not isinstance(config, dict) or ref_type not in _FILTER_KEYS:
        return None, frozenset()
    allow, ignore = (config.get(key) for key in _FILTER_KEYS[ref_type])
    allow = [allow] if isinstance(allow, str) else allow
    ignore = [ignore] if isinstance(ignore, str) else ignore
    literal = [str(p) for p in allow] if isinstance(allow, list) else None
    if literal is not None and not all(_LITERAL_REF.fullmatch(p) for p in literal):
        literal = None
    ignore = ignore if isinstance(ignore, list) else []
    refused = frozenset(str(p).lower() for p in ignore if _LITERAL_REF.fullmatch(str(p)))
    return (frozenset(p.lower() for p in literal) if literal is not None else None), refused


def pull_requests_start_runs(on) -> bool:
    """Can a pull request's event start a run of this workflow (`github.head_ref` then names its
    branch)? A reusable workflow runs on its callers' events, and an `on:` wflint cannot read may
    hold any: both count as yes."""
    names = [name for name, _ in _events(on)]
    return any(name is None or name in _PULL_EVENTS for name in names)


def condition_text(value) -> str:
    """A job's `if:` as text; YAML reads `if: false` as a boolean, which still disables the job."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def calling_runs(on, condition: str) -> list[RunContext]:
    """The runs in which a job with the `if:` ``condition`` may run (the jobs it needs are not
    followed: more runs, never fewer), as when it calls a reusable workflow."""
    return [c for c in run_contexts(on, [condition]) if may_run(condition, c)]


def _events(on) -> list[tuple[str | None, tuple[str, ...]]]:
    config: dict = {}
    if isinstance(on, str):
        names = [on]
    elif isinstance(on, list):
        names = [n for n in on if isinstance(n, str)]
    elif isinstance(on, dict):
        names, config = [str(n) for n in on], on
    else:
        return [(None, ("branch", "tag"))]
    return [(None if name == "workflow_call" else name, _ref_types(name, config.get(name))) for name in names]


def _ref_types(event: str, config) -> tuple[str, ...]:
    if event == "push":
        keys = set(config) if isinstance(config, dict) else set()
        tags, branches = keys & {"tags", "tags-ignore"}, keys & {"branches", "branches-ignore"}
        if tags and not branches:
            return ("tag",)
        if branches and not tags:
            return ("branch",)
        return ("branch", "tag")
    if event in _TAG_EVENTS:
        return ("tag",)
    if event == "pull_request":
        return ("pull",)
    return ("branch", "tag") if event in _EITHER else ("branch",)


_REF_LITERAL = lazy(r"github\.ref\s*[!=]=\s*'refs/(heads|tags)/([^']+)'|'refs/(heads|tags)/([^']+)'\s*[!=]=\s*github\.ref\b"
                          r"|github\.ref_name\s*[!=]=\s*'([^']+)'", re.I)


def _named_refs(conditions: list[str]) -> list[tuple[str, str]]:
    """(ref type, name) of every ref a condition compares with, in order of first mention."""
    found: dict[tuple[str, str], None] = {}
    for condition in conditions:
        for m in _REF_LITERAL.finditer(condition) if condition else ():  # most steps have no `if:`
            kind = m.group(1) or m.group(3)
            name = (m.group(2) or m.group(4) or m.group(5)).lower()
            for ref_type in (("branch" if kind.lower() == "heads" else "tag",) if kind else ("branch", "tag")):
                found[(ref_type, name)] = None
    return list(found)


_EVENT_LITERAL = lazy(r"github\.event_name\s*[!=]=\s*'([^']+)'|'([^']+)'\s*[!=]=\s*github\.event_name\b", re.I)


def constant(expression, contexts) -> bool | None:
    """The value an expression has in every one of ``contexts``, or None when it varies, is
    unknown somewhere or is a plain literal (written to be constant)."""
    if not isinstance(expression, str) or "${{" not in expression or not contexts:
        return None
    if all(certainly(expression, c) for c in contexts):
        return True
    if not any(may_run(expression, c) for c in contexts):
        return False
    return None


def never_there(expression: str, contexts) -> list[str]:
    """The refs and events an expression compares with that no run in ``contexts`` has, in words."""
    missing = []
    for ref_type, ref in _named_refs([expression]):
        if not any(c.ref_type == ref_type and c.ref == ref for c in contexts):
            missing.append(f"the {ref_type} `{ref}`")
    if all(c.event is not None for c in contexts):  # a called workflow's event is its caller's
        for m in _EVENT_LITERAL.finditer(expression):
            event = (m.group(1) or m.group(2)).lower()
            if not any(c.event == event for c in contexts):
                missing.append(f"the event `{event}`")
    return list(dict.fromkeys(missing))


def may_run(condition: str, context: RunContext) -> bool:
    """False only when the condition is certainly false in ``context``."""
    return _may_run(condition_tree(condition), context)


def condition_tree(condition: str) -> tuple | None:
    """The parsed `if:`; None for none, or for one wflint cannot read (either may run)."""
    text = condition.strip()
    if not text:
        return None
    if text.startswith("${{") and text.endswith("}}"):
        text = text[3:-2]
    return _tree(text)


def _may_run(tree: tuple | None, context: RunContext) -> bool:
    if tree is None:
        return True
    value = _evaluate(tree, context, False)
    return value is UNKNOWN or _truthy(value)


def certainly(condition, context: RunContext) -> bool:
    """True only when ``condition`` (a literal or an expression) is certainly true in ``context``."""
    if isinstance(condition, bool) or condition is None:
        return condition is True
    text = str(condition).strip()
    if text.lower() == "true":
        return True
    if text.startswith("${{") and text.endswith("}}"):
        text = text[3:-2]
    tree = _tree(text)
    if tree is None:
        return False
    value = _evaluate(tree, context, False)
    return value is not UNKNOWN and _truthy(value)


PER_RUN = "\x00per-run"  # the value of github.sha, run_id, run_number: never the same in two runs


def per_run_group(group: str, context: RunContext) -> bool:
    """Is the group key unique per run in ``context`` (``github.head_ref || github.sha`` on a push)?
    Such a group never holds or cancels another run."""
    for m in re.finditer(r"\$\{\{(.*?)\}\}", group, re.S):
        tree = _tree(m.group(1), group_key=True)
        if tree is not None and _evaluate(tree, context, True) == PER_RUN:
            return True
    return False


def keyed_by_its_tag(group: str, context: RunContext) -> bool:
    """A key holding the ref, in a run on a tag: the only newer run that shares it is one of the same
    tag (pushed again, or dispatched on it), which publishes that very version again; a release
    of another version, the loss SAF311 is about, is never in its group."""
    if context.ref_type != "tag":
        return False
    for m in re.finditer(r"\$\{\{(.*?)\}\}", group, re.S):
        tree = _tree(m.group(1), group_key=True)  # `github.ref`, or `github.head_ref || github.ref`: the tag
        value = _evaluate(tree, context, True) if tree is not None else UNKNOWN
        if isinstance(value, _Prefixed) or context.ref and value in (context.ref, "refs/tags/" + context.ref):
            return True
    return False


def keyed_by_its_pull(group: str, context: RunContext) -> bool:
    """A key holding the pull request (its merge ref, head branch or number), in a run a pull request
    starts: the only newer run that shares it is the same pull request's, which publishes its
    preview again; another pull request's, or a release's, is never in its group."""
    if context.ref_type != "pull" or context.github_event not in _PULL_EVENTS:
        return False
    for m in re.finditer(r"\$\{\{(.*?)\}\}", group, re.S):
        if _PULL_KEY.search(m.group(1)):
            return True
        tree = _tree(m.group(1), group_key=True)
        value = _evaluate(tree, context, True) if tree is not None else UNKNOWN
        if isinstance(value, _Prefixed) and value.suffix == _PULL_SUFFIX:
            return True
    return False


_PULL_KEY = lazy(r"\bgithub\.(?:head_ref|event\.number|event\.pull_request\.(?:number|head\.ref))\b")


def keyed_by_its_run_pull(group: str, condition: str, context: RunContext) -> bool:
    """A `workflow_run` job whose `if:` lets it run only after a pull request's run, in a group
    keyed by that pull request (the finished run's head branch or pull request number): the only
    newer run that shares the key is the same pull request's, which publishes its preview again,
    as ``keyed_by_its_pull`` says of a pull request's own runs."""
    if context.event != "workflow_run" or not _RUN_PULL_KEY.search(group) or not _RUN_EVENT.search(condition):
        return False
    # the finished run's event as each other value the condition names, and as one it names not
    others = {v.lower() for v in _QUOTED.findall(condition)} - {"pull_request", "pull_request_target"} | {"\x00other"}
    return not any(may_run(_RUN_EVENT.sub(f"'{v}'", condition), context) for v in others)


_RUN_PULL_KEY = lazy(r"\bgithub\.event\.workflow_run\.(?:head_branch|pull_requests\s*\[\s*0\s*\]\s*\.\s*number)\b")
_RUN_EVENT = lazy(r"\bgithub\.event\.workflow_run\.event\b", re.I)
_QUOTED = lazy(r"'((?:[^']|'')*)'")


def uses_status(condition: str) -> bool:
    """A status function in `if:` replaces the implicit ``success()``: the job may run after a skip."""
    return bool(_STATUS.search(condition))


# --- a small three-valued evaluator of GitHub expressions --------------------------------------

class _Unreadable(Exception):
    pass


_TOKEN = lazy(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+(?:\.\d+)?)|(?P<op>==|!=|<=|>=|&&|\|\||[!<>(),\[\]])"
                    r"|(?P<name>[A-Za-z_][\w-]*(?:\s*\.\s*(?:[A-Za-z_*][\w-]*))*))")


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise _Unreadable(text)
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return out


def _truthy(value) -> bool:
    return value not in (False, 0, "", None)


def _and(a, b):
    if a is not UNKNOWN and not _truthy(a) or b is not UNKNOWN and not _truthy(b):
        return False
    return True if a is not UNKNOWN and b is not UNKNOWN else UNKNOWN


def _or(a, b):
    """GitHub's ``||`` gives the first truthy operand's value (a group key is built that way)."""
    if a is not UNKNOWN:
        return a if _truthy(a) else b
    return True if b is not UNKNOWN and _truthy(b) else UNKNOWN


# expression text → (its tree, the tree for an `if:`): workflows repeat their conditions
_TREES: dict[str, tuple[tuple | None, tuple | None]] = {}
_TREES_KEPT = 10_000
_CONTEXT_NAMES = ("github.event_name", "github.ref_type", "github.ref", "github.ref_name")  # what ``_name`` reads


def _tree(text: str, group_key: bool = False) -> tuple | None:
    """The expression parsed once (``_Parser``), evaluated in each context (``_evaluate``); None
    for one wflint cannot read. Parsing never depends on values, so neither does being unreadable.
    Outside a group key, a tree that reads nothing of the run is its value: evaluated here, once."""
    entry = _TREES.get(text)
    if entry is None:
        try:
            tree: tuple | None = _Parser(_tokens(text)).tree()
        except _Unreadable:
            tree = None
        fixed = tree is not None and not _reads_context(tree)
        entry = (tree, ("lit", _evaluate(tree, None, False)) if fixed else tree)  # type: ignore[arg-type]
        if len(_TREES) >= _TREES_KEPT:
            _TREES.clear()
        _TREES[text] = entry
    return entry[0] if group_key else entry[1]


def _reads_context(node: tuple) -> bool:
    """Whether the expression names the run's event or ref (its value may differ between runs)."""
    if node[0] == "name":
        return node[1] in _CONTEXT_NAMES or run_constant(node[1])
    if node[0] == "lit":
        return False
    return any(_reads_context(part) for part in (node[2] if node[0] == "call" else node[1:]) if isinstance(part, tuple))


_LITERAL_NAMES = {"true": True, "false": False, "null": None}


class _Parser:
    """Precedence: ``||`` < ``&&`` < comparison < ``!`` < call, name, literal, parentheses. Nodes:
    ``("lit", value)``, ``("name", name)``, ``("||" | "&&", a, b)``, ``("cmp", op, a, b)``,
    ``("!", a)``, ``("call", function, args)``; every operand is evaluated, as GitHub's are."""

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens, self.at = tokens, 0

    def tree(self) -> tuple:
        node = self._or()
        if self.at != len(self.tokens):
            raise _Unreadable("trailing tokens")
        return node

    def _peek(self) -> str:
        return self.tokens[self.at][1] if self.at < len(self.tokens) else ""

    def _take(self, expected: str | None = None) -> tuple[str, str]:
        if self.at >= len(self.tokens) or expected is not None and self.tokens[self.at][1] != expected:
            raise _Unreadable(f"expected {expected}")
        self.at += 1
        return self.tokens[self.at - 1]

    def _or(self) -> tuple:
        node = self._and()
        while self._peek() == "||":
            self._take()
            node = ("||", node, self._and())
        return node

    def _and(self) -> tuple:
        node = self._compare()
        while self._peek() == "&&":
            self._take()
            node = ("&&", node, self._compare())
        return node

    def _compare(self) -> tuple:
        left = self._unary()
        while self._peek() in ("==", "!=", "<", ">", "<=", ">="):
            op = self._take()[1]
            left = ("cmp", op, left, self._unary())
        return left

    def _unary(self) -> tuple:
        if self._peek() == "!":
            self._take()
            return ("!", self._unary())
        return self._primary()

    def _primary(self) -> tuple:
        kind, text = self._take()
        if text == "(":
            node = self._or()
            self._take(")")
            return node
        if kind == "str":
            return ("lit", text[1:-1].replace("''", "'"))
        if kind == "num":
            return ("lit", float(text))
        if kind != "name":
            raise _Unreadable(text)
        if self._peek() == "(":
            return self._call(text.lower())
        name = "".join(text.split()).lower()
        node = ("lit", _LITERAL_NAMES[name]) if name in _LITERAL_NAMES else ("name", name)
        while self._peek() == "[":  # an index into something: unknown
            self._take()
            self._or()
            self._take("]")
            node = ("lit", UNKNOWN)
        return node

    def _call(self, function: str) -> tuple:
        self._take("(")
        args = []
        while self._peek() != ")":
            args.append(self._or())
            if self._peek() == ",":
                self._take()
        self._take(")")
        return ("call", function, tuple(args))


# What every job of one run sees alike: the event's payload, the refs' names, the actor, the
# repository, the run's inputs and the repository's variables (not `github.job`, `matrix`, `needs`,
# `env` or `steps`, which differ between the jobs of one run).
_RUN_CONSTANT = ("github.event.", "github.head_ref", "github.base_ref", "github.actor", "github.triggering_actor",
                 "github.repository", "inputs.", "vars.")


def run_constant(name: str) -> bool:
    """Does the name read a value every job of one run sees alike (``_RUN_CONSTANT``)?"""
    return name.startswith(_RUN_CONSTANT)


@dataclass(frozen=True)
class Other:
    """A case of a value: none of the literals the conditions compare it with (so unequal to each
    of them); what else it is, and whether it is true, is unknown."""

    literals: tuple


@dataclass(frozen=True)
class Truth:
    """A case of a value the conditions only test as true or false: that, and nothing more (compared
    with anything, unknown)."""

    value: bool


def evaluate(node: tuple, context: RunContext):
    """The value of a parsed condition (``condition_tree``) in ``context``."""
    return _evaluate(node, context, False)


def _evaluate(node: tuple, context: RunContext, group_key: bool):
    """The value of a parsed expression in ``context`` (three-valued: ``UNKNOWN``)."""
    value = _operand(node, context, group_key)
    kind = type(value)
    return UNKNOWN if kind is Other else value.value if kind is Truth else value


def _operand(node: tuple, context: RunContext, group_key: bool):
    """``_evaluate``, less turning a case that is none of the literals (``Other``) into unknown: a
    comparison with one of them is known."""
    kind = node[0]
    if kind == "lit":
        return node[1]
    if context is not None and context.assumed and (kind == "name" or kind == "call"):
        for atom, value in context.assumed:
            if atom == node:
                return value
    if kind == "name":
        return _name(node[1], context, group_key)
    if kind == "||":
        return _or(_evaluate(node[1], context, group_key), _evaluate(node[2], context, group_key))
    if kind == "&&":
        return _and(_evaluate(node[1], context, group_key), _evaluate(node[2], context, group_key))
    if kind == "cmp":
        return _compared(node[1], _operand(node[2], context, group_key), _operand(node[3], context, group_key))
    if kind == "!":
        value = _evaluate(node[1], context, group_key)
        return UNKNOWN if value is UNKNOWN else not _truthy(value)
    return _function(node[1], [_evaluate(arg, context, group_key) for arg in node[2]])


def _name(name: str, context: RunContext, group_key: bool):
    if name == "github.event.ref" and context.github_event == "push":
        name = "github.ref"  # a push's payload holds its full ref (a branch or tag creation's, the short name)
    if name == "github.event_name":
        return context.github_event or UNKNOWN
    if name == "github.ref_type":
        # a pull request's merge ref is no tag, whatever GitHub calls its type
        return _Prefixed("", frozenset({"tag"})) if context.ref_type == "pull" else context.ref_type
    if name in ("github.ref", "github.ref_name"):
        if group_key and context.github_event == "merge_group":
            return PER_RUN  # each queue entry's branch holds its pull request and head commit
        return _ref_value(context, full=name == "github.ref")
    if name.startswith("inputs."):
        return dict(context.inputs).get(name[len("inputs."):], UNKNOWN)
    if group_key:
        return _key_part(name, context)
    return UNKNOWN


_PULL_EVENTS = ("pull_request", "pull_request_target", "pull_request_review", "pull_request_review_comment")


def _key_part(name: str, context: RunContext):
    """What a group key's parts are in a run: per-run ids, and pull-request fields that are empty
    outside pull requests (so ``github.head_ref || github.sha`` is the commit on a push)."""
    if name in ("github.sha", "github.run_id", "github.run_number"):
        return PER_RUN
    pull = context.github_event in _PULL_EVENTS
    if name in ("github.head_ref", "github.base_ref", "github.event.number", "github.event.pull_request.number"):
        return UNKNOWN if pull or context.github_event is None else ""
    return UNKNOWN


# A merge queue runs on a temporary branch of its own, refs/heads/gh-readonly-queue/<base>/pr-<n>-<sha>;
# a pull request on its merge ref, refs/pull/<n>/merge: neither is ever the branch a condition names.
_QUEUE_BRANCH = "gh-readonly-queue/"
_PULL_SUFFIX = "/merge"


def _ref_value(context: RunContext, full: bool):
    """The ref as a known string, or a marker that knows only its prefix (``refs/tags/``) and,
    on a pull request, its suffix."""
    prefix = {"branch": "refs/heads/", "tag": "refs/tags/", "pull": "refs/pull/"}[context.ref_type]
    if context.ref:
        return prefix + context.ref if full else context.ref
    start = prefix if full else ""
    if context.github_event == "merge_group":
        start += _QUEUE_BRANCH
    suffix = _PULL_SUFFIX if context.ref_type == "pull" else ""
    return _Prefixed(start, frozenset((prefix + r if full else r) for r in context.named), suffix)


@dataclass(frozen=True)
class _Prefixed:
    """A ref wflint knows only the start of; it is none of the refs the conditions name."""

    prefix: str
    not_one_of: frozenset[str]
    suffix: str = ""


def _compared(op: str, left, right):
    if isinstance(left, _Prefixed) or isinstance(right, _Prefixed):
        return _compared_prefixed(op, left, right)
    if type(left) is Truth or type(right) is Truth:
        return UNKNOWN
    if type(left) is Other or type(right) is Other:
        case, other = (left, right) if type(left) is Other else (right, left)
        lowered = other.lower() if isinstance(other, str) else other
        return op == "!=" if op in ("==", "!=") and lowered in case.literals else UNKNOWN
    if left is UNKNOWN or right is UNKNOWN:
        return UNKNOWN
    a, b = (x.lower() if isinstance(x, str) else x for x in (left, right))
    if op == "==":
        return a == b
    if op == "!=":
        return a != b
    return UNKNOWN  # orderings of mixed types follow GitHub's coercions, not worth guessing


def _compared_prefixed(op: str, left, right):
    """A ref of the run's type other than every named one: unequal to the refs the file names."""
    prefixed, other = (left, right) if isinstance(left, _Prefixed) else (right, left)
    if op not in ("==", "!=") or not isinstance(other, str):
        return UNKNOWN
    other = other.lower()
    if other in prefixed.not_one_of or prefixed.prefix and not other.startswith(prefixed.prefix) \
            or prefixed.suffix and not other.endswith(prefixed.suffix):
        return op == "!="  # a ref another context stands for, or a ref of the other type
    return UNKNOWN


def _function(name: str, args: list):
    if name in ("always", "success"):
        return True
    if name == "format" and len(args) == 2 and args[0] == "{0}":
        return _as_text(args[1])
    if name in ("failure", "cancelled"):
        return UNKNOWN
    if name == "fromjson" and len(args) == 1 and isinstance(args[0], str):
        return _json_array(args[0])
    if name == "contains" and len(args) == 2 and isinstance(args[0], tuple):
        return _array_holds(*args)
    if name in ("startswith", "endswith", "contains") and len(args) == 2:
        return _string_test(name, *args)
    return UNKNOWN


def _as_text(value):
    """A value as GitHub writes it into a string (an `env:` value, `format`): booleans as
    `true`/`false`, whole numbers without a point, null as empty; anything else unknown."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if value is None:
        return ""
    return value if isinstance(value, str) else UNKNOWN


_ENV_REF = lazy(r"(?<![\w.])env\.([A-Za-z_][\w-]*)\b(?!\s*\()")
_WHOLE = lazy(r"\$\{\{((?:(?!\$\{\{|\}\}).)*)\}\}", re.S)


def with_env(condition: str, values: dict[str, object]) -> str:
    """A step's `if:` with each `env.NAME` the workflow's and job's `env:` fix written as its value
    (``values``: lower-case name → the value as written): a literal as a string, a whole `${{ … }}`
    as `format('{0}', (…))`, the string GitHub puts in the variable. Any other value is left as
    it is, unknown (`IS_RELEASE: ${{ github.event_name == 'workflow_dispatch' }}` then
    `if: env.IS_RELEASE == 'true'` deploys on a dispatch only)."""
    if "env." not in condition:
        return condition

    def written(match: re.Match) -> str:
        raw = values.get(match.group(1).lower(), UNKNOWN)
        if isinstance(raw, bool) or isinstance(raw, int) or isinstance(raw, str) and "${{" not in raw:
            text = _as_text(raw)
            return "'" + text.replace("'", "''") + "'" if isinstance(text, str) else match.group(0)
        whole = _WHOLE.fullmatch(raw.strip()) if isinstance(raw, str) else None
        return f"format('{{0}}', ({whole.group(1)}))" if whole else match.group(0)

    return _ENV_REF.sub(written, condition)


def _json_array(text: str):
    """``fromJSON('["push", "merge_group"]')``: a literal array of strings, as a tuple; anything
    else (an object, a value from the run) is unknown."""
    import json

    if len(text) > 10_000:
        return UNKNOWN
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return UNKNOWN
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    return UNKNOWN


def _array_holds(array: tuple, item):
    """``contains(array, item)``: an element equal to the item (strings compared ignoring case)."""
    if not isinstance(item, str):
        return UNKNOWN
    return any(element.lower() == item.lower() for element in array)


def _string_test(name: str, haystack, needle):
    if not isinstance(needle, str):
        return UNKNOWN
    needle = needle.lower()
    if isinstance(haystack, _Prefixed):
        if name == "startswith" and haystack.prefix:
            if haystack.prefix.startswith(needle):
                return True
            return False if not needle.startswith(haystack.prefix) else UNKNOWN
        if name == "contains" and needle in ("refs/tags", "refs/tags/", "refs/heads", "refs/heads/") and haystack.prefix:
            return haystack.prefix.startswith(needle)
        return UNKNOWN
    if not isinstance(haystack, str):
        return UNKNOWN
    haystack = haystack.lower()
    return {"startswith": haystack.startswith, "endswith": haystack.endswith,
            "contains": haystack.__contains__}[name](needle)


# --- jobs per run context, and the per-event job graph -------------------------------------------

_RUNS_AFTER_SKIP = lazy(r"\b(always|failure|cancelled)\s*\(")  # not success(): it needs every job it needs


def job_contexts(conditions: dict[str, str], needs_of: dict[str, list[str]],
                 contexts: list[RunContext]) -> dict[str, tuple[RunContext, ...]]:
    """The contexts each job runs in: its `if:` may hold and, unless it runs after a skip, every job
    it needs runs there too. One context at a time, each with its own memo (keyed by job alone);
    where no job's `if:` is false in a context, no job is skipped there and none is walked."""
    trees = {condition: condition_tree(condition) for condition in conditions.values()}  # once per `if:` text
    after_skip = {condition: bool(_RUNS_AFTER_SKIP.search(condition)) for condition in trees}
    found: dict[str, list[RunContext]] = {job: [] for job in conditions}
    for context in contexts:
        walk = _JobRuns(conditions, needs_of, trees, after_skip, context)
        everyone = all(walk.holds(condition) for condition in trees)
        for job, runs_in in found.items():
            if everyone or walk.runs(job, frozenset({job})):
                runs_in.append(context)
    return {job: tuple(runs_in) for job, runs_in in found.items()}


class _JobRuns:
    """``job_contexts``' memo in one context. A class, not a closure that calls itself: such a
    closure is a cycle the collector must find, and it holds every job's memo until then."""

    def __init__(self, conditions: dict[str, str], needs_of: dict[str, list[str]], trees: dict[str, tuple | None],
                 after_skip: dict[str, bool], context: RunContext) -> None:
        self.conditions, self.needs_of, self.trees, self.after_skip = conditions, needs_of, trees, after_skip
        self.context = context
        self.memo: dict[str, bool] = {}
        self.verdicts: dict[str, bool] = {}  # one `if:` text: jobs often share it

    def holds(self, condition: str) -> bool:
        """The `if:` text (one of the jobs') may hold in the context."""
        if condition not in self.verdicts:
            self.verdicts[condition] = _may_run(self.trees[condition], self.context)
        return self.verdicts[condition]

    def runs(self, job: str, seen: frozenset[str]) -> bool:
        if job not in self.memo:
            condition = self.conditions.get(job, "")
            known = job in self.conditions
            ok = self.holds(condition) if known else may_run(condition, self.context)
            if ok and not (self.after_skip[condition] if known else _RUNS_AFTER_SKIP.search(condition)):
                ok = all(n in seen or self.runs(n, seen | {job}) for n in self.needs_of.get(job, ()))
            self.memo[job] = ok
        return self.memo[job]


@dataclass(frozen=True)
class EventGraph:
    """Per run context, the jobs that run and, for each, every job it waits for (through `needs:`)."""

    waits: dict[str, dict[str, frozenset[str]]]  # context name → job → jobs it waits for

    @classmethod
    def of(cls, workflow) -> EventGraph:
        from wflint.facets import Starts

        needs: dict[str, set[str]] = {t: set() for t in workflow.tasks}
        for edge in workflow.edges:
            if edge.u in needs and edge.v in needs:
                needs[edge.v].add(edge.u)
        runs_in = {t: set(s.starts) if (s := task.facet(Starts)) else None for t, task in workflow.tasks.items()}
        names = sorted({c for s in runs_in.values() if s for c in s}) or ["any"]
        waits = {}
        for name in names:
            running = [t for t, s in runs_in.items() if s is None or name in s]
            waits[name] = {t: frozenset(_ancestors(t, needs) & set(running)) for t in running}
        return cls(waits)

    def lost_waits(self, after: EventGraph, jobs: set[str]) -> str | None:
        """The first wait of one of ``jobs`` in some context that ``after`` no longer has."""
        for name, before in self.waits.items():
            for job in sorted(jobs & set(before)):
                lost = before[job] - after.waits.get(name, {}).get(job, frozenset())
                if lost and job in after.waits.get(name, {}):
                    return f"on {name}, `{job}` no longer waits for {', '.join(f'`{j}`' for j in sorted(lost))}"
        return None


def _ancestors(job: str, needs: dict[str, set[str]]) -> set[str]:
    found: set[str] = set()
    stack = list(needs.get(job, ()))
    while stack:
        up = stack.pop()
        if up not in found:
            found.add(up)
            stack.extend(needs.get(up, ()))
    return found
