"""Start-up (issue 10 item 8): what a check of one small GitHub workflow imports and compiles.

Timing is benchmarks/startup.py's job (the machine is shared); these tests hold the rules that keep
it small, in a fresh interpreter, so that a change that breaks one fails here, not in a benchmark.
"""
from __future__ import annotations

import json
import subprocess
import sys

from conftest import FIXTURES

PROBE = """
import builtins, json, re, sys
compiled = []
real_exec, real_compile = builtins.exec, re._compile
def counting_exec(source, *args):
    if isinstance(source, str):  # generated code; an imported module arrives compiled
        compiled.append(source)
    return real_exec(source, *args)
builtins.exec = counting_exec
patterns = []
def counting_compile(pattern, flags):
    if (type(pattern), pattern, flags) not in getattr(re, "_cache", {}):
        patterns.append(sys._getframe(1).f_globals.get("__name__", "?"))
    return real_compile(pattern, flags)
re._compile = counting_compile
from wflint.cli import main
try:
    main(["check", sys.argv[1]])
except SystemExit:
    pass
builtins.exec = real_exec
print(json.dumps({"modules": sorted(sys.modules), "dataclass_methods": len(compiled),
                  "patterns_by_wflint": [p for p in patterns if p.startswith("wflint")]}), file=sys.stderr)
"""


def probe(path) -> dict:
    done = subprocess.run([sys.executable, "-c", PROBE, str(path)], capture_output=True, text=True, check=False)
    return json.loads(done.stderr.strip().splitlines()[-1])


def test_a_github_check_imports_only_the_github_adapter_and_no_cli_framework():
    seen = probe(FIXTURES / "ci" / "use-action.yml")["modules"]
    assert "wflint.adapters.gha.reader" in seen
    for other in ("wflint.adapters.n8n.reader", "wflint.adapters.airflow.reader", "wflint.adapters.spec.reader",
                  "libcst", "sqlglot", "click", "wflint.render.sarif", "wflint.fixer", "wflint.report"):
        assert other not in seen, other


def test_dataclasses_compile_only_the_initialisers_a_run_uses():
    seen = probe(FIXTURES / "ci" / "use-action.yml")
    # wflint.records compiles one __init__ per class instantiated; the standard decorator compiled
    # six methods for each of the 74 classes imported
    assert seen["dataclass_methods"] <= 40, seen["dataclass_methods"]


def test_patterns_compile_on_first_use():
    # this workflow has no run: step, so no command pattern of the GitHub adapter is needed
    assert probe(FIXTURES / "ci" / "use-action.yml")["patterns_by_wflint"] == []
