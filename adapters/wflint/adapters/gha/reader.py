"""Read a GitHub Actions workflow into the IR: jobs are tasks, `needs:` entries are edges.

Each `needs` edge is classified by what it carries (``edges.py``). Steps stay inside their job
(the ``Steps`` facet, read from records built in ``steps.py``); a job's effects are its steps' effects,
its local composite actions' and its local reusable workflow's (``local.py``).
"""
from __future__ import annotations

import re
from dataclasses import replace

from wflint.errors import ParseError
from wflint.facets import Concurrency, InstanceWrites, Publishing, Step, Steps
from wflint.ir import (
    ApiLimit,
    ApiUse,
    Duration,
    DurationSource,
    Effect,
    ExecutionModel,
    Limits,
    Location,
    Mode,
    Task,
    Workflow,
)
from wflint.sourcemap import load_yaml

from . import local
from .edges import EXPRESSION, FINALIZER, with_edges
from .facts import JobFacts
from .matrix import matrix_size
from .steps import _all_text, _names, step_record

JOB_DEFAULT_S = 600.0  # per-kind default; only ever shown as "default", never as a saving
PLAN_JOB_CAP = 20  # GitHub Free plan: concurrent jobs per account
TOKEN_LIMIT = ApiLimit("github-token", 1000 / 3600, "1000/h per repository (GITHUB_TOKEN)")
MODEL = ExecutionModel(
    name="github-actions", mode="graph",
    parallel_feature="drop the `needs:` entry so the jobs start together, or run independent steps "
                     "of one job as a `parallel:` group",
    order_gates="a `needs:` entry is also a gate: without it the job runs even when that job fails or is skipped",
    notes=("jobs run in parallel unless `needs:` orders them, up to the plan's concurrent-job cap",),
)
_PUBLISH_ID = re.compile(r"^(deploy|publish|release|upload|pages|push)\b|[-_](deploy|publish|upload)\b", re.I)
# An environment is a deployment target (not just a secret or approval scope) when it has a URL or
# one of these names; only then do two jobs using it at once conflict.
_DEPLOY_TARGET = re.compile(r"prod|staging|stage|preview|dev\b|develop|pages|live|qa\b|uat", re.I)


def read_workflow(path: str, text: str) -> list[Workflow]:
    return [_read(path, text, local.LocalFiles(path, _read))]


def _read(path: str, text: str, files: local.LocalFiles) -> Workflow:
    """One workflow file; ``files`` resolves its local callees and composite actions."""
    data, index = load_yaml(text, path, reject_merge_keys=True)
    if not isinstance(data, dict):
        raise ParseError(path, "a workflow must be a mapping with `on:` and `jobs:`")
    for key in ("on", "jobs"):
        if key not in data:
            raise ParseError(path, f"missing top-level `{key}:`")
    jobs = data["jobs"]
    if not isinstance(jobs, dict) or not jobs:
        pos = index.resolve(Location(("jobs",)))
        raise ParseError(path, "`jobs:` must be a non-empty mapping of job ids", pos.line, pos.column)
    tasks: dict[str, Task] = {}
    for job_id, job in jobs.items():
        if not isinstance(job, dict):
            pos = index.resolve(Location(("jobs", job_id)))
            raise ParseError(path, f"job `{job_id}` must be a mapping", pos.line, pos.column)
        tasks[job_id] = _job_task(files, job_id, job)
    workflow = Workflow(
        name=str(data.get("name") or path.rsplit("/", 1)[-1]), format="gha", path=path,
        execution_model=MODEL, tasks=tasks, edges=[], source=index,
        limits=Limits(apis={"github-token": TOKEN_LIMIT}, concurrency=PLAN_JOB_CAP,
                      concurrency_source="GitHub Free plan: 20 concurrent jobs"),
    )
    on = _workflow_on(data)
    for task in tasks.values():
        _put_run_facets(task, on, _group(data.get("concurrency")))
    return with_edges(workflow, jobs, tasks)


def _workflow_on(data: dict) -> list[str]:
    """The workflow's events; a push of tags only is ``push-tags`` (releases, not every commit)."""
    on = data.get("on")
    triggers = sorted(on) if isinstance(on, dict) else _names(on)
    push = on.get("push") if isinstance(on, dict) else None
    if isinstance(push, dict) and push and set(push) <= {"tags", "tags-ignore"}:
        triggers = sorted("push-tags" if t == "push" else t for t in triggers)
    return triggers


