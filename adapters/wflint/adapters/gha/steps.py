"""What one step does: artifacts, caches, pushes, publishes, `$GITHUB_*` writes, API calls.

Each step becomes a plain ``dict`` record for the reader; rules see it as a ``wflint.facets.Step``
(the reader's ``_step_facet``). Effects are inferred from well-known actions and from the text of `run:`
scripts; anything else is left unknown rather than guessed.
"""
from __future__ import annotations

import re

from wflint.patterns import guarded, lazy

from .targets import branch_floating, pages_branch_per_run, run_targets, unprinted, uses_target, worst

EXPR = lazy(r"\$\{\{.*?\}\}", re.S)
STEP_REF = lazy(r"\bsteps\.([A-Za-z_][\w-]*)\.(outputs|outcome|conclusion)\b")
# Before a push, the script moves to or makes another checkout (whose branch a later run clones
# afresh, so a group would spare it), or the push names one (`git -C dir push`).
_ELSEWHERE = lazy(r"(?:^|[\s;&|(])(?:cd|pushd)\s|\bgit\s+clone\b")
_OTHER_TREE = lazy(r"\s(?:-C|--git-dir|--work-tree)[\s=]")
_REDIRECTS = lazy(r"(?:^|\s)\d*(?:>>?|<)&?\s*\S*")  # a command's own redirections: `2> /dev/null`, `>> log`
_FORCE = lazy(r"(?:^|\s)(?:--force(?:-with-lease)?\b|-\w*f\w*\b|\+\S)")  # a push that may overwrite (-f, -uf, +ref)
_GIT_PUSH = lazy(r"\bgit\s+(?:-\S+\s+(?:\S+\s+)?)*push\b([^\n;&|]*)")
# Patterns that start with a word put what must come before it in a look-behind after it: a
# pattern that starts with a literal (or, alternative by alternative, with literals) is scanned
# for that character, not tried at every offset.
_GH_API = lazy(r"gh(?<![\w-]gh)\s+(api|pr|issue|release|run|workflow|label|repo|secret|variable|cache|gist)\b")
_CURL_API = lazy(r"api\.github\.com")
_ENV_FILES = {"ENV": "env", "PATH": "path", "OUTPUT": "output", "STATE": "state"}  # GITHUB_<name>
_ENV_WRITE = lazy(r">>?\s*\"?\$\{?GITHUB_(ENV|PATH|OUTPUT|STATE)\}?\"?"
                  r"|G(?<!\wG)ITHUB_(ENV|PATH|OUTPUT)\b[^\n]*(?:Out-File|Add-Content|Set-Content|open\()"
                  r"|Out-File[^\n]*\bGITHUB_(ENV|PATH|OUTPUT)\b|Add-Content[^\n]*\bGITHUB_(ENV|PATH|OUTPUT)\b"
                  r"|Set-Content[^\n]*\bGITHUB_(ENV|PATH|OUTPUT)\b|tee[^\n]*\bGITHUB_(ENV|PATH|OUTPUT)\b"
                  r"|environ\[[\"']GITHUB_(ENV|PATH|OUTPUT)[\"']\]")
_PUBLISH_HINTS = ("upload", "publish", "push", "release", "s3", "gsutil", "azcopy", "deploy", "apply", "rollout",
                  "upgrade", "set image", "pulumi", "--prod", "gh-pages", "ghp-import", "gh-deploy", "imagetools")
_API_USES = ("actions/github-script", "peter-evans/", "actions/labeler", "actions/stale",
             "softprops/action-gh-release", "ncipollo/release-action", "actions/create-release",
             "marocchino/sticky-pull-request-comment", "thollander/actions-comment-pull-request")
_MAYBE_OUT = lazy(r"artifact|upload|save|publish|stage")  # not "cache": a cache only saves time
_NAME_INPUT = lazy(r"(upload|artifact)[-_]?name|^artifact$")
_MAYBE_IN = lazy(r"artifact|download|restore")  # action names are lower case


