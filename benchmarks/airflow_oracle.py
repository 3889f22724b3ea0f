"""wflint's static graphs of the production DAGs in ``../shared/corpus/airflow`` against real Airflow.

    python benchmarks/airflow_oracle.py [--corpus DIR] [--details]

Each repository is copied into a temporary folder and loaded with Airflow's ``DagBag`` in the cached
Airflow venv (``tests/airflow/af_oracle.py``; built on first use), with only the third-party modules
that venv lacks stubbed (``tests/airflow/dagbag_stubbed.py``) and the repository's own Airflow
Variables file, where it ships one, as its Variables. wflint reads the same files statically. Per
DAG that Airflow loads, the graphs either match exactly (same task ids, same edges), or differ where
wflint itself says its graph is partial (coverage / WFL003: "marked"), or differ unmarked (a reader
bug). Per repository the table gives those counts and the tasks and edges found by both.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "airflow"
DUMP = ROOT / "tests" / "airflow" / "dagbag_stubbed.py"
PYSYNTAX = ROOT / "adapters" / "wflint" / "adapters" / "airflow" / "pysyntax.py"


@dataclass(frozen=True)
class Layout:
    """Where Airflow finds a repository's DAGs and its importable code (from PROVENANCE.md)."""

    dag_folders: tuple[str, ...]
    import_roots: tuple[str, ...]
    variables: str | None = None  # an ``airflow variables export``-style JSON file in the repository
    # A config of DAG factories an external loader instantiates (``workflows: [{dag_id, class_name,
    # cloud_workspace, kwargs}]``): each entry becomes a DAG file of the copy (``CONFIG_LOADER``).
    factory_config: str | None = None


# Each Composer sample folder is its own DAGs folder (their DAG ids repeat across folders).
GOOGLE_SAMPLES = ("composer/workflows", "composer/2022_airflow_summit", "composer/airflow_1_samples",
                  "composer/blog/gcp-tech-blog/data-orchestration-with-composer/dags",
                  "composer/blog/gcp-tech-blog/unit-test-dags-cloud-build/dags")
REPOSITORIES = {
    # retired/ is excluded by catalog/dags/.airflowignore: loaded as its own folder, as it once was.
    "WordPress__openverse-catalog": Layout(("catalog/dags", "catalog/dags/retired"),
                                           ("catalog/dags", "catalog/dags/retired")),
    "Ferlab-Ste-Justine__clin-pipelines-dags": Layout(("dags",), ("dags",), "variables.json"),
    "Sage-Bionetworks-Workflows__orca-recipes": Layout(("dags", "archived_dags", "template_dags"),
                                                       ("dags", "archived_dags")),
    # dags/load_dags.py hands config.yaml to the external observatory_platform, which is absent: the
    # example config's DAGs are made the way its loader makes them (create_dag(DagParams(...))).
    "The-Academic-Observatory__academic-observatory-workflows": Layout(
        ("dags",), ("academic-observatory-workflows",), factory_config="config-example.yaml"),
    "GoogleCloudPlatform__python-docs-samples": Layout(GOOGLE_SAMPLES, GOOGLE_SAMPLES),
}


@dataclass
class RepoResult:
    repository: str
    verdicts: dict[tuple, str] = field(default_factory=dict)  # (file, dag id) → match | marked | unmarked
    details: dict[tuple, str] = field(default_factory=dict)  # (file, dag id) → the difference
    import_errors: dict[str, str] = field(default_factory=dict)  # files Airflow could not load
    extra: list[tuple] = field(default_factory=list)  # DAGs wflint sees in files Airflow loads, Airflow not
    tasks_airflow: int = 0
    tasks_both: int = 0
    edges_airflow: int = 0
    edges_both: int = 0
    stubbed: list[str] = field(default_factory=list)

    def count(self, verdict: str) -> int:
        return sum(1 for v in self.verdicts.values() if v == verdict)


def airflow_python() -> Path | None:
    """The cached Airflow venv's python, built when missing; None when it cannot be built."""
    sys.path.insert(0, str(ROOT / "tests" / "airflow"))
    import af_oracle

    if not af_oracle.MARKER.exists() and af_oracle._build() is not None:
        return None
    return af_oracle._python(af_oracle.VENV)