FREQUENT = {"push", "workflow_run", "pull_request_target", "merge_group", "repository_dispatch"}
MUTABLE = ("env:", "git:", "pages")  # targets overwritten in place, unlike a versioned package


def _put_run_facets(task: Task, triggers: list[str], workflow_group: str | None) -> None:
    """Concurrency settings and, for a job that publishes, what and how often (SAF310's facts)."""
    own = task.facet(Concurrency) or Concurrency()
    task.put(replace(own, workflow_group=workflow_group))
    facts = task.facet(JobFacts)
    if facts is None or not facts.publish_like:
        return
    targets = list(facts.publishes)
    task.put(Publishing(
        targets=tuple(targets),
        # only a target it resolved proves a floating one (``git:*``: a branch it could not name)
        mutable=any(t.startswith(MUTABLE) and "*" not in t for t in targets),
        frequent=bool(set(triggers) & FREQUENT),
        called_only=set(triggers) <= {"workflow_call"},
        suggested_group=concurrency_group(task.id, targets),
    ))


_ALLOWED_CONTEXTS = {"github", "inputs", "matrix", "needs", "strategy", "vars"}  # job-level concurrency


def _allowed(value: str) -> bool:
    """Expressions in a job's concurrency group may only use these contexts (not `steps`, `env`)."""
    roots = {m.group(1) for e in EXPRESSION.findall(value) for m in re.finditer(r"\b([a-z_]+)\.", e)}
    return roots <= _ALLOWED_CONTEXTS


def concurrency_group(job_id: str, targets: list[str]) -> str:
    """One group per deployment target, shared by every workflow of the repository that uses it."""
    for prefix, name in (("env:", "environment-"), ("git:", "git-push-")):
        for target in targets:
            value = target[len(prefix):] if target.startswith(prefix) else ""
            if value and "(" not in value and "*" not in value and _allowed(value):
                return name + re.sub(r"[^\w.${}\[\]'|&!= -]", "-", value)
    return "${{ github.workflow }}-" + job_id


def _concurrency_key(concurrency, key: str):
    return concurrency.get(key) if isinstance(concurrency, dict) else None


def _group(concurrency) -> str | None:
    if isinstance(concurrency, str):
        return concurrency
    if isinstance(concurrency, dict) and concurrency.get("group") is not None:
        return str(concurrency["group"])
    return None


def _job_task(files: local.LocalFiles, job_id: str, job: dict) -> Task:
    raw_strategy = job.get("strategy")
    strategy = raw_strategy if isinstance(raw_strategy, dict) else {}
    size = matrix_size(strategy.get("matrix")) if "matrix" in strategy else 1
    steps = _steps(job_id, job.get("steps"))
    for rec in steps:
        if rec.get("local_action"):
            _inline_composite(files, rec)
    env = job.get("environment")
    env_name = env.get("name") if isinstance(env, dict) else env
    environment = str(env_name) if env_name is not None else None
    uses = str(job.get("uses") or "")
    task = Task(id=job_id, name=str(job.get("name") or job_id), kind="reusable-workflow" if uses else "job",
                location=Location(("jobs", job_id)), duration=Duration(JOB_DEFAULT_S, DurationSource.DEFAULT),
                items=size if size and size > 1 else None)
    writes: list[str] = [w for s in steps for w in s["writes"]]
    reads: list[str] = [r for s in steps for r in s["reads"]]
    calls = sum(s["api_calls"] for s in steps)
    publishes = [p for s in steps for p in s["publishes"]]
    artifacts_out = [a for s in steps for a in s["uploads"]]
    # A download by pattern takes whichever artifacts have finished (an artifact appears whole, once
    # uploaded): it needs none of them in particular, so it is no read effect, only a hint for needs.
    artifacts_in = [a for s in steps for a in s["downloads"]]
    maybe_out = any(s["maybe_out"] for s in steps)
    maybe_in = any(s["maybe_in"] for s in steps)
    if uses:
        callee = files.summarize_call(uses)
        if callee is None:
            task.opaque = True
            maybe_out = maybe_in = True
        else:
            writes += callee.writes
            reads += callee.reads
            calls += callee.api_calls
            publishes += callee.publishes
            artifacts_out += callee.artifacts_out
            artifacts_in += callee.artifacts_in
    if environment and (isinstance(env, dict) and env.get("url") or _DEPLOY_TARGET.search(environment)):
        publishes.append("env:" + environment)
        writes.append("env:" + environment)
    task.effects = ([Effect(r, Mode.WRITE) for r in dict.fromkeys(writes)]
                    + [Effect(r, Mode.READ) for r in dict.fromkeys(reads) if r not in writes])
    if calls:
        task.apis.append(ApiUse("github-token", float(calls * (size or 1))))
    max_parallel = strategy.get("max-parallel")
    task.put(JobFacts(
        condition=str(job.get("if") or ""), matrix_size=size, max_parallel=max_parallel,
        fail_fast=strategy.get("fail-fast", True) is not False, environment=environment, uses=uses,
        outputs=tuple(sorted(job["outputs"])) if isinstance(job.get("outputs"), dict) else (),
        permissions=job.get("permissions"), runs_on=_all_text(job.get("runs-on")),
        artifacts_out=tuple(artifacts_out), artifacts_in=tuple(artifacts_in),
        registries=tuple(sorted({r for s in steps for r in s["registries"]})),
        maybe_out=maybe_out, maybe_in=maybe_in, publishes=tuple(sorted(set(publishes))),
        publish_like=bool(publishes) or bool(_PUBLISH_ID.search(job_id) and uses),
    ))
    concurrency = job.get("concurrency")
    task.put(Concurrency(group=_group(concurrency),
                         cancel_in_progress=_concurrency_key(concurrency, "cancel-in-progress"),
                         queue=_concurrency_key(concurrency, "queue")))
    task.put(Steps(tuple(_step_facet(rec) for rec in steps), tuple(concurrent_pairs(steps))))
    if (size or 1) > 1 and not max_parallel == 1:
        task.put(InstanceWrites(tuple(sorted({
            w for s in steps if not s["if"] and not s.get("overwrite") for w in s["writes"]
            if w.startswith("artifact:")}))))
    return task