def _command_words(words: tuple[str, ...], not_after: str) -> str:
    """``(?<!not_after)(word|…)\\b`` for words that start with a word character (so with a word
    boundary), the look-behind after each word's literal start (see ``_GH_API``)."""
    alternatives = []
    for word in words:
        head = re.match(r"[-a-z0-9]+", word).group()  # type: ignore[union-attr]  # every word starts so
        alternatives.append(f"{head}(?<!{not_after}{head}){word[len(head):]}\\b")
    return "|".join(alternatives)


_READ_ONLY_CMD = guarded(  # words of a command, never of an option (`--linter`) or a path
    _command_words(("lint", "linter", "check", "clippy", "mypy", "pyright", r"ruff\s+check", "flake8", "pylint", "eslint",
                    "shellcheck", "actionlint", "typecheck", "type-check", r"tsc\b[^\n]*--noEmit", "codespell", "cppcheck",
                    "clang-tidy", "vet", "validate"), r"[-/.\w]") + r"|--(?<!\S--)(check|diff)\b",
    "lint", "check", "clippy", "mypy", "pyright", "flake8", "tsc", "codespell", "tidy", "vet", "validate", "--diff")
_WRITES_TREE = lazy(r"--(?<!\S--)(?:fix|write)\b|" + _command_words((
    r"format(?!\S*\s+--check)", "install", "build", "make", "cmake", "compile", r"git\s+(?:commit|push|checkout|apply)",
    "pre-commit", "generate", r"sed\s+-i", "mv", "rm", "cp", "mkdir", "download", "curl", "wget", "pip", r"npm\s+ci",
    r"cargo\s+build", "rustup", "apt", "apt-get", "brew", "choco", "conda", "setup", "add"), r"\w"))


def action_name(uses: str) -> str:
    """``actions/upload-artifact`` from ``actions/upload-artifact@v4`` (lower case)."""
    return uses.split("@", 1)[0].strip().lower()


def _text(value) -> str:
    return "" if value is None else str(value)


def _pattern(text: str) -> str:
    """An artifact name or cache key with every ``${{ }}`` expression as a wildcard."""
    return EXPR.sub("*", text.strip())


def _first_line(run: str) -> str:
    """The script's first line (stripped), at most 60 characters, without splitting all its lines."""
    return run.strip()[:61].splitlines()[0][:60]


def step_record(job_id: str, index: int, step: dict, pointer: tuple, lane: int | None = None,
                shell_vars: dict[str, str] | None = None, own_commit: bool = True, work_repo: str = "",
                branch: str = "") -> dict:
    """The facts wflint needs about one step (see module docstring). ``shell_vars``: variables the
    job's earlier steps set (through `$GITHUB_ENV`); this step's own and exported ones are added.
    ``own_commit``: the workspace is still the run's own commit (no earlier checkout of a ref or
    another repository by name, which a later run would fetch afresh). ``work_repo``: the other
    repository (``host/owner/repo``) a checkout put where the step's `working-directory` is: its
    git commands push there. ``branch``: the branch an earlier checkout named (`ref: gh-pages`),
    which a plain `git push` in the workspace pushes."""
    sid = step.get("id")
    task_id = f"{job_id}.{sid}" if isinstance(sid, str) and sid else f"{job_id}#{index}"
    uses = _text(step.get("uses")).strip()
    run = _text(step.get("run"))
    raw_with = step.get("with")
    with_: dict = raw_with if isinstance(raw_with, dict) else {}
    kind = "uses" if uses else "run" if "run" in step else next(
        (k for k in ("wait", "wait-all", "cancel") if k in step), "other")
    rec: dict = {
        "id": task_id, "step_id": sid if isinstance(sid, str) else None, "index": index, "kind": kind,
        "name": _text(step.get("name")) or (uses or _first_line(run) if (uses or run.strip()) else task_id),
        "uses": uses, "pointer": pointer, "if": _text(step.get("if")), "background": step.get("background") is True,
        "lane": lane, "wait": _names(step.get("wait")), "wait_all": "wait-all" in step,
        "cancel": _names(step.get("cancel")),
        "writes": [], "reads": [], "publishes": [], "targets": {}, "uploads": [], "downloads": [], "files": [],
        "registries": [], "api_calls": 0,
        "maybe_out": False, "maybe_in": False, "unseen_action": False,
        "refs": _step_refs(step),
        "checkout_without_path": False, "read_only": False, "workspace_write": False, "locks": [],
        "may_ship": False, "script": "", "named_per_run": [], "local_cluster": False, "registry_as": {},
        "job_state": None,
        "own_commit": own_commit, "work_repo": work_repo, "branch": branch,
    }
    if uses:
        name = action_name(uses)
        _uses_effects(rec, name, with_)
        rec["local_cluster"] = name in LOCAL_CLUSTER_ACTIONS
        rec["job_state"] = writes_job_state(name)
    if run:
        rec["local_cluster"] = bool(_LOCAL_CLUSTER.search(run))
        own_env = step.get("env")  # the step's own `env:` holds for its script only
        step_env = {str(k): str(v) for k, v in own_env.items()} if isinstance(own_env, dict) else {}
        _run_effects(rec, run, shell_vars if shell_vars is not None else {}, step_env)
        _credential_publishes(rec, step.get("env"))
    return rec


