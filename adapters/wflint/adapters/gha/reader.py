"""Read a GitHub Actions workflow into the IR: jobs are tasks, `needs:` entries are edges.

Each `needs` edge is classified by what it carries (``edges.py``). Steps stay inside their job
(the ``Steps`` facet, read from records built in ``steps.py``); a job's effects are its steps' effects,
its local composite actions' and its local reusable workflow's (``local.py``).
"""
from __future__ import annotations

import re
from dataclasses import field, replace

from wflint.analysis.durations import fmt_seconds
from wflint.errors import ParseError
from wflint.facets import (
    Concurrency,
    ConstantSetting,
    Instances,
    InstanceWrites,
    Publishing,
    StartNames,
    Starts,
    Step,
    Steps,
    Structure,
)
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
from wflint.patterns import lazy
from wflint.records import dataclass
from wflint.sourcemap import load_yaml

from . import local, siblings
from .edges import EXPRESSION, FINALIZER, with_edges
from .events import (
    RunContext,
    calling_runs,
    certainly,
    condition_text,
    constant,
    job_contexts,
    keyed_by_its_pull,
    keyed_by_its_run_pull,
    keyed_by_its_tag,
    may_run,
    never_there,
    per_run_group,
    pull_requests_start_runs,
    run_contexts,
    schedule_gap_minutes,
    with_env,
)
from .facts import CallInputs, JobFacts
from .matrix import matrix_size
from .split import split_on_shared_values
from .steps import CLUSTER_TARGETS, _all_text, packaging_only, step_record, tags_push, worst
from .targets import ATOMIC, REHEARSALS, matrix_values

JOB_DEFAULT_S = 600.0  # per-kind default; only ever shown as "default", never as a saving
_JOB_DEFAULT = Duration(JOB_DEFAULT_S, DurationSource.DEFAULT)  # frozen: every job holds this one
PLAN_JOB_CAP = 20  # GitHub Free plan: concurrent jobs per account
# An hourly quota: the 1000 requests may all go at once, then the hour refills them.
TOKEN_LIMIT = ApiLimit("github-token", 1000 / 3600, "1000/h per repository (GITHUB_TOKEN)", burst=1000.0)
MODEL = ExecutionModel(
    name="github-actions", mode="graph",
    parallel_feature="drop the `needs:` entry so the jobs start together, or run independent steps "
                     "of one job as a `parallel:` group",
    order_gates="a `needs:` entry is also a gate: without it the job runs even when that job fails or is skipped",
    fail_together=("On GitHub Actions: a job that `needs: [a, b]` runs only when both succeeded (a failed job "
                   "skips the jobs that need it), and a matrix's `strategy.fail-fast` (true by default) cancels "
                   "its other instances"),
    finish_the_rest=("On GitHub Actions: `if: ${{ !cancelled() }}` on the job that needs them (it runs whatever they did; read "
                     "`needs.<job>.result`), `fail-fast: false` in a matrix, `continue-on-error: true` on a job "
                     "whose failure must not fail the run"),
    notes=("jobs run in parallel unless `needs:` orders them, up to the plan's concurrent-job cap",),
    task_setup="each job starts on a fresh runner and pays its set-up (checkout, tools) again",
)
# An environment is a deployment target (not just a secret or approval scope) when it has a URL or
# one of these names; only then do two jobs using it at once conflict.
PAGES_ENVIRONMENT = "env:github-pages"  # the environment GitHub Pages deploys in
_DEPLOY_TARGET = lazy(r"prod|staging|stage|preview|dev\b|develop|pages|live|qa\b|uat", re.I)


def read_workflow(path: str, text: str) -> list[Workflow]:
    workflow = _read(path, text, local.LocalFiles(path, _read), callers=True)
    for job, pairs in siblings.rivals(path, workflow, _read_alone).items():
        task = workflow.tasks[job]
        publishing = task.facet(Publishing)
        if publishing is not None:
            task.put(replace(publishing, rivals=tuple(_rival(theirs) for _, theirs in pairs),
                             rivals_often=any((own.frequent or theirs.frequent) and not own.by_environment
                                              for own, theirs in pairs)))
    return [workflow]


def _read_alone(path: str, text: str) -> list[Workflow]:
    """The file with its local callees and actions, without judging it against its siblings."""
    return [_read(path, text, local.LocalFiles(path, _read))]


def _rival(writer: siblings.Writer) -> str:
    group = f"group `{writer.group}`" if writer.group else "no group"
    return f"`{writer.job}` in {writer.file} also writes `{writer.target}` ({group})"


