"""The labelled real corpus, run like ruff's ecosystem check (benchmarks/precision.py).

Every finding wflint shows by default on ``../shared/corpus`` must carry a hand label in
``tests/precision/<engine>.jsonl``. A finding labelled ``false`` may be shown only while it is
listed in ``tests/precision/open_false.txt`` (the false positives not fixed yet, each a bug): the
list only shrinks, so a fixed one cannot come back, and a new one fails this test.
"""
from __future__ import annotations

import sys

import pytest
from conftest import CORPUS, ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import precision

OPEN_FALSE = ROOT / "tests" / "precision" / "open_false.txt"


@pytest.fixture(scope="module")
def shown():
    if not all((CORPUS / engine).is_dir() for engine in precision.ENGINES):
        pytest.skip(f"shared corpus not found at {CORPUS} (it lives beside the repository in CI)")
    return precision.collect(CORPUS)


def open_false() -> set[str]:
    lines = OPEN_FALSE.read_text(encoding="utf-8").splitlines()
    return {line.split()[0] for line in lines if line.strip() and not line.startswith("#")}


def test_every_default_finding_is_labelled(shown):
    labels = precision.load_labels()
    missing = [precision.skeleton(s) for s in shown if s.key not in labels]
    assert not missing, f"unlabelled findings (label them in tests/precision/): {missing}"


def test_no_false_finding_comes_back(shown):
    labels = precision.load_labels()
    false = {s.key: s for s in shown if labels.get(s.key, {}).get("verdict") == "false"}
    allowed = open_false()
    new = [precision.skeleton(s) for k, s in false.items() if k not in allowed]
    assert not new, f"findings labelled false are shown by default: {new}"
    fixed = sorted(allowed - set(false))
    assert not fixed, f"fixed false positives still listed in {OPEN_FALSE.name} (remove them): {fixed}"


def test_labels_name_real_codes_and_one_line_reasons():
    from wflint.rule import all_rules

    for label in precision.load_labels().values():
        assert label["code"] in all_rules(), label
        assert label["reason"] and "\n" not in label["reason"], label
