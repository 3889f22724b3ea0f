"""SAF310 by target, not by name (issue 12 bullets 1, 2, 4): what a step publishes to, whether
runs can race on it, and how often the runs that publish start."""
from __future__ import annotations

import pytest
from helpers import workflow

from wflint.adapters.gha.targets import uses_target
from wflint.engine import check_workflow
from wflint.facets import Publishing, Steps
from wflint.rule import all_rules


def saf310(text: str, preview: bool = True):
    return list(check_workflow(workflow(text), [all_rules()["SAF310"]], preview=preview).findings)


def job(on: str, steps: str, extra: str = "") -> str:
    return f"on: {on}\njobs:\n  ship:\n    runs-on: x\n{extra}    steps:\n{steps}"


@pytest.mark.parametrize("steps", [
    "      - run: twine upload dist/*\n",
    "      - run: uv publish\n",
    "      - run: npm publish --access public\n",
    "      - run: cargo publish\n",
    "      - run: python scripts/release.py\n        env: {CARGO_REGISTRY_TOKEN: x}\n",
    "      - uses: pypa/gh-action-pypi-publish@release/v1\n",
    "      - run: gh release create ${{ github.ref_name }} dist/*\n",
    "      - uses: softprops/action-gh-release@v2\n",  # defaults to the run's tag
    "      - run: docker push ghcr.io/acme/app:${{ github.sha }}\n",
    "      - run: git push origin \"release-$VERSION\"\n",
    "      - uses: peter-evans/create-pull-request@v7\n        with: {branch: bump, branch-suffix: timestamp}\n",
    "      - run: git push --tags\n",
])
def test_a_versioned_or_per_run_target_cannot_race(steps):
    assert saf310(job("push", steps)) == []
    assert workflow(job("push", steps)).tasks["ship"].facet(Publishing).unique  # but it is a publish


@pytest.mark.parametrize("steps", [
    "      - run: git push --force origin \"toxgen/update-$(date +%m-%d)\"\n",  # named in the shell
    "      - run: git push origin \"issue/${{ inputs.number }}\"\n",  # a branch per input
])
def test_a_target_with_a_part_wflint_cannot_read_is_no_claimed_race(steps):
    publishing = workflow(job("push", steps)).tasks["ship"].facet(Publishing)
    assert publishing is not None and any("*" in t for t in publishing.targets + publishing.unique)  # a push it knows of
    assert saf310(job("push", steps)) == []  # but not that two runs push the same branch


@pytest.mark.parametrize("steps, target", [
    ("      - run: docker push ghcr.io/acme/app:latest\n", "registry:docker:ghcr.io/acme/app:latest"),
    ("      - run: docker push ghcr.io/acme/app\n", "registry:docker:ghcr.io/acme/app"),  # no tag is `latest`
    # round 12, M1: the multi-platform list made from per-platform digests, pushed to its -t tag
    ("      - run: docker buildx imagetools create -t ghcr.io/acme/app:latest ghcr.io/acme/app@sha256:ab\n",
     "registry:docker:ghcr.io/acme/app:latest"),
    ("      - run: gh release upload nightly --clobber dist/*\n", "release"),
    ("      - run: npx wrangler deploy\n", "deploy:wrangler"),
    ("      - uses: actions/deploy-pages@v4\n", "pages"),
    ("      - uses: JamesIves/github-pages-deploy-action@v4\n        with: {folder: site}\n", "git:gh-pages"),
    ("      - uses: peter-evans/create-pull-request@v7\n        with: {branch: docs}\n", "git:docs"),
    ("      - run: |\n          git commit -am regen\n          git push --force\n", "git:(current)"),
    ("      - run: |\n          git clone https://github.com/acme/site s\n          cd s\n          git push\n", "git:(current)"),
    ("      - run: git push https://x-access-token:$T@github.com/acme/site.git\n", "git:github.com/acme/site:(current)"),
    ("      - run: |\n          git push --force \\\n            origin HEAD:gh-pages\n", "git:gh-pages"),
])
def test_a_floating_target_on_every_push_is_shown_by_default(steps, target):
    [finding] = saf310(job("{push: {branches: [main]}}", steps), preview=False)
    assert f"`{target}`" in finding.message and finding.confidence.value == "high"


def test_detection_is_by_what_steps_do_never_by_the_job_id():
    named = "on: push\njobs:\n  deploy_site:\n    runs-on: x\n    steps: [{run: make test}]\n"
    assert saf310(named) == []
    quiet = "on: push\njobs:\n  build:\n    runs-on: x\n    steps: [{run: npx wrangler deploy}]\n"
    assert len(saf310(quiet, preview=False)) == 1


def test_a_floating_publish_only_on_tags_is_not_frequent():
    steps = ("      - run: make image\n      - if: startsWith(github.ref, 'refs/tags/')\n"
             "        run: docker push ghcr.io/acme/app:latest\n")
    on = "{push: {branches: [main], tags: ['v*']}}"
    assert saf310(job(on, steps), preview=False) == []  # runs once per tag: preview only
    [finding] = saf310(job(on, steps))
    assert finding.confidence.value == "medium"
    every_push = steps.replace("startsWith(github.ref, 'refs/tags/')", "github.ref == 'refs/heads/main'")
    assert len(saf310(job(on, every_push), preview=False)) == 1


