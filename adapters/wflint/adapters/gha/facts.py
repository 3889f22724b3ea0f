"""What the GitHub Actions reader knows about a job beyond the IR, for its own edge classification
and rewriter (rules read the shared facets in ``wflint.facets`` instead)."""
from __future__ import annotations

from wflint.ir import Facet
from wflint.records import dataclass


@dataclass(frozen=True, slots=True)
class JobFacts(Facet):
    """What the GitHub reader learnt of a job that only this adapter's own code reads."""

    condition: str  # the job's `if:`
    matrix_size: int | None
    max_parallel: object
    fail_fast: bool
    environment: str | None
    uses: str  # a reusable workflow it calls
    outputs: tuple[str, ...]
    permissions: object
    runs_on: str
    artifacts_out: tuple[str, ...]
    artifacts_in: tuple[str, ...]
    registries: tuple[str, ...]
    maybe_out: bool  # an action wflint cannot see into may save artifacts
    maybe_in: bool  # ... or load them
    unseen_actions: bool  # runs an action wflint cannot see into (not `actions/*`), which may upload artifacts
    publishes: tuple[str, ...]  # by the job's own steps
    callee_publishes: tuple[str, ...]  # by the workflow it calls (reported there)
    targets: tuple[tuple[str, bool | None, str], ...]  # own: (resource, floating or unique or None, step's if:)
    named_per_run: tuple[str, ...]  # targets whose instance a step names per run (a Pages deploy's `--branch`)
    publish_like: bool
    # a job that calls a workflow: the `with:` it passes (lower-case input name → value as written)
    call_inputs: tuple[tuple[str, object], ...] = ()


@dataclass(frozen=True)
class CallInputs(Facet):
    """A reusable workflow's `on.workflow_call.inputs`: (lower-case name, type, default; None for none)."""

    declared: tuple[tuple[str, str, object], ...]