def _step_facet(rec: dict) -> Step:
    """The step as the step rules see it (the reader's record keeps what only the reader needs)."""
    condition = rec["if"]
    return Step(
        id=rec["id"], step_id=rec["step_id"], index=rec["index"], name=rec["name"], pointer=tuple(rec["pointer"]),
        kind=rec["kind"], uses=rec["uses"], condition=condition, background=rec["background"],
        group=rec.get("group"), waits=bool(rec["wait"]), refs=tuple(rec["refs"]), files=tuple(rec["files"]),
        read_only=rec["read_only"], checkout_without_path=rec["checkout_without_path"],
        condition_reads_steps="steps." in condition, finalizer=bool(FINALIZER.search(condition)),
        opaque_action=bool(rec.get("opaque_action")),
    )


_MERGED = ("writes", "reads", "publishes", "uploads", "downloads", "files", "registries")


def _inline_composite(files: local.LocalFiles, rec: dict) -> None:
    """A local composite action runs in the caller's job: its steps' effects are the step's."""
    inner = files.composite_steps(rec["local_action"])
    if inner is None:
        rec["opaque_action"] = True
        return
    for i, step in enumerate(inner):
        sub = step_record("composite", i, step, ())
        for key in _MERGED:
            rec[key] += [x for x in sub[key] if x not in rec[key]]
        rec["api_calls"] += sub["api_calls"]
        rec["maybe_out"] |= sub["maybe_out"]
        rec["maybe_in"] |= sub["maybe_in"]


def _steps(job_id: str, steps) -> list[dict]:
    out: list[dict] = []
    if not isinstance(steps, list):
        return out
    group = 0
    for i, step in enumerate(steps):
        pointer = ("jobs", job_id, "steps", i)
        if isinstance(step, dict) and isinstance(step.get("parallel"), list):
            group += 1
            for lane, inner in enumerate(step["parallel"]):
                if isinstance(inner, dict):
                    rec = step_record(job_id, len(out), inner, pointer + ("parallel", lane), lane)
                    rec["group"] = group
                    out.append(rec)
        elif isinstance(step, dict):
            out.append(step_record(job_id, len(out), step, pointer))
    return out


def concurrent_pairs(steps: list[dict]) -> list[tuple[str, str]]:
    """Pairs of steps that may run at the same time: lanes of one `parallel:` group, and a
    `background:` step with everything after it up to the `wait`/`wait-all` that covers it."""
    pairs: list[tuple[str, str]] = []
    for i, a in enumerate(steps):
        if a.get("group"):
            pairs += [(a["id"], b["id"]) for b in steps[i + 1:] if b.get("group") == a["group"]]
        if a["background"]:
            for b in steps[i + 1:]:
                if b["wait_all"] or (a["step_id"] and a["step_id"] in b["wait"] + b["cancel"]):
                    break
                if b["kind"] in ("run", "uses"):
                    pairs.append((a["id"], b["id"]))
    return pairs
