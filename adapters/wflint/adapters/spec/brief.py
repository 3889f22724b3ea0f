"""Read the plain-text brief (README "The plain-text brief") into the IR.

Four sections, each introduced by its heading line, written the way people write them: a block may
be quoted, hold several numbered items or sentences on one line, or one per line::

    Current sequential task list:
    "1. Fetch customer data from CRM (2s). 2. Fetch support tickets from Zendesk (3s). ..."
    Data dependencies:
    "Task 3 needs Task 1 and Task 2. Tasks 4 and 5 need Task 3. Tasks 1 and 2 are independent."
    API rate limits:
    "CRM: 10 req/s, Zendesk: 5 req/s"
    Infrastructure constraints:
    "Single database connection pool (max 10)"

A sentence that matches none of the forms is an error with its line and the nearest form: the
brief is never guessed. Dependencies listed are taken as all there are; a stated independence is
checked against them. An API or pool applies to the tasks that say they use it, or whose titles
name it. Every pattern is anchored and free of nested quantifiers over the same text, so a line of
any length is read in linear time.
"""
from __future__ import annotations

import re
from typing import NoReturn

from wflint.analysis.durations import parse_duration
from wflint.errors import ParseError
from wflint.facets import PerItem
from wflint.ir import (
    ApiLimit,
    ApiUse,
    Dangling,
    Duration,
    DurationSource,
    Edge,
    EdgeKind,
    Effect,
    ExecutionModel,
    Limits,
    Location,
    Mode,
    PoolLimit,
    Position,
    SourceIndex,
    Task,
    Workflow,
)

from .reader import FAIL_TOGETHER, FINISH_THE_REST, PARALLEL_FEATURE

SECTIONS = {
    "tasks": re.compile(r"^(?:current\s+)?(?:sequential\s+)?(?:task\s+list|tasks|steps)(?:\s+in\s+order)?$"),
    "deps": re.compile(r"^(?:data\s+|task\s+)?dependencies$"),
    "apis": re.compile(r"^(?:api\s+)?rate\s+limits?$|^api\s+limits$"),
    "infra": re.compile(r"^(?:(?:infrastructure|resource)\s+)?constraints$|^infrastructure$"),
}
_UNIT_WORDS = [(re.compile(r"\s*(milliseconds?|msecs?)\b"), "ms"), (re.compile(r"\s*(seconds?|secs?)\b"), "s"),
               (re.compile(r"\s*(minutes?|mins?)\b"), "m"), (re.compile(r"\s*(hours?|hrs?)\b"), "h")]
QUOTES = "\"'“”‘’"
ITEM_START = re.compile(r"(?:^|(?<=[.;)]))\s*(?=(?:task\s+)?\d+[.):]\s)", re.I)
ITEM_ID = re.compile(r"(?:task\s+)?(\d+)[.):]\s+", re.I)
SENTENCE_END = re.compile(r"(?<=[.;!])\s+")
NUMS = r"(\d+(?:\s*(?:,|and|&|-|–|to|through)\s*(?:tasks?\s+)?\d+)*)"  # 1, 2 and 3; 1-3; 1 to 3
SUBJECT = rf"^tasks?\s+{NUMS}\s+"
DEPENDS = re.compile(SUBJECT + r"(?:both\s+|all\s+|each\s+|only\s+)?(?:needs?|depends?\s+on|requires?|waits?\s+for|"
                     r"runs?\s+after|comes?\s+after|uses?\s+(?:the\s+)?output\s+of)\s+(?:the\s+output\s+of\s+)?"
                     rf"(?:tasks?\s+)?{NUMS}(?:['’]s\s+(?:output|result|data))?"
                     r"(?:\s+(?:to\s+finish|to\s+complete|to\s+be\s+done|first))?(?:\s*\([^()]*\))?$", re.I)
INDEPENDENT = re.compile(SUBJECT + r"(?:(?:are|is)\s+(?:all\s+|both\s+)?independent(?:\s+of\s+(?:each\s+other|one\s+another|"
                         rf"(?:tasks?\s+)?{NUMS}))?|(?:can|could)\s+run\s+(?:in\s+parallel|at\s+the\s+same\s+time|"
                         r"concurrently|together)|(?:do|does)\s*(?:not|n't)\s+depend\s+on\s+(?:each\s+other|one\s+another))"
                         r"(?:\s*\([^()]*\))?$", re.I)
