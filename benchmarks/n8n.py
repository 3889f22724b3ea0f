"""wflint on the n8n corpus against the floor of parsing the same files with ``json.loads``, in one run.

Two ratios, both from runs interleaved in one invocation (the machine is shared and noisy):

- whole process: ``wflint check <corpus>`` against a Python process that only reads and
  ``json.loads`` every file (interpreter start-up is in both);
- in process: reading, analysing and running every rule on each file, against ``json.loads`` of
  the same texts (start-up and imports excluded: what the work per file costs).

    python benchmarks/n8n.py [--runs 5] [--corpus ../shared/corpus/n8n]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOOR = "import json, pathlib, sys\nfor p in sorted(pathlib.Path(sys.argv[1]).glob('*.json')): json.loads(p.read_text())"


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd[:4])}… failed:\n{proc.stderr[-2000:]}")
    return elapsed


def in_process(texts: dict[Path, str], runs: int) -> tuple[float, float]:
    """Best of ``runs``: (all rules on every file, json.loads of every file), in seconds."""
    from wflint.engine import check_workflow, load
    from wflint.rule import all_rules

    rules = list(all_rules().values())
    ours, floor = [], []
    for _ in range(runs):
        start = time.perf_counter()
        for path, text in texts.items():
            for wf in load(str(path), text=text):
                check_workflow(wf, rules)
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        for text in texts.values():
            json.loads(text)
        floor.append(time.perf_counter() - start)
    return min(ours), min(floor)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "n8n")
    args = parser.parse_args()
    files = sorted(args.corpus.glob("*.json"))
    if not files:
        sys.exit(f"no n8n exports in {args.corpus}")
    size = sum(p.stat().st_size for p in files)
    wflint = [sys.executable, "-m", "wflint", "check", str(args.corpus), "--fail-on", "never", "--format", "json"]
    floor = [sys.executable, "-c", FLOOR, str(args.corpus)]
    timed(wflint)  # warm the file cache and .pyc files for both sides
    timed(floor)
    ours, theirs = [], []
    for _ in range(args.runs):
        ours.append(timed(wflint))
        theirs.append(timed(floor))
    work, parse = in_process({p: p.read_text(encoding="utf-8") for p in files}, args.runs)
    print(f"n8n corpus: {len(files)} files, {size / 1e6:.1f} MB")
    print(f"whole process: wflint check best {min(ours):.2f}s, json.loads floor best {min(theirs):.2f}s "
          f"of {args.runs}: ratio {min(ours) / min(theirs):.1f}x")
    print(f"in process:    all rules {work * 1000:.0f} ms, json.loads {parse * 1000:.1f} ms: "
          f"ratio {work / parse:.0f}x ({work / len(files) * 1000:.1f} ms per file)")


if __name__ == "__main__":
    main()
