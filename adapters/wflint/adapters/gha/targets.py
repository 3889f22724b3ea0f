"""What a publishing step writes to, and whether two runs writing it can race.

A target is *floating* when runs overwrite it in place (a `latest`/`main` image tag, `gh-pages`,
a branch pushed by name, a release with a fixed name, a live deployment): the run that finishes
last wins, whichever commit it built. It is *unique* when each run writes its own (a package
version the registry will not take twice, a release or image tag named after the version, tag or
commit, a branch named per run or per version). Anything else is unknown (``None``): wflint says
so rather than guess. Classification goes by what the command or action does and the names it is
given, never by the job's name.
"""
from __future__ import annotations

import re

from wflint.patterns import guarded, lazy

EXPR = lazy(r"\$\{\{(.*?)\}\}", re.S)
# Parts of a name that differ between runs (or versions, or tags): a name holding one is unique.
_WORD = r"(?<![a-z0-9])({})(?![a-z0-9])"  # a word of a name, between `_`, `.`, `-` or spaces
_PER_RUN = lazy(_WORD.format("sha|run_id|run_number|run_attempt|version|ver|tag|tag_name|release|timestamp|date"
                                   "|time|datetime|random|uuid|nonce|build_id|build_number|ref_name|github_ref"
                                   "|git_describe|short_sha|shortsha|commit"), re.I)
_PER_ITEM = lazy(_WORD.format("issue|pull_request|pr|number|head_ref|head"), re.I)  # per issue or PR: may repeat
_FLOATING_TAGS = {"latest", "main", "master", "nightly", "edge", "dev", "develop", "stable", "head", "canary",
                  "unstable", "snapshot", "beta", "next"}
_VARIABLE = lazy(r"\$env:(\w+)|\$\{?(\w+)\}?")


# Uploads that rehearse a release, and draft releases (public only once someone publishes one):
# nothing ships there, so a run cancelled half-way leaves nothing half-published.
REHEARSALS = ("registry:testpypi", "registry:crates-staging", "release:draft")
# Pushes that land whole or not at all (a git ref, an image tag moved by its manifest, a GitHub
# Pages deployment, which `actions/deploy-pages` cancels when its run is cancelled, the site served
# until then staying up): a run cancelled half-way leaves nothing half-done, unlike an upload of
# many files or another deployment.
ATOMIC = ("git:", "registry:docker", "pages")


def name_floating(name: str) -> bool | None:
    """A name written with no expression or variable is one fixed target every run writes."""
    name = name.strip().strip("'\"")
    if not name:
        return None
    parts = [m.group(1) for m in EXPR.finditer(name)] + [m.group(2) or m.group(1) for m in _VARIABLE.finditer(name)]
    if not parts:
        return True
    text = " ".join(parts)
    if _PER_RUN.search(text):
        return False
    return None


def branch_floating(raw: str, suffix: str = "") -> bool | None:
    """A pushed branch: the current one or a fixed name floats; one named per run or version does
    not; one named per issue or pull request is not proven either way."""
    if suffix.strip().lower() in ("random", "timestamp", "short-commit-hash"):
        return False
    if raw in ("(current)", ""):
        return True
    if "$(" in raw or "`" in raw:  # named by a command's output
        return False if _PER_RUN.search(raw) else None
    parts = " ".join(m.group(1) for m in EXPR.finditer(raw)) + " " + " ".join(
        m.group(2) or m.group(1) for m in _VARIABLE.finditer(raw))
    if not parts.strip():
        return True
    if re.search(r"ref_name|github_ref_name|head_ref|\bref\b", parts, re.I) and not _PER_ITEM.search(parts):
        return True  # the branch the run is for
    if _PER_ITEM.search(parts):
        return None
    return False if _PER_RUN.search(parts) else None


def image_tag_floating(image: str) -> bool | None:
    """``name:tag`` pushed to a registry: no tag is ``latest``; a tag with a version or commit is unique."""
    image = image.strip().strip("'\"")
    if not image:
        return None
    if image.count("${{") == 1 and EXPR.fullmatch(image):
        return None  # the whole list from another step (docker/metadata-action): not read
    last = image.rsplit("/", 1)[-1]
    if "@" in last:
        return False  # a digest
    if ":" not in last:
        # no tag is `latest`, unless a variable may hold the whole reference, tag included
        return None if "$" in image else True
    tag = last.split(":", 1)[1]
    if tag.lower() in _FLOATING_TAGS:
        return True
    if "$" not in tag:
        return True  # a literal tag, even ``1.2``, is one name every run overwrites
    if re.search(r"ref_name|github_ref|head_ref|github\.ref\b", tag, re.I):
        return None  # named after the ref: a version on a tag, but `main` on every push to main
    return False if _IMAGE_UNIQUE.search(tag) else None