READS_WHAT = re.compile(r"^task\s+(\d+)\s+reads?\s+what\s+task\s+(\d+)\s+writes?$", re.I)
EFFECT = re.compile(SUBJECT + r"(?:both\s+|all\s+|each\s+)?(writes?|updates?|modif(?:y|ies)|deletes?|inserts?\s+into|"
                    r"reads?|lock|locks)\s+(?:to\s+|from\s+|the\s+same\s+|the\s+|a\s+|an\s+)*(.+)$", re.I)
USES_POOL = re.compile(SUBJECT + r"(?:both\s+|all\s+|each\s+)?uses?\s+(?:the\s+|a\s+)?(.*?\bpool)$", re.I)
CALLS = re.compile(SUBJECT + r"(?:each\s+)?calls?\s+(?:the\s+)?(.+?)(?:\s+api)?(?:\s+(\d+)\s+times?|\s+(once|twice|thrice))?"
                   r"(\s+(?:per|for\s+each|each)\s+item)?$", re.I)
# ``Task 1 makes 3 calls to the CRM API``, ``Task 1 uses the CRM API`` (one call per run).
MAKES_CALLS = re.compile(SUBJECT + r"(?:each\s+)?makes?\s+(\d+|one|two|three)\s+(?:api\s+)?(?:calls?|requests?)\s+to\s+"
                         r"(?:the\s+)?(.+?)(?:\s+api)?(\s+(?:per|for\s+each|each)\s+item)?$", re.I)
USES_API = re.compile(SUBJECT + r"(?:both\s+|all\s+|each\s+)?uses?\s+(?:the\s+)?(.+?)\s+api"
                      r"(\s+(?:per|for\s+each|each)\s+item)?$", re.I)
COUNT_WORDS = {"once": 1, "one": 1, "twice": 2, "two": 2, "thrice": 3, "three": 3}
# ``Task 4 reads the customer record that Task 3 writes`` (or ``written by Task 3``).
READS_WRITTEN = re.compile(r"^task\s+(\d+)\s+reads?\s+(?:the\s+|a\s+|an\s+)?(.+?)\s+(?:(?:that|which)\s+task\s+(\d+)\s+"
                           r"(?:writes?|wrote|updates?|creates?|produces?)|(?:written|updated|created|produced)\s+by\s+"
                           r"task\s+(\d+))$", re.I)
_NAMES_A_TASK = re.compile(r"\btasks?\s+\d+\b", re.I)
NO_DEPS = re.compile(r"^(none|no\s+(other\s+)?(data\s+)?dependencies)$", re.I)
# A rate limit is ``NAME: RATE``: the name is cut at the first colon, then the rate is matched alone.
# ``N per window`` admits N at once; ``(burst B)`` says the API admits another burst.
RATE = re.compile(r"(\d+(?:\.\d+)?) ?(?:req(?:uest)?s?|calls?)? ?(?:/|per) ?(s|sec|second|m|min|minute|h|hr|hour)"
                  r"(?: ?\(burst(?: of)? (\d+)\))?", re.I)
# Words after an API's name that are not its name: ``CRM API``, ``CRM rate limit``, ``CRM API limit``.
API_NAME_TAIL = re.compile(r"(?:\s+(?:api|rate|limits?))+$", re.I)
# Short forms of a rate: ``10 rps``, ``600 rpm``, ``5 qps``.
RATE_WORDS = [(re.compile(r"\b(?:rps|qps)\b", re.I), "req/s"), (re.compile(r"\brpm\b", re.I), "req/min"),
              (re.compile(r"\brph\b", re.I), "req/hour")]
# Where the rate starts when no colon cuts the name: ``CRM - 10 req/s``, ``Zendesk 5/s``, ``CRM = 10 rps``.
RATE_START = re.compile(r"(?:\s*[-–—=]\s*|\s+)(?=\d+(?:\.\d+)? ?(?:[a-z]+ ?)?(?:/|per\b|rps|rpm|rph|qps))", re.I)
_RATE_TAIL = 60