@pytest.mark.parametrize("steps, group", [
    ("      - run: git push -f\n", "git-push-${{ github.ref }}"),  # per branch: other branches do not wait
    # another repository's branch of the same name: named with that repository
    ("      - run: git push https://$KEY@github.com/acme/site.git\n", "git-push-github.com-acme-site-${{ github.ref }}"),
    ("      - run: git push git@github.com:acme/site.git HEAD:gh-pages\n", "git-push-github.com-acme-site-gh-pages"),
    ("      - uses: actions/deploy-pages@v4\n", "pages"),
    ("      - run: npx wrangler deploy\n", "deploy-wrangler"),
])
def test_the_suggested_group_is_keyed_by_the_target(steps, group):
    [finding] = saf310(job("push", steps))
    assert finding.fix.changes[0].group == group


@pytest.mark.parametrize("steps", [
    "      - run: docker push ghcr.io/acme/app:${GITHUB_REF_NAME}\n",
    "      - run: docker push ghcr.io/acme/app:$GITHUB_REF_NAME\n",
    "      - uses: docker/build-push-action@v6\n        with: {push: true, tags: 'ghcr.io/acme/app:${{ github.ref_name }}'}\n",
])
def test_an_image_tagged_by_the_ref_is_one_target_per_ref_however_it_is_spelt(steps):
    """Runs for other branches push other tags: the key holds the ref, so they never wait for each
    other, and every job pushing that tag shares it."""
    [finding] = saf310(job("{push: {branches: [main, develop]}}", steps))
    assert "`registry:docker:ghcr.io/acme/app:${{ github.ref_name }}`" in finding.message
    assert finding.fix.changes[0].group == "image-ghcr.io-acme-app-${{ github.ref_name }}"


def test_a_called_workflow_is_never_given_queue_max():
    [finding] = saf310(job("workflow_call", "      - run: 'aws s3 sync site/ s3://bucket/'\n"))
    assert finding.fix.changes[0].queue == ""
    [scheduled] = saf310(job("schedule", "      - run: 'aws s3 sync site/ s3://bucket/'\n"))
    assert scheduled.fix.changes[0].queue == "max"
    # also callable: a caller's matrix would queue each of its instances behind the one group
    both = "{workflow_call: {}, schedule: [{cron: '0 3 * * *'}]}"
    [callable_too] = saf310(job(both, "      - run: 'aws s3 sync site/ s3://bucket/'\n"))
    assert callable_too.fix.changes[0].queue == ""
    assert callable_too.fix.applicability.value == "unsafe"  # a caller's pending instances would be dropped
    deploy = "      - run: npx wrangler deploy\n"  # replaced in place: the newest pending run wins, rightly
    assert saf310(job(both, deploy))[0].fix.applicability.value == "safe"


def test_a_repository_dispatch_is_not_a_frequent_trigger():
    """An outside caller fires it at its own pace (duckdb's stale-issue bot and nightly tests listen
    only to it and to manual dispatch): a floating push from it is shown with --preview only."""
    steps = "      - run: git push origin HEAD:gh-pages\n"
    assert saf310(job("repository_dispatch", steps), preview=False) == []
    [finding] = saf310(job("repository_dispatch", steps))
    assert finding.confidence.value == "medium"
    assert len(saf310(job("[repository_dispatch, workflow_run]", steps), preview=False)) == 1


def test_a_branch_named_in_a_shell_variable_is_read_through_it():
    fresh = ("      - run: echo \"BRANCH=docs-$VERSION-$(date +%s)\" >> $GITHUB_ENV\n"
             "      - run: |\n          git checkout -b \"$BRANCH\"\n          git push origin \"$BRANCH\"\n")
    assert saf310(job("push", fresh)) == []  # per version and time: a fresh branch per run
    fixed = "      - run: |\n          branch=generated-docs\n          git push --force origin \"HEAD:$branch\"\n"
    [finding] = saf310(job("push", fixed), preview=False)
    assert "`git:*`" in finding.message or "generated-docs" in finding.message
    from_command = "      - run: |\n          b=\"$(git branch --show-current)\"\n          git push origin HEAD:\"$b\"\n"
    assert saf310(job("push", from_command), preview=False) == []  # not proven floating: preview only


CANCELLING = """\
on:
  push:
    branches: [main]
    tags: ['v*']
  pull_request:
concurrency:
  group: ci-{key}
  cancel-in-progress: {cancel}
jobs:
  ship:
    runs-on: x
    steps:
      - run: make dist
      - if: {step_if}
        run: {publish}
"""


def saf311(**values):
    text = CANCELLING.format(**{"key": "${{ github.ref }}", "cancel": "true", "step_if": "always()",
                                "publish": "twine upload dist/*", **values})
    return check_workflow(workflow(text), [all_rules()["SAF311"]]).findings


def test_a_group_that_cancels_a_publish_is_a_hazard():
    [finding] = saf311()  # pushes to main share `ci-refs/heads/main`
    assert "ci-${{ github.ref }}" in finding.message and "`registry:pypi`" in finding.message


@pytest.mark.parametrize("values", [
    # cancels only where nothing ships
    {"cancel": "${{ github.event_name == 'pull_request' }}", "step_if": "github.event_name == 'push'"},
    {"cancel": "false"},
    {"key": "${{ github.head_ref || github.sha }}", "step_if": "github.event_name == 'push'"},  # per commit
    {"key": "${{ github.head_ref || github.sha }}", "step_if": "github.ref_type == 'tag'"},  # a PR ref is no tag
    {"publish": "twine upload --repository testpypi dist/*"},  # a rehearsal, nothing ships
    # keyed by the tag, in a run on a tag: only a run of that same tag (the same version) shares it
    {"step_if": "startsWith(github.ref, 'refs/tags/v')"},
    {"key": "${{ github.ref_name }}", "step_if": "github.ref_type == 'tag'"},
    {"key": "${{ github.event.ref }}", "step_if": "github.ref_type == 'tag'"},  # a push's payload: its ref
    {"key": "${{ github.head_ref || github.ref }}", "step_if": "github.ref_type == 'tag'"},  # the tag, on a tag
    {"key": "${{ github.event.pull_request.number || github.ref_name }}", "step_if": "github.ref_type == 'tag'"},
])
def test_no_hazard_where_the_group_never_cancels_a_shipping_run(values):
    assert saf311(**values) == []


