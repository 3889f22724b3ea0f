"""The reports people read, pinned: markdown and text for the seed, and its brief twin."""
from __future__ import annotations

import pytest
from conftest import ROOT, SEED, SEED_BRIEF, run


@pytest.mark.parametrize("fmt", ["markdown", "text"])
@pytest.mark.parametrize("path", [SEED, SEED_BRIEF], ids=["spec", "brief"])
def test_report_snapshot(path, fmt, snapshot):
    result = run("report", path, "--format", fmt)
    assert result.exit_code == 0
    assert result.stdout.replace(str(ROOT) + "/", "") == snapshot


def test_graph_report_with_limits_snapshot(snapshot):
    path = ROOT / "fixtures" / "spec" / "etl-graph.wflint.yaml"
    result = run("report", path)
    assert result.exit_code == 0
    assert result.stdout.replace(str(ROOT) + "/", "") == snapshot
