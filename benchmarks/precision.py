"""Precision of wflint's findings on the real corpus, from hand labels (like ruff's ecosystem check).

    python benchmarks/precision.py [--preview] [--unlabelled FILE] [--corpus DIR]

Every finding wflint reports on ``../shared/corpus`` (n8n, gha, airflow) is matched to a label in
``tests/precision/<engine>.jsonl`` by its key (code, corpus-relative path, workflow, tasks). A label
says ``true``, ``false`` or ``debatable`` with a one-line reason, judged by hand from the file.
The table gives, per engine and per code, how many findings are strictly right (``true``), wrong,
debatable and not yet labelled; precision is ``true`` over labelled findings. ``--unlabelled``
writes label skeletons (verdict empty) for findings that have none, one JSON object per line.

GitHub workflows are laid out per repository in a temporary ``<tag>/.github/workflows/`` tree, as
GitHub reads them, so local reusable workflows resolve.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
LABELS = ROOT / "tests" / "precision"
ENGINES = ("n8n", "gha", "airflow")
VERDICTS = ("true", "false", "debatable")


@dataclass(frozen=True)
class Seen:
    """One finding as the labels see it: where it is in the corpus and what it is about."""

    engine: str
    code: str
    severity: str
    path: str  # relative to the engine's corpus folder, as stored there
    workflow: str
    tasks: tuple[str, ...]
    line: int
    message: str

    @property
    def key(self) -> str:
        basis = "\x1f".join([self.code, self.path, self.workflow, *sorted(self.tasks)])
        if not self.tasks:
            basis += f"\x1fline {self.line}"
        return hashlib.sha256(basis.encode()).hexdigest()[:16]


def lay_out_gha(folder: Path, into: Path) -> dict[str, str]:
    """Lay ``<tag>__<name>.yml`` files out as ``<tag>/.github/workflows/<name>.yml``."""
    back = {}
    for source in sorted(folder.glob("*.y*ml")):
        tag, _, name = source.name.partition("__")
        target = into / tag / ".github" / "workflows" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        back[str(target)] = source.name
    return back


def collect(corpus: Path = CORPUS, preview: bool = False) -> list[Seen]:
    """Every finding wflint's default view (or ``preview``) reports on the corpus."""
    from wflint.engine import Selection, lint_paths

    seen: list[Seen] = []
    with tempfile.TemporaryDirectory(prefix="wflint-precision-") as tmp:
        for engine in ENGINES:
            folder = corpus / engine
            if not folder.is_dir():
                continue
            if engine == "gha":
                back = lay_out_gha(folder, Path(tmp))
                paths = sorted(back)
            else:
                back = {}
                paths = [str(folder)]
            results = lint_paths(paths, Selection(preview=preview), ignore_unknown=True)
            for result in results:
                rel = back.get(result.path) or str(Path(result.path).resolve().relative_to(folder.resolve()))
                for f in result.findings:
                    seen.append(Seen(engine, f.code, f.severity.value, rel, f.workflow, tuple(f.tasks),
                                     f.line, f.message))
    return seen


def load_labels(folder: Path = LABELS) -> dict[str, dict]:
    labels: dict[str, dict] = {}
    for engine in ENGINES:
        path = folder / f"{engine}.jsonl"
        if not path.exists():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            label = json.loads(line)
            if label.get("verdict") not in VERDICTS:
                raise SystemExit(f"{path}:{number}: verdict must be one of {VERDICTS}")
            labels[label["key"]] = label
    return labels


def skeleton(item: Seen) -> dict:
    return {"key": item.key, "code": item.code, "path": item.path, "workflow": item.workflow,
            "tasks": list(item.tasks), "line": item.line, "severity": item.severity,
            "message": item.message, "verdict": "", "reason": ""}


def table(seen: list[Seen], labels: dict[str, dict]) -> str:
    """Per engine, then per engine and code: true / false / debatable / unlabelled and precision."""
    counts: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for item in seen:
        verdict = labels.get(item.key, {}).get("verdict", "unlabelled")
        counts[(item.engine, "all")][verdict] += 1
        counts[(item.engine, item.code)][verdict] += 1
    lines = [f"{'engine':8} {'code':7} {'found':>5} {'true':>5} {'false':>5} {'debat':>5} {'unlab':>5} {'precision':>9}"]
    for (engine, code), c in sorted(counts.items(), key=lambda kv: (kv[0][0], kv[0][1] != "all", kv[0][1])):
        labelled = c["true"] + c["false"] + c["debatable"]
        precision = f"{100 * c['true'] / labelled:.0f} %" if labelled else "-"
        lines.append(f"{engine:8} {code:7} {sum(c.values()):5} {c['true']:5} {c['false']:5} "
                     f"{c['debatable']:5} {c['unlabelled']:5} {precision:>9}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--preview", action="store_true", help="include preview findings")
    parser.add_argument("--unlabelled", type=Path, help="write label skeletons for unlabelled findings")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"corpus not found at {args.corpus}", file=sys.stderr)
        return 2
    seen = collect(args.corpus, args.preview)
    labels = load_labels()
    print(table(seen, labels))
    if args.unlabelled:
        missing = [skeleton(item) for item in seen if item.key not in labels]
        args.unlabelled.write_text("".join(json.dumps(m) + "\n" for m in missing), encoding="utf-8")
        print(f"{len(missing)} unlabelled findings written to {args.unlabelled}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