def test_a_pull_requests_preview_and_a_staging_registry_may_be_cancelled():
    """A pull request's preview environment is deployed again by the PR's newer run; a crates.io
    sign-in to staging makes its upload a rehearsal. A production environment on push is kept."""
    head = "concurrency: {group: 'p-${{ github.ref }}', cancel-in-progress: true}\njobs:\n  j:\n    runs-on: x\n"
    preview = (f"on: pull_request\n{head}    environment: {{name: preview, url: 'https://x'}}\n"
               "    steps: [{run: ./upload-preview.sh}]\n")
    staging = (f"on: workflow_dispatch\n{head}    steps:\n      - uses: rust-lang/crates-io-auth-action@v1\n"
               "        id: auth\n        with: {url: 'https://staging.crates.io'}\n"
               "      - run: cargo run -p smoke\n        env: {CARGO_REGISTRY_TOKEN: '${{ steps.auth.outputs.token }}'}\n")
    rule = [all_rules()["SAF311"]]
    assert check_workflow(workflow(preview), rule).findings == []
    assert check_workflow(workflow(staging), rule).findings == []
    production = preview.replace("pull_request", "push").replace("preview", "production")
    assert len(check_workflow(workflow(production), rule).findings) == 1


def test_steps_are_classified_by_command_words_and_tool_locks():
    text = ("on: push\njobs:\n  j:\n    runs-on: x\n    steps:\n      - run: ./configure --linter=strict\n"
            "      - run: cargo fmt --check\n      - run: cargo clippy\n      - run: ruff check .\n")
    steps = {s.index: s for s in workflow(text).tasks["j"].facet(Steps).steps}
    assert not steps[0].read_only  # an option is not a command
    assert steps[1].read_only and steps[1].locks == steps[2].locks == ("cargo",)
    assert steps[3].locks == ()


def test_an_atomic_push_in_a_cancelling_group_is_no_hazard():
    assert saf311(publish="git push origin HEAD:gh-pages") == []
    assert saf311(publish="docker push ghcr.io/acme/app:latest") == []
    assert len(saf311(publish="aws s3 sync site/ s3://bucket/")) == 1  # half a site


def test_a_cancel_expression_true_on_the_branch_it_means_to_protect_is_a_hazard():
    protects_main = {"key": "${{ github.workflow }}", "cancel": "${{ github.ref_name != 'main' }}",
                     "step_if": "startsWith(github.ref, 'refs/tags/v')", "publish": "npx wrangler deploy"}
    [finding] = saf311(**protects_main)  # the deploy runs on a tag, where the expression is always true
    assert "deploy:wrangler" in finding.message
    assert saf311(**{**protects_main, "step_if": "github.ref == 'refs/heads/main'"}) == []
    # `push: branches: [main]` never runs on master: a step only for master never deploys
    assert saf311(**{**protects_main, "step_if": "github.ref == 'refs/heads/master'"}) == []


def test_a_group_keyed_by_the_matrix_value_keeps_instances_apart():
    extra = "    strategy: {matrix: {env: [staging, production]}}\n    environment: ${{ matrix.env }}\n"
    [finding] = saf310(job("push", "      - run: ./deploy.sh\n", extra), preview=False)
    assert finding.fix.changes[0].group == "environment-${{ matrix.env }}" and "instances" not in finding.message
    shared = "    strategy: {matrix: {region: [eu, us]}}\n    environment: production\n"
    [same] = saf310(job("push", "      - run: ./deploy.sh\n", shared))
    assert same.fix is None and "between its 2 matrix instances" in same.message


def test_an_image_tag_held_in_env_is_read_through_it():
    steps = "      - run: docker push ghcr.io/acme/app:$IMAGE_TAG\n        env: {IMAGE_TAG: '${{ github.sha }}'}\n"
    assert saf310(job("push", steps)) == []
    workflow_env = "env: {TAG: latest}\n" + job("push", "      - run: docker push ghcr.io/acme/app:$TAG\n")
    assert len(saf310(workflow_env, preview=False)) == 1


@pytest.mark.parametrize("command, target", [
    ("mkdocs gh-deploy --force", "git:gh-pages"),
    ("uv run mike deploy -b docs-site dev --push", "git:docs-site"),
    ("ghp-import -n -p -f site", "git:gh-pages"),
    ("npx gh-pages -d build", "git:gh-pages"),
])
def test_site_tools_that_push_a_branch_publish_it(command, target):
    [finding] = saf310(job("{push: {branches: [main]}}", f"      - run: {command}\n"), preview=False)
    assert f"`{target}`" in finding.message
    assert saf310(job("push", "      - run: mike deploy dev\n")) == []  # without --push it only commits locally


def test_a_needs_into_a_job_that_can_write_is_a_gate():
    from helpers import edges

    text = ("on: push\npermissions: {contents: write}\njobs:\n  test: {runs-on: x, steps: [{run: make test}]}\n"
            "  docs: {needs: test, runs-on: x, steps: [{run: ./publish-docs.sh}]}\n"
            "  notes: {needs: test, permissions: {contents: read}, runs-on: x, steps: [{run: ./notes.sh}]}\n")
    kinds = edges(workflow(text))
    assert kinds[("test", "docs")] == "control"  # inherits contents: write from the workflow
    assert kinds[("test", "notes")] == "order"


