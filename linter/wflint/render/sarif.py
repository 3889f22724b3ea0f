"""SARIF 2.1.0 for code-scanning dashboards (GitHub's upload-sarif among them)."""
from __future__ import annotations

import json

from .. import __version__
from ..discover import repo_relative
from ..finding import Finding
from ..rule import RuleInfo

LEVEL = {"error": "error", "warning": "warning", "info": "note"}
HELP_URI = "https://github.com/wflint/wflint/blob/main/docs/rules/{code}.md"


ROOT_ID = "%SRCROOT%"
PRECISION = {"high": "high", "medium": "medium", "low": "low"}
FAMILY_TAGS = {"PAR": ["performance", "parallelism"], "SAF": ["correctness", "concurrency"],
               "RES": ["reliability", "resources"], "GRA": ["correctness", "graph"], "WFL": ["wflint"]}


def _artifact(path: str) -> dict:
    """Relative to the repository root (``%SRCROOT%``), as code scanning keys results; a file
    outside every repository keeps its absolute path as a ``file:`` URI."""
    shown = repo_relative(path)
    if shown.startswith("/"):
        return {"uri": "file://" + shown}
    return {"uri": shown, "uriBaseId": ROOT_ID}


def _region(line: int, column: int, end_line: int | None, end_column: int | None) -> dict:
    region = {"startLine": line, "startColumn": column}
    if end_line:
        region["endLine"] = end_line
        if end_column:
            region["endColumn"] = end_column
    return region


def _rule(info: RuleInfo) -> dict:
    return {
        "id": info.code,
        "name": info.name,
        "shortDescription": {"text": info.summary},
        "fullDescription": {"text": info.doc.split("\n\n", 1)[-1].split("**Example.**")[0].strip() or info.summary},
        "help": {"text": info.doc, "markdown": info.doc},
        "helpUri": HELP_URI.format(code=info.code),
        "defaultConfiguration": {"level": LEVEL[info.severity.value]},
        "properties": {"tags": FAMILY_TAGS.get(info.code[:3], []), "precision": "high"},
    }


def _result(f: Finding, rule_index: dict[str, int]) -> dict:
    properties: dict[str, object] = {"confidence": f.confidence.value, "precision": PRECISION[f.confidence.value],
                                     "tasks": list(f.tasks)}
    if f.saved_s is not None:
        properties["savedSeconds"] = f.saved_s
    if f.fix is not None:
        properties["fix"] = {"applicability": f.fix.applicability.value, "title": f.fix.title,
                             **({"by_hand": True} if f.fix.by_hand else {})}
    result: dict[str, object] = {
        "ruleId": f.code,
        "ruleIndex": rule_index[f.code],
        "level": LEVEL[f.severity.value],
        "message": {"text": f.message + (f"\n\n{f.detail}" if f.detail else "")},
        "locations": [{"physicalLocation": {
            "artifactLocation": _artifact(f.path),
            "region": _region(f.line, f.column, f.end_line, f.end_column),
        }}],
        # Built from the code, file and tasks, never the line: stable when lines shift.
        "partialFingerprints": {"wflintFinding/v1": f.fingerprint},
        "properties": properties,
    }
    if f.related:
        result["relatedLocations"] = [
            {"id": i, "message": {"text": r.message},
             "physicalLocation": {"artifactLocation": _artifact(f.path),
                                  "region": _region(r.line, r.column, None, None)}}
            for i, r in enumerate(f.related) if r.line
        ]
    edits = f.extra.get("edits")
    if edits and f.fix is not None:  # only fixes the format's rewriter made and verified: its text edits
        result["fixes"] = [{
            "description": {"text": f.fix.title},
            "artifactChanges": [{
                "artifactLocation": _artifact(f.path),
                "replacements": [{
                    "deletedRegion": _region(e["start_line"], e["start_column"], e["end_line"], e["end_column"]),
                    "insertedContent": {"text": e["text"]},
                } for e in edits],
            }],
        }]
    return result


def check_sarif(findings: list[Finding], rules: dict[str, RuleInfo]) -> str:
    ordered = list(rules.values())
    rule_index = {info.code: i for i, info in enumerate(ordered)}
    run = {
        "tool": {"driver": {
            "name": "wflint",
            "version": __version__,
            "informationUri": "https://github.com/wflint/wflint",
            "rules": [_rule(info) for info in ordered],
        }},
        "originalUriBaseIds": {ROOT_ID: {"description": {"text": "The root of the repository checked."}}},
        "invocations": [{"executionSuccessful": True}],
        "columnKind": "unicodeCodePoints",
        "results": [_result(f, rule_index) for f in findings],
    }
    return json.dumps({"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
                       "runs": [run]}, indent=2)
