"""The report as one self-contained HTML page: no script, no network, charts drawn as inline SVG.

The words are the Markdown report's (one place says what a report says); this module only
presents them. It reads the small Markdown subset that ``markdown.py`` writes (headings, quotes,
tables, lists, paragraphs, ``**bold**`` and ``code``) and draws each Mermaid gantt block as an SVG
bar chart, so the page reads the same in a browser with no Mermaid and no internet.
"""
from __future__ import annotations

import html
import re

from .markdown import report_markdown

STYLE = """
body{font:15px/1.5 system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#1f2328}
table{border-collapse:collapse;margin:.5rem 0 1rem}
th,td{border:1px solid #d0d7de;padding:.3rem .6rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}code{background:#f6f8fa;padding:0 .25rem;border-radius:3px}
blockquote{margin:.5rem 0;padding:.2rem 1rem;border-left:4px solid #d0d7de;color:#57606a}
svg text{font:12px system-ui,sans-serif}.bar{fill:#54aeff}.crit{fill:#cf222e}
"""
_NUMBER = re.compile(r"^\d+\. ")
_GANTT_ROW = re.compile(r"^\s+(.*) :(crit, )?[^,]*, (\d+), (\d+)$")


def report_html(reports: list[dict]) -> str:
    title = html.escape(", ".join(r["workflow"] for r in reports))
    body = "\n".join(markdown_to_html(report_markdown(r)) for r in reports)
    return (f"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>wflint report: {title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}\n</body>\n</html>")


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


def gantt_svg(block: list[str], end: int = 0) -> str:
    """A Mermaid gantt block (as ``mermaid.gantt`` writes it) drawn as horizontal bars; ``end`` (ms)
    is the right edge, the block's own last finish when not given."""
    title = next((line.strip()[len("title "):] for line in block if line.strip().startswith("title ")), "")
    rows = [m.groups() for m in map(_GANTT_ROW.match, block) if m]
    label_w, chart_w, row_h = 260, 560, 22
    end = end or max((int(r[3]) for r in rows), default=1) or 1
    height = 30 + row_h * len(rows) + 10
    out = [f'<figure><svg xmlns="http://www.w3.org/2000/svg" width="{label_w + chart_w + 20}" height="{height}" '
           f'role="img" aria-label="{html.escape(title)}">',
           f'<text x="0" y="16" font-weight="bold">{html.escape(title)}</text>']
    for k, (name, crit, start, finish) in enumerate(rows):
        y = 30 + k * row_h
        x = label_w + chart_w * int(start) / end
        w = max(1.0, chart_w * (int(finish) - int(start)) / end)
        seconds = (int(finish) - int(start)) / 1000
        out.append(f'<text x="0" y="{y + 14}">{html.escape(name[:40])}</text>'
                   f'<rect class="{"crit" if crit else "bar"}" x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}">'
                   f'<title>{html.escape(name)}: {seconds:g}s from {int(start) / 1000:g}s</title></rect>')
    out.append("</svg></figure>")
    return "".join(out)