def _read(path: str, text: str, files: local.LocalFiles, callers: bool = False) -> Workflow:
    """One workflow file; ``files`` resolves its local callees and composite actions. ``callers``:
    a reusable workflow runs on the refs its callers in the repository call it on (the file
    checked, not one read as another's callee or sibling)."""
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
    pulls = pull_requests_start_runs(data.get("on"))
    unset = _job_concurrency(None, data.get("concurrency"))  # a job's without its own `concurrency:`
    for job_id, job in jobs.items():
        if not isinstance(job, dict):
            pos = index.resolve(Location(("jobs", job_id)))
            raise ParseError(path, f"job `{job_id}` must be a mapping", pos.line, pos.column)
        tasks[job_id] = _job_task(files, job_id, job, data, pulls, unset)
    workflow = Workflow(
        name=str(data.get("name") or path.rsplit("/", 1)[-1]), format="gha", path=path,
        execution_model=MODEL, tasks=tasks, edges=[], source=index,
        limits=Limits(apis={"github-token": TOKEN_LIMIT}, concurrency=PLAN_JOB_CAP,
                      concurrency_source="GitHub Free plan: 20 concurrent jobs"),
    )
    workflow.put(_call_inputs(data.get("on")))
    with_edges(workflow, jobs, tasks)
    called = local.caller_runs(path) if callers and _callable(data.get("on")) else None
    contexts = _put_starts(workflow, data.get("on"), data.get("concurrency"), called)
    apart = _runs_apart(data.get("on"), jobs)
    for task in tasks.values():
        _put_run_facets(task, contexts[task.id], data.get("concurrency"), apart)
    return workflow


HOSTED_JOB_LIMIT_MIN = 360  # GitHub ends a job on a GitHub-hosted runner after 6 hours
SCHEDULE_DELAY_MIN = 60  # a scheduled run may start late under load
_HOSTED = lazy(r"(ubuntu|windows|macos)-[\w.-]+")


def _runs_apart(on, jobs: dict) -> str:
    """Why runs of this workflow that start on its schedule never overlap: the shortest gap between
    two scheduled starts is longer than a whole run can take (every job ended by its
    `timeout-minutes` or GitHub's 6-hour limit on its own runners), with room for a late start;
    "" when that cannot be shown. A manual dispatch is a person's own choice of moment."""
    gap = schedule_gap_minutes(on)
    if gap is None:
        return ""
    total = 0.0
    for job in jobs.values():
        limit = _job_limit_minutes(job)
        if limit is None:
            return ""  # a called workflow, a self-hosted or larger runner, a computed label: no bound known
        total += limit
    if total + SCHEDULE_DELAY_MIN > gap:
        return ""
    return f"its schedule starts runs at least {fmt_seconds(gap * 60)} apart and a run ends within {fmt_seconds(total * 60)}"


def _job_limit_minutes(job) -> float | None:
    """How long a job can run at most: its literal `timeout-minutes`, and on a GitHub-hosted runner
    never more than 6 hours; None where neither is known."""
    if not isinstance(job, dict):
        return None
    limit = job.get("timeout-minutes")
    own = float(limit) if isinstance(limit, (int, float)) and not isinstance(limit, bool) and limit > 0 else None
    hosted = isinstance(job.get("runs-on"), str) and _HOSTED.fullmatch(job["runs-on"]) is not None
    if hosted:
        return min(own or HOSTED_JOB_LIMIT_MIN, HOSTED_JOB_LIMIT_MIN)
    return own


def _callable(on) -> bool:
    return on == "workflow_call" or isinstance(on, (list, dict)) and "workflow_call" in on


def _put_starts(workflow: Workflow, on, workflow_concurrency,
                called: tuple[tuple[str, str], ...] | None = None) -> dict[str, tuple[RunContext, ...]]:
    """Each job's run contexts (``events.py``) as its starts: jobs with none in common never meet."""
    conditions = {t: facts.condition for t, task in workflow.tasks.items() if (facts := task.facet(JobFacts))}
    steps = [s.condition for task in workflow.tasks.values() if (f := task.facet(Steps)) for s in f.steps]
    cancels = {t: c.cancel_in_progress for t, task in workflow.tasks.items() if (c := task.facet(Concurrency))}
    cancels[""] = _concurrency_key(workflow_concurrency, "cancel-in-progress")
    needs_of: dict[str, list[str]] = {t: [] for t in workflow.tasks}
    for edge in workflow.edges:
        needs_of[edge.v].append(edge.u)
    every_run = run_contexts(on, [*conditions.values(), *steps, *(str(c) for c in cancels.values() if isinstance(c, str))],
                             called)
    contexts = job_contexts(conditions, needs_of, every_run)
    cases = _cases(conditions, needs_of, every_run)
    name_of = {id(c): c.name for c in every_run}  # the jobs' tuples hold these very contexts: each named once
    for job, runs_in in contexts.items():
        workflow.tasks[job].put(Starts(tuple(name_of[id(c)] for c in runs_in), cases.get(job, ())))
    for job, cancel in cancels.items():
        _put_constant(workflow.tasks[job] if job else workflow, job, cancel, contexts[job] if job else every_run)
    every = {name_of[id(c)]: c for runs_in in contexts.values() for c in runs_in}
    workflow.put(StartNames({n: c.wording for n, c in every.items()}, {n: c.event or "a caller's run" for n, c in every.items()}))
    return contexts


