"""``wflint mcp`` started as a subprocess and driven by the real MCP SDK client (issue 17 item 8)."""
from __future__ import annotations

import json
import sys

import anyio
import pytest
from conftest import FIXTURES

mcp = pytest.importorskip("mcp", reason="the MCP SDK comes with the test extra (pip install -e '.[test]')")

EXAMPLE = FIXTURES / "examples" / "customer-health.wflint.yaml"
FIXABLE = FIXTURES / "rules" / "SAF310" / "bad.yml"


async def _calls(calls: list[tuple[str, dict]]) -> tuple[list[str], list]:
    from mcp import ClientSession, StdioServerParameters, stdio_client

    params = StdioServerParameters(command=sys.executable, args=["-m", "wflint", "mcp"])
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        tools = sorted(t.name for t in (await session.list_tools()).tools)
        return tools, [await session.call_tool(name, args) for name, args in calls]


def call_all(calls: list[tuple[str, dict]]):
    return anyio.run(_calls, calls)


def data(result) -> object:
    """A tool's answer: its structured content, else the JSON of its text."""
    if result.structured_content is not None:
        content = result.structured_content
        return content.get("result", content) if isinstance(content, dict) else content
    return json.loads(result.content[0].text)


def test_every_tool_answers_as_the_command_line_does(tmp_path):
    workflow = tmp_path / ".github" / "workflows" / "release.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(FIXABLE.read_text())
    tools, (check, inline, report, preview, listed, one, bad) = call_all([
        ("check", {"path": str(EXAMPLE)}),
        ("check", {"text": EXAMPLE.read_text(), "format": "spec"}),
        ("report", {"path": str(EXAMPLE)}),
        ("fix_preview", {"path": str(workflow)}),
        ("rules", {}),
        ("rules", {"code": "PAR001"}),
        ("check", {"text": "name: w\ntasks: [", "format": "spec"}),
    ])
    assert tools == ["check", "fix_preview", "report", "rules"]
    checked = data(check)
    assert {f["code"] for f in checked["findings"]} >= {"PAR001"} and checked["summary"]["files"] == 1
    from_text = data(inline)
    assert [f["code"] for f in from_text["findings"]] == [f["code"] for f in checked["findings"]]
    assert all(f["path"] == "<inline>" for f in from_text["findings"])
    reported = data(report)
    assert reported["reports"][0]["saved_s"] == 3 and reported["markdown"].startswith("# Workflow analysis")
    diff = data(preview)["diff"]
    assert diff.startswith("--- ") and workflow.read_text() == FIXABLE.read_text()  # nothing written
    assert any(r["code"] == "WFL003" for r in data(listed))
    assert "doc" in data(one)[0]
    assert [f["code"] for f in data(bad)["findings"]] == ["WFL001"]


def test_a_bad_request_is_a_tool_error_not_a_crash():
    _, (neither, unknown) = call_all([("check", {}), ("rules", {"code": "XYZ999"})])
    assert neither.is_error and "either path or text" in neither.content[0].text
    assert unknown.is_error and "unknown rule" in unknown.content[0].text
