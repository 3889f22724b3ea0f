"""Start-up: one small GitHub workflow checked, whole process, against actionlint on the same file.

    python benchmarks/startup.py [FILE] [--runs N]    # default: fixtures/ci/use-action.yml, 15 runs

Each command runs N times, interleaved, and the best wall time counts (the machine is shared, so
the minimum is the least disturbed run). Python's bytecode cache is allowed, as on a user's machine:
a ``PYTHONDONTWRITEBYTECODE`` in this shell would otherwise make every run recompile wflint. The
result is the ratio to actionlint and to a bare interpreter, printed from one run.

wflint is timed twice: as users run it, installed normally (``pip install .`` into a virtual
environment under ``.cache/startup-venv``, refreshed from this checkout on each run), and from the
development checkout's editable install, whose import hook alone costs more than the interpreter's
own start-up. The bare interpreter is timed in each environment.
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


def installed() -> Path:
    """A virtual environment with this checkout installed as users install it (no editable hook)."""
    venv = ROOT / ".cache" / "startup-venv"
    pip = [str(venv / "bin" / "pip"), "install", "-q"]
    if not (venv / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        quiet([*pip, str(ROOT)])
    else:  # this checkout's code, dependencies as they are
        quiet([*pip, "--no-deps", "--force-reinstall", str(ROOT)])
    return venv / "bin"


def quiet(argv: list[str]) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode:
        sys.exit(f"{' '.join(argv)} failed:\n{done.stdout}{done.stderr}")


def commands(path: str, bin_dir: Path) -> dict[str, list[str]]:
    found = {"wflint check (installed)": [str(bin_dir / "wflint"), "check", path],
             "wflint check (editable)": [tool("wflint"), "check", path],
             "actionlint -shellcheck= -pyflakes=": [tool("actionlint"), "-shellcheck=", "-pyflakes=", path],
             "python -c pass (installed venv)": [str(bin_dir / "python"), "-c", "pass"],
             "python -c pass (editable venv)": [sys.executable, "-c", "pass"]}
    return {label: [str(a) for a in argv] for label, argv in found.items() if argv[0]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", default=str(DEFAULT))
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    argvs = commands(args.file, installed())
    for argv in argvs.values():  # warm the bytecode and file caches
        wall(argv, env)
    best = {label: float("inf") for label in argvs}
    for _ in range(args.runs):
        for label, argv in argvs.items():
            best[label] = min(best[label], wall(argv, env))
    print(f"{args.file}, best of {args.runs}")
    for label, seconds in best.items():
        print(f"  {label:36} {seconds:6.3f} s")
    for ours in ("wflint check (installed)", "wflint check (editable)"):
        for label in ("actionlint -shellcheck= -pyflakes=", "python -c pass (installed venv)"):
            if ours in best and label in best:
                print(f"  {ours + ' / ' + label:70} {best[ours] / best[label]:5.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
