"""Many files at once: `wflint check` with worker processes against one process, and against actionlint.

    python benchmarks/many.py [--files 1000] [--runs 3] [--wait-idle 30]

Two figures, each a ratio from one run (the machine is shared; the best of ``--runs`` counts):

1. ``--files`` real workflow files (copies of the shared corpus's n8n exports, GitHub workflows and
   Airflow repositories with their support code, in a temporary folder), checked with
   ``--jobs 1`` and with the default (one worker per core).
2. The corpus's GitHub workflows, checked by wflint (default jobs) and by
   ``actionlint -shellcheck= -pyflakes=`` on the same files.

``--wait-idle S``: before each run, wait up to S seconds for every core to be idle (Linux's
/proc/stat, sampled over a quarter second). On a machine shared with other work, a run that
shares the cores measures the others as much as wflint, and the workers' run loses most.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"


def tool(name: str) -> str | None:
    beside = Path(sys.executable).with_name(name)
    return str(beside) if beside.exists() else shutil.which(name)


def lay_out(target: Path, files: int) -> int:
    """Copies of the corpus folders until there are at least ``files`` workflow files."""
    per_copy = sum(len(list((CORPUS / kind).rglob(pattern))) for kind, pattern in
                   (("n8n", "*.json"), ("gha", "*.yml"), ("airflow", "*.py")))
    copies = max(1, -(-files // per_copy))
    for i in range(copies):
        for kind in ("n8n", "gha", "airflow"):
            shutil.copytree(CORPUS / kind, target / f"copy{i}" / kind)
    return copies * per_copy


def idle_cores(seconds: float = 0.25) -> float | None:
    """How many cores were idle over ``seconds`` (None where /proc/stat is missing)."""
    def sample() -> tuple[int, int]:
        with open("/proc/stat") as stat:
            ticks = [int(v) for v in stat.readline().split()[1:]]
        return ticks[3] + ticks[4], sum(ticks)  # idle + iowait, all

    try:
        idle0, all0 = sample()
        time.sleep(seconds)
        idle1, all1 = sample()
    except OSError:
        return None
    return (os.cpu_count() or 1) * (idle1 - idle0) / max(1, all1 - all0)


def wait_idle(limit: float) -> None:
    """Until every core is (nearly) idle, for at most ``limit`` seconds."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        idle = idle_cores()
        if idle is None or idle > (os.cpu_count() or 1) - 0.15:
            return


def best(argv: list[str], runs: int, idle_wait: float = 0.0) -> float:
    times = []
    for _ in range(runs):
        if idle_wait:
            wait_idle(idle_wait)
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--wait-idle", type=float, default=0.0, metavar="S",
                        help="before each run, wait up to S seconds for idle cores")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"the shared corpus is not at {CORPUS}")
    wflint = tool("wflint") or sys.exit("wflint is not installed beside this Python")
    with tempfile.TemporaryDirectory() as tmp:
        count = lay_out(Path(tmp), args.files)
        one = best([wflint, "check", "--jobs", "1", tmp], args.runs, args.wait_idle)
        many = best([wflint, "check", tmp], args.runs, args.wait_idle)
    print(f"{count} files (copies of {CORPUS})")
    print(f"  wflint check --jobs 1        {one:6.2f} s")
    print(f"  wflint check (default jobs)  {many:6.2f} s")
    print(f"  one process / workers        {one / many:5.2f}x")
    actionlint = tool("actionlint")
    gha = sorted(str(p) for p in (CORPUS / "gha").glob("*.yml"))
    ours = best([wflint, "check", *gha], args.runs, args.wait_idle)
    print(f"{len(gha)} GitHub workflows")
    print(f"  wflint check (default jobs)  {ours:6.2f} s")
    if actionlint:
        theirs = best([actionlint, "-shellcheck=", "-pyflakes=", *gha], args.runs, args.wait_idle)
        print(f"  actionlint                   {theirs:6.2f} s")
        print(f"  wflint / actionlint          {ours / theirs:5.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