def test_a_job_that_never_runs_publishes_nothing():
    assert saf310(job("push", "      - run: npx wrangler deploy\n", "    if: false\n")) == []
    tag_only = job("{push: {branches: [main]}}", "      - run: npx wrangler deploy\n",
                   "    if: startsWith(github.ref, 'refs/tags/')\n")
    assert saf310(tag_only) == []  # the workflow never runs on a tag


def test_a_script_given_storage_or_deploy_credentials_keeps_its_gate():
    from helpers import edges

    text = ("on: push\njobs:\n  test: {runs-on: x, steps: [{run: make test}]}\n"
            "  stage:\n    needs: test\n    runs-on: x\n    steps:\n      - run: ./upload-to-staging.sh\n"
            "        env: {AWS_SECRET_ACCESS_KEY: '${{ secrets.KEY }}'}\n"
            "  docs:\n    needs: test\n    runs-on: x\n    steps:\n      - run: ./build-docs.sh\n")
    wf = workflow(text)
    kinds = edges(wf)
    assert kinds[("test", "stage")] == "control" and kinds[("test", "docs")] == "order"
    assert saf310(text) == []  # where it writes is unknown: no race claimed


@pytest.mark.parametrize("login", ["google-github-actions/auth@v2", "aws-actions/configure-aws-credentials@v4",
                                   "azure/login@v2"])
def test_a_job_signed_in_to_a_cloud_keeps_its_gate(login):
    from helpers import edges

    text = ("on: workflow_dispatch\njobs:\n  tests: {runs-on: x, steps: [{run: pytest}]}\n"
            f"  deploy:\n    needs: [tests]\n    runs-on: x\n    steps:\n      - uses: {login}\n"
            "      - run: python upload_dags.py --bucket $BUCKET\n"
            "  lint:\n    needs: [tests]\n    runs-on: x\n    steps:\n      - run: ruff check .\n")
    kinds = edges(workflow(text))
    assert kinds[("tests", "deploy")] == "control" and kinds[("tests", "lint")] == "order"


def test_matrix_instances_pushing_their_own_tags_keep_apart_and_the_key_names_the_value():
    from wflint.adapters.gha.rewriter import groups_apart

    extra = "    strategy: {matrix: {variant: [slim, full]}}\n"
    own_tag = job("{push: {branches: [main]}}", "      - run: docker push ghcr.io/acme/app:${{ matrix.variant }}\n", extra)
    [finding] = saf310(own_tag)
    assert "instances" not in finding.message  # each instance pushes its own tag
    [change] = finding.fix.changes
    assert change.group == "image-ghcr.io-acme-app-${{matrix.variant}}"  # the image, per instance
    block = f"    concurrency: {{group: '{change.group}', cancel-in-progress: false, queue: max}}\n"
    grouped = workflow(own_tag.replace("    runs-on: x\n", "    runs-on: x\n" + block))
    assert groups_apart(workflow(own_tag), grouped, [change]) is None
    one_tag = own_tag.replace("app:${{ matrix.variant }}", "app:latest")
    [shared] = saf310(one_tag)
    assert "between its 2 matrix instances" in shared.message and shared.fix is None


def test_jobs_of_one_workflow_on_one_target_get_one_key_and_others_their_own(tmp_path):
    from helpers import actionlint_errors

    from wflint.engine import Selection
    from wflint.facets import Concurrency
    from wflint.fixer import fix_text

    text = ("on: {push: {branches: [main]}}\njobs:\n"
            "  docs:\n    runs-on: ubuntu-latest\n    steps: [{run: git push --force origin HEAD:gh-pages}]\n"
            "  coverage:\n    runs-on: ubuntu-latest\n    steps: [{run: git push --force origin HEAD:gh-pages}]\n"
            "  app:\n    runs-on: ubuntu-latest\n    steps: [{run: npx wrangler deploy}]\n")
    outcome = fix_text("ci.yml", text, Selection(), unsafe=False)
    groups = {job: task.facet(Concurrency).group for job, task in workflow(outcome.text).tasks.items()}
    assert groups == {"docs": "git-push-gh-pages", "coverage": "git-push-gh-pages", "app": "deploy-wrangler"}
    errors = actionlint_errors({"before.yml": text, "after.yml": outcome.text}, tmp_path)
    assert errors["after.yml"] <= errors["before.yml"]


def _writes(text: str) -> dict[str, list[str]]:
    return {t.id: sorted(e.resource for e in t.writes) for t in workflow(text).tasks.values()}


def test_an_environment_that_only_gates_package_uploads_is_not_a_deployment():
    gate = "    environment: {name: release, url: https://pypi.org/p/x}\n"
    uploads = job("release", "      - uses: pypa/gh-action-pypi-publish@release/v1\n", gate)
    assert _writes(uploads) == {"ship": []}  # a versioned upload is no write (no run overwrites another)
    deploys = job("release", "      - uses: pypa/gh-action-pypi-publish@release/v1\n      - run: ./deploy.sh\n", gate)
    assert _writes(deploys) == {"ship": ["env:release"]}  # a script it cannot read may deploy
    floating = job("release", "      - uses: docker/build-push-action@v6\n        with: {push: true, tags: a/b:latest}\n", gate)
    assert "env:release" in _writes(floating)["ship"]
    assert _writes(job("release", "      - run: echo hi\n", gate)) == {"ship": ["env:release"]}


