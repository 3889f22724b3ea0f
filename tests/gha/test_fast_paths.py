"""The reader's shortcuts give what the plain formulation they replace gives (kept here as the
reference), on generated text and on the corpus's scripts."""
from __future__ import annotations

import re

import pytest
from conftest import corpus_dir
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wflint.adapters import gha
from wflint.adapters.gha import edges, steps, targets
from wflint.sourcemap import load_yaml

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Text made of the pieces the patterns look for, so that matches are common.
PIECES = st.sampled_from(["\n", " ", "\t", ";", "&", "|", "(", "\r\n", "\x85", "\u2028", "=", "A_B=1 ", "FOO=x;npm ",
                          "cargo", "cross", "uv", "uvx", "npm", "pip3", "./gradlew", "bazel", "lint", "check", "--check", "x",
                          "#", "${{ a }}", "$FOO", "${BAR}", "GITHUB_ENV", "echo A=1 >> $GITHUB_ENV", "--dry-run",
                          ">", ">>", '"', "$", "{", "}", "GITHUB_PATH", "GITHUB_OUTPUT", "GITHUB_STATE", "Out-File",
                          "Add-Content", "tee", "open(", "environ['", "']", "gh", "-gh", "api", "pr", "needs", ".needs",
                          "needs.a", ".*", ")", "}}", "Join(", "join(", "toJSON(", "['x']", ".outputs", "-", "_", "/", ".",
                          "ruff  check", "tsc --noEmit", "type-check", "clang-tidy", "--diff", "on:", "'on' :", '"on":',
                          "jobs:", "jobs :", "xjobs:", "twine upload", "uv publish", "maturin upload",
                          "pnpm publish", "yarn npm publish", "cargo publish", "gem push", "wrangler pages deploy",
                          "wrangler versions deploy", "flyctl deploy", "netlify deploy --prod", "vercel --prod",
                          "gcloud run deploy", "sls deploy",
                          "serverless", "kubectl set image", "docker push", "podman image push", "docker manifest push",
                          "-q ", "img:1", "docker buildx build", "--push", "gh release create", "v1", "mkdocs gh-deploy",
                          "mike deploy", "ghp-import", " -p", "gh-pages -d", "aws s3 sync", "gsutil -m cp", "azcopy",
                          "format", "format --check", "apt-get", "--fix",
                          "git  push", "sed -i", "npm ci", "cargo build", "add", "xadd", "rm"])
TEXT = st.lists(PIECES, max_size=30).map("".join) | st.text(max_size=80)

_ORIGINAL_LOCKS = re.compile(
    r"(?:^|[;&|(]\s*|\n\s*)(?:[A-Z_][A-Z0-9_]*=\S*\s+)*"
    r"(cargo|cross|uv|uvx|npm|npx|pnpm|yarn|bun|pip|pip3|poetry|pdm|hatch|gradle|\./gradlew|mvn|sbt"
    r"|bundle|dotnet|spin|meson|ninja|bazel)\b", re.M)
_CHECK_HINTS = ("lint", "check", "clippy", "mypy", "pyright", "flake8", "type", "noemit", "--diff", "codespell",
                "tidy", "vet", "validate")


_ORIGINAL_ENV_WRITE = re.compile(
    r">>?\s*\"?\$\{?(GITHUB_ENV|GITHUB_PATH|GITHUB_OUTPUT|GITHUB_STATE)\}?\"?"
    r"|\b(GITHUB_ENV|GITHUB_PATH|GITHUB_OUTPUT)\b[^\n]*(?:Out-File|Add-Content|Set-Content|open\()"
    r"|(?:Out-File|Add-Content|Set-Content|tee)[^\n]*\b(GITHUB_ENV|GITHUB_PATH|GITHUB_OUTPUT)\b"
    r"|environ\[[\"'](GITHUB_ENV|GITHUB_PATH|GITHUB_OUTPUT)[\"']\]")
_ORIGINAL_READ_ONLY = re.compile(
    r"(?<![-/.])\b(lint|linter|check|clippy|mypy|pyright|ruff\s+check|flake8|pylint|eslint|shellcheck|actionlint"
    r"|typecheck|type-check|tsc\b[^\n]*--noEmit|codespell|cppcheck|clang-tidy|vet|validate)\b|(?<!\S)--(check|diff)\b")
_ORIGINAL_WRITES_TREE = re.compile(
    r"(?<!\S)--(fix|write)\b|\b(format(?!\S*\s+--check)|install|build|make|cmake|compile|git\s+(commit|push|checkout|apply)"
    r"|pre-commit|generate|sed\s+-i|mv|rm|cp|mkdir|download|curl|wget|pip|npm\s+ci|cargo\s+build"
    r"|rustup|apt|apt-get|brew|choco|conda|setup|add)\b")