def _cases(conditions: dict[str, str], needs_of: dict[str, list[str]],
           every_run: list[RunContext]) -> dict[str, tuple[str, ...]]:
    """Each job's runs told apart by the values all jobs of a run see alike (``split.py``), where
    two or more conditions test one; empty where none does."""
    split = split_on_shared_values(list(conditions.values()), every_run)
    if split is every_run:
        return {}
    return {job: tuple(c.name for c in runs_in) for job, runs_in in job_contexts(conditions, needs_of, split).items()}


def _put_constant(holder: Task | Workflow, job: str, cancel, contexts) -> None:
    """A `cancel-in-progress:` expression with one value in every run of the job (of the workflow,
    for ``job`` ""), because it tests for a ref or event none of them has."""
    value = constant(cancel, contexts)
    never = never_there(cancel, contexts) if value is not None else []
    if never:
        pointer = ("jobs", job, "concurrency", "cancel-in-progress") if job else ("concurrency", "cancel-in-progress")
        holder.put(ConstantSetting(f"cancel-in-progress: {cancel}", bool(value), tuple(never), Location(pointer)))


def _frequent(context: RunContext) -> bool:
    """Runs that start often and close together because the repository's own activity starts them:
    every push to a branch, every finished run, every pull request update, every merge queue entry.
    Not `repository_dispatch`: an outside caller fires it as often as it likes (often a nightly)."""
    if context.event == "push":
        return context.ref_type == "branch"
    return context.event in ("workflow_run", "pull_request_target", "merge_group")


def _put_run_facets(task: Task, contexts: tuple[RunContext, ...], workflow_concurrency, apart: str = "") -> None:
    """Concurrency settings and, for a job that publishes, what, whether runs can race on it, and
    how often the runs that do it start (SAF310's and SAF311's facts)."""
    own = task.facet(Concurrency)  # with the workflow's group already (``_job_concurrency``)
    if own is None:
        own = Concurrency(workflow_group=_group(workflow_concurrency))
        task.put(own)
    facts = task.facet(JobFacts)
    # What a called workflow publishes is its own jobs' finding, reported once, in its own file.
    if facts is None or not facts.targets or not contexts:  # nothing published, or a job that never runs
        return
    # a step whose `if:` no run of the job meets never writes (rustup: a push-only upload in a PR-only job)
    reachable = [(r, floating, cond) for r, floating, cond in facts.targets if any(may_run(cond, c) for c in contexts)]
    if not reachable:
        return
    racing = [(r, floating, cond) for r, floating, cond in reachable if floating is not False]
    targets = sorted({r for r, _, _ in racing})
    where = [c for _, _, cond in racing for c in contexts if may_run(cond, c)]
    quiet = [c.wording for c in contexts if c not in where]
    # Runs where no writing step is sure to run, beside runs where one is (a push to main that
    # deploys, a pull request whose deploy step hangs on a job's output): of another kind. Where
    # every run is as unsure (a bot that pushes when a step found changes), they are all alike.
    sure = [c for c in where if any(not cond.strip() or certainly(cond, c) for _, _, cond in racing)]
    unsure = [c.wording for c in where if c not in sure] if sure else []
    called_only = all(c.event is None for c in contexts)
    called = any(c.event is None for c in contexts)  # some run is a caller's (a matrix may fan out)
    mutable = any(floating for _, floating, _ in racing)
    # A deployment environment a pull request's run writes is its preview: a newer run of the PR
    # cancelling it deploys the same preview again, as the author wants. The `github-pages`
    # environment of a job that deploys Pages holds that very deployment (atomic, ``ATOMIC``).
    pages = any(r == "pages" for r, _, _ in reachable)
    publishing_in = [c for r, _, cond in reachable if r not in REHEARSALS and not r.startswith(ATOMIC)
                     and not (pages and r == PAGES_ENVIRONMENT)
                     for c in contexts if may_run(cond, c) and not (r.startswith("env:") and c.ref_type == "pull")]
    task.put(Publishing(
        targets=tuple(targets),
        unique=tuple(sorted({r for r, _, _ in reachable} - set(targets))),
        mutable=mutable,
        frequent=any(_frequent(c) for c in where),
        # only a slow schedule and a person start the runs that publish: two never overlap
        apart=apart if all(c.event in ("schedule", "workflow_dispatch") for c in where) else "",
        called_only=called_only,
        callable=called,
        suggested_group=_per_instance_key(concurrency_group(task.id, targets), targets),
        # every run of every caller (each instance of a caller's matrix) would queue behind one group
        queue="" if mutable or called else "max",
        cancelling_group=_cancelling_group(own, workflow_concurrency, publishing_in, facts.condition),
        # a target named by a matrix value is one per instance (`environment: ${{ matrix.env }}`)
        per_instance=bool(targets) and all(matrix_values(t) for t in targets),
        quiet_runs=tuple(dict.fromkeys(quiet)),
        unsure_runs=tuple(w for w in dict.fromkeys(unsure) if w not in quiet),
        named_per_run=tuple(t for t in facts.named_per_run if t in targets),
    ))


