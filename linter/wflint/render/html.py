"""The report as one self-contained HTML page: no script, no network, charts drawn as inline SVG.

The words are the Markdown report's (one place says what a report says); this module only
presents them. It reads the small Markdown subset that ``markdown.py`` writes (headings, quotes,
tables, lists, paragraphs, ``**bold**`` and ``code``) and draws each Mermaid gantt block as an SVG
bar chart, so the page reads the same in a browser with no Mermaid and no internet.
"""
from __future__ import annotations

import html
import re

from ..analysis.durations import fmt_seconds
from .markdown import report_markdown

STYLE = """
body{font:15px/1.5 system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#1f2328}
table{border-collapse:collapse;margin:.5rem 0 1rem}
th,td{border:1px solid #d0d7de;padding:.3rem .6rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}code{background:#f6f8fa;padding:0 .25rem;border-radius:3px}
blockquote{margin:.5rem 0;padding:.2rem 1rem;border-left:4px solid #d0d7de;color:#57606a}
svg text{font:12px system-ui,sans-serif}.bar,.key-bar{fill:#54aeff}.crit,.key-crit{fill:#cf222e}
.axis,.tick{stroke:#57606a;stroke-width:1}svg .ticklabel,svg .dur{fill:#57606a;font-size:11px}
"""
_NUMBER = re.compile(r"^\d+\. ")
_GANTT_ROW = re.compile(r"^\s+(.*) :(crit, )?[^,]*, (\d+), (\d+)$")


def report_html(reports: list[dict]) -> str:
    title = html.escape(", ".join(dict.fromkeys(r["workflow"] for r in reports)))
    body = "\n".join(_report_body(r) for r in reports)
    return (f"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>wflint report: {title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}\n</body>\n</html>")


def _report_body(report: dict) -> str:
    """One workflow's section of the page; without timings its blueprint gets the stage chart."""
    page = markdown_to_html(report_markdown(report))
    if report["structure"]["timed"] or not report["tasks"]:
        return page
    marker = "<h2>5. Resource-constraint check</h2>"
    return page.replace(marker, stage_svg(report) + "\n" + marker, 1)


def markdown_to_html(md: str) -> str:
    out: list[str] = []
    lines = md.split("\n")
    # One time scale for every chart of the page, so before and after compare at a glance.
    scale = max((int(m.group(4)) for m in map(_GANTT_ROW.match, lines) if m), default=1) or 1
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("```"):
            end = next((j for j in range(i + 1, len(lines)) if lines[j].startswith("```")), len(lines))
            block = lines[i + 1:end]
            out.append(gantt_svg(block, scale) if line == "```mermaid" and block[:1] == ["gantt"]
                       else "<pre>" + html.escape("\n".join(block)) + "</pre>")
            i = end + 1
            continue
        if not line.strip():
            i += 1
            continue
        heading = re.match(r"(#{1,6}) (.*)", line)
        if heading:
            level = len(heading.group(1))
            out.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
            i += 1
            continue
        run = _run(lines, i, line[:1] if line[:1] in "|>" else None, numbered=bool(re.match(r"\d+\. ", line)))
        i += len(run)
        if line.startswith("|"):
            out.append(_table(run))
        elif line.startswith(">"):
            out.append("<blockquote>" + "".join(f"<p>{_inline(r[1:].strip())}</p>" for r in run) + "</blockquote>")
        elif re.match(r"\d+\. ", line):
            out.append("<ol>" + "".join(f"<li>{_inline(_NUMBER.sub('', r))}</li>" for r in run) + "</ol>")
        elif line.startswith("- "):
            out.append("<ul>" + "".join(f"<li>{_inline(r[2:])}</li>" for r in run) + "</ul>")
        else:
            out.append(f"<p>{_inline(' '.join(run))}</p>")
    return "\n".join(out)


