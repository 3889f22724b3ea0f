"""Every reader on mutated real files (issue 16): a result or a clean one-line error, never a
traceback, in bounded time. Mutations are what a broken merge, a truncated upload or a hostile
edit make: a cut, a repeated slice, stray bytes, a swapped character."""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pytest
from conftest import CORPUS, FIXTURES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wflint.engine import Selection, lint_paths
from wflint.errors import UsageError

SEEDS = {
    "spec": [FIXTURES / "examples" / "customer-health.wflint.yaml", FIXTURES / "rules" / "PAR001" / "bad-after.wflint.yaml"],
    "brief": [FIXTURES / "examples" / "customer-health.wflint.txt"],
    "gha": [FIXTURES / "rules" / "SAF310" / "bad.yml", FIXTURES / "ci" / "use-action.yml"],
    "n8n": [FIXTURES / "rules" / "SAF003" / "bad-n8n-no-merge.json"],
    "airflow": sorted((FIXTURES / "airflow").glob("*.py"))[:3],
}
EXTRA = {"gha": sorted((CORPUS / "gha").glob("*.yml"))[:2], "n8n": sorted((CORPUS / "n8n").glob("*.json"))[:2],
         "airflow": sorted((CORPUS / "airflow").rglob("dags/*.py"))[:2]}
NOISE = st.sampled_from(["{", "}", "[", "]", ":", "\n", "  ", "- ", '"', "'", "\x00", "\ufeff", "&a", "*a", "<<",
                         ">>", "((", "))", "\\", "${{", "}}", "={{", "NaN", "1e999", "-1", "é", "\r\n", "#"])


def mutate(text: str, data) -> str:
    for _ in range(data.draw(st.integers(1, 4))):
        if not text:
            break
        i = data.draw(st.integers(0, len(text) - 1))
        j = data.draw(st.integers(i, min(len(text), i + 200)))
        kind = data.draw(st.sampled_from(["cut", "repeat", "insert", "swap"]))
        if kind == "cut":
            text = text[:i] + text[j:]
        elif kind == "repeat":
            text = text[:j] + text[i:j] * data.draw(st.integers(2, 5)) + text[j:]
        elif kind == "insert":
            text = text[:i] + data.draw(NOISE) + text[i:]
        else:
            text = text[:i] + data.draw(st.characters()) + text[i + 1:]
    return text


def seeds(fmt: str) -> list[Path]:
    return [p for p in SEEDS[fmt] + EXTRA.get(fmt, []) if p.is_file()]


@pytest.mark.parametrize("fmt", sorted(SEEDS))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_a_mutated_file_gives_a_result_or_a_clean_error(fmt, data):
    seed = data.draw(st.sampled_from(seeds(fmt)))
    text = mutate(seed.read_text(encoding="utf-8"), data)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / seed.name
        if fmt == "gha":
            path = Path(folder) / ".github" / "workflows" / seed.name
            path.parent.mkdir(parents=True)
        # a drawn lone surrogate is written as the bytes it stands for: a file that is not UTF-8
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        start = time.perf_counter()
        try:
            results = lint_paths([str(path)], Selection(preview=True))
        except UsageError as exc:  # no longer of any known format: one line, exit 2
            assert "\n" not in str(exc)
            return
        assert time.perf_counter() - start < 20
    for result in results:
        for finding in result.findings:
            assert finding.line >= 1 and "\n" not in finding.message