def _per_instance_key(group: str, targets: list[str]) -> str:
    """A group for targets each named by a matrix value holds those values, so each instance has
    its own group and the instances still run side by side."""
    if not targets or not all(matrix_values(t) for t in targets) or "matrix." in group:
        return group
    return group + "-" + "-".join(dict.fromkeys(v for t in targets for v in matrix_values(t)))


def _cancelling_group(own: Concurrency, workflow_concurrency, contexts: list[RunContext], condition: str = "") -> str:
    """The group that cancels a run in progress where the job publishes: its own, else the
    workflow's, with `cancel-in-progress` certainly true there and a key two runs can share
    (``condition``: the job's `if:`, which may keep it to a pull request's finished runs)."""
    group: str | None = own.group
    cancel = own.cancel_in_progress
    if not group:
        group, cancel = _group(workflow_concurrency), _concurrency_key(workflow_concurrency, "cancel-in-progress")
    if not group or cancel is None:
        return ""
    hit = any(certainly(cancel, c) and not per_run_group(group, c) and not keyed_by_its_tag(group, c)
              and not keyed_by_its_pull(group, c) and not keyed_by_its_run_pull(group, condition, c) for c in contexts)
    return group if hit else ""


_ALLOWED_CONTEXTS = {"github", "inputs", "matrix", "needs", "strategy", "vars"}  # job-level concurrency


def _allowed(value: str) -> bool:
    """Expressions in a job's concurrency group may only use these contexts (not `steps`, `env`)."""
    roots = {m.group(1) for e in EXPRESSION.findall(value) for m in re.finditer(r"\b([a-z_]+)\.", e)}
    return roots <= _ALLOWED_CONTEXTS


def _key_text(value: str) -> str:
    """A target's name as a group key: its literal text with what a key should not hold made a
    dash, each ``${{ … }}`` kept as written (its `/` and quotes are the expression's: a dash there
    changes which runs share the group)."""
    parts = re.split(r"(\$\{\{.*?\}\})", value)
    return "".join(p if i % 2 else re.sub(r"[^\w.-]", "-", p) for i, p in enumerate(parts))


def concurrency_group(job_id: str, targets: list[str]) -> str:
    """One group per deployment target, shared by every workflow of the repository that uses it."""
    for prefix, name in (("env:", "environment-"), ("git:", "git-push-"), ("registry:docker:", "image-")):
        for target in targets:
            value = target[len(prefix):] if target.startswith(prefix) else ""
            if value and "(" not in value and "*" not in value and _allowed(value):
                return name + _key_text(value)
    if "git:(current)" in targets:
        return "git-push-${{ github.ref }}"  # pushes to different branches do not race
    remote = next((t[4:-len(":(current)")] for t in targets if t.startswith("git:") and t.endswith(":(current)")), "")
    if remote and _allowed(remote):  # the same-named branch of another repository
        return "git-push-" + re.sub(r"[^\w.-]", "-", remote) + "-${{ github.ref }}"
    if "pages" in targets:
        return "pages"  # one Pages site per repository
    deploy = next((t for t in targets if t.startswith("deploy:")), None)
    return "deploy-" + deploy[len("deploy:"):] if deploy else "${{ github.workflow }}-" + job_id


def _concurrency_key(concurrency, key: str):
    return concurrency.get(key) if isinstance(concurrency, dict) else None


def _group(concurrency) -> str | None:
    if isinstance(concurrency, str):
        return concurrency
    if isinstance(concurrency, dict) and concurrency.get("group") is not None:
        return str(concurrency["group"])
    return None