@pytest.mark.parametrize("steps, gated", [
    ("      - run: uv build\n      - run: uv publish\n", False),  # unseen round 7: a production-release gate
    ("      - run: |\n          python -m build\n          twine upload dist/*\n", False),
    ("      - run: export V=1 && npm ci && npm publish --access public\n", False),
    ("      - run: uv build\n      - run: uv run scripts/deploy.py\n      - run: uv publish\n", True),
    ("      - run: uv publish | tee log\n", True),  # a pipe runs what the words do not name
    ("      - run: npm publish $(./pick-tag.sh)\n", True),
])
def test_scripts_that_only_build_and_upload_packages_keep_the_environment_a_credential_gate(steps, gated):
    """`environment: production-release` around `uv build` and `uv publish` guards the upload's
    credentials: two runs upload different versions, nothing is overwritten. A script that runs
    anything else may deploy into the environment, so it stays a target."""
    text = job("{push: {branches: [main]}}", steps, "    environment: production-release\n")
    assert ("env:production-release" in _writes(text)["ship"]) is gated


@pytest.mark.parametrize("notice, gated", [
    ("curl -sf -X POST https://hooks.slack.com/services/T/B/x -d '{\"text\": \"released\"}'", False),
    ("if [[ \"$OK\" == \"1\" ]]; then\n            MSG=\"done <https://pypi.org|pypi>\"\n          else\n"
     "            MSG=failed\n          fi\n          curl -s https://slack.com/api/chat.postMessage \\\n"
     "            -d \"$(jq -n --arg t \"$MSG\" '{text: $t}')\" > /dev/null", False),  # round 9 F2's shape
    ("curl -s -X POST https://deploy.example.com/hook", True),  # not a chat service: may deploy
    ("curl -s https://hooks.slack.com/services/x | sh", True),  # runs what it fetched
    ("curl -s https://hooks.slack.com/services/x -d \"$(./release-notes.sh)\"", True),
])
def test_a_chat_notice_after_a_package_upload_keeps_the_environment_a_credential_gate(notice, gated):
    """A `curl` to a chat service's API or webhook tells people about the upload and deploys
    nothing: two such jobs in one `environment: {name: pypi, url: …}` do not share a deployment."""
    steps = "      - run: uv build\n      - run: uv publish\n      - run: |\n          " + notice + "\n"
    text = job("{push: {branches: [main]}}", steps, "    environment: {name: pypi, url: 'https://pypi.org/p/a'}\n")
    assert ("env:pypi" in _writes(text)["ship"]) is gated


PUSH_BOT_BRANCH = "      - uses: peter-evans/create-pull-request@v7\n        with: {branch: auto-bump}\n"


def scheduled(cron: str, runs_on: str = "ubuntu-latest", extra: str = "", also: str = "workflow_dispatch: {}") -> str:
    return (f"on:\n  {also}\n  schedule: [{{cron: '{cron}'}}]\njobs:\n  ship:\n    runs-on: {runs_on}\n{extra}"
            f"    steps:\n{PUSH_BOT_BRANCH}")


@pytest.mark.parametrize("text", [
    scheduled("0 8 * * 6"),  # weekly, and by hand: a hosted job ends within 6 hours
    scheduled("0 0 * * *"),  # daily
    scheduled("0 */2 * * *", runs_on="self-hosted", extra="    timeout-minutes: 20\n"),  # 2 h apart, 20 min runs
])
def test_runs_a_slow_schedule_starts_never_overlap(text):
    assert saf310(text) == []


@pytest.mark.parametrize("text", [
    scheduled("0 */4 * * *"),  # 4 hours apart, but a hosted job may take 6
    scheduled("0 0 * * *", runs_on="self-hosted"),  # no bound on a self-hosted runner without a timeout
    scheduled("0 0 * * *", also="push: {branches: [main]}"),  # every push starts one too
    scheduled("0 0 * * *", extra="    strategy: {matrix: {os: [a, b]}}\n"),  # instances of one run overlap
    scheduled("0 0,1 * * *"),  # two crons' starts an hour apart
])
def test_runs_that_may_meet_are_still_reported(text):
    assert len(saf310(text)) == 1


def test_the_schedule_gap_reads_cron_minutes_and_hours():
    from wflint.adapters.gha.events import schedule_gap_minutes
    gap = lambda *crons: schedule_gap_minutes({"schedule": [{"cron": c} for c in crons]})
    assert gap("0 8 * * 6") == 24 * 60  # days and weekdays only make starts rarer: read as daily
    assert gap("*/15 * * * *") == 15 and gap("5/20 * * * *") == 20
    assert gap("0 9-17/2 * * 1-5") == 120
    assert gap("0 0 * * *", "30 23 * * *") == 30  # across midnight
    assert gap("@weekly") is None and gap("61 * * * *") is None
    assert schedule_gap_minutes({"push": None}) is None


@pytest.mark.parametrize("cluster", ["      - uses: helm/kind-action@v1\n", "      - uses: jupyterhub/action-k3s-helm@v4\n",
                                     "      - run: kind create cluster --wait 60s\n", "      - run: minikube start\n",
                                     # unseen round 8 (argo-rollouts, tetragon): k3s's install script, `make kind`
                                     "      - run: curl -sfL https://get.k3s.io | sh -\n", "      - run: make kind\n"])
def test_a_deploy_to_a_cluster_the_job_makes_itself_is_no_shared_target(cluster):
    """helm and kubectl after the job starts its own cluster (kind, k3s, minikube) deploy into
    that throwaway cluster: no other run or matrix instance shares it. Without it, they may."""
    deploy = "      - run: helm upgrade --install app ./chart --wait\n      - run: kubectl apply -f k8s/\n"
    assert saf310(job("{push: {branches: [main]}}", cluster + deploy)) == []
    assert len(saf310(job("{push: {branches: [main]}}", deploy))) == 1


