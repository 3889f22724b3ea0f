"""The rule pages in docs/rules are generated from the docstrings and must not go stale."""
from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_rule_docs_are_current():
    proc = subprocess.run([sys.executable, str(ROOT / "docs" / "generate.py"), "--check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