# A Kubernetes cluster made inside the job (kind, k3s, minikube, k3d): what helm and kubectl deploy
# after it goes there, a cluster no other run or matrix instance shares.
LOCAL_CLUSTER_ACTIONS = {"helm/kind-action", "jupyterhub/action-k3s-helm", "medyagh/setup-minikube",
                         "manusa/actions-setup-minikube", "nolar/setup-k3d-k3s", "absaoss/k3d-action",
                         "debianmaster/actions-k3s", "container-tools/kind-action", "engineerd/setup-kind"}
_LOCAL_CLUSTER = lazy(r"\b(?:kind\s+create\s+cluster|minikube\s+start|k3d\s+cluster\s+create"
                      r"|get\.k3s\.io|make\s+kind)\b")  # k3s's install script; a make target named kind
CLUSTER_TARGETS = ("deploy:helm", "deploy:kubectl")


# A script handed a registry's upload credentials publishes there, whatever the script is called.
_UPLOAD_CREDENTIALS = {
    "CARGO_REGISTRY_TOKEN": "registry:crates", "TWINE_PASSWORD": "registry:pypi",
    "UV_PUBLISH_TOKEN": "registry:pypi", "POETRY_PYPI_TOKEN_PYPI": "registry:pypi",
    "MATURIN_PYPI_TOKEN": "registry:pypi",  # not NODE_AUTH_TOKEN: installs from private registries use it too
    "GEM_HOST_API_KEY": "registry:rubygems",
}


# Credentials that let a script upload or deploy somewhere wflint cannot name: the step may ship
# (a gate before it is kept), though what it writes, and whether runs race on it, is unknown.
_SHIPPING_CREDENTIALS = {"AWS_SECRET_ACCESS_KEY", "AZURE_STORAGE_KEY", "AZURE_STORAGE_CONNECTION_STRING",
                         "AZURE_STORAGE_SAS_TOKEN", "CLOUDFLARE_API_TOKEN", "NETLIFY_AUTH_TOKEN", "VERCEL_TOKEN",
                         "FIREBASE_TOKEN", "HEROKU_API_KEY", "FLY_API_TOKEN", "GH_PAGES_TOKEN"}


def _credential_publishes(rec: dict, env) -> None:
    if isinstance(env, dict):
        for name in env:
            target = _UPLOAD_CREDENTIALS.get(str(name).upper())
            if target:
                add_target(rec, target, False)  # a versioned package upload
            elif str(name).upper() in _SHIPPING_CREDENTIALS:
                rec["may_ship"] = True


def add_target(rec: dict, resource: str, floating: bool | None) -> None:
    """Record what the step publishes to, and whether runs writing it can race (``targets.py``)."""
    if resource not in rec["publishes"]:
        rec["publishes"].append(resource)
    known = rec["targets"]
    known[resource] = worst([known[resource], floating]) if resource in known else floating