@pytest.mark.parametrize("steps", [
    "      - run: |\n          git commit -am regen || exit 0\n          git push\n",
    "      - uses: stefanzweifel/git-auto-commit-action@v5\n",
])
def test_a_plain_push_of_the_runs_own_branch_is_no_race(steps):
    """A plain push of the branch the run checked out at its commit adds to it or is refused (not a
    fast forward): an older run never undoes a newer one's commit, and a group would not spare it
    (a queued run still pushes from its own commit). A force push, or a push from a fresh clone, is."""
    text = ("on: {push: {branches: [main]}}\njobs:\n  regen:\n    runs-on: x\n    steps:\n"
            f"      - uses: actions/checkout@v4\n{steps}")
    assert not check_workflow(workflow(text), [all_rules()["SAF310"]], preview=True).findings


def test_a_plain_push_of_a_branch_a_checkout_fetched_by_name_races():
    """After `actions/checkout` with `ref: gh-pages`, the branch pushed is that ref's tip when the
    run fetched it: a queued run fetches it afresh, so a group spares the newer run's refused push."""
    text = ("on: {push: {branches: [main]}}\njobs:\n  sync:\n    runs-on: x\n    steps:\n"
            "      - uses: actions/checkout@v4\n        with: {ref: gh-pages}\n"
            "      - run: |\n          git commit -am sync\n          git push\n")
    assert len(check_workflow(workflow(text), [all_rules()["SAF310"]], preview=True).findings) == 1


@pytest.mark.parametrize("on, races", [("{push: {branches: [main]}, schedule: [{cron: '0 0 * * *'}]}", False),
                                       ("{push: {branches: [main]}, pull_request: {}}", True),
                                       ("workflow_call", True)])
def test_a_checkout_of_the_head_ref_names_a_branch_only_where_pull_requests_start_runs(on, races):
    """`ref: ${{ github.head_ref }}` is empty outside a pull request's run, so the run's own commit
    is checked out and a plain push back is no race (phpstan's sponsors job); where a pull request
    (or an unknown caller) can start the run, it names the pull request's branch, fetched by name."""
    text = (f"on: {on}\njobs:\n  regen:\n    runs-on: x\n    steps:\n"
            "      - uses: actions/checkout@v4\n        with: {ref: '${{ github.head_ref }}'}\n"
            "      - uses: stefanzweifel/git-auto-commit-action@v5\n")
    found = check_workflow(workflow(text), [all_rules()["SAF310"]], preview=True).findings
    assert bool(found) is races


@pytest.mark.parametrize("command, target", [("", "deploy:cloudflare"), ("deploy --env production", "deploy:cloudflare"),
                                             ("versions deploy", "deploy:cloudflare"), ("versions upload", None),
                                             ("versions upload --tag pr-1", None)])
def test_wrangler_action_deploys_only_when_its_command_changes_the_live_worker(command, target):
    """The action runs `wrangler deploy` when given no command; `versions upload` only adds a
    version (a preview) that nothing serves until `versions deploy` promotes it (gradio's previews)."""
    with_ = {"apiToken": "x", **({"command": command} if command else {})}
    found = uses_target("cloudflare/wrangler-action", with_)
    assert (found[0] if found else None) == target


def test_a_pull_requests_publish_in_a_group_keyed_by_it_may_be_cancelled():
    """Only the same pull request's newer run shares a group keyed by it, and that run publishes the
    preview again (streamlit's preview wheels); a constant key lets another pull request cancel it."""
    def saf311(group: str):
        text = (f"on: pull_request\nconcurrency: {{group: '{group}', cancel-in-progress: true}}\njobs:\n  up:\n"
                "    runs-on: x\n    steps: [{run: 'aws s3 cp dist/pkg.whl s3://previews/pr/'}]\n")
        return check_workflow(workflow(text), [all_rules()["SAF311"]], preview=True).findings
    for group in ("${{ github.workflow }}-${{ github.ref }}", "pr-${{ github.event.pull_request.number }}",
                  "${{ github.head_ref }}"):
        assert saf311(group) == [], group
    assert len(saf311("previews")) == 1


@pytest.mark.parametrize("where, target", [
    ("        working-directory: site\n", "git:github.com/acme/www:main"),  # the other repository's branch
    ("        working-directory: site/docs\n", "git:github.com/acme/www:main"),
    ("", "git:main"),  # the workspace root holds this repository
])
def test_a_push_from_another_repositorys_checkout_writes_that_repository(where, target):
    """`git push origin main` in the folder a checkout of `repository: acme/www` filled pushes that
    repository's main, not this one's (libgit2's benchmark and site jobs were said to race)."""
    text = ("on: push\njobs:\n  site:\n    runs-on: x\n    steps:\n      - uses: actions/checkout@v4\n"
            "      - uses: actions/checkout@v4\n        with: {repository: acme/www, path: site}\n"
            f"      - run: git commit -am update && git push origin main\n{where}")
    wf = workflow(text)
    assert target in {e.resource for e in wf.tasks["site"].writes}


@pytest.mark.parametrize("checkouts, target", [
    ("{repository: acme/docs, token: x}", "git:github.com/acme/docs:(current)"),
    ("{repository: acme/docs, ref: main}", "git:github.com/acme/docs:(current)"),
    # this repository checked out over it again: the workspace is this repository's once more
    ("{repository: acme/docs}\n      - uses: actions/checkout@v4\n        with: {ref: main}", "git:main"),
    # a pull request's head repository may be this one: not taken for another
    ("{repository: '${{ github.event.pull_request.head.repo.full_name }}'}", "git:(current)"),
])
def test_a_checkout_of_another_repository_into_the_workspace_is_what_a_plain_push_writes(checkouts, target):
    """With no `path:` the workspace is the other repository's clone: `origin` is that repository,
    so a plain `git push` writes it and never this repository's branch (round 9 F6)."""
    text = ("on: push\njobs:\n  docs:\n    runs-on: x\n    steps:\n"
            f"      - uses: actions/checkout@v4\n        with: {checkouts}\n"
            "      - run: git commit -am sync && git push\n")
    assert {e.resource for e in workflow(text).tasks["docs"].writes if e.resource.startswith("git:")} == {target}