def _name_and_rate(entry: str) -> tuple[str, str]:
    """An API limit's (name, rate text): cut at the first colon, else before a rate at its end
    (looked for in the last characters only: linear in the line)."""
    name, colon, rate_text = entry.partition(":")
    if not colon:
        offset = max(0, len(entry) - _RATE_TAIL)
        cut = None
        for m in RATE_START.finditer(entry, offset):
            cut = m
        if cut is None:
            return entry, ""
        name, rate_text = entry[:cut.start()], entry[cut.end():]
    for pattern, words in RATE_WORDS:
        rate_text = pattern.sub(words, rate_text)
    return name, rate_text


# A pool is ``NAME (max N)``: the name is cut at the last opening parenthesis.
POOL_SIZE = re.compile(r"(?:max(?:imum)?|size)? ?:? ?(\d+)(?: connections?)?", re.I)
POOL_NAME = re.compile(r"(?:(?:a|one|single) )*(.*\bpool\b.*)", re.I)
# ``At most 4 tasks at once``, ``No more than 4 tasks in parallel``, ``Concurrency cap 3``, ``Max concurrency: 3``.
CONCURRENCY = re.compile(r"^(?:(?:at\s+most|max(?:imum)?|up\s+to|no\s+more\s+than)\s+(\d+)\s+(?:concurrent\s+|parallel\s+)?"
                         r"(?:tasks?|jobs?|workers?)(?:\s+(?:at\s+(?:once|a\s+time)|in\s+parallel|concurrently))?"
                         r"|(?:max(?:imum)?\s+)?concurrency(?:\s+(?:cap|limit))?(?:\s+of)?\s*(?:[:=]\s*)?(\d+)"
                         r"(?:\s+(?:tasks?|jobs?|workers?))?)$", re.I)
PER_ITEM = [re.compile(r"^(\d+)\s*[×x*]\s*(.+)$", re.I),  # 200 × 0.5s
            re.compile(r"^(.+?)\s+per\s+item\s+for\s+(\d+)\s+items?$", re.I),  # 0.5s per item for 200 items
            re.compile(r"^(.+?)\s+each$", re.I)]  # 200 invoices (0.5s each): the count is in the title
# Words that name a database: a pool named by any of them is "the database pool" and serves tasks
# whose titles name a database; other words of a pool's name (``redis``, ``ledger``) name only it.
DATABASE_WORDS = frozenset({"database", "db", "sql", "postgres", "postgresql", "mysql", "mariadb", "sqlite",
                            "mssql", "oracle", "snowflake", "redshift", "bigquery", "warehouse", "table", "query"})
_GENERIC_POOL_WORDS = frozenset({"pool", "connection", "connections", "the", "a", "an", "one", "single", "shared"})
FORMS = {
    "tasks": ["1. Fetch customer data from CRM (2s).", "2. Send 200 invoices (200 × 0.5s).", "3. Update the dashboard - 1s."],
    "deps": ["Task 3 needs Task 1 and Task 2.", "Tasks 4 and 5 need Task 3.", "Tasks 1 and 2 are independent.",
             "Task 3 writes the customer record.", "Task 5 reads what Task 4 writes.", "Task 1 calls the CRM API 3 times.",
             "Task 2 calls the CRM API once per item.",
             "Tasks 3 and 5 use the database pool.", "Tasks 3 and 4 lock the ledger table.", "None."],
    "apis": ["CRM: 10 req/s", "Zendesk: 300 requests per minute", "Stripe: 25 req/s (burst 50)", "CRM - 10 rps"],
    "infra": ["Single database connection pool (max 10)", "Postgres pool of 10 connections", "Max 10 database connections",
              "At most 4 tasks at once", "Concurrency cap 4",
              "Tasks 3 and 4 lock the ledger table."],
}


def read_brief(path: str, text: str) -> list[Workflow]:
    parser = _Brief(path)
    for number, line in enumerate(text.splitlines(), start=1):
        parser.line(number, line)
    return [parser.workflow()]


def _heading(line: str) -> str | None:
    cleaned = re.sub(r"^[#*\s]+|[*:\s]+$", "", line).lower()
    return next((name for name, pattern in SECTIONS.items() if pattern.match(cleaned)), None)


