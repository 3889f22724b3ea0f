"""How a rule is declared and what it sees: the IR and its analysis, nothing engine-specific.

A rule is a module in ``rules/`` with a docstring (what, why, example, fix safety) and one
function decorated with ``@rule``::

    @rule("PAR001", "independent-sequential-tasks", Severity.WARNING)
    def check(ctx: Context) -> Iterator[Finding]: ...
"""
from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable, Iterator

from wflint.records import dataclass

from .analysis import Analysis
from .display import printable
from .finding import Confidence, Finding, Fix, Related, Severity, split_message
from .ir import Facet, Location, Workflow

RULE_MODULES = (
    "parallelism.par001",
    "parallelism.par101",
    "parallelism.par102",
    "parallelism.par103",
    "parallelism.par104",
    "parallelism.par105",
    "parallelism.par201",
    "parallelism.par301",
    "safety.saf001",
    "safety.saf002",
    "safety.saf003",
    "safety.saf004",
    "safety.saf005",
    "safety.saf301",
    "safety.saf302",
    "safety.saf303",
    "safety.saf310",
    "safety.saf311",
    "safety.saf312",
    "safety.saf313",
    "resources.res001",
    "resources.res002",
    "graph.gra001",
    "graph.gra002",
    "graph.gra003",
    "meta.wfl001",
    "meta.wfl002",
    "meta.wfl003",
    "meta.wfl004",
)


@dataclass(frozen=True)
class RuleInfo:
    """A registered rule: its code and documentation, and what it needs, so the engine can skip it where that
    is absent."""

    code: str
    name: str
    severity: Severity
    doc: str
    check: Callable[[Context], Iterable[Finding]]
    needs_analysis: bool = True
    needs: tuple[type[Facet], ...] = ()  # facets the rule reads: it runs only where each is present
    # Rules whose finding this one's says better where it covers all its tasks (one problem, one
    # finding): the engine drops theirs (``engine.drop_superseded``).
    supersedes: tuple[str, ...] = ()

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0] if self.doc.strip() else self.name


def rule(code: str, name: str, severity: Severity, needs_analysis: bool = True,
         needs: tuple[type[Facet], ...] = (), supersedes: tuple[str, ...] = ()):
    """Attach a rule's identity to its check function; the module docstring is its documentation.

    ``needs`` names the facets the rule reads (``wflint.facets``): the engine skips the rule on a
    workflow where any of them is absent, so a rule never guesses at facts no adapter gave it.
    ``supersedes``: the codes whose findings this rule's say better (``RuleInfo``).
    """
    def wrap(fn):
        doc = sys.modules[fn.__module__].__doc__ or ""
        fn.rule_info = RuleInfo(code, name, severity, _cleandoc(doc), fn, needs_analysis, tuple(needs),
                                tuple(supersedes))
        return fn
    return wrap


def _cleandoc(doc: str) -> str:
    """Module docstrings start at column 0, so trimming blank edges is all ``inspect.cleandoc`` adds."""
    return doc.strip("\n").rstrip()


_RULES: dict[str, RuleInfo] | None = None


def all_rules() -> dict[str, RuleInfo]:
    global _RULES
    if _RULES is None:
        found = {}
        for module_name in RULE_MODULES:
            module = importlib.import_module(f"wflint.rules.{module_name}")
            info = module.check.rule_info
            found[info.code] = info
        _RULES = found
    return _RULES


@dataclass
class Context:
    """What a rule sees of one workflow: the IR, the analysis when the rule asked for one, and its own registration."""

    workflow: Workflow
    maybe_analysis: Analysis | None  # None only for rules declared with needs_analysis=False
    info: RuleInfo

    @property
    def analysis(self) -> Analysis:
        """The workflow's analysis; a rule that needs it only runs where there is one."""
        if self.maybe_analysis is None:
            raise RuntimeError(f"{self.info.code} read the analysis but is declared needs_analysis=False")
        return self.maybe_analysis

    def finding(self, message: str, *, location: Location | None = None, tasks: Iterable[str] = (),
                related: Iterable[Related] = (), fix: Fix | None = None, saved_s: float | None = None,
                duration_source: str | None = None, confidence: Confidence = Confidence.HIGH,
                severity: Severity | None = None, preview: bool = False, subject: str = "",
                detail: str = "") -> Finding:
        """``message``: what was found, in one line; ``detail``: why and what to do. A rule that
        writes both in one sentence gets it cut at its first ``; `` (``finding.split_message``)."""
        short, rest = (printable(message), printable(detail)) if detail else split_message(printable(message))
        return Finding(
            code=self.info.code, name=self.info.name, severity=severity or self.info.severity,
            message=short, path=self.workflow.path, location=location, confidence=confidence,
            tasks=tuple(tasks), related=tuple(_printable_related(r) for r in related), fix=fix, saved_s=saved_s,
            duration_source=duration_source, workflow=self.workflow.name, preview=preview,
            subject=subject, detail=rest,
        )

    def task_name(self, task_id: str) -> str:
        """``fetch_crm`` or ``1 (Fetch customer data from CRM)`` where the title differs."""
        task = self.workflow.tasks[task_id]
        shown = printable(task_id)
        return f"`{shown}`" if task.name == task_id else f"`{shown}` ({printable(task.name)})"

    def partly_resolved(self, *task_ids: str) -> list[str]:
        """Those of ``task_ids`` whose names or edges the adapter could not resolve whole: an
        ordering between them and another task may pass through what wflint could not read."""
        return [t for t in task_ids if self.workflow.tasks[t].dynamic]

    def location_of(self, task_id: str) -> Location:
        return self.workflow.tasks[task_id].location


def run_rules(workflow: Workflow, analysis: Analysis | None, rules: Iterable[RuleInfo]) -> Iterator[Finding]:
    carried = workflow.facet_kinds()  # once: asking per rule scans every task again
    for info in rules:
        if info.needs_analysis and analysis is None:
            continue
        if not all(kind in carried for kind in info.needs):
            continue
        yield from info.check(Context(workflow, analysis, info))


def _printable_related(related: Related) -> Related:
    return related.with_message(printable(related.message))