def _job_task(files: local.LocalFiles, job_id: str, job: dict, workflow: dict, pulls: bool,
              unset: Concurrency) -> Task:
    """One job as a task: its steps' effects, its callee's, its environment's, and its facets.
    ``pulls``: a pull request can start the workflow's runs (``events.pull_requests_start_runs``);
    ``unset``: the concurrency of a job with no `concurrency:` of its own (the workflow's group),
    made once for the workflow."""
    raw_strategy = job.get("strategy")
    strategy: dict = raw_strategy if isinstance(raw_strategy, dict) else {}
    size = matrix_size(strategy.get("matrix")) if "matrix" in strategy else 1
    steps = _job_steps(files, job_id, job, workflow.get("env"), pulls)
    if "permissions" not in job and "permissions" in workflow:  # a job without its own inherits them
        job = {**job, "permissions": workflow["permissions"]}
    environment = _environment_name(job)
    uses = str(job.get("uses") or "")
    task = Task(id=job_id, name=str(job.get("name") or job_id), kind="reusable-workflow" if uses else "job",
                location=Location(("jobs", job_id)), duration=_JOB_DEFAULT,
                items=size if size and size > 1 else None)
    gathered = _Gathered.of_steps(steps)
    if uses:
        runs = calling_runs(workflow.get("on"), condition_text(job.get("if")))
        task.opaque = not gathered.add_callee(files.summarize_call(uses, runs, _passes(job)))
    if environment and _is_deploy_target(job, environment, strategy.get("matrix")) and not _only_package_uploads(gathered, steps):
        gathered.publishes.append("env:" + environment)
        gathered.writes.append("env:" + environment)
        gathered.targets.append(("env:" + environment, True, ""))  # a live deployment, replaced in place
    written = set(gathered.writes)
    # A cache entry is saved once: a second save of its key is refused with a warning, overwriting
    # nothing, so two saves are appends (no conflict); a restore racing the save still misses it.
    # A push of tags adds the job's new tags: jobs that make tags of different names make
    # different refs (the same tag pushed twice is refused, never overwritten).
    task.effects = ([Effect(r, Mode.WRITE, append=r.startswith("cache:") or tags_push(r)) for r in dict.fromkeys(gathered.writes)]
                    + [Effect(r, Mode.READ) for r in dict.fromkeys(gathered.reads) if r not in written])
    if gathered.calls:
        task.apis.append(ApiUse("github-token", float(gathered.calls * (size or 1))))
    task.put(_job_facts(job, strategy, size, gathered, environment, uses))
    own = job.get("concurrency")
    task.put(unset if own is None else _job_concurrency(own, workflow.get("concurrency")))
    task.put(Steps(tuple(_step_facet(rec) for rec in steps), tuple(concurrent_pairs(steps))))
    if (size or 1) > 1 and not strategy.get("max-parallel") == 1:
        task.put(InstanceWrites(_instance_artifacts(steps)))
    if size and size > 1:
        task.put(Instances(at_once=_at_once(size, strategy.get("max-parallel")), total=size))
    no_work = None if uses else _no_work(job.get("steps"))
    if no_work:
        task.put(Structure("marker", f"a job that does no work (`run: {no_work}`), a gate its `needs:` make"))
    return task


def _passes(job: dict) -> tuple[tuple[str, object], ...]:
    """A calling job's `with:`, names in lower case (GitHub's contexts ignore case)."""
    given = job.get("with")
    return tuple((str(k).lower(), v) for k, v in given.items()) if isinstance(given, dict) else ()


def _call_inputs(on) -> CallInputs:
    """The inputs a reusable workflow declares under `on.workflow_call.inputs`."""
    call = on.get("workflow_call") if isinstance(on, dict) else None
    inputs = call.get("inputs") if isinstance(call, dict) else None
    if not isinstance(inputs, dict):
        return CallInputs(())
    return CallInputs(tuple((str(name).lower(), str(spec.get("type") or ""), spec.get("default"))
                            for name, spec in inputs.items() if isinstance(spec, dict)))


# A command that changes nothing: ends the step, or prints (no redirection, no substitution).
_NO_OP = lazy(r"(?:exit(?:\s+\d+)?|true|:|echo(?:\s+[^<>|&;$`()\\]*)?)")
_COMMANDS = lazy(r"\n|;|&&")


def _no_work(steps) -> str | None:
    """The first script of a job whose every step is a script of no-op commands (`exit 0`,
    `echo ok`): a gate or an aggregate check that ``needs:`` wire, not work; None otherwise."""
    if not isinstance(steps, list) or not steps:
        return None
    scripts = [step.get("run") if isinstance(step, dict) and "uses" not in step else None for step in steps]
    runs = [run for run in scripts if isinstance(run, str) and run.strip()]
    if len(runs) != len(scripts):
        return None
    for run in runs:
        commands = [c.strip() for c in _COMMANDS.split(run) if c.strip() and not c.strip().startswith("#")]
        if not commands or not all(_NO_OP.fullmatch(c) for c in commands):
            return None
    first = runs[0].strip().splitlines()[0]
    return first if len(first) <= 40 else first[:37] + "..."


def _at_once(size: int, max_parallel) -> int:
    """Matrix instances running together: all of them, or `max-parallel` when it is a number."""
    if isinstance(max_parallel, int) and not isinstance(max_parallel, bool) and max_parallel > 0:
        return min(size, max_parallel)
    return size


def _job_steps(files: local.LocalFiles, job_id: str, job: dict, workflow_env=None, pulls: bool = True) -> list[dict]:
    """The job's step records, with each local composite action's steps folded into its step."""
    job_env = job.get("env")
    env = {**(workflow_env if isinstance(workflow_env, dict) else {}), **(job_env if isinstance(job_env, dict) else {})}
    defaults = job.get("defaults")
    run_defaults = defaults.get("run") if isinstance(defaults, dict) else None
    default_dir = run_defaults.get("working-directory") if isinstance(run_defaults, dict) else None
    steps = _steps(job_id, job.get("steps"), env, pulls, default_dir)
    fixed = _fixed_env(env, job.get("steps"))
    for rec in steps:
        if rec.get("local_action"):
            _inline_composite(files, rec)
        if "env." in rec["if"]:
            rec["if_run"] = with_env(rec["if"], fixed)
    return steps


