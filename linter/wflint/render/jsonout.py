"""JSON for machines: ``check`` findings and ``report`` data, both with published schemas."""
from __future__ import annotations

import json
from collections import Counter

from ..finding import Finding

VERSION = 1


def finding_dict(f: Finding) -> dict:
    return {
        "code": f.code,
        "name": f.name,
        "severity": f.severity.value,
        "confidence": f.confidence.value,
        "message": f.message,
        "detail": f.detail,
        "path": f.path,
        "workflow": f.workflow or None,
        "line": f.line,
        "column": f.column,
        "end_line": f.end_line,
        "end_column": f.end_column,
        "tasks": list(f.tasks),
        "related": [{"message": r.message, "task": r.task or None} for r in f.related],
        "fix": {"applicability": f.fix.applicability.value, "title": f.fix.title,
                **({"by_hand": True} if f.fix.by_hand else {})} if f.fix else None,
        "saved_s": f.saved_s,
        "duration_source": f.duration_source,
        "fingerprint": f.fingerprint,
    }


def workflows_read(results) -> list[dict]:
    """Each workflow of the linted files (``engine.FileResult``) with its coverage, for ``check_json``."""
    from ..analysis.coverage import coverage

    return [{"path": r.path, "workflow": w.workflow.name, "coverage": coverage(w.workflow).as_dict()}
            for r in results for w in r.results]


def check_json(findings: list[Finding], files: int, workflows: list[dict] | None = None) -> str:
    """``workflows``: one entry per workflow read (path, name, coverage), so a machine can tell a
    clean result on a whole graph from one on a partly read graph."""
    severities = Counter(f.severity.value for f in findings)
    summary = {
        "files": files,
        "findings": len(findings),
        "errors": severities.get("error", 0),
        "warnings": severities.get("warning", 0),
        "infos": severities.get("info", 0),
        "by_code": dict(sorted(Counter(f.code for f in findings).items())),
        "saved_s": round(sum(f.saved_s or 0.0 for f in findings), 6),
    }
    return json.dumps({"version": VERSION, "findings": [finding_dict(f) for f in findings],
                       "workflows": workflows or [], "summary": summary}, indent=2)


def report_json(reports: list[dict]) -> str:
    """Indented for people; compact past 1,000 tasks, where indenting costs seconds and helps no one."""
    data = reports[0] if len(reports) == 1 else {"version": VERSION, "reports": reports}
    large = sum(len(r["tasks"]) for r in reports) > 1000
    return json.dumps(data, indent=None if large else 2, separators=(",", ":") if large else None)


def statistics(findings: list[Finding]) -> str:
    counts = Counter(f.code for f in findings)
    return json.dumps([{"code": c, "count": n} for c, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))],
                      indent=2)