# What observatory_platform's ``load_dags_from_config`` does for one config entry, as a DAG file of the
# copy: the module named by ``class_name`` builds the DAG with ``create_dag(DagParams(...))``. The
# platform's ``module_file_path`` (a package's folder, read at parse time) is the one piece of it
# the repository's modules call outside a task; the rest of the platform stays stubbed.
CONFIG_LOADER = '''# airflow DAG {dag_id}: made as the external loader makes it from {config}
import importlib
import os

import observatory_platform.config
import yaml
from observatory_platform.airflow.workflow import CloudWorkspace

observatory_platform.config.module_file_path = lambda name: os.path.dirname(importlib.import_module(name).__file__)
with open({config_path!r}) as handle:
    _workflow = next(w for w in yaml.safe_load(handle)["workflows"] if w["dag_id"] == {dag_id!r})
_module = importlib.import_module(_workflow["class_name"])
_params = _module.DagParams(dag_id=_workflow["dag_id"], cloud_workspace=CloudWorkspace(**_workflow["cloud_workspace"]),
                            **_workflow.get("kwargs", {{}}))
dag = _module.create_dag(_params)
'''


def _factory_dags(copy: Path, layout: Layout) -> dict[str, str]:
    """Write one loader file per config entry into the copy's DAG folder; {loader file: module file}."""
    if layout.factory_config is None:
        return {}
    import yaml

    config = copy / layout.factory_config
    made = {}
    for entry in yaml.safe_load(config.read_text())["workflows"]:
        loader = copy / layout.dag_folders[0] / f"wflint_config_{entry['dag_id']}.py"
        loader.write_text(CONFIG_LOADER.format(dag_id=entry["dag_id"], config=layout.factory_config,
                                               config_path=str(config)))
        module = entry["class_name"].replace(".", "/") + ".py"
        root = next(r for r in layout.import_roots if (copy / r / module).is_file())
        made[os.path.relpath(loader, copy)] = f"{root}/{module}"
    return made


def dagbag(python: Path, repo: Path, layout: Layout, scratch: Path) -> dict:
    """What DagBag loads from a temporary copy of ``repo``: dags (file relative to the repo), errors."""
    copy = scratch / repo.name
    shutil.copytree(repo, copy, ignore=shutil.ignore_patterns("__pycache__"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update(AIRFLOW_HOME=str(scratch.parent / "home"), AIRFLOW__CORE__LOAD_EXAMPLES="False", PYTHONWARNINGS="ignore",
               PYTHONPATH=os.pathsep.join(str(copy / r) for r in layout.import_roots),
               AIRFLOW__CORE__DAGS_FOLDER=str(copy / layout.dag_folders[0]), WFLINT_PYSYNTAX=str(PYSYNTAX))
    env.update(_variables(copy, layout))
    factories = _factory_dags(copy, layout)
    out = scratch / f"{repo.name}.json"
    cmd = [str(python), str(DUMP), str(out), *(str(copy / f) for f in layout.dag_folders)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600, cwd=scratch)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-3000:])
    data = json.loads(out.read_text())
    data["dags"] = {(os.path.relpath(d["file"], copy), d["dag_id"]): d for d in data["dags"]}
    for dag in data["dags"].values():
        dag["file"] = os.path.relpath(dag["file"], copy)
        dag["file"] = factories.get(dag["file"], dag["file"])  # compared with the module wflint reads
    data["dags"] = {(d["file"], d["dag_id"]): d for d in data["dags"].values()}
    data["import_errors"] = {factories.get(os.path.join(layout.dag_folders[0], k), k): v
                             for k, v in data["import_errors"].items()}
    return data


def _variables(copy: Path, layout: Layout) -> dict[str, str]:
    if layout.variables is None or not (copy / layout.variables).is_file():
        return {}
    values = json.loads((copy / layout.variables).read_text())
    return {f"AIRFLOW_VAR_{k.upper()}": v if isinstance(v, str) else json.dumps(v) for k, v in values.items()}