# What makes an image tag unique per run or version (a variable called TAG may hold `latest`).
_IMAGE_UNIQUE = lazy(_WORD.format("sha|run_id|run_number|run_attempt|version|ver|timestamp|date|datetime"
                                        "|git_describe|short_sha|shortsha|commit"), re.I)


_MATRIX_VALUE = lazy(r"\$\{\{\s*matrix\.([\w-]+)\s*\}\}")


def docker_target(images: list[str]) -> str:
    """The registry an image push writes; named by its images when each names a matrix value (the
    instances of a matrix, each pushing its own tag, write apart), all are written out (one image
    tag, the same whichever workflow pushes it), or the only variable part is the run's ref (one
    tag per branch or tag: runs for other refs do not touch it; written ``${{ github.ref_name }}``
    however the script spells it, so one group key serves every job that pushes it)."""
    images = [_REF_VARIABLE.sub("${{ github.ref_name }}", i.strip().strip("'\"")) for i in images]
    if images and (all(_MATRIX_VALUE.search(i) for i in images)
                   or not any("$" in _REF_EXPRESSION.sub("", i) for i in images)):
        return "registry:docker:" + ",".join(images)
    return "registry:docker"


# The run's ref as a shell variable, and as the expression docker_target writes it in.
_REF_VARIABLE = lazy(r"\$\{?GITHUB_REF_NAME\}?(?!\w)|\$\{\{\s*github\.ref_name\s*\}\}")
_REF_EXPRESSION = lazy(r"\$\{\{ github\.ref_name \}\}")


def matrix_values(text: str) -> list[str]:
    """The matrix expressions a name holds, in order of first mention."""
    return list(dict.fromkeys(f"${{{{ matrix.{m.group(1)} }}}}" for m in _MATRIX_VALUE.finditer(text)))


def worst(values) -> bool | None:
    """Several targets of one kind: floating if any floats, unknown if any is unknown, else unique."""
    values = list(values)
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) or not values else False


# --- run scripts -------------------------------------------------------------------------------

# Each pattern of a script's commands is ``guarded`` by the words every match of it contains. A
# word's boundary before it is a look-behind after it (``(?<!\wgh)``): a pattern whose alternatives
# all start with literals is scanned for those characters, not tried at every offset of the script.
_VERSIONED = (  # package registries refuse a version twice: every publish is of its own version
    (guarded(r"(twine(?<!\wtwine)\s+upload|uv(?<!\wuv)\s+publish|maturin(?<!\wmaturin)\s+(publish|upload)"
             r"|flit(?<!\wflit)\s+publish|poetry(?<!\wpoetry)\s+publish|hatch(?<!\whatch)\s+publish"
             r"|pdm(?<!\wpdm)\s+publish)\b", "upload", "publish"), "registry:pypi"),
    (guarded(r"npm(?<!\wnpm)\s+publish\b|pnpm(?<!\wpnpm)\s+publish\b|yarn(?<!\wyarn)\s+(?:npm\s+)?publish\b", "publish"),
     "registry:npm"),
    (guarded(r"cargo(?<!\wcargo)\s+publish\b", "publish"), "registry:crates"),
    (guarded(r"gem(?<!\wgem)\s+push\b", "push"), "registry:rubygems"),
)
_DEPLOY = guarded(  # commands that change a live deployment in place; group 1 is the command
    r"(wrangler(?<!\wwrangler)\s+(?:deploy|publish|pages\s+deploy|versions\s+deploy)|firebase(?<!\wfirebase)\s+deploy"
    r"|fly(?<!\wfly)(?:ctl)?\s+deploy|netlify(?<!\wnetlify)\s+deploy[^\n]*--prod|vercel(?<!\wvercel)\b[^\n]*--prod"
    r"|gcloud(?<!\wgcloud)\s+(?:app|run|functions)\s+deploy|serverless(?<!\wserverless)\s+deploy|sls(?<!\wsls)\s+deploy"
    r"|cdk(?<!\wcdk)\s+deploy|terraform(?<!\wterraform)\s+apply|pulumi(?<!\wpulumi)\s+up|helm(?<!\whelm)\s+upgrade"
    r"|kubectl(?<!\wkubectl)\s+(?:apply|rollout|set\s+image))\b",
    "deploy", "publish", "--prod", "apply", "pulumi", "upgrade", "kubectl")
