"""What the Airflow reader knows about a task beyond the IR (rules read ``wflint.facets``)."""
from __future__ import annotations

from wflint.ir import Facet
from wflint.records import dataclass


@dataclass(frozen=True)
class DagIdentity(Facet):
    """Whether the DAG's id was read (else the workflow is named by the id's expression as
    written): what a check against the DAGs Airflow itself builds pairs on."""

    resolved: bool = True


@dataclass(frozen=True, slots=True)
class OperatorFacts(Facet):
    """What the Airflow reader learnt of an operator that only this adapter's own code reads."""

    operator: str  # as imported, e.g. "airflow.providers.postgres.operators.postgres.PostgresOperator"
    branch: bool = False
    short_circuit: bool = False
    sensor: bool = False
    is_setup: bool = False
    is_teardown: bool = False
    mapped: bool = False
    taskflow: bool = False
    expand: tuple[str, ...] = ()  # keys a mapped task expands over
    max_active_tis_per_dagrun: int | None = None
    instances: int | None = None  # a mapped task's instances, where the list is known
    pool: str | None = None
    pool_slots: int = 1
