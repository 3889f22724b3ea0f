"""Findings and the IR-level fixes rules propose (docs/architecture.md)."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

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


@dataclass(frozen=True)
class Change:
    """One IR-level edit a rule proposes; the format's rewriter turns it into text.

    ``remove_order`` u→v: v no longer has to wait for u (verified). ``remove_edge`` u→v: drop the
    declared edge only; the ordering may still hold through others (a redundant edge).
    ``add_order`` u→v. ``insert_join``: make ``v`` wait once for all of ``tasks``.
    ``add_concurrency``: give task ``v`` a concurrency group named ``tasks[0]`` that queues runs
    instead of cancelling them (``tasks[1]``, when present, the queue policy, e.g. ``max``).
    ``parallel_steps``: run the adjacent steps ``tasks`` of task ``v`` as one parallel group.
    ``run_once``: task ``v`` runs once per run instead of once per item of its input.
    """

    op: str
    u: str = ""
    v: str = ""
    tasks: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fix:
    applicability: Applicability
    title: str
    changes: tuple[Change, ...] = ()


@dataclass(frozen=True)
class Related:
    location: Location | None
    message: str
    task: str = ""
    line: int = 0  # filled in with the finding's own position
    column: int = 0


@dataclass
class Finding:
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

    @property
    def fingerprint(self) -> str:
        """Stable across line shifts: built from what the finding is about, not where it sits."""
        import hashlib

        basis = "\x1f".join([self.code, self.path, self.workflow, *sorted(self.tasks)])
        if not self.tasks:
            basis += "\x1f" + self.message
        return hashlib.sha256(basis.encode()).hexdigest()[:16]

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.column, self.code, self.tasks)