_RANGE = re.compile(r"(\d+)\s*(?:-|–|to|through)\s*(?:tasks?\s+)?(\d+)|(\d+)", re.I)
MAX_RANGE = 1000  # a range that long is a typo, not a brief


class _BadRange(ValueError):
    """A range of task numbers that runs backwards or too far."""


def _numbers(text: str | None) -> list[str]:
    """The task numbers a subject or object names, ranges spelt out (``1-3``: 1, 2, 3)."""
    out: list[str] = []
    for m in _RANGE.finditer(text or ""):
        if m.group(3):
            out.append(m.group(3))
            continue
        low, high = int(m.group(1)), int(m.group(2))
        if not 0 <= high - low < MAX_RANGE:
            raise _BadRange(f"tasks {low} to {high} is not a range of task numbers")
        out += [str(n) for n in range(low, high + 1)]
    return out


def _unquoted(raw: str) -> tuple[str, int]:
    """The line without its list bullet and surrounding quotes, and where its text starts (0-based)."""
    start = len(raw) - len(raw.lstrip())
    body = raw.strip()
    for ch in "-*•":
        if body.startswith(ch + " "):
            body, start = body[2:].lstrip(), start + 2
    while body and body[0] in QUOTES:
        body, start = body[1:], start + 1
    while body and body[-1] in QUOTES:
        body = body[:-1]
    return body, start


def _pieces(body: str, section: str) -> list[tuple[int, str]]:
    """(offset, text) of each item or sentence of a line; trailing full stops and spaces dropped."""
    if section == "tasks":
        cuts = _item_cuts(body)
    else:
        cuts = [0] + [m.end() for m in SENTENCE_END.finditer(body)]
    out = []
    for begin, end in zip(cuts, [*cuts[1:], len(body)]):
        piece = body[begin:end].strip().rstrip(".;!").strip()
        if section == "apis":
            out += [(begin + body[begin:end].find(p.strip()), p.strip()) for p in re.split(r"[,;]\s+", piece) if p.strip()]
        elif piece:
            out.append((begin + (len(body[begin:end]) - len(body[begin:end].lstrip())), piece))
    return out


# A duration written after the title without brackets: ``Title - 2s``, ``Title: 1.5 min``,
# ``Title 250ms``, ``Title — 200 x 0.5s``. Searched in the item's last characters only, so a long
# line costs nothing.
TRAILING_DURATION = re.compile(r"(?:\s*[-–—:,]\s*|\s+)(?:(?:takes|took|about|around|roughly|approx(?:imately|\.)?)\s+|~\s*)*"
                               r"((?:\d+\s*[×x*]\s*)?\d+(?:\.\d+)?\s*(?:ms|milliseconds?|msecs?|"
                               r"s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?)(?:\s+each|\s+per\s+item\s+for\s+\d+\s+items?)?)$",
                               re.I)
_TAIL = 48
_HOLDS_AN_ITEM = re.compile(r"\s\d+[.):]\s")  # a numbered item's start inside a title


def _title_and_duration(rest: str) -> tuple[str, str] | None:
    """A task item's (title, duration text): the last bracket (``Title (2s)``), or a duration at
    its end (``Title - 2s``); None when it gives none."""
    if rest.endswith(")") and "(" in rest:
        opening = rest.rfind("(")
        return rest[:opening].strip(), rest[opening + 1:-1].strip()
    offset = max(0, len(rest) - _TAIL)
    m = TRAILING_DURATION.search(rest, offset)
    title = rest[:m.start()].strip().rstrip("-–—:,").strip() if m else ""
    if _HOLDS_AN_ITEM.search(title):  # `1. A 2s 3. B 1s`: two items, not one title; never guessed
        return None
    return (title, m.group(1)) if m and title else None



ITEM_NUMBER = re.compile(r"(?:^|(?<=[\s.;)]))(?:task\s+)?(\d+)[.):]\s", re.I)


