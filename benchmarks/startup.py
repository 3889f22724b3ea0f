"""Start-up: one small GitHub workflow checked, whole process, against actionlint on the same file.

    python benchmarks/startup.py [FILE] [--runs N]    # default: fixtures/ci/use-action.yml, 15 runs

Each command runs N times, interleaved, and the best wall time counts (the machine is shared, so
the minimum is the least disturbed run). Python's bytecode cache is allowed, as on a user's machine:
a ``PYTHONDONTWRITEBYTECODE`` in this shell would otherwise make every run recompile wflint. The
result is the ratio to actionlint and to a bare interpreter, printed from one run.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "fixtures" / "ci" / "use-action.yml"


def tool(name: str) -> str | None:
    beside = Path(sys.executable).with_name(name)
    return str(beside) if beside.exists() else shutil.which(name)


def wall(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
    return time.perf_counter() - start


def commands(path: str) -> dict[str, list[str]]:
    found = {"wflint check": [tool("wflint"), "check", path],
             "actionlint -shellcheck= -pyflakes=": [tool("actionlint"), "-shellcheck=", "-pyflakes=", path],
             "python -c pass": [sys.executable, "-c", "pass"]}
    return {label: [str(a) for a in argv] for label, argv in found.items() if argv[0]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", default=str(DEFAULT))
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    argvs = commands(args.file)
    for argv in argvs.values():  # warm the bytecode and file caches
        wall(argv, env)
    best = {label: float("inf") for label in argvs}
    for _ in range(args.runs):
        for label, argv in argvs.items():
            best[label] = min(best[label], wall(argv, env))
    print(f"{args.file}, best of {args.runs}")
    for label, seconds in best.items():
        print(f"  {label:36} {seconds:6.3f} s")
    ours = best.get("wflint check")
    for label, seconds in best.items():
        if ours and label != "wflint check":
            print(f"  wflint / {label:27} {ours / seconds:5.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
