"""Findings and the IR-level fixes rules propose (docs/architecture.md)."""
from __future__ import annotations

import re
from dataclasses import field
from enum import Enum

from wflint.records import dataclass

from .ir import Location


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"info": 1, "warning": 2, "error": 3}[self.value]


class Confidence(str, Enum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Applicability(str, Enum):
    """ruff's scale: safe fixes apply by default, unsafe only on request, display-only never."""

    SAFE = "safe"
    UNSAFE = "unsafe"
    DISPLAY = "display"


# IR-level changes a rule proposes, one class per kind; the format's rewriter turns them into text
# edits (DESIGN §9). Tasks are named by their IR ids.

@dataclass(frozen=True)
class RemoveOrder:
    """``v`` no longer has to wait for ``u`` (verified: no ordering u → v is left)."""

    u: str
    v: str


@dataclass(frozen=True)
class RemoveEdge:
    """Drop the declared edge u → v only; the ordering may still hold through others (a redundant edge)."""

    u: str
    v: str


@dataclass(frozen=True)
class AddOrder:
    """Make ``v`` wait for ``u``."""

    u: str
    v: str


@dataclass(frozen=True)
class InsertJoin:
    """Make ``task`` wait once for all of ``branches`` (instead of running once per branch)."""

    task: str
    branches: tuple[str, ...]


@dataclass(frozen=True)
class AddConcurrency:
    """Give ``task`` (the whole workflow when ``task`` is empty) a concurrency ``group`` that queues
    runs instead of cancelling them; ``queue``, when not empty, the queue policy (e.g. ``max``)."""

    task: str
    group: str
    queue: str = ""


@dataclass(frozen=True)
class ParallelSteps:
    """Run the adjacent ``steps`` (step ids) of ``task`` as one parallel group."""

    task: str
    steps: tuple[str, ...]


@dataclass(frozen=True)
class RunOnce:
    """``task`` runs once per run instead of once per item of its input."""

    task: str


@dataclass(frozen=True)
class DetachRun:
    """``task`` starts its child run (a sub-workflow) and goes on without waiting for it to end."""

    task: str


@dataclass(frozen=True)
class SetExecutionOrder:
    """Set the engine's execution order setting to ``value`` (n8n: ``v1``)."""

    value: str = "v1"


FixChange = (RemoveOrder | RemoveEdge | AddOrder | InsertJoin | AddConcurrency | ParallelSteps | RunOnce | DetachRun
             | SetExecutionOrder)


def change_kind(change: FixChange) -> str:
    """The kind of a change as messages name it: ``remove_order`` for a ``RemoveOrder``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(change).__name__).lower()


@dataclass(frozen=True)
class Fix:
    """A fix a rule proposes: IR-level changes the format's rewriter turns into edits, with how safe it is to apply."""

    applicability: Applicability
    title: str
    changes: tuple[FixChange, ...] = ()
    # The format's rewriter cannot write it in this file (`wflint fix` lists it to change by hand),
    # set by ``engine.check_workflow`` so that no output offers as applied what never is.
    by_hand: bool = False


@dataclass(frozen=True)
class Related:
    """Another place a finding points at (the other side of a race, the task an ordering comes from)."""

    location: Location | None
    message: str
    task: str = ""
    line: int = 0  # filled in with the finding's own position
    column: int = 0

    def with_message(self, message: str) -> Related:
        """This place with another message (built directly: ``dataclasses.replace`` costs 3×)."""
        return Related(self.location, message, self.task, self.line, self.column)

    def at(self, line: int, column: int) -> Related:
        """This place with its position in the file filled in."""
        return Related(self.location, self.message, self.task, line, column)


_NESTING = re.compile(r"[`()\[\]{}]")
_NESTING_OR_CUT = re.compile(r"[`()\[\]{}]|; ")


def split_message(text: str) -> tuple[str, str]:
    """A rule's sentence as (the one-line message, the detail): cut at the first ``; `` outside
    brackets and backticks, where rules put what follows the finding itself. Only brackets,
    backticks and cuts are visited (a pattern finds them), never every character."""
    cut = text.find("; ")
    if cut < 0:
        return text, ""
    if not _NESTING.search(text, 0, cut):  # nothing opens before the first cut: it is the one
        return text[:cut], text[cut + 2:]
    depth, quoted = 0, False
    for mark in _NESTING_OR_CUT.finditer(text):
        token = mark.group()
        if token == "`":
            quoted = not quoted
        elif quoted:
            continue
        elif token in "([{":
            depth += 1
        elif token in ")]}":
            depth = max(0, depth - 1)
        elif depth == 0:  # a cut outside every bracket
            return text[:mark.start()], text[mark.end():]
    return text, ""


@dataclass
class Finding:
    """One reported problem or opportunity, as every renderer and the suppression and fingerprint code see it."""

    code: str
    name: str
    severity: Severity
    message: str
    path: str
    location: Location | None = None
    confidence: Confidence = Confidence.HIGH
    tasks: tuple[str, ...] = ()
    related: tuple[Related, ...] = ()
    fix: Fix | None = None
    saved_s: float | None = None
    duration_source: str | None = None
    workflow: str = ""
    # Filled in when rendering starts (locations are symbolic until then).
    line: int = 1
    column: int = 1
    end_line: int | None = None
    end_column: int | None = None
    extra: dict = field(default_factory=dict)
    # Rests on what wflint could not prove (unknown effects, no time saved, a gate it would drop):
    # shown only with --preview, never by default and never failing CI.
    preview: bool = False
    # What the finding is about beyond its tasks (a resource, an API, a pool, a reference), so two
    # findings of one code on the same tasks keep distinct fingerprints.
    subject: str = ""
    # The rest of what the rule says, after the one-line ``message``: why, and what to do. Text
    # output shows it on a second line; JSON and SARIF carry it beside the message.
    detail: str = ""

    @property
    def full_message(self) -> str:
        """The message and its detail as one sentence, as rules write them."""
        return f"{self.message}; {self.detail}" if self.detail else self.message

    @property
    def fingerprint(self) -> str:
        """Stable across line shifts: built from what the finding is about, not where it sits."""
        import hashlib

        from .discover import repo_relative

        basis = "\x1f".join([self.code, repo_relative(self.path), self.workflow, *sorted(self.tasks)])
        if self.subject:
            basis += "\x1f" + self.subject
        if not self.tasks:
            basis += "\x1f" + self.full_message
        return hashlib.sha256(basis.encode("utf-8", "surrogatepass")).hexdigest()[:16]

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.column, self.code, self.tasks)