# The image pushed is group 2 (docker), 4 (podman) or 5 (docker manifest).
_DOCKER_PUSH = guarded(r"docker(?<!\wdocker)\s+(?:image\s+)?push\s+((?:-\S+\s+)*)(\S+)"
                       r"|podman(?<!\wpodman)\s+(?:image\s+)?push\s+((?:-\S+\s+)*)(\S+)"
                       r"|docker(?<!\wdocker)\s+manifest\s+push\s+(\S+)", "push")
# `buildx build --push`, and `buildx imagetools create`, which always pushes the list it makes to its
# `-t` tags (the standard way to publish a multi-platform image from per-platform digests).
_BUILDX_PUSH = guarded(r"docker(?<!\wdocker)\s+buildx\s+build\b[^\n]*--push|buildx(?<!\wbuildx)\s+build\b[^\n]*--push"
                       r"|docker(?<!\wdocker)\s+buildx\s+imagetools\s+create\b|buildx(?<!\wbuildx)\s+imagetools\s+create\b",
                       "--push", "imagetools")
_TAG_ARG = lazy(r"(?:-t|--tag)[\s=]+(\S+)")
_GH_RELEASE = guarded(r"gh(?<!\wgh)\s+release\s+(create|upload|edit)\s+((?:-\S+\s+(?:\S+\s+)?)*)([^\s\\]+)", "release")
# Site tools that commit a build to a branch and push it (mkdocs, mike, ghp-import, the gh-pages package).
_SITE_PUSH = guarded(r"mkdocs(?<!\wmkdocs)\s+gh-deploy\b[^\n]*"
                     r"|mike(?<!\wmike)\s+(?:deploy|set-default|alias)\b[^\n]*--push\b[^\n]*"
                     r"|ghp-import(?<!\wghp-import)\b[^\n]*(?:\s-p\b|--push)[^\n]*"
                     r"|gh-pages(?<!\wgh-pages)\s+(?:-d|--dist)\b[^\n]*",
                     "gh-deploy", "--push", "ghp-import", "gh-pages")
_BRANCH_OPTION = lazy(r"(?:\s-b|--branch|--remote-branch)[\s=]+(\S+)")
_STORAGE = guarded(r"aws(?<!\waws)\s+s3\s+(cp|sync|mv)\b|gsutil(?<!\wgsutil)\s+(-m\s+)?(cp|rsync)\b|azcopy(?<!\wazcopy)\b",
                   "s3", "gsutil", "azcopy")


_PRINTED = lazy(r"(^|[;&|(]|\n)([ \t]*(?:echo|printf)\b[^\n;&|]*)")


def unprinted(code: str) -> str:
    """``code`` with what `echo` and `printf` print blanked out (same length, so offsets hold): a
    command written out as a hint (`echo helm upgrade ...`) is not run."""
    if "echo" not in code and "printf" not in code:
        return code
    return _PRINTED.sub(lambda m: m.group(1) + " " * len(m.group(2)), code)


def run_targets(code: str) -> dict[str, bool | None]:
    """The targets a `run:` script publishes to (lines with ``--dry-run`` publish nothing; nor
    does a command `echo` only prints)."""
    code = unprinted(code)
    if "${{" in code:
        code = EXPR.sub(lambda m: "${{" + "".join(m.group(1).split()) + "}}", code)  # one word per expression
    lines = code.splitlines()
    real = "\n".join([line for line in lines if "--dry-run" not in line] if "--dry-run" in code else lines)
    out: dict[str, list] = {}
    # Line by line only where the whole script matches: a match in a line is one in the script too
    # (the patterns have no anchors), and most scripts match none.
    for pattern, resource in _VERSIONED:
        for line in real.splitlines() if pattern.search(real) else ():
            if pattern.search(line):
                rehearsal = resource == "registry:pypi" and re.search(r"test\.pypi\.org|\btestpypi\b", line)
                out.setdefault("registry:testpypi" if rehearsal else resource, []).append(False)
    for m in _DOCKER_PUSH.finditer(real):
        image = m.group(2) or m.group(4) or m.group(5) or ""
        out.setdefault(docker_target([image]), []).append(image_tag_floating(image))
    for line in real.splitlines() if _BUILDX_PUSH.search(real) else ():
        if _BUILDX_PUSH.search(line):
            tags = _TAG_ARG.findall(line)
            target = docker_target(tags)
            unnamed = target == "registry:docker" or not all(t.strip("'\"") for t in tags)
            if "--push" not in line and unnamed:
                continue  # imagetools to tags the script builds (`$TAGS`, jq): which image it moves is unknown
            out.setdefault(target, []).append(worst(image_tag_floating(t) for t in tags) if tags else None)
    for m in _GH_RELEASE.finditer(real):
        line_end = real.find("\n", m.end())
        draft = m.group(1) == "create" and "--draft" in real[m.start():line_end if line_end >= 0 else len(real)]
        out.setdefault("release:draft" if draft else "release", []).append(name_floating(m.group(3)))
    for m in _SITE_PUSH.finditer(real):
        branch = _BRANCH_OPTION.search(m.group(0))
        name = branch.group(1).strip("'\"") if branch else "gh-pages"
        out.setdefault("git:" + name, []).append(branch_floating(name))
    if _STORAGE.search(real):
        out.setdefault("storage", []).append(None)
    for m in _DEPLOY.finditer(real):
        out.setdefault("deploy:" + m.group(1).split()[0], []).append(True)
    return {resource: worst(values) for resource, values in out.items()}


