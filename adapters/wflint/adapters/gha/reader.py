"""Read a GitHub Actions workflow into the IR: jobs are tasks, `needs:` entries are edges.

Each `needs` edge is classified by what it carries (``edges.py``). Steps stay inside their job as
plain records in ``task.attrs["steps"]`` (``steps.py``); a job's effects are its steps' effects,
its local composite actions' and its local reusable workflow's (``local.py``).
"""
from __future__ import annotations

import fnmatch
import re

from wflint.errors import ParseError
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
from .edges import with_edges
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
    known = local.take_parsed(path, text)
    if known is not None:
        known.path = path
        return [known]
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
        tasks[job_id] = _job_task(path, job_id, job)
    workflow = Workflow(
        name=str(data.get("name") or path.rsplit("/", 1)[-1]), format="gha", path=path,
        execution_model=MODEL, tasks=tasks, edges=[], source=index,
        limits=Limits(apis={"github-token": TOKEN_LIMIT}, concurrency=PLAN_JOB_CAP,
                      concurrency_source="GitHub Free plan: 20 concurrent jobs"),
    )
    facts = _workflow_attrs(data)
    for task in tasks.values():
        task.attrs["workflow_concurrency"] = facts["concurrency_group"]
        task.attrs["triggers"] = facts["triggers"]
    _resolve_patterns(tasks)
    return [with_edges(workflow, jobs, tasks)]




def _workflow_attrs(data: dict) -> dict:
    on = data.get("on")
    triggers = sorted(on) if isinstance(on, dict) else _names(on)
    push = on.get("push") if isinstance(on, dict) else None
    if isinstance(push, dict) and push and set(push) <= {"tags", "tags-ignore"}:
        triggers = sorted("push-tags" if t == "push" else t for t in triggers)  # releases, not every commit
    concurrency = data.get("concurrency")
    return {"triggers": triggers, "concurrency_group": _group(concurrency),
            "cancel_in_progress": _concurrency_key(concurrency, "cancel-in-progress"),
            "queue": _concurrency_key(concurrency, "queue")}


def _concurrency_key(concurrency, key: str):
    return concurrency.get(key) if isinstance(concurrency, dict) else None


def _group(concurrency) -> str | None:
    if isinstance(concurrency, str):
        return concurrency
    if isinstance(concurrency, dict) and concurrency.get("group") is not None:
        return str(concurrency["group"])
    return None


def _job_task(path: str, job_id: str, job: dict) -> Task:
    strategy = job.get("strategy") if isinstance(job.get("strategy"), dict) else {}
    size = matrix_size(strategy.get("matrix")) if "matrix" in strategy else 1
    steps = _steps(job_id, job.get("steps"))
    for rec in steps:
        if rec.get("local_action"):
            _inline_composite(path, rec)
    env = job.get("environment")
    env_name = env.get("name") if isinstance(env, dict) else env
    attrs = {
        "if": str(job.get("if") or ""), "matrix_size": size, "max_parallel": strategy.get("max-parallel"),
        "fail_fast": strategy.get("fail-fast", True) is not False, "concurrency_group": _group(job.get("concurrency")),
        "cancel_in_progress": _concurrency_key(job.get("concurrency"), "cancel-in-progress"),
        "concurrency_queue": _concurrency_key(job.get("concurrency"), "queue"),
        "environment": str(env_name) if env_name is not None else None, "uses": str(job.get("uses") or ""),
        "outputs": sorted(job["outputs"]) if isinstance(job.get("outputs"), dict) else [],
        "permissions": job.get("permissions"), "steps": steps, "runs_on": _all_text(job.get("runs-on")),
        "concurrent_pairs": concurrent_pairs(steps),
    }
    task = Task(id=job_id, name=str(job.get("name") or job_id), kind="reusable-workflow" if attrs["uses"] else "job",
                location=Location(("jobs", job_id)), duration=Duration(JOB_DEFAULT_S, DurationSource.DEFAULT),
                items=size if size and size > 1 else None, attrs=attrs)
    writes: list[str] = [w for s in steps for w in s["writes"]]
    reads: list[str] = [r for s in steps for r in s["reads"]]
    calls = sum(s["api_calls"] for s in steps)
    publishes = [p for s in steps for p in s["publishes"]]
    attrs["artifacts_out"] = [a for s in steps for a in s["uploads"]]
    attrs["artifacts_in"] = [a for s in steps for a in s["downloads"]]
    attrs["registries"] = sorted({r for s in steps for r in s["registries"]})
    attrs["maybe_out"] = any(s["maybe_out"] for s in steps)
    attrs["maybe_in"] = any(s["maybe_in"] for s in steps)
    if attrs["uses"]:
        callee = local.summarize_call(path, attrs["uses"])
        if callee is None:
            task.opaque = True
            attrs["maybe_out"] = attrs["maybe_in"] = True
        else:
            writes += callee["writes"]
            reads += callee["reads"]
            calls += callee["api_calls"]
            publishes += callee["publishes"]
            attrs["artifacts_out"] += callee["artifacts_out"]
            attrs["artifacts_in"] += callee["artifacts_in"]
    if attrs["environment"] and (isinstance(env, dict) and env.get("url") or _DEPLOY_TARGET.search(attrs["environment"])):
        publishes.append("env:" + attrs["environment"])
        writes.append("env:" + attrs["environment"])
    task.effects = ([Effect(r, Mode.WRITE) for r in dict.fromkeys(writes)]
                    + [Effect(r, Mode.READ) for r in dict.fromkeys(reads) if r not in writes])
    if calls:
        task.apis.append(ApiUse("github-token", float(calls * (size or 1))))
    attrs["publishes"] = sorted(set(publishes))
    attrs["publish_like"] = bool(publishes) or bool(_PUBLISH_ID.search(job_id) and attrs["uses"])
    if (size or 1) > 1 and not attrs["max_parallel"] == 1:
        attrs["concurrent_instance_writes"] = sorted({
            w for s in steps if not s["if"] and not s.get("overwrite") for w in s["writes"]
            if w.startswith("artifact:")})
    return task


_MERGED = ("writes", "reads", "publishes", "uploads", "downloads", "files", "registries")


def _inline_composite(path: str, rec: dict) -> None:
    """A local composite action runs in the caller's job: its steps' effects are the step's."""
    inner = local.composite_steps(path, rec["local_action"])
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


def _resolve_patterns(tasks: dict[str, Task]) -> None:
    """A download by pattern (or of everything) reads each constant-named artifact it matches."""
    uploads = {e.resource[9:] for t in tasks.values() for e in t.writes if e.resource.startswith("artifact:")}
    for task in tasks.values():
        own = {e.resource for e in task.effects}
        for pattern in task.attrs["artifacts_in"]:
            if "*" not in pattern and "?" not in pattern:
                continue
            for name in sorted(uploads):
                if "artifact:" + name not in own and fnmatch.fnmatchcase(name, pattern):
                    task.effects.append(Effect("artifact:" + name, Mode.READ))
                    own.add("artifact:" + name)