def _item_cuts(body: str) -> list[int]:
    """Where a line's items start: a number after a full stop, semicolon or closing bracket
    (``ITEM_START``), or, with nothing before it, the number that comes next (``1. A 2s 2. B 1s``):
    never the end of one task's title read as another's."""
    after_stop = {m.end() for m in ITEM_START.finditer(body)}
    cuts, expected = {0} | after_stop, None
    for m in ITEM_NUMBER.finditer(body):
        number = int(m.group(1))
        if m.start() in cuts or number == expected:
            cuts.add(m.start())
            expected = number + 1
    return sorted(cuts)


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def _pool_words(name: str) -> set[str]:
    """The words that tell one pool from another (``postgres`` of ``Postgres pool``)."""
    return _words(name) - _GENERIC_POOL_WORDS


# A pool's size in words, for a sentence short enough to match these in linear time (``_POOL_WORDY``):
# ``Postgres pool of 10 connections``, ``DB pool size 10``, ``Database connection pool: 10``,
# ``Connection pool max 10``, and ``Max 10 database connections`` (the pool of those connections).
POOL_SIZED = re.compile(r"^(?:(?:a|one|single)\s+)*(.*?\bpool)\s*(?:of|with|size|max(?:imum)?|:|=|-|–|—)\s*(?:size\s+)?"
                        r"(?:of\s+)?(?:max(?:imum)?\s+)?(\d+)(?:\s+(?:connections?|slots?))?$", re.I)
POOL_OF_CONNECTIONS = re.compile(r"^(?:max(?:imum)?|at\s+most|up\s+to|no\s+more\s+than)\s+(\d+)\s+(.*?)\s*connections?$", re.I)
_POOL_WORDY = 160


def _pool(sentence: str) -> tuple[str, int] | None:
    """``Single database connection pool (max 10)`` → (``database connection pool``, 10); the
    worded forms (``POOL_SIZED``, ``POOL_OF_CONNECTIONS``) likewise."""
    if len(sentence) <= _POOL_WORDY:
        sized = POOL_SIZED.match(" ".join(sentence.split()))
        if sized:
            return sized.group(1).lower(), int(sized.group(2))
        counted = POOL_OF_CONNECTIONS.match(" ".join(sentence.split()))
        if counted:
            return f"{counted.group(2).lower()} connection pool".strip(), int(counted.group(1))
    if not sentence.endswith(")") or "(" not in sentence:
        return None
    opening = sentence.rfind("(")
    size = POOL_SIZE.fullmatch(" ".join(sentence[opening + 1:-1].split()))
    name = POOL_NAME.fullmatch(" ".join(sentence[:opening].split()))
    return (name.group(1).lower(), int(size.group(1))) if size and name else None