def _fixed_env(env: dict, steps) -> dict[str, object]:
    """The workflow's and job's `env:` values (lower-case names) no step changes: a script that
    writes $GITHUB_ENV and names the variable may set it anew for the steps after it, and a step's
    own `env:` may hold another value of it."""
    if not env:
        return {}
    steps = [s for s in steps if isinstance(s, dict)] if isinstance(steps, list) else []
    scripts = [str(s.get("run")) for s in steps if "GITHUB_ENV" in str(s.get("run", ""))]
    own = {str(k) for s in steps if isinstance(s.get("env"), dict) for k in s["env"]}
    return {str(k).lower(): v for k, v in env.items() if str(k) not in own and not any(str(k) in run for run in scripts)}


def _environment_name(job: dict) -> str | None:
    env = job.get("environment")
    name = env.get("name") if isinstance(env, dict) else env
    return str(name) if name is not None else None


def _only_package_uploads(gathered: _Gathered, steps: list[dict]) -> bool:
    """Do the job's steps, actions and scripts that only build and upload packages, publish nothing
    but versioned uploads to a package registry (PyPI, npm, crates)? Its environment is then the
    registry's credential gate (trusted publishing), not a deployment replaced in place: two such
    jobs upload different files of one version, which never overwrite. Any other script may deploy
    anything, so it keeps the environment."""
    return bool(gathered.targets) and all(
        (rec["kind"] == "uses" or rec["kind"] == "run" and packaging_only(rec["script"])) and not rec["may_ship"]
        for rec in steps) and all(
        resource.startswith("registry:") and not resource.startswith("registry:docker") and floating is False
        for resource, floating, _ in gathered.targets)


def _is_deploy_target(job: dict, environment: str, matrix) -> bool:
    """An environment with a URL or a deployment-like name (or a matrix value that has one) is a
    target two jobs must not share."""
    env = job.get("environment")
    if isinstance(env, dict) and env.get("url") or _DEPLOY_TARGET.search(environment):
        return True
    axis = re.search(r"\$\{\{\s*matrix\.([\w-]+)\s*\}\}", environment)
    values = matrix.get(axis.group(1)) if axis and isinstance(matrix, dict) else None
    return isinstance(values, list) and any(_DEPLOY_TARGET.search(str(v)) for v in values)


@dataclass
class _Gathered:
    """What a job's steps (and the workflow it calls) write, read, publish and pass on."""

    writes: list[str]
    reads: list[str]
    calls: float
    publishes: list[str]
    artifacts_out: list[str]
    # A download by pattern takes whichever artifacts have finished (an artifact appears whole, once
    # uploaded): it needs none of them in particular, so it is no read effect, only a hint for needs.
    artifacts_in: list[str]
    maybe_out: bool
    maybe_in: bool
    callee_publishes: list[str] = field(default_factory=list)  # reported at the callee, not here
    named_per_run: list[str] = field(default_factory=list)  # targets a step names per run (``JobFacts``)
    targets: list[tuple[str, bool | None, str]] = field(default_factory=list)  # (resource, floating, step if:)
    registries: set[str] = field(default_factory=set)  # signed in to by the job's own steps
    unseen_actions: bool = False  # an own step runs an action wflint cannot see into
    may_ship: bool = False  # an own step may upload or deploy where wflint cannot name

    @classmethod
    def of_steps(cls, steps: list[dict]) -> _Gathered:
        """Every step's lists joined in step order, in one pass over the steps."""
        gathered = cls(writes=[], reads=[], calls=0, publishes=[], artifacts_out=[], artifacts_in=[],
                       maybe_out=False, maybe_in=False)
        local = False  # a cluster made earlier in the job takes what helm and kubectl deploy
        renamed: dict[str, str] = {}  # a sign-in earlier in the job to another registry (a staging one)
        for s in steps:
            local = local or bool(s.get("local_cluster"))
            renamed.update(s.get("registry_as") or {})
            if local and any(t in CLUSTER_TARGETS for t in s["publishes"]):
                s = {**s, "publishes": [t for t in s["publishes"] if t not in CLUSTER_TARGETS],
                     "targets": {t: f for t, f in s["targets"].items() if t not in CLUSTER_TARGETS}}
            if renamed and any(t in renamed for t in s["publishes"]):
                s = {**s, "publishes": [renamed.get(t, t) for t in s["publishes"]],
                     "targets": {renamed.get(t, t): f for t, f in s["targets"].items()}}
            gathered.writes += s["writes"]
            gathered.reads += s["reads"]
            gathered.calls += s["api_calls"]
            gathered.publishes += s["publishes"]
            gathered.artifacts_out += s["uploads"]
            gathered.artifacts_in += s["downloads"]
            gathered.maybe_out = gathered.maybe_out or bool(s["maybe_out"])
            gathered.maybe_in = gathered.maybe_in or bool(s["maybe_in"])
            gathered.targets += [(r, floating, s.get("if_run", s["if"])) for r, floating in s["targets"].items()]
            gathered.named_per_run += s.get("named_per_run") or []
            gathered.registries.update(s["registries"])
            gathered.unseen_actions = gathered.unseen_actions or bool(s["unseen_action"])
            gathered.may_ship = gathered.may_ship or bool(s["may_ship"])
        return gathered

    def add_callee(self, callee: local.CalleeSummary | None) -> bool:
        """Add what a called workflow does; False (and may pass anything) when it cannot be read."""
        if callee is None:
            self.maybe_out = self.maybe_in = True
            return False
        self.writes += callee.writes
        self.reads += callee.reads
        self.calls += callee.api_calls
        self.callee_publishes += callee.publishes
        self.artifacts_out += callee.artifacts_out
        self.artifacts_in += callee.artifacts_in
        return True