_ORIGINAL_ON = re.compile(r"^(?:on|\"on\"|'on')\s*:", re.M)
_ORIGINAL_JOBS = re.compile(r"^jobs\s*:", re.M)
_ORIGINAL_GH_API = re.compile(r"(?<![\w-])gh\s+(api|pr|issue|release|run|workflow|label|repo|secret|variable|cache|gist)\b")
_ORIGINAL_AGGREGATE = re.compile(r"(?<![\w.-])needs(?:\.\*|\s*\)|\s*\}\})|[Jj]oin\(\s*needs\b")
_ORIGINAL_NEEDS_REF = re.compile(r"\bneeds\s*(?:\.\s*([\w-]+)|\[\s*['\"]([\w-]+)['\"]\s*\])(\.\w+)?")


_ORIGINAL_TARGETS = {  # the run-script patterns of targets.py as they were, and the groups read from each match
    "pypi": (r"\b(twine\s+upload|uv\s+publish|maturin\s+(publish|upload)|flit\s+publish|poetry\s+publish"
             r"|hatch\s+publish|pdm\s+publish)\b", (0,), (0,)),
    "npm": (r"\b(npm|pnpm)\s+publish\b|\byarn\s+(npm\s+)?publish\b", (0,), (0,)),
    "crates": (r"\bcargo\s+publish\b", (0,), (0,)),
    "gems": (r"\bgem\s+push\b", (0,), (0,)),
    "deploy": (r"\b(wrangler\s+(deploy|publish|pages\s+deploy|versions\s+deploy)|firebase\s+deploy|fly(ctl)?\s+deploy"
               r"|netlify\s+deploy[^\n]*--prod|vercel\b[^\n]*--prod|gcloud\s+(app|run|functions)\s+deploy"
               r"|(serverless|sls)\s+deploy|cdk\s+deploy|terraform\s+apply|pulumi\s+up|helm\s+upgrade"
               r"|kubectl\s+(apply|rollout|set\s+image))\b", (0, 1), (0, 1)),
    "docker": (r"\b(?:docker|podman)\s+(?:image\s+)?push\s+((?:-\S+\s+)*)(\S+)|\bdocker\s+manifest\s+push\s+(\S+)",
               (0, (2, 3)), (0, (2, 4, 5))),
    "buildx": (r"\b(?:docker\s+)?buildx\s+build\b[^\n]*--push|\b(?:docker\s+)?buildx\s+imagetools\s+create\b",
               (0,), (0,)),
    "release": (r"\bgh\s+release\s+(create|upload|edit)\s+((?:-\S+\s+(?:\S+\s+)?)*)([^\s\\]+)", (0, 3), (0, 3)),
    "site": (r"\bmkdocs\s+gh-deploy\b[^\n]*|\bmike\s+(?:deploy|set-default|alias)\b[^\n]*--push\b[^\n]*"
             r"|\bghp-import\b[^\n]*(?:\s-p\b|--push)[^\n]*|\bgh-pages\s+(?:-d|--dist)\b[^\n]*", (0,), (0,)),
    "storage": (r"\baws\s+s3\s+(cp|sync|mv)\b|\bgsutil\s+(-m\s+)?(cp|rsync)\b|\bazcopy\b", (0,), (0,)),
}
_NOW = {"pypi": targets._VERSIONED[0][0], "npm": targets._VERSIONED[1][0], "crates": targets._VERSIONED[2][0],
        "gems": targets._VERSIONED[3][0], "deploy": targets._DEPLOY, "docker": targets._DOCKER_PUSH,
        "buildx": targets._BUILDX_PUSH, "release": targets._GH_RELEASE, "site": targets._SITE_PUSH,
        "storage": targets._STORAGE}


def _read(match: re.Match, groups: tuple) -> tuple:
    """The groups the code reads, each a number or the first set of several."""
    return tuple(next((match.group(g) for g in group if match.group(g)), None) if isinstance(group, tuple)
                 else match.group(group) for group in groups)


def same_targets(code: str) -> None:
    for name, (pattern, before, now) in _ORIGINAL_TARGETS.items():
        assert [_read(m, before) for m in re.finditer(pattern, code)] == [_read(m, now) for m in _NOW[name].finditer(code)]