class _Brief:
    def __init__(self, path: str) -> None:
        self.path = path
        self.section: str | None = None
        self.tasks: dict[str, Task] = {}
        self.edges: list[Edge] = []
        self.dangling: list[Dangling] = []
        self.limits = Limits()
        self.positions: dict[tuple, Position] = {}
        self.pending: list[tuple[int, str, list[str], list[str]]] = []
        self.independent: list[tuple[int, list[str]]] = []
        self.effects: list[tuple[int, list[str], Mode, str]] = []
        self.pool_uses: list[tuple[int, list[str], str]] = []
        self.api_uses: list[tuple[int, list[str], str, float, bool]] = []  # ..., calls, per item

    def fail(self, number: int, reason: str, column: int = 1) -> NoReturn:
        raise ParseError(self.path, reason, number, column)

    def unreadable(self, number: int, what: str, text: str, column: int) -> NoReturn:
        import difflib

        forms = FORMS[self.section or "tasks"]
        near = difflib.get_close_matches(text[:200], forms, n=1, cutoff=0.0)
        shown = text if len(text) <= 80 else text[:77] + "..."
        self.fail(number, f"cannot read {what} {shown!r} (the nearest form: {near[0] if near else forms[0]!r})", column)

    def line(self, number: int, raw: str) -> None:
        if not raw.strip():
            return
        heading = _heading(raw)
        if heading:
            self.section = heading
            return
        body, start = _unquoted(raw)
        if self.section is None:
            if raw.lstrip().startswith("#"):
                return  # a title line before the first section
            self.fail(number, f"text before the first section heading: {body[:80]!r} "
                      "(expected 'Current sequential task list')", start + 1)
        for offset, piece in _pieces(body, self.section):
            try:
                getattr(self, "_" + self.section)(number, piece, start + offset + 1)
            except _BadRange as exc:
                self.fail(number, str(exc), start + offset + 1)

    # ------------------------------------------------------------------ sections

    def _tasks(self, number: int, item: str, column: int) -> None:
        m = ITEM_ID.match(item)
        if not m:
            self.unreadable(number, "task", item, column)
        ident, rest = m.group(1), item[m.end():].rstrip()
        split = _title_and_duration(rest)
        if split is None:
            shown = rest if len(rest) <= 60 else rest[:57] + "..."
            if _HOLDS_AN_ITEM.search(rest):
                self.fail(number, f"task {ident}: {shown!r} reads as more than one numbered item; end each with "
                                  "a full stop or give durations in brackets, e.g. '1. A (2s). 3. B (1s).'", column)
            self.fail(number, f"task {ident}: no duration in {shown!r} (write it after the title, e.g. "
                              f"'{ident}. {shown} (2s)' or '{ident}. {shown} - 200 × 0.5s')", column)
        title, duration_text = split
        count, each = self._duration(number, ident, title, duration_text, column)
        if ident in self.tasks:
            self.fail(number, f"task {ident} is listed twice", column)
        pointer = ("tasks", ident)
        self.positions[pointer] = Position(number, column)
        task = Task(id=ident, name=title.rstrip("."), kind="task", location=Location(pointer),
                    duration=Duration(count * each, DurationSource.DECLARED), items=count if count > 1 else None)
        if count > 1:
            task.put(PerItem(count, each))
        self.tasks[ident] = task

    def _duration(self, number: int, ident: str, title: str, text: str, column: int) -> tuple[int, float]:
        """``2s``, ``1.5 min``, ``250ms``; per item ``200 × 0.5s``, ``0.5s per item for 200 items``,
        ``0.5s each`` (the count from the title, ``200 invoices``): (items, seconds per item)."""
        count, each = 1, text
        for i, form in enumerate(PER_ITEM):
            m = form.match(text)
            if not m:
                continue
            if i == 0:
                count, each = int(m.group(1)), m.group(2)
            elif i == 1:
                each, count = m.group(1), int(m.group(2))
            else:
                found = re.search(r"\b(\d+)\s+[a-z]", title, re.I)
                if not found:
                    self.fail(number, f"task {ident}: '{text}' needs a count in the title (e.g. '200 invoices')", column)
                count, each = int(found.group(1)), m.group(1)
            break
        for pattern, unit in _UNIT_WORDS:
            each = pattern.sub(unit, each)
        try:
            return count, parse_duration(each.replace(" ", ""))
        except ValueError:
            self.fail(number, f"task {ident}: cannot read duration {text!r} (use e.g. 2s, 1.5 min, 250ms, 200 × 0.5s)",
                      column)

    def _deps(self, number: int, sentence: str, column: int) -> None:
        if NO_DEPS.match(sentence):
            return
        m = DEPENDS.match(sentence)
        if m:
            self.positions[("deps", number)] = Position(number, column)
            self.pending.append((number, sentence, _numbers(m.group(1)), _numbers(m.group(2))))
            return
        m = INDEPENDENT.match(sentence)
        if m:
            self.independent.append((number, _numbers(m.group(1)) + _numbers(m.group(2))))
            return
        if not self._resource_sentence(number, sentence):
            self.unreadable(number, "dependency", sentence, column)

    def _resource_sentence(self, number: int, sentence: str) -> bool:
        """Effects, locks, API calls and pool use, in the dependencies or constraints section."""
        m = READS_WHAT.match(sentence)
        if m:
            resource = f"output of task {m.group(2)}"
            self.effects += [(number, [m.group(2)], Mode.WRITE, resource), (number, [m.group(1)], Mode.READ, resource)]
            return True
        m = USES_POOL.match(sentence)
        if m:
            self.pool_uses.append((number, _numbers(m.group(1)), m.group(2).lower()))
            return True
        m = READS_WRITTEN.match(sentence)
        if m:
            resource, writer = " ".join(m.group(2).lower().split()), m.group(3) or m.group(4)
            self.effects += [(number, [writer], Mode.WRITE, resource), (number, [m.group(1)], Mode.READ, resource)]
            return True
        return self._api_sentence(number, sentence) or self._effect_sentence(number, sentence)

    def _api_sentence(self, number: int, sentence: str) -> bool:
        """``calls the CRM API 3 times``, ``makes 2 calls to the CRM API``, ``uses the CRM API``."""
        m = CALLS.match(sentence)
        if m:
            calls = float(m.group(3)) if m.group(3) else COUNT_WORDS.get((m.group(4) or "once").lower(), 1)
            self.api_uses.append((number, _numbers(m.group(1)), m.group(2).lower(), float(calls), bool(m.group(5))))
            return True
        m = MAKES_CALLS.match(sentence)
        if m:
            count = m.group(2).lower()
            calls = float(count) if count.isdigit() else COUNT_WORDS[count]
            self.api_uses.append((number, _numbers(m.group(1)), m.group(3).lower(), float(calls), bool(m.group(4))))
            return True
        m = USES_API.match(sentence)
        if m:
            self.api_uses.append((number, _numbers(m.group(1)), m.group(2).lower(), 1.0, bool(m.group(3))))
            return True
        return False

    def _effect_sentence(self, number: int, sentence: str) -> bool:
        """``Task 3 writes the customer record``; what it names must not name a task (a sentence
        about two tasks in a form this does not know is an error, not a resource called so)."""
        m = EFFECT.match(sentence)
        if m and not _NAMES_A_TASK.search(m.group(3)):
            verb, what = m.group(2).lower(), re.sub(r"\s+", " ", m.group(3).strip().lower())
            mode = Mode.READ if verb.startswith("read") else Mode.WRITE
            # The resource is what the sentence names; taking its lock is writing it.
            self.effects.append((number, _numbers(m.group(1)), mode, what))
            return True
        return False

    def _apis(self, number: int, entry: str, column: int) -> None:
        name, rate_text = _name_and_rate(entry)
        m = RATE.fullmatch(" ".join(rate_text.split())) if rate_text else None
        name = API_NAME_TAIL.sub("", " ".join(name.split()))
        if not m or not name:
            self.unreadable(number, "rate limit", entry, column)
        per = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hr": 3600, "hour": 3600}
        rate = float(m.group(1)) / per[m.group(2).lower()]
        if rate <= 0:
            self.fail(number, f"rate limit of {name} must be positive", column)
        key = name.lower()
        self.positions[("limits", "apis", key)] = Position(number, column)
        burst = float(m.group(3)) if m.group(3) else max(1.0, float(m.group(1)))
        if burst < 1:
            self.fail(number, f"the burst of {name} must be at least one request", column)
        text = f"{m.group(1)}/{m.group(2)}" + (f", burst {m.group(3)}" if m.group(3) else "")
        self.limits.apis[key] = ApiLimit(key, rate, text, Location(("limits", "apis", key)), burst)

    def _infra(self, number: int, sentence: str, column: int) -> None:
        if NO_DEPS.match(sentence):
            return
        pool = _pool(sentence)
        if pool:
            name, size = pool
            self.positions[("limits", "pools", name)] = Position(number, column)
            self.limits.pools[name] = PoolLimit(name, size, Location(("limits", "pools", name)))
            return
        m = CONCURRENCY.match(sentence)
        if m:
            self.limits.concurrency = int(m.group(1) or m.group(2))
            self.limits.concurrency_source = f"brief line {number}"
            return
        if not self._resource_sentence(number, sentence):
            self.unreadable(number, "constraint", sentence, column)

    # ------------------------------------------------------------------ the workflow

    def workflow(self) -> Workflow:
        if not self.tasks:
            self.fail(1, "no tasks: expected a 'Current sequential task list' section with numbered tasks")
        order = list(self.tasks)
        self._wire({t: i for i, t in enumerate(order)})
        self._check_independence()
        self._attach_resources()
        self._assign_apis_and_pools()
        model = ExecutionModel(name="spec", mode="sequential", order=tuple(order), parallel_feature=PARALLEL_FEATURE,
                               fail_together=FAIL_TOGETHER, finish_the_rest=FINISH_THE_REST)
        return Workflow(name=self.path.rsplit("/", 1)[-1].split(".")[0], format="spec", path=self.path,
                        execution_model=model, tasks=self.tasks, edges=self.edges, limits=self.limits,
                        dangling=self.dangling, source=SourceIndex(self.positions))

    def _wire(self, rank: dict[str, int]) -> None:
        for number, line, consumers, producers in self.pending:
            for consumer in consumers:
                for producer in producers:
                    where = Location(("deps", number))
                    if consumer not in self.tasks:
                        self.dangling.append(Dangling(producer, consumer, where, line))
                    elif producer not in self.tasks:
                        self.dangling.append(Dangling(consumer, producer, where, line))
                    elif rank[producer] >= rank[consumer]:
                        self.fail(number, f"task {consumer} needs task {producer}, which is not listed before it")
                    else:
                        self.edges.append(Edge(producer, consumer, EdgeKind.DATA, where,
                                               f"task {consumer} needs task {producer}"))

    def _check_independence(self) -> None:
        """``Tasks 1 and 2 are independent`` is a claim: a dependency path between them contradicts it."""
        from wflint.analysis.graph import reaches

        succ: dict[str, list[str]] = {t: [] for t in self.tasks}
        for e in self.edges:
            succ[e.u].append(e.v)
        rank = {t: i for i, t in enumerate(self.tasks)}  # the listed order: every edge goes forward
        for number, ids in self.independent:
            for i, a in enumerate(ids):
                for b in ids[i + 1:]:
                    for x, y in ((a, b), (b, a)):
                        if x in self.tasks and y in self.tasks and rank[x] < rank[y] and reaches(succ, x, y, rank):
                            self.fail(number, f"tasks {a} and {b} are said to be independent, but task {y} "
                                              f"depends on task {x} through the dependencies listed")

    def _attach_resources(self) -> None:
        for number, ids, mode, resource in self.effects:
            for ident in self._known(number, ids):
                self.tasks[ident].effects.append(Effect(resource, mode, Location(("deps", number))))
                self.tasks[ident].opaque = False
        for number, ids, api, calls, per_item in self.api_uses:
            key = next((name for name in self.limits.apis if name in api or api in name), api)
            for ident in self._known(number, ids):
                self.tasks[ident].apis.append(ApiUse(key, calls, per_item))
        for number, ids, pool in self.pool_uses:
            key = self._pool_meant(number, pool)
            for ident in self._known(number, ids):
                self.tasks[ident].pools.append(key)

    def _pool_meant(self, number: int, said: str) -> str:
        """The declared pool a sentence's ``the database pool`` means: the one of that name, else the
        one sharing a distinctive word (``postgres``), else the database pool when it names a
        database, else the only pool when it says just ``the pool``. Two that fit is an error; none
        is a pool without a declared size."""
        if said in self.limits.pools:
            return said
        words = _pool_words(said)
        fits = [p for p in self.limits.pools if words & _pool_words(p)]
        if not fits and words & DATABASE_WORDS:
            fits = [p for p in self.limits.pools if _pool_words(p) & DATABASE_WORDS]
        if not fits and not words:
            fits = list(self.limits.pools)
        if len(fits) > 1:
            self.fail(number, f"'{said}' could mean the {' or the '.join(fits)}: name one of them")
        return fits[0] if fits else said

    def _known(self, number: int, ids: list[str]) -> list[str]:
        missing = [i for i in ids if i not in self.tasks]
        if missing:
            self.fail(number, f"task {missing[0]} is not in the task list")
        return ids

    def _assign_apis_and_pools(self) -> None:
        """An API or pool applies to the tasks whose titles name it (as a whole word), unless a
        sentence already said which tasks use it."""
        said_api = {u.api for t in self.tasks.values() for u in t.apis}
        said_pool = {p for t in self.tasks.values() for p in t.pools}
        for api in self.limits.apis:
            if api in said_api:
                continue
            word = re.compile(rf"\b{re.escape(api)}\b", re.I)
            for task in self.tasks.values():
                if word.search(task.name):  # a task that works per item calls it once per item
                    task.apis.append(ApiUse(api, per_item=task.items is not None))
        for pool in self.limits.pools:
            if pool in said_pool:
                continue
            own = _pool_words(pool)
            words = own | DATABASE_WORDS if own & DATABASE_WORDS else own
            for task in self.tasks.values():
                if words & _words(task.name):
                    task.pools.append(pool)