def _job_facts(job: dict, strategy: dict, size: int | None, gathered: _Gathered,
               environment: str | None, uses: str) -> JobFacts:
    return JobFacts(
        condition=condition_text(job.get("if")), matrix_size=size, max_parallel=strategy.get("max-parallel"),
        fail_fast=strategy.get("fail-fast", True) is not False, environment=environment, uses=uses,
        outputs=tuple(sorted(job["outputs"])) if isinstance(job.get("outputs"), dict) else (),
        permissions=job.get("permissions"), runs_on=_all_text(job.get("runs-on")),
        artifacts_out=tuple(gathered.artifacts_out), artifacts_in=tuple(gathered.artifacts_in),
        registries=_sorted_unique(gathered.registries),
        maybe_out=gathered.maybe_out, maybe_in=gathered.maybe_in,
        unseen_actions=gathered.unseen_actions, publishes=_sorted_unique(gathered.publishes),
        callee_publishes=_sorted_unique(gathered.callee_publishes), targets=tuple(gathered.targets),
        named_per_run=_sorted_unique(gathered.named_per_run),
        publish_like=bool(gathered.publishes or gathered.callee_publishes) or gathered.may_ship,
        call_inputs=_passes(job) if uses else (),
    )


def _sorted_unique(values) -> tuple[str, ...]:
    """The values once each, sorted; most jobs have none (no set or sort made for them)."""
    return tuple(sorted(set(values))) if values else ()


def _job_concurrency(concurrency, workflow_concurrency) -> Concurrency:
    """The job's concurrency settings with the workflow's group (made whole here, not replaced later)."""
    return Concurrency(group=_group(concurrency),
                       cancel_in_progress=_concurrency_key(concurrency, "cancel-in-progress"),
                       queue=_concurrency_key(concurrency, "queue"), workflow_group=_group(workflow_concurrency))


def _instance_artifacts(steps: list[dict]) -> tuple[str, ...]:
    """Artifacts every matrix instance uploads under one constant name (they collide)."""
    return tuple(sorted({w for s in steps if not s["if"] and not s.get("overwrite") for w in s["writes"]
                         if w.startswith("artifact:")}))


def _step_facet(rec: dict) -> Step:
    """The step as the step rules see it (the reader's record keeps what only the reader needs)."""
    condition = rec["if"]
    return Step(
        id=rec["id"], step_id=rec["step_id"], index=rec["index"], name=rec["name"], pointer=tuple(rec["pointer"]),
        kind=rec["kind"], uses=rec["uses"], condition=condition, background=rec["background"],
        group=rec.get("group"), waits=bool(rec["wait"]), refs=tuple(rec["refs"]), files=tuple(rec["files"]),
        read_only=rec["read_only"], checkout_without_path=rec["checkout_without_path"],
        condition_reads_steps="steps." in condition, finalizer=bool(condition and FINALIZER.search(condition)),
        opaque_action=bool(rec.get("opaque_action")), locks=tuple(rec["locks"]),
        writes_job_state=rec["job_state"],
    )


_MERGED = ("writes", "reads", "publishes", "uploads", "downloads", "files", "registries")


MAX_ACTION_DEPTH = 8  # local composite actions calling local actions, as far down as this


def _inline_composite(files: local.LocalFiles, rec: dict, within: tuple[str, ...] = ()) -> None:
    """A local composite action runs in the caller's job: its steps' effects are the step's, and
    those of the local actions it runs in turn (``within``: the ones being read, outermost first)."""
    inner = files.composite_steps(rec["local_action"])
    if inner is None or rec["local_action"] in within or len(within) >= MAX_ACTION_DEPTH:
        rec["opaque_action"] = rec["unseen_action"] = True
        return
    for i, step in enumerate(inner):
        sub = step_record("composite", i, step, ())
        if sub.get("local_action"):
            _inline_composite(files, sub, (*within, rec["local_action"]))
        for key in _MERGED:
            rec[key] += [x for x in sub[key] if x not in rec[key]]
        rec["api_calls"] += sub["api_calls"]
        for resource, floating in sub["targets"].items():
            known = rec["targets"]
            known[resource] = worst([known[resource], floating]) if resource in known else floating
        rec["maybe_out"] |= sub["maybe_out"]
        rec["maybe_in"] |= sub["maybe_in"]
        rec["unseen_action"] |= sub["unseen_action"]