@pytest.mark.parametrize("push", ["git push --tag", "git push origin --tags", "git push --tags origin"])
def test_a_push_of_tags_adds_new_refs_and_pushes_no_branch(push):
    """`--tag` is git's `--tags` (an unambiguous start of the option): tags only, no branch. Two
    jobs that each tag a release their own way push different new refs, which never conflict
    (round 9 F5); a plain push of the branch from both still does."""
    def jobs(command: str) -> str:
        return "".join(f"  {name}:\n    runs-on: x\n    steps:\n      - uses: actions/checkout@v4\n"
                       f"      - run: git tag {name}-$GITHUB_REF_NAME && {command}\n" for name in ("api", "cli"))
    tagged = workflow("on: {push: {tags: ['v*']}}\njobs:\n" + jobs(push))
    assert [(e.resource, e.append) for e in tagged.tasks["api"].writes] == [("git:tags", True)]
    assert check_workflow(tagged, [all_rules()["SAF001"]], preview=True).findings == []
    branch = workflow("on: {push: {tags: ['v*']}}\njobs:\n" + jobs("git push --force"))
    assert len(check_workflow(branch, [all_rules()["SAF001"]], preview=True).findings) == 1


@pytest.mark.parametrize("environment, more, cancels", [
    ("github-pages", "", False),
    ("github-pages", "      - run: npx wrangler deploy\n", True),  # another deployment, stopped half-way
    ("production", "", True),  # an environment of its own: whatever else it deploys
])
def test_a_pages_deployment_a_newer_run_cancels_leaves_the_served_site_up(environment, more, cancels):
    """`actions/deploy-pages` cancels its deployment when its run is cancelled, and Pages keeps
    serving the site it had: nothing is left half-published, and the newer run deploys the newer
    site (round 9 F3)."""
    text = ("on: {push: {branches: [main]}}\nconcurrency: {group: 'site-${{ github.ref }}', cancel-in-progress: true}\n"
            f"jobs:\n  deploy:\n    runs-on: x\n    environment: {{name: {environment}, url: 'https://x'}}\n"
            f"    steps:\n      - uses: actions/deploy-pages@v4\n{more}")
    found = check_workflow(workflow(text), [all_rules()["SAF311"]], preview=True).findings
    assert bool(found) is cancels


@pytest.mark.parametrize("condition, key, cancels", [
    ("github.event.workflow_run.event == 'pull_request'", "${{ github.event.workflow_run.head_branch }}", False),
    ("${{ github.event.workflow_run.event == 'pull_request' && github.event.workflow_run.conclusion == 'success' }}",
     "${{ github.event.workflow_run.pull_requests[0].number }}", False),
    ("github.event.workflow_run.event != 'push'", "${{ github.event.workflow_run.head_branch }}", True),  # a schedule's too
    ("github.event.workflow_run.event == 'pull_request' || github.event.workflow_run.event == 'push'",
     "${{ github.event.workflow_run.head_branch }}", True),
    ("github.event.workflow_run.event == 'pull_request'", "previews", True),  # every pull request's in one group
    ("", "${{ github.event.workflow_run.head_branch }}", True),
])
def test_a_workflow_run_preview_of_a_pull_request_keyed_by_it_is_deployed_again_by_its_newer_run(condition, key, cancels):
    """A `workflow_run` job kept to a pull request's finished runs, grouped by that pull request's
    head branch or number, is cancelled only by the same pull request's newer run (round 9 F7)."""
    guard = f"    if: \"{condition}\"\n" if condition else ""
    text = ("on: {workflow_run: {workflows: [ci], types: [completed]}}\n"
            f"concurrency: {{group: 'preview-{key}', cancel-in-progress: true}}\n"
            f"jobs:\n  preview:\n{guard}    runs-on: x\n    steps:\n      - run: npx wrangler deploy\n")
    found = check_workflow(workflow(text), [all_rules()["SAF311"]], preview=True).findings
    assert bool(found) is cancels


@pytest.mark.parametrize("step, cancels", [
    ("{run: 'gh release create v-next --draft --notes-file notes.md'}", False),
    ("{uses: softprops/action-gh-release@v2, with: {tag_name: v-next, draft: true}}", False),
    ("{run: 'gh release create v-next --notes-file notes.md'}", True),
])
def test_a_draft_release_a_cancelled_run_leaves_is_published_by_nobody(step, cancels):
    """A draft release is public only once someone publishes it: a run cancelled half-way through
    one leaves nothing half-published, and the newer run drafts it again (keda's release notes)."""
    text = ("on: {push: {branches: [main]}}\nconcurrency: {group: 'notes-${{ github.ref_name }}', cancel-in-progress: true}\n"
            f"jobs:\n  draft:\n    runs-on: x\n    steps:\n      - {step}\n")
    found = check_workflow(workflow(text), [all_rules()["SAF311"]], preview=True).findings
    assert bool(found) is cancels