def _step_refs(step: dict) -> list[str]:
    """Ids of the steps whose outputs or outcome this step reads. Each string is searched on its
    own (a reference never spans two values), only where it holds ``steps.``: no text is joined."""
    found: set[str] = set()
    stack: list = []
    for item in step.values():  # most values are text: only the others go on the stack
        if isinstance(item, str):
            if "steps." in item:
                found.update(m.group(1) for m in STEP_REF.finditer(item))
        elif isinstance(item, (dict, list)):
            stack.append(item)
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "steps." in item:
                found.update(m.group(1) for m in STEP_REF.finditer(item))
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return sorted(found)


def _names(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _all_text(value) -> str:
    """Every scalar under ``value`` joined by spaces (to search for expressions)."""
    if isinstance(value, str):  # most often a job's `runs-on:`
        return value
    parts: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            parts.append(item)
        elif isinstance(item, dict):
            stack.extend(reversed(item.values()))
        elif isinstance(item, list):
            stack.extend(reversed(item))
        elif item is not None:
            parts.append(str(item))
    return " ".join(parts)


# Actions that sign the job in to a cloud provider: like deploy credentials in a step's env.
CLOUD_LOGINS = {"google-github-actions/auth", "aws-actions/configure-aws-credentials", "azure/login"}


# Actions known to change what the job's later steps share: a tool installed into the runner's tool
# cache and put on `PATH` or in `$GITHUB_ENV` (setup-*, toolchains, installers), a cache restored
# into the job's folders and saved by a post step, credentials written for the job's other steps
# (a registry or cloud sign-in, undone by a post step). Any other action's effects are unknown.
_JOB_STATE = lazy(r"(?:^actions/cache(?:/|$)|/setup-|-setup$|/action-setup|toolchain|/install-action$"
                  r"|^docker/login-action$|^docker/setup-)")


# Actions whose whole effect wflint reads otherwise: a checkout's rewrite of the workspace (SAF303),
# an artifact's upload or download; they change nothing else the job's steps share.
_SELF_CONTAINED = {"actions/checkout", "actions/upload-artifact", "actions/download-artifact"}


def writes_job_state(name: str) -> bool | None:
    """Does the action change the job's shared state (``_JOB_STATE``)? None: not known."""
    if name in CLOUD_LOGINS or _JOB_STATE.search(name):
        return True
    return False if name in _SELF_CONTAINED else None


def _uses_effects(rec: dict, name: str, with_: dict) -> None:
    w, r = rec["writes"], rec["reads"]
    if name == "actions/upload-artifact":
        if _text(with_.get("archive")).lower() == "false":
            artifact = _text(with_.get("path")).strip().rsplit("/", 1)[-1] or "artifact"
        else:
            artifact = _text(with_.get("name")).strip() or "artifact"
        _artifact(rec, "uploads", w, artifact)
        rec["overwrite"] = _text(with_.get("overwrite")).lower() == "true"
    elif name == "actions/upload-artifact/merge":
        rec["downloads"].append(_pattern(_text(with_.get("pattern")) or "*"))
        _artifact(rec, "uploads", w, _text(with_.get("name")) or "merged-artifacts")
    elif name == "actions/download-artifact":
        other_run = [k for k in ("run-id", "github-token") if with_.get(k)]
        if other_run:
            rec["api_calls"] += 2  # another run's artifacts, through the API
        # a composite action's `run-id: ${{ inputs.run-id }}` is empty unless its caller gives one
        this_run = all(_INPUT_ONLY.fullmatch(_text(with_.get(k)).strip()) for k in other_run)
        if this_run and with_.get("name"):
            _artifact(rec, "downloads", r, _text(with_.get("name")))
        elif this_run:
            rec["downloads"].append(_pattern(_text(with_.get("pattern")) or "*"))
    elif name in ("actions/cache", "actions/cache/restore", "actions/cache/save"):
        key = _text(with_.get("key")).strip()
        if key:
            (w if name.endswith("/save") else r).append("cache:" + key)
    elif name in CLOUD_LOGINS:  # signed in to a cloud, the job's scripts can deploy what wflint cannot name
        rec["may_ship"] = True
    elif name == "rust-lang/crates-io-auth-action":
        url = _text(with_.get("url")).strip().rstrip("/").lower()
        if url and url != "https://crates.io":  # a token for another registry (staging.crates.io)
            rec["registry_as"] = {"registry:crates": "registry:crates-staging"}
    elif name == "docker/login-action":
        rec["registries"].append(_text(with_.get("registry")).strip().lower() or "docker.io")
    elif name == "actions/checkout":
        rec["checkout_without_path"] = not _text(with_.get("path")).strip()
        rec["workspace_write"] = rec["checkout_without_path"]
    elif name.startswith(("./", "$/")):
        rec["local_action"] = name
    published = uses_target(name, with_)
    if published:
        target, floating = published
        if target == "git:(current)" and floating is False and not rec["own_commit"]:
            floating = True  # the branch an earlier checkout fetched by name: a later run fetches it afresh
        target = "git:" + _pattern(target[4:]) if target.startswith("git:") else target
        add_target(rec, target, floating)
        if target.startswith("git:") and "*" not in target:
            w.append(target)
        if name.startswith("cloudflare/wrangler-action") and pages_branch_per_run(_text(with_.get("command"))):
            rec["named_per_run"].append(target)
    if name.startswith(_API_USES):
        rec["api_calls"] += 3
    if not name.startswith("actions/") and not published:
        inputs = " ".join(str(k) for k in with_).lower()
        if "upload" in inputs or "artifact" in inputs:
            for key, value in with_.items():  # e.g. duckdb's build action: `upload-name: linux-base-build`
                if _NAME_INPUT.search(str(key).lower()) and _text(value).strip():
                    rec["uploads"].append(_pattern(_text(value)))
        rec["maybe_out"] = bool(_MAYBE_OUT.search(name)) or "artifact" in inputs or "upload" in inputs
        rec["unseen_action"] = not name.startswith(("./", "$/", "docker://"))  # it may upload anything
        rec["maybe_in"] = bool(_MAYBE_IN.search(name)) or "artifact" in inputs or "download" in inputs


_CONTINUED = lazy(r"[\\`][ \t]*\n")
_INPUT_ONLY = lazy(r"\$\{\{\s*inputs\.[\w-]+\s*\}\}")  # a composite action's input passed through
_ASSIGN = lazy(r"^\s*(?:export\s+|local\s+)?([A-Za-z_]\w*)=(\S.*?)\s*$", re.M)
_ENV_EXPORT = lazy(r"echo\s+[\"']?([A-Za-z_]\w*)=([^\"'\n>]*)[\"']?\s*>>\s*\"?\$\{?GITHUB_ENV")


def _learn_exports(code: str, shell_vars: dict[str, str]) -> None:
    """What the script exports through `$GITHUB_ENV` for the steps after it (into ``shell_vars``)."""
    for m in _ENV_EXPORT.finditer(code) if "GITHUB_ENV" in code else ():  # every match names it
        shell_vars[m.group(1)] = m.group(2).strip()


def _learn_vars(code: str, shell_vars: dict[str, str], step_env: dict[str, str]) -> dict[str, str]:
    """The variables the script sees: the job's (with this script's exports), the step's `env:`,
    its own assignments."""
    own = {**shell_vars, **step_env}
    if "=" in code:
        own.update((m.group(1), m.group(2).strip().strip("'\"")) for m in _ASSIGN.finditer(code))
    return own


_VARIABLE_USE = lazy(r"\$\{?([A-Za-z_]\w*)\}?")


def _expand(text: str, variables: dict[str, str]) -> str:
    """``$NAME`` and ``${NAME}`` replaced by what the script set them to (a few rounds)."""
    for _ in range(3):
        if "$" not in text:
            break
        new = _VARIABLE_USE.sub(lambda m: variables.get(m.group(1), m.group(0)), text)
        if new == text:
            break
        text = new
    return text


def _run_effects(rec: dict, run: str, shell_vars: dict[str, str], step_env: dict[str, str]) -> None:
    """Cheap substring tests guard each pattern: most scripts touch none of these."""
    code = "\n".join([line for line in run.splitlines() if not line.lstrip().startswith("#")]) if "#" in run else run
    if "\\" in code or "`" in code:
        code = _CONTINUED.sub(" ", code)  # one command continued over lines (sh `\`, PowerShell backtick)
    _learn_exports(code, shell_vars)
    # Variables only name what a push or a publishing command writes: every such script holds a hint.
    publishing = any(map(code.__contains__, _PUBLISH_HINTS))  # map: no Python frame per word
    variables = _learn_vars(code, shell_vars, step_env) if publishing and ("=" in code or shell_vars or step_env) else {}
    if "GITHUB_" in code:
        for match in _ENV_WRITE.finditer(code):
            kind = _ENV_FILES[next(g for g in match.groups() if g)]
            if kind not in rec["files"]:
                rec["files"].append(kind)
    if "push" in code:  # one of the hints
        for match in _GIT_PUSH.finditer(unprinted(code)):
            args = _REDIRECTS.sub("", match.group(1))  # `2> /dev/null` names no ref
            pushed = _expand(_pushed_ref(args), variables)
            if pushed == "(current)" and rec["branch"] and not rec["work_repo"] and not _ELSEWHERE.search(code, 0, match.start()):
                pushed = rec["branch"]  # the branch the workspace's checkout named
            target = "git:" + _push_target(args)
            if target != "git:tags" and pushed != "(current)":
                target = "git:" + (_pattern(re.sub(r"\$\{?\w+\}?|\$\(.*?\)", "${{x}}", pushed)) or "*")
            remote = _remote_repository(args) or rec["work_repo"]
            if remote:  # another repository's branch: named with it, never this repository's
                target = f"git:{remote}:{target[4:]}"
            if "*" not in target:  # an unknown branch conflicts with nothing in particular
                rec["writes"].append(target)
            # A plain push of the branch the run checked out adds to it or is refused (not a fast
            # forward): an older run can fail, never undo a newer one's commit, and a group would not
            # spare it (a queued run still pushes from its own commit). Not a race on the branch.
            plain_current = (rec["own_commit"] and pushed == "(current)" and not remote and not _FORCE.search(args)
                             and not _ELSEWHERE.search(code, 0, match.start()) and not _OTHER_TREE.search(match.group(0)))
            add_target(rec, target, False if tags_push(target) or plain_current else branch_floating(pushed))
    if publishing:
        for resource, floating in run_targets(_expand(code, variables) if variables else code).items():
            add_target(rec, resource, floating)
            if resource.startswith("git:") and "$" not in resource and resource not in rec["writes"]:
                rec["writes"].append(resource)
        if "pages" in code and "deploy:wrangler" in rec["targets"] and pages_branch_per_run(code):
            rec["named_per_run"].append("deploy:wrangler")
    if "gh " in code:
        rec["api_calls"] += len(_GH_API.findall(code))
    if "api.github.com" in code:
        rec["api_calls"] += len(_CURL_API.findall(code))
    rec["read_only"] = not rec["files"] and not rec["publishes"] and _reads_only(code)
    rec["script"] = code  # read again only for a job with an environment (``packaging_only``)
    rec["workspace_write"] = not rec["read_only"]  # a script may write anywhere in the workspace
    # `$BUILD_CMD check` with `env: {BUILD_CMD: cargo}` runs cargo: the tool is named after the job's
    # and step's variables are put in
    known = {**shell_vars, **step_env} if "$" in code else {}
    rec["locks"] = _locks(_expand(code, known) if known else code)


# Commands that build, install or upload a package, or only print or move about: a script of
# nothing else deploys nothing beside the versioned upload it names (`uv build` then `uv publish`).
_PACKAGING_COMMAND = lazy(
    r"\s*(?:[A-Za-z_]\w*=\S*\s+)*(?:"
    r"uv\s+(?:build|publish|sync|lock|venv|pip\s+install)|uvx\s+twine\s+(?:upload|check)"
    r"|(?:python3?|py)\s+-m\s+(?:build|twine\s+(?:upload|check)|pip\s+install)"
    r"|pip3?\s+install|twine\s+(?:upload|check)|poetry\s+(?:build|publish|install|config)"
    r"|hatch\s+(?:build|publish)|flit\s+(?:build|publish)|pdm\s+(?:build|publish|install)"
    r"|maturin\s+(?:build|publish|upload)|npm\s+(?:ci|install|publish|pack)|pnpm\s+(?:install|publish|pack)"
    r"|yarn\s+(?:install|publish|npm\s+publish)|cargo\s+(?:build|publish|package)|gem\s+(?:build|push)"
    r"|echo|printf|ls|cat|set|cd|export\s+[A-Za-z_]\w*=\S*)(?:\s[^;&|\n]*)?")
_SEPARATORS = lazy(r"&&|\|\||[;\n]")


# The shell's own tests, branches and assignments: they run nothing.
_SHELL_GLUE = lazy(r"""\s*(?:(?:if|elif)\s+\[\[?[^\[\]]*\]\]?|then|else|fi"""
                   r"""|(?:export\s+)?[A-Za-z_]\w*=(?:"(?:[^"\\`]|\\.)*"|'[^']*'|[^\s"'`;&|<>()]*))\s*""")
# A chat service's API or webhook: a `curl` to it posts a message about the run and deploys nothing.
_CHAT_URL = lazy(r"https://(?:hooks\.slack\.com/|slack\.com/api/chat\.|(?:discord|discordapp)\.com/api/webhooks/"
                 r"|chat\.googleapis\.com/|api\.telegram\.org/|[\w-]+\.webhook\.office\.com/)")
_SINGLE_QUOTED = lazy(r"'[^']*'")
_BRANCH_WORD = lazy(r"^\s*(?:then|else)\s+(?=\S)")


def packaging_only(code: str) -> bool:
    """Is every command of the script one of ``_PACKAGING_COMMAND`` (no pipe, no command
    substitution: those run what the words do not name), a chat notice (``_chat_notice``) or the
    shell's tests and assignments around them?"""
    if not code.strip():
        return False
    parts = (_BRANCH_WORD.sub("", part) for part in _SEPARATORS.split(code))  # `then twine upload`
    return all(not part.strip() or _chat_notice(part) or "$(" not in part and "`" not in part.replace("\\`", "")
               and (_PACKAGING_COMMAND.fullmatch(part) or _SHELL_GLUE.fullmatch(part)) for part in parts)


def _chat_notice(command: str) -> bool:
    """`curl` posting to a chat service (``_CHAT_URL``), its body made by `jq` at most, its output
    thrown away at most: no pipe, no other command run from it."""
    if not command.lstrip().startswith("curl ") or not _CHAT_URL.search(command):
        return False
    bare = _SINGLE_QUOTED.sub("", command)
    return not re.search(r"[|&<`]|>(?!\s*/dev/null)", bare) and bare.count("$(") == bare.count("$(jq ")


def _locks(code: str) -> list[str]:
    """The locking tools the script runs (``_LOCKING_TOOL``): a command at the very start, then
    each after a separator or newline, from where that one ends."""
    first = _LOCKING_FIRST.match(code)
    tools = {first.group(1)} if first else set()
    tools.update(m.group(1) for m in _LOCKING_TOOL.finditer(code, first.end() if first else 0))
    return sorted({_LOCK_OF.get(tool, tool) for tool in tools})


def _reads_only(code: str) -> bool:
    """A script that only checks the tree (lints, type checks, diffs) and writes nothing to it.
    (Every word the read-only pattern matches holds a word of the check hints once looked for
    first, so that look went.)"""
    return _READ_ONLY_CMD.search(code) is not None and not _WRITES_TREE.search(code)


# Tools that hold one lock per job (a build directory, a cache, an environment): two steps running
# them wait for each other, so running them side by side gains nothing.
_LOCKING_COMMAND = (r"(?:[A-Z_][A-Z0-9_]*=\S*\s+)*(cargo|cross|uv|uvx|npm|npx|pnpm|yarn|bun|pip|pip3|poetry|pdm|hatch|gradle"
                    r"|\./gradlew|mvn|sbt|bundle|dotnet|spin|meson|ninja|bazel)\b")
# A command starts the script, a line or follows `;`, `&`, `|` or `(`. A line's start needs no
# alternative of its own: the newline before it starts the same match, and a pattern that starts
# with a character class is scanned by the class, not tried at every offset (``_locks``).
# No guard words: looking for eighteen words in a script cost more than this scan. After the
# spaces, a command starts with no space: the look-ahead fails each step the spaces give back.
_LOCKING_TOOL = lazy(r"[;&|(\n]\s*(?=\S)" + _LOCKING_COMMAND)
_LOCKING_FIRST = lazy(_LOCKING_COMMAND)
_LOCK_OF = {"cross": "cargo", "uvx": "uv", "npx": "npm", "pip3": "pip", "./gradlew": "gradle"}


def _artifact(rec: dict, key: str, effects: list, name: str) -> None:
    """Every name goes to ``uploads``/``downloads`` for matching; only a constant name is an
    effect (names built from expressions differ between jobs in ways wflint cannot see)."""
    name = name.strip()
    rec[key].append(_pattern(name))
    if "${{" not in name:
        effects.append("artifact:" + name)


_SUBSTITUTED = r"\$\([^()]*\)"  # a command substitution: one word, however many spaces inside
_ONE_WORD = lazy(_SUBSTITUTED)
_RUN_ONLY = lazy(_SUBSTITUTED + r"|`[^`]*`|\$\{?\w+\}?")  # substitutions and variables: what only the run knows


def _unspaced(match: re.Match) -> str:
    return match.group(0).replace(" ", "")


_REMOTE_URL = lazy(r"(?:[a-z][a-z0-9+.-]*://)?(?:[^@/\s]*@)?([\w.-]+\.[a-z]{2,})[/:]([\w.-]+/[\w.-]+?)(?:\.git)?/?")


def _remote_repository(args: str) -> str:
    """``host/owner/repo`` where a ``git push`` names its remote by URL (``https://$KEY@github.com/o/r.git``,
    ``git@github.com:o/r.git``): it writes that repository, not the one the workflow runs in."""
    words = [w.strip("'\"") for w in args.split() if not w.startswith("-")]
    found = _REMOTE_URL.fullmatch(words[0]) if words and ("://" in words[0] or "@" in words[0]) else None
    return f"{found.group(1).lower()}/{found.group(2)}" if found else ""


def _pushed_ref(args: str) -> str:
    """The destination of a ``git push`` as written (expressions kept), or ``(current)``."""
    one_word = _ONE_WORD.sub(_unspaced, EXPR.sub(_unspaced, args))
    words = [w for w in one_word.split() if not w.startswith("-")]
    if len(words) >= 2:
        ref = words[-1].split(":")[-1].lstrip("+").strip("'\"").removeprefix("refs/heads/")
        return ref if ref and ref != "HEAD" else "(current)"
    return "(current)"


# git takes an unambiguous start of a long option for the whole: `--tag` is `--tags` (a push of
# the tags alone, no branch; checked with git 2.39)
_TAGS_ONLY = frozenset({"--tags", "--tag"})


def tags_push(resource: str) -> bool:
    """A `git push --tags` target (this repository's, or another's): new tags, each a new ref."""
    return resource == "git:tags" or resource.startswith("git:") and resource.endswith(":tags")


def _push_target(args: str) -> str:
    """The branch a ``git push`` writes: the refspec's destination, else the current branch."""
    args = _RUN_ONLY.sub("*", EXPR.sub("*", args)).replace('"', "").replace("'", "")  # a wildcard for those
    words = [w for w in args.split() if not w.startswith("-")]
    if _TAGS_ONLY & set(args.split()) or "--follow-tags" in args.split() and len(words) < 2:
        return "tags"
    if len(words) >= 2:
        ref = words[-1].split(":")[-1].lstrip("+")
        ref = ref.removeprefix("refs/heads/")
        return _pattern(ref) if ref and ref != "HEAD" else "(current)"
    return "(current)"