def _steps(job_id: str, steps, env=None, pulls: bool = True, default_dir=None) -> list[dict]:
    out: list[dict] = []
    if not isinstance(steps, list):
        return out
    group = 0
    elsewhere: dict[str, str] = {}  # a checkout's `path:` ("" the workspace) → the other repository it holds
    branch = ""  # the branch a checkout into the workspace named (`ref: gh-pages`), pushed by a plain push
    # the job's `env:` and what earlier steps export through $GITHUB_ENV
    shell_vars: dict[str, str] = {str(k): str(v) for k, v in env.items()} if isinstance(env, dict) else {}
    own_commit = True  # until a checkout fetches a ref or another repository by name
    for i, step in enumerate(steps):
        pointer = ("jobs", job_id, "steps", i)
        if isinstance(step, dict) and isinstance(step.get("parallel"), list):
            group += 1
            for lane, inner in enumerate(step["parallel"]):
                if isinstance(inner, dict):
                    rec = step_record(job_id, len(out), inner, pointer + ("parallel", lane), lane, shell_vars,
                                      own_commit)
                    rec["group"] = group
                    out.append(rec)
        elif isinstance(step, dict):
            work_repo = _repository_at(step.get("working-directory", default_dir), elsewhere)
            out.append(step_record(job_id, len(out), step, pointer, shell_vars=shell_vars, own_commit=own_commit,
                                   work_repo=work_repo, branch=branch))
            given = _checkout_inputs(step)
            if given is not None:  # only a checkout changes what the workspace holds for the steps after it
                own_commit = own_commit and not _checks_out_by_name(given, pulls)
                elsewhere.update(_other_repository_checkout(given))
                branch = _named_branch(given, branch)
    return out


def _checkout_inputs(step: dict) -> dict | None:
    """The `with:` of an `actions/checkout` step ({} when it has none); None for any other step."""
    if not str(step.get("uses", "")).lower().startswith("actions/checkout"):
        return None
    raw = step.get("with")
    return raw if isinstance(raw, dict) else {}


def _named_branch(given: dict, before: str) -> str:
    """After an `actions/checkout` (``given``: its `with:`) into the workspace, the branch its
    literal `ref:` names (this repository's), "" for the run's own ref or one wflint cannot read;
    else ``before``."""
    if _folder(given.get("path")):
        return before
    ref = str(given.get("ref") or "").strip().removeprefix("refs/heads/")
    if given.get("repository") or not ref or "$" in ref or ref.startswith("refs/") or re.fullmatch(r"[0-9a-f]{40}", ref):
        return ""
    return ref


def _other_repository_checkout(given: dict) -> dict[str, str]:
    """`actions/checkout` (``given``: its `with:`) of another repository into a folder: that folder
    → ``host/owner/repo``.
    Into the workspace itself (no `path:`) the workspace is that repository's clone, its `origin`
    that repository, so a plain `git push` there writes it; this repository's checkout there
    again ("" for the workspace) makes the workspace this repository's once more. Only a literal
    `owner/name` counts at the workspace: a pull request's head repository is often this one."""
    path, repository = _folder(given.get("path")), str(given.get("repository") or "").strip()
    if "${{" in repository and "github.repository" in repository:
        repository = ""
    if not path:
        return {"": "github.com/" + repository if _LITERAL_REPOSITORY.fullmatch(repository) else ""}
    if not repository:
        return {}
    return {path: "github.com/" + repository}


_LITERAL_REPOSITORY = lazy(r"[\w.-]+/[\w.-]+")


def _repository_at(directory, elsewhere: dict[str, str]) -> str:
    """The other repository a checkout put at or above ``directory`` (a step's working directory),
    the workspace itself included."""
    folder = _folder(directory)
    while folder:
        if folder in elsewhere:
            return elsewhere[folder]
        folder = folder.rpartition("/")[0]
    return elsewhere.get("", "")


def _folder(value) -> str:
    """A workspace-relative folder as written (`./site/`, `site`), normalised; "" for the root or none."""
    text = str(value or "").strip().removeprefix("./").rstrip("/")
    return "" if text in ("", ".") else text


def _checks_out_by_name(given: dict, pulls: bool = True) -> bool:
    """An `actions/checkout` (``given``: its `with:`) of a named ref or another repository: what it
    fetches is that ref's tip when the step runs, not the run's own commit. `ref: ${{ github.head_ref }}`
    names a branch only in a run a pull request starts (``pulls``); in any other run it is empty,
    so the run's commit."""
    if given.get("path"):
        return False
    if given.get("repository"):
        return True
    ref = given.get("ref")
    return bool(ref) and (pulls or not _HEAD_REF.fullmatch(str(ref)))


_HEAD_REF = lazy(r"\$\{\{\s*github\.head_ref\s*\}\}")


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