def same_scans(code: str) -> None:
    """The rewritten patterns find what the ones they replace find, where they find it."""
    assert [(m.span(), next(g for g in m.groups() if g)[len("GITHUB_"):]) for m in _ORIGINAL_ENV_WRITE.finditer(code)] \
        == [(m.span(), next(g for g in m.groups() if g)) for m in steps._ENV_WRITE.finditer(code)]
    assert _ORIGINAL_GH_API.findall(code) == steps._GH_API.findall(code)
    assert [m.span() for m in _ORIGINAL_AGGREGATE.finditer(code)] == [m.span() for m in edges._AGGREGATE.finditer(code)]
    assert _ORIGINAL_NEEDS_REF.findall(code) == edges._NEEDS_REF.findall(code)
    assert [m.span() for m in _ORIGINAL_READ_ONLY.finditer(code)] == [m.span() for m in steps._READ_ONLY_CMD.finditer(code)]
    assert [m.span() for m in _ORIGINAL_ON.finditer(code)] == [m.span() for m in gha._ON.finditer(code)]
    assert [m.span() for m in _ORIGINAL_JOBS.finditer(code)] == [m.span() for m in gha._JOBS.finditer(code)]
    same_targets(code)
    assert [m.span() for m in _ORIGINAL_WRITES_TREE.finditer(code)] == [m.span() for m in steps._WRITES_TREE.finditer(code)]


def original_locks(code: str) -> list[str]:
    return sorted({steps._LOCK_OF.get(m.group(1), m.group(1)) for m in _ORIGINAL_LOCKS.finditer(code)})


def original_reads_only(code: str) -> bool:
    lowered = code.lower()
    return any(map(lowered.__contains__, _CHECK_HINTS)) and bool(_ORIGINAL_READ_ONLY.search(code)) \
        and not _ORIGINAL_WRITES_TREE.search(code)


def original_first_line(run: str) -> str:
    return run.strip().splitlines()[0][:60]


def original_expand(text: str, variables: dict[str, str]) -> str:
    for _ in range(3):
        new = re.sub(r"\$\{?([A-Za-z_]\w*)\}?", lambda m: variables.get(m.group(1), m.group(0)), text)
        if new == text:
            break
        text = new
    return text


@SETTINGS
@given(TEXT)
def test_locks(code):
    assert steps._locks(code) == original_locks(code)


@SETTINGS
@given(TEXT)
def test_scans(code):
    same_scans(code)


@SETTINGS
@given(TEXT)
def test_reads_only(code):
    assert steps._reads_only(code) == original_reads_only(code)


@SETTINGS
@given(TEXT)
def test_first_line(run):
    if run.strip():
        assert steps._first_line(run) == original_first_line(run)


@SETTINGS
@given(TEXT, st.dictionaries(st.sampled_from(["FOO", "BAR", "A_B"]), TEXT, max_size=3))
def test_expand(text, variables):
    assert steps._expand(text, variables) == original_expand(text, variables)


def test_whitespace_split_is_the_patterns_whitespace():
    """``"".join(s.split())`` stands for ``re.sub(r"\\s+", "", s)``: the same characters are space."""
    spaces = "".join(chr(c) for c in range(0x110000) if re.fullmatch(r"\s", chr(c)))
    assert spaces == "".join(chr(c) for c in range(0x110000) if chr(c).isspace())
    assert "".join(("a" + spaces + "b").split()) == "ab"


@pytest.fixture(scope="module")
def corpus_scripts() -> list[str]:
    scripts = []
    for path in sorted(corpus_dir("gha").glob("*.yml")):
        data, _ = load_yaml(path.read_text(), str(path))
        for job in (data.get("jobs") or {}).values():
            for step in job.get("steps") or () if isinstance(job, dict) else ():
                if isinstance(step, dict) and step.get("run"):
                    scripts.append(str(step["run"]))
    return scripts


def test_the_corpus_scripts(corpus_scripts):
    assert len(corpus_scripts) > 1000
    for code in corpus_scripts:
        same_scans(code)
        assert steps._locks(code) == original_locks(code)
        assert steps._reads_only(code) == original_reads_only(code)
        if code.strip():
            assert steps._first_line(code) == original_first_line(code)


def test_an_if_that_reads_nothing_of_the_run_is_evaluated_once():
    """A folded tree (``events._tree``) has the value the full tree has in every run context."""
    from wflint.adapters.gha import events

    contexts = events.run_contexts({"push": {"branches": ["main"]}, "pull_request": None, "release": None},
                                   ["github.ref == 'refs/heads/main'"])
    for text in ("always()", "!cancelled() && needs.a.result == 'success'", "github.repository == 'a/b'",
                 "contains(needs.*.result, 'failure') || false", "startsWith(github.ref, 'refs/tags/')",
                 "github.event_name == 'push' && success()", "'x' == 'X'", "1 == 1.0 && !null"):
        full, used = events._tree(text, group_key=True), events._tree(text)
        assert (used == full) == events._reads_context(full)
        for context in contexts:
            assert events._evaluate(used, context, False) == events._evaluate(full, context, False), (text, context)
