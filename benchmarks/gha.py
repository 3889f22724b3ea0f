"""Time `wflint check` on the GitHub Actions corpus against actionlint and zizmor, one run each.

    python benchmarks/gha.py [FOLDER]    # default: ../shared/corpus/gha beside the repository

All three tools get the same files in one invocation each (actionlint without shellcheck and
pyflakes, zizmor offline). Ratios, not absolute times, are the result: the machine is shared.
Tools are looked for beside this Python (a venv's bin) and on PATH; a missing one is reported.
"""
from __future__ import annotations

import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "corpus" / "gha"


def tool(name: str) -> str | None:
    beside = Path(sys.executable).with_name(name)
    return str(beside) if beside.exists() else shutil.which(name)


def timed(argv: list[str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system of the child) and exit code."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc.returncode


def main() -> int:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    files = sorted(str(p) for p in folder.glob("*.y*ml"))
    if not files:
        print(f"no workflow files in {folder}", file=sys.stderr)
        return 2
    commands = {
        "wflint check": [tool("wflint"), "check", "--fail-on", "never", *files],
        "actionlint -shellcheck= -pyflakes=": [tool("actionlint"), "-shellcheck=", "-pyflakes=", *files],
        "zizmor --offline": [tool("zizmor"), "--offline", "--no-progress", *files],
    }
    times: dict[str, tuple[float, float]] = {}
    print(f"{len(files)} files from {folder}")
    for label, argv in commands.items():
        if argv[0] is None:
            print(f"  {label:38} not installed")
            continue
        wall, cpu, code = timed(argv)
        times[label] = (wall, cpu)
        print(f"  {label:38} {wall:7.3f} s wall  {cpu:7.3f} s cpu  (exit {code})")
    ours = times.get("wflint check")
    for label, (wall, cpu) in times.items():
        if label != "wflint check" and ours:
            print(f"  wflint / {label.split()[0]}: {ours[0] / wall:.2f}x wall, {ours[1] / cpu:.2f}x cpu")
    return 0


if __name__ == "__main__":
    sys.exit(main())