_PAGES_BRANCH = lazy(r"pages\s+deploy\b[^\n]*?--branch[\s=]+(\S+)")


def pages_branch_per_run(command: str) -> bool:
    """Does a Cloudflare Pages deploy name the branch it replaces per run (`--branch` from an
    expression or a variable: a preview per commit, production for main)? One group for all its
    runs would then hold every preview run too."""
    m = _PAGES_BRANCH.search(command)
    return m is not None and "$" in m.group(1)


# --- actions -----------------------------------------------------------------------------------

_RELEASE_TAG_INPUT = {  # release actions: the input naming the tag (each defaults to the run's tag)
    "softprops/action-gh-release": "tag_name", "ncipollo/release-action": "tag",
    "actions/create-release": "tag_name", "svenstaro/upload-release-action": "tag",
}


def uses_target(name: str, with_: dict) -> tuple[str, bool | None] | None:
    """The target a well-known action publishes to, or None when it publishes nothing."""
    def given(*keys: str) -> str:
        return next((str(with_[k]) for k in keys if with_.get(k) not in (None, "")), "")

    if name == "pypa/gh-action-pypi-publish":
        rehearsal = "test.pypi.org" in given("repository-url", "repository_url")
        return ("registry:testpypi" if rehearsal else "registry:pypi"), False
    if name in _RELEASE_TAG_INPUT:
        tag = given(_RELEASE_TAG_INPUT[name])
        draft = given("draft").strip().lower() == "true"  # public only once someone publishes it
        return ("release:draft" if draft else "release"), name_floating(tag) if tag else False
    if name == "actions/upload-release-asset":
        return "release", False  # into the release a create step made for this run
    if name == "actions/deploy-pages":
        return "pages", True
    if name in ("docker/build-push-action", "depot/build-push-action"):
        if str(with_.get("push", "")).lower() != "true":
            return None
        tags = [t for t in re.split(r"[\n,]", given("tags")) if t.strip()]
        if "push-by-digest=true" in given("outputs").replace(" ", "").lower():
            return docker_target(tags), False  # untagged, by content digest: the manifest job tags it
        return docker_target(tags), worst(image_tag_floating(t) for t in tags) if tags else None
    if name in ("peaceiris/actions-gh-pages", "jamesives/github-pages-deploy-action"):
        branch = given("branch", "publish_branch") or "gh-pages"
        return "git:" + branch, branch_floating(branch)
    if name == "peter-evans/create-pull-request":
        branch = given("branch") or "create-pull-request/patch"
        if given("branch-suffix").strip().lower() in ("random", "timestamp"):
            return "git:" + branch + "-*", False  # a branch of its own each time it runs, never shared
        return "git:" + branch, branch_floating(branch, given("branch-suffix"))
    if name in ("stefanzweifel/git-auto-commit-action", "ad-m/github-push-action", "ec-nordbund/git-push"):
        branch = given("branch")
        forced = "force" in given("push_options").lower() or given("force").lower() == "true"
        if not branch and not forced:  # a plain push of the run's own branch: refused, never overwriting
            return "git:(current)", False
        return "git:" + (branch or "(current)"), branch_floating(branch or "(current)")
    if name.startswith("cloudflare/wrangler-action"):
        command = given("command")  # `deploy` when not given; `versions upload` only adds a preview version
        if command and not _DEPLOY.search("\n".join("wrangler " + line.strip() for line in command.splitlines())):
            return None
        return "deploy:cloudflare", True
    if name.startswith("cloudflare/pages-action"):
        return "deploy:cloudflare", True
    return None