def static(repo: Path) -> tuple[dict, dict]:
    """wflint's graph of every DAG it reads under ``repo`` and the files it could not read, and why."""
    from wflint.adapters import airflow
    from wflint.adapters.airflow.facts import DagIdentity
    from wflint.analysis.coverage import coverage
    from wflint.errors import NothingRead, ParseError
    from wflint.ir import EdgeKind

    dags, unread = {}, {}
    for path in sorted(repo.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if not airflow.sniff(str(path), text):
            continue
        rel = str(path.relative_to(repo))
        try:
            workflows = airflow.read(str(path), text)
        except (NothingRead, ParseError) as exc:
            unread[rel] = str(exc)
            continue
        for wf in workflows:
            identity = wf.facet(DagIdentity)
            dags[(rel, wf.name)] = {"file": rel, "tasks": sorted(wf.tasks), "partial": coverage(wf).partial,
                                    "id_resolved": identity is None or identity.resolved,
                             "edges": sorted({(e.u, e.v) for e in wf.edges if e.kind is not EdgeKind.IMPLICIT})}
    return dags, unread


def compare(name: str, real: dict, seen: dict, unread: dict) -> RepoResult:
    result = RepoResult(name, import_errors=real["import_errors"], stubbed=real.get("stubbed", []))
    loaded_files = {d["file"] for d in real["dags"].values()}
    for key, a in sorted(real["dags"].items()):
        b = seen.get(key) or _only_dynamic(seen, a["file"])
        ta, ea = set(a["tasks"]), {tuple(e) for e in a["edges"]}
        result.tasks_airflow += len(ta)
        result.edges_airflow += len(ea)
        if b is None:
            why = unread.get(a["file"], "no DAG of this id read")
            result.verdicts[key] = "marked" if a["file"] in unread else "unmarked"
            result.details[key] = f"{a['file']}: wflint does not see it ({why[:160]})"
            continue
        tb, eb = set(b["tasks"]), {tuple(e) for e in b["edges"]}
        result.tasks_both += len(ta & tb)
        result.edges_both += len(ea & eb)
        if ta == tb and ea == eb:
            result.verdicts[key] = "match"
            continue
        result.verdicts[key] = "marked" if b["partial"] else "unmarked"
        result.details[key] = (f"{a['file']}: tasks only in Airflow {sorted(ta - tb)[:6]}, only in wflint "
                                  f"{sorted(tb - ta)[:6]}; edges only in Airflow {sorted(ea - eb)[:6]}, "
                                  f"only in wflint {sorted(eb - ea)[:6]}")
    result.extra = sorted(k for k, b in seen.items()  # a DAG wflint marks partial may be conditional
                          if k not in real["dags"] and b["file"] in loaded_files and not b["partial"])
    return result


def _only_dynamic(seen: dict, file: str) -> dict | None:
    """wflint's one DAG of ``file`` whose id it could not know (named by its expression: a
    factory's DAG read with its parameters unknown), compared with the DAG Airflow made from that file."""
    found = [b for (path, name), b in seen.items() if path == file and not b["id_resolved"]]
    return found[0] if len(found) == 1 else None


def run(corpus: Path = CORPUS, python: Path | None = None) -> list[RepoResult]:
    python = python or airflow_python()
    if python is None:
        raise RuntimeError("the Airflow venv could not be built")
    results = []
    with tempfile.TemporaryDirectory(prefix="wflint-af-oracle-") as tmp:
        for name, layout in REPOSITORIES.items():
            repo = corpus / name
            if not repo.is_dir():
                continue
            scratch = Path(tmp) / name
            scratch.mkdir()
            real = dagbag(python, repo, layout, scratch)
            seen, unread = static(repo)
            results.append(compare(name, real, seen, unread))
    return results


def table(results: list[RepoResult]) -> str:
    rows = [f"{'repository':42} {'dags':>4} {'match':>5} {'marked':>6} {'unmark':>6} {'errors':>6} "
            f"{'tasks':>11} {'edges':>11}"]
    for r in results:
        rows.append(f"{r.repository[:42]:42} {len(r.verdicts):4} {r.count('match'):5} {r.count('marked'):6} "
                    f"{r.count('unmarked'):6} {len(r.import_errors):6} {r.tasks_both:5}/{r.tasks_airflow:<5} "
                    f"{r.edges_both:5}/{r.edges_airflow:<5}")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--details", action="store_true", help="print every difference and import error")
    args = parser.parse_args(argv)
    results = run(args.corpus)
    print(table(results))
    if args.details:
        for r in results:
            print(f"\n## {r.repository} (stubbed: {', '.join(r.stubbed) or 'nothing'})")
            for (_, dag_id), detail in r.details.items():
                print(f"  {r.verdicts[_, dag_id]:8} {dag_id}: {detail}")
            for path, error in r.import_errors.items():
                print(f"  airflow  {path}: {error[:200]}")
            for path, dag_id in r.extra:
                print(f"  extra    {dag_id} ({path}): wflint reads it, Airflow does not load it")
    return 0


if __name__ == "__main__":
    sys.path[:0] = [str(ROOT / "linter"), str(ROOT / "adapters"), str(ROOT / "rules")]
    sys.exit(main())