def _run(lines: list[str], i: int, lead: str | None, numbered: bool) -> list[str]:
    """The consecutive lines from ``i`` that form one block."""
    first = lines[i]
    run = [first]
    for line in lines[i + 1:]:
        if not line.strip() or line.startswith(("#", "```")):
            break
        if lead and not line.startswith(lead):
            break
        if numbered and not re.match(r"\d+\. ", line):
            break
        if first.startswith("- ") and not line.startswith("- "):
            break
        if not lead and not numbered and not first.startswith("- ") and line[:1] in "|>":
            break
        run.append(line)
    return run


def _cells(row: str) -> list[str]:
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", row.strip())[1:-1]]


def _table(rows: list[str]) -> str:
    head, body = _cells(rows[0]), list(rows[2:])
    out = ["<table><thead><tr>" + "".join(f"<th>{_inline(c)}</th>" for c in head) + "</tr></thead><tbody>"]
    out += ["<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in _cells(r)) + "</tr>" for r in body]
    return "\n".join(out) + "</tbody></table>"


def _inline(text: str) -> str:
    parts = re.split(r"(`[^`]*`)", text)
    out = []
    for part in parts:
        if part.startswith("`") and part.endswith("`") and len(part) > 1:
            out.append(f"<code>{html.escape(part[1:-1])}</code>")
        else:
            plain = part.replace("&lt;", "<").replace("&gt;", ">")  # markdown_safe's entities, escaped once here
            out.append(re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", html.escape(plain)))
    return "".join(out)


LABEL_W, CHART_W, ROW_H, AXIS_H = 260, 560, 22, 28
LEGEND = (("bar", "task"), ("crit", "on the critical path"))


def gantt_svg(block: list[str], end: int = 0) -> str:
    """A Mermaid gantt block (as ``mermaid.gantt`` writes it) drawn as horizontal bars on a time
    axis, each bar labelled with its duration, the critical path in its own colour; ``end`` (ms)
    is the right edge, the block's own last finish when not given."""
    title = next((line.strip()[len("title "):] for line in block if line.strip().startswith("title ")), "")
    rows = [m.groups() for m in map(_GANTT_ROW.match, block) if m]
    end = end or max((int(r[3]) for r in rows), default=1) or 1
    top = 30
    height = top + ROW_H * len(rows) + AXIS_H + 30
    out = [_svg_open(height, title), f'<text x="0" y="16" font-weight="bold">{html.escape(title)}</text>']
    for k, (name, crit, start, finish) in enumerate(rows):
        out.append(_bar(top + k * ROW_H, name, bool(crit), int(start) / 1000, int(finish) / 1000, end / 1000))
    axis_y = top + ROW_H * len(rows) + 4
    out += [_time_axis(axis_y, end / 1000), _legend(axis_y + AXIS_H, LEGEND), "</svg></figure>"]
    return "".join(out)


def _svg_open(height: int, title: str) -> str:
    return (f'<figure><svg xmlns="http://www.w3.org/2000/svg" width="{LABEL_W + CHART_W + 60}" height="{height}" '
            f'role="img" aria-label="{html.escape(title)}">')


def _bar(y: int, name: str, critical: bool, start_s: float, finish_s: float, end_s: float) -> str:
    """One task's row: its name, its bar on the time scale, and its duration written beside it."""
    x = LABEL_W + CHART_W * start_s / end_s
    w = max(1.0, CHART_W * (finish_s - start_s) / end_s)
    seconds = finish_s - start_s
    return (f'<text x="0" y="{y + 14}">{html.escape(_short(name))}</text>'
            f'<rect class="{"crit" if critical else "bar"}" x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{ROW_H - 6}">'
            f'<title>{html.escape(name)}: {fmt_seconds(seconds)} from {fmt_seconds(start_s)}</title></rect>'
            f'<text class="dur" x="{x + w + 4:.1f}" y="{y + 14}">{fmt_seconds(seconds)}</text>')


def _short(name: str, width: int = 34) -> str:
    return name if len(name) <= width else name[:width - 1] + "…"


def _tick_step(end_s: float, most: int = 8) -> float:
    """A round step (1, 2 or 5 times a power of ten, or whole minutes and hours) giving at most
    ``most`` ticks across ``end_s`` seconds."""
    import math

    raw = end_s / most
    for step in (60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 21600, 43200, 86400):
        if raw <= step and step >= 60 and raw > 30:
            return float(step)
    power = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def _time_axis(y: int, end_s: float) -> str:
    """The axis under the bars: a line, a tick and a label at every round step, in seconds."""
    step = _tick_step(end_s)
    out = [f'<line class="axis" x1="{LABEL_W}" y1="{y}" x2="{LABEL_W + CHART_W}" y2="{y}"/>']
    n = 0
    while n * step <= end_s * (1 + 1e-9):
        x = LABEL_W + CHART_W * n * step / end_s
        out.append(f'<line class="tick" x1="{x:.1f}" y1="{y}" x2="{x:.1f}" y2="{y + 5}"/>'
                   f'<text class="ticklabel" x="{x:.1f}" y="{y + 18}" text-anchor="middle">'
                   f'{fmt_seconds(n * step) if n else "0s"}</text>')
        n += 1
    return "".join(out)


def _legend(y: int, keys) -> str:
    """What the colours mean."""
    out, x = [], LABEL_W
    for css, text in keys:
        out.append(f'<rect class="key-{css}" x="{x}" y="{y}" width="14" height="10"/>'
                   f'<text x="{x + 18}" y="{y + 10}">{html.escape(text)}</text>')
        x += 30 + 7 * len(text)
    return '<g class="legend">' + "".join(out) + "</g>"


def stage_svg(report: dict) -> str:
    """Without durations the honest picture is structure: each task in its stage, before and after
    the groups' changes, one column per stage, the same row per task in both charts."""
    shape = report["structure"]
    tasks = sorted(report["tasks"], key=lambda t: (shape["stage_before"][t["id"]], t["id"]))
    depth = max(shape["depth_before"], shape["depth_after"], 1)
    charts = []
    for title, key in ((f"Before ({shape['depth_before']} stage(s))", "stage_before"),
                       (f"After ({shape['depth_after']} stage(s))", "stage_after")):
        top = 30
        height = top + ROW_H * len(tasks) + AXIS_H + 30
        out = [_svg_open(height, title), f'<text x="0" y="16" font-weight="bold">{html.escape(title)}</text>']
        for k, t in enumerate(tasks):
            stage = shape[key][t["id"]]
            out.append(_stage_bar(top + k * ROW_H, t["name"], stage, depth))
        axis_y = top + ROW_H * len(tasks) + 4
        out += [_stage_axis(axis_y, depth), _legend(axis_y + AXIS_H, (("bar", "task, in its stage"),)), "</svg></figure>"]
        charts.append("".join(out))
    return "\n".join(charts)


def _stage_bar(y: int, name: str, stage: int, depth: int) -> str:
    width = CHART_W / depth
    x = LABEL_W + width * (stage - 1)
    return (f'<text x="0" y="{y + 14}">{html.escape(_short(name))}</text>'
            f'<rect class="bar" x="{x + 1:.1f}" y="{y + 3}" width="{width - 2:.1f}" height="{ROW_H - 6}">'
            f'<title>{html.escape(name)}: stage {stage}</title></rect>')


def _stage_axis(y: int, depth: int) -> str:
    width = CHART_W / depth
    every = max(1, depth // 12)
    out = [f'<line class="axis" x1="{LABEL_W}" y1="{y}" x2="{LABEL_W + CHART_W}" y2="{y}"/>']
    for stage in range(1, depth + 1, every):
        x = LABEL_W + width * (stage - 0.5)
        out.append(f'<text class="ticklabel" x="{x:.1f}" y="{y + 18}" text-anchor="middle">stage {stage}</text>')
    return "".join(out)