@pytest.mark.parametrize("steps, per_run", [
    ("      - uses: cloudflare/wrangler-action@v3\n        with: {command: 'pages deploy site --branch=${{ env.B }}'}\n", True),
    ("      - run: npx wrangler pages deploy site --branch=$BRANCH\n", True),
    ("      - uses: cloudflare/wrangler-action@v3\n        with: {command: 'pages deploy site --branch=main'}\n", False),
    ("      - run: npx wrangler pages deploy site\n", False),  # the production branch, every run
])
def test_a_pages_deploy_that_names_its_branch_per_run_keeps_the_race_but_not_a_safe_group(steps, per_run):
    """Unseen rounds 3 and 7 (fastapi, sqlmodel): `--branch` worked out per run deploys production
    for main and a preview per commit otherwise. Two main runs still race on production (the
    finding stays), but one job-level group would hold every preview run too, a newer pending one
    replacing the older: the group is opt-in there, safe where the branch is the same each run."""
    (finding,) = saf310(job("{push: {branches: [main]}, pull_request: {}}", steps), preview=False)
    assert finding.fix.applicability.value == ("unsafe" if per_run else "safe")
    assert ("names the" in finding.fix.title) is per_run


@pytest.mark.parametrize("steps, written", [
    # unseen round 8, F6: a command only printed as a hint is not run
    ("      - run: |\n          echo helm upgrade --install app oci://x/app\n", []),
    ("      - run: echo 'next, git push origin main'\n", []),
    ("      - run: echo ready && helm upgrade --install app ./chart\n", ["deploy:helm"]),
    # F9: a redirection names no ref: the per-run tag it pushes is no floating branch
    ("      - run: git push origin \"v$RUN\" 2> /dev/null\n", []),
    ("      - run: git push origin gh-pages 2>&1\n", ["git:gh-pages"]),
    # F4: a push by digest is untagged: the job that writes the manifest list names the tags
    ("      - uses: docker/build-push-action@v6\n        with: {push: true, tags: a/b, "
     "outputs: 'type=image,push-by-digest=true,push=true'}\n", []),
    ("      - uses: docker/build-push-action@v6\n        with: {push: true, tags: a/b}\n", ["registry:docker:a/b"]),
])
def test_what_a_step_only_prints_redirects_or_pushes_by_digest_is_no_floating_target(steps, written):
    text = job("{push: {branches: [main]}}", steps)
    (task,) = workflow(text).tasks.values()
    publishing = task.facet(Publishing)
    # a name with a part only the run knows (`git:v*`) is no shared target
    assert sorted(t for t in (publishing.targets if publishing else ()) if "*" not in t) == written
    assert len(saf310(text, preview=False)) == len(written)


@pytest.mark.parametrize("script, written", [
    ("mkdocs gh-deploy --force", ["git:gh-pages"]),  # a site tool's push: a write of the branch
    ("ghp-import -n -p -f site -b docs-site", ["git:docs-site"]),
    ("npx wrangler pages deploy site --branch=$BRANCH", []),  # a deploy, no branch of this repository
])
def test_a_script_that_pushes_a_named_branch_writes_it(script, written):
    assert _writes(job("{push: {branches: [main]}}", f"      - run: {script}\n")) == {"ship": written}


def test_a_group_key_keeps_the_target_expression_as_written():
    """The SAF310 fix's group names the environment; where the name is an expression its `/` and
    quotes stay, or `'refs/heads/v3'` would become `'refs-heads-v3'` and every run share one group
    (round 10 FX1). Literal text still becomes a key of word characters, dots and dashes."""
    from wflint.adapters.gha.reader import concurrency_group

    expr = "${{ github.ref == 'refs/heads/v3' && 'production' || 'preview' }}"
    assert concurrency_group("deploy", [f"env:{expr}"]) == f"environment-{expr}"
    assert concurrency_group("deploy", ["env:eu west/prod"]) == "environment-eu-west-prod"


@pytest.mark.parametrize("on, gate, applicability", [
    ("{push: {branches: [main]}}", "", "safe"),  # every run pushes
    ("[push, pull_request]", "        if: github.ref == 'refs/heads/main'\n", "unsafe"),  # a PR's run pushes nothing
    # every run alike: it pushes what a step found (a bot): a group holds only runs of that kind
    ("{push: {branches: [main]}}", "        if: steps.changed.outputs.any == 'true'\n", "safe"),
    # grafana/k6 (round 11 F1): main's runs push, the others (a pull request's) may push nothing
    ("[push, pull_request]", "        if: needs.configure.outputs.latest == 'true'\n", "unsafe"),
])
def test_a_group_fix_is_safe_only_where_no_run_of_another_kind_may_write_nothing(on, gate, applicability):
    """A job-level group holds every run of the job: where some runs surely push (main) and others
    may push nothing (a pull request's, whose push hangs on a job's output), a newer pending run
    replaces theirs. Where every run is as unsure, they are all one kind of run."""
    steps = ("      - run: docker buildx build --push -t ghcr.io/acme/app:main .\n"
             "        if: github.ref == 'refs/heads/main'\n" if "pull" in on and "needs." in gate else "")
    steps += f"      - run: docker buildx build --push -t ghcr.io/acme/app:latest .\n{gate}"
    found = saf310(job(on, steps))
    assert found and found[0].fix is not None
    assert found[0].fix.applicability.value == applicability


@pytest.mark.parametrize("command", [
    "docker buildx imagetools create $TAGS ghcr.io/acme/app@sha256:ab",
    "docker buildx imagetools create \"${tags[@]}\" ghcr.io/acme/app@sha256:ab",
    "docker buildx imagetools create $(jq -cr '.tags | map(\"-t \" + .) | join(\" \")' <<< \"$META\") app@sha256:ab",
])
def test_an_imagetools_list_pushed_to_tags_the_script_builds_is_no_claimed_race(command):
    """Which image such a list moves is known only when the script runs: no target to race on."""
    assert saf310(job("{push: {branches: [main]}}", f"      - run: {command}\n")) == []
