"""Pictures worth looking at (issue 18 items 6 and 7): the HTML charts (axis, durations, legend,
critical path on both charts, one row order, a stage chart without timings, every workflow of a
file), Mermaid that survives any id or name, one trace document per file, ``graph --timings``, a
Markdown report that fits a GitHub step summary, and the page as headless Chromium draws it."""
from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from conftest import FIXTURES, SEED, run
from test_report_html import outline

from wflint.render.markdown import MAX_ROWS, fit_summary

# Two DAGs in one file: a chain with a fan-out, and a single task.
TWO_DAGS = '''from airflow import DAG
from airflow.operators.bash import BashOperator
from pendulum import datetime

with DAG("nightly", start_date=datetime(2026, 1, 1), schedule=None):
    get = BashOperator(task_id="get", bash_command="curl -o /tmp/a https://example.com/a")
    end = BashOperator(task_id="end", bash_command="echo done")
    get >> end

with DAG("weekly", start_date=datetime(2026, 1, 1), schedule=None):
    BashOperator(task_id="only", bash_command="echo weekly")
'''

# A GitHub workflow whose job ids are Mermaid keywords and whose names hold ':' '#' ';' and quotes.
KEYWORDS = """name: keywords
on: push
jobs:
  end:
    name: 'build: step #1; "quoted"'
    runs-on: ubuntu-latest
    steps:
      - run: make
  class:
    name: 'test #2: all'
    needs: end
    runs-on: ubuntu-latest
    steps:
      - run: make test
"""


def test_html_chart_has_axis_durations_legend_and_both_critical_paths():
    page = run("report", SEED, "--format", "html").stdout
    doc = outline(page)
    labels = [a for tag, a in doc.attrs if tag == "text" and a.get("class") == "ticklabel"]
    assert len(labels) >= 8  # 0s … 8s on each chart
    text = "".join(doc.text)
    for tick in ("0s", "2s", "4s", "6s", "8s"):
        assert tick in text
    assert text.count("on the critical path") == 2  # one legend per chart
    durations = [a for tag, a in doc.attrs if tag == "text" and a.get("class") == "dur"]
    assert len(durations) == 10
    bars = [a for tag, a in doc.attrs if tag == "rect" and a["class"] in ("bar", "crit")]
    before, after = bars[:5], bars[5:]
    assert [b["class"] for b in before] == ["crit"] * 5  # one at a time: every task is on the path
    assert [b["class"] for b in after] == ["bar", "crit", "crit", "crit", "bar"]
    # the same row per task before and after: the rows sit at the same heights in the same order
    assert [b["y"] for b in before] == [b["y"] for b in after]
    names = [re.sub(r"<[^>]+>", "", t) for t in re.findall(r'<text x="0" y="\d+">([^<]*)</text>', page)]
    assert names[:5] == names[5:10] == ["Fetch customer data from CRM", "Fetch support tickets from Zendesk",
                                        "Calculate customer health score", "Send summary email", "Update analytics dashboard"]


def test_html_lists_the_findings_and_renders_every_workflow(write):
    page = run("report", write("two.py", TWO_DAGS), "--format", "html").stdout
    doc = outline(page)
    assert doc.seen.count("h1") == 2 and "Workflow analysis: nightly" in page and "Workflow analysis: weekly" in page
    assert page.count("Findings of <code>wflint check</code>") == 2
    seed = run("report", SEED, "--format", "html").stdout
    assert seed.count("<td>PAR001</td>") == 2


def test_html_without_timings_draws_stages(write):
    page = run("report", write("ci.yml", KEYWORDS), "--format", "html").stdout
    doc = outline(page)
    stage_labels = [a for tag, a in doc.attrs if tag == "text" and a.get("class") == "ticklabel"]
    assert doc.seen.count("svg") == 2 and len(stage_labels) == 4  # stage 1, 2 before; stage 1, 2 after
    assert "Before (2 stage(s))" in page and "After (1 stage(s))" in page


def test_mermaid_never_breaks_on_keywords_or_punctuation(write):
    flow = run("graph", write("ci.yml", KEYWORDS)).stdout
    ids = re.findall(r"^    (\w+)\[", flow, re.M)
    assert ids == ["t_end", "t_class"]
    assert '"build: step #35;1; #quot;quoted#quot;"' in flow and '"test #35;2: all"' in flow
    assert "    t_end -.-> t_class" in flow
    timed = write("timings.json", json.dumps({"end": 30, "class": 20}))
    markdown = run("report", write("ci2.yml", KEYWORDS), "--timings", timed).stdout
    rows = re.findall(r"^    (.*) :(?:crit, )?(\w+), \d+, \d+$", markdown, re.M)
    assert ("build  step  1, \"quoted\"", "t_end") in rows and ("test  2  all", "t_class") in rows


def test_trace_is_one_json_document_for_several_workflows(write):
    out = run("graph", write("two.py", TWO_DAGS), "--format", "trace").stdout
    events = json.loads(out)["traceEvents"]
    names = [e["args"]["name"] for e in events if e["ph"] == "M"]
    assert names == ["nightly: as designed", "nightly: after the recommended changes",
                     "weekly: as designed", "weekly: after the recommended changes"]
    assert {e["pid"] for e in events} == {1, 2, 3, 4}


def test_graph_takes_timings():
    ci, jobs = FIXTURES / "timings" / "ci.yml", FIXTURES / "timings" / "gh_jobs.json"
    result = run("graph", ci, "--format", "trace", "--timings", jobs)
    assert result.exit_code == 0
    build = next(e for e in json.loads(result.stdout)["traceEvents"] if e["ph"] == "X" and e["args"]["id"] == "build")
    assert build["dur"] == 240_000_000 and build["args"]["duration_source"] == "measured"
    assert "release" in result.stderr  # the unmatched job is said, as report says it


def test_markdown_report_fits_a_step_summary():
    small = "# a\n\nshort\n"
    assert fit_summary(small) == small
    big = "# big\n\n```mermaid\ngantt\n" + "".join(f"    task {i} :t{i}, 0, 1000\n" for i in range(80_000))
    cut = fit_summary(big)
    assert len(cut.encode()) <= 1024 * 1024 < len(big.encode())
    assert "**Truncated**" in cut and cut.count("```") % 2 == 0
    assert fit_summary("é" * 600_000, limit=1000).encode().decode()  # never cuts inside a character


def test_a_big_reports_markdown_keeps_every_section_and_says_what_it_left_out(write):
    """Each table or list shows its first MAX_ROWS rows and counts the rest: whole, this page was all
    section 1 and was cut at the step-summary limit before sections 3-6."""
    pad = "x" * 200
    tasks = "".join(f"  t{i}: {{title: 'Task {i} {pad}', duration: 1s}}\n" for i in range(3000))
    page = run("report", write("big.wflint.yaml", "name: big\ncurrent: sequential\ntasks:\n" + tasks)).stdout
    assert len(page.encode()) <= 1024 * 1024 and "**Truncated**" not in page
    assert all(f"## {n}. " in page for n in range(1, 7))
    assert f"… and {3000 - MAX_ROWS} more tasks: `wflint report --format json` (or html) has them all." in page
    assert page.count("(`t") == MAX_ROWS  # section 1's rows, one per task shown



def test_a_chart_past_mermaids_text_limit_is_not_drawn_but_pointed_to_the_trace(write):
    """Mermaid draws an error instead of a diagram past 50,000 characters: past that, or past
    1,000 rows, the report says where the schedules are instead of writing a chart nobody sees."""
    def report(n: int, pad: str) -> str:
        tasks = "".join(f"  t{i}: {{title: 'Task {i} {pad}', duration: 1s}}\n" for i in range(n))
        return run("report", write(f"w{n}.wflint.yaml", "name: w\ncurrent: sequential\ntasks:\n" + tasks)).stdout

    many, long_names, small = report(1200, ""), report(300, "y" * 200), report(300, "")
    for page in (many, long_names):
        assert "```mermaid" not in page and "not drawn" in page and "--format trace" in page
    charts = re.findall(r"```mermaid\n(gantt\n.*?)```", small, re.S)
    assert len(charts) == 2 and all(len(c) <= 50_000 for c in charts) and "not drawn" not in small

# ---------------------------------------------------------------- in a real browser

def chromium() -> str:
    """Debian's chromium: installed with apt-get when CI (root, fresh machine) lacks it, else skipped."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if not (os.environ.get("CI") and shutil.which("apt-get") and os.geteuid() == 0):
        pytest.skip("chromium not installed (apt-get install chromium; CI=true as root installs it)")
    for step in (["apt-get", "update"], ["apt-get", "install", "-y", "--no-install-recommends", "chromium"]):
        proc = subprocess.run(step, capture_output=True, text=True, timeout=900,
                              env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        if proc.returncode != 0:
            pytest.fail(f"{' '.join(step)} failed:\n{proc.stderr[-2000:]}")
    return shutil.which("chromium") or pytest.fail("apt-get installed chromium, but it is not on PATH")


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and rows of RGB(A) bytes of an 8-bit, non-interlaced PNG (what Chromium writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        header = body if kind == b"IHDR" else header
        idat += body if kind == b"IDAT" else b""
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour in (2, 6)
    bpp = 3 if colour == 2 else 4
    raw, stride, rows, prev = zlib.decompress(idat), width * bpp, [], bytearray(width * bpp)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            line[i] = (line[i] + (0, a, b, (a + b) // 2, _paeth(a, b, c))[kind]) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, height, [b"".join(r[i:i + 3] for i in range(0, stride, bpp)) for r in rows]


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c


def _rows_with(rows: list[bytes], rgb: bytes) -> list[int]:
    """Rows of the picture holding at least ten pixels of exactly this colour (a bar, not a fringe)."""
    out = []
    for y, row in enumerate(rows):
        hits = sum(1 for i in range(0, len(row), 3) if row[i:i + 3] == rgb)
        if hits >= 10:
            out.append(y)
    return out


def test_chromium_draws_the_report(tmp_path):
    browser = chromium()
    page, png = tmp_path / "report.html", tmp_path / "report.png"
    page.write_text(run("report", SEED, "--format", "html").stdout, encoding="utf-8")
    args = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1100,2600"]
    proc = subprocess.run([*args, f"--screenshot={png}", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and png.exists(), proc.stderr[-2000:]
    dom = subprocess.run([*args, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120).stdout
    assert dom.count("<svg") == 2 and "Total time saved: 3s (33.3% faster)" in dom
    width, height, rows = png_pixels(png.read_bytes())
    assert (width, height) == (1100, 2600)
    red, blue = _rows_with(rows, bytes.fromhex("cf222e")), _rows_with(rows, bytes.fromhex("54aeff"))
    # five red rows of bars before, three after (fetch tickets, score, email), plus the legend keys;
    # blue only after (CRM and dashboard off the path) and in the legend keys
    assert red and blue and min(red) < min(blue)
    assert len({y // 22 for y in red}) >= 8 and len({y // 22 for y in blue}) >= 3


def test_check_summary_fits_too():
    from wflint.render.markdown import check_summary

    class Many:  # a finding's fields the summary reads
        def __init__(self, i: int) -> None:
            self.severity, self.saved_s, self.path, self.line = _Sev(), 0.0, "ci.yml", i
            self.code, self.message = "SAF310", "x" * 10_000

    page = check_summary([Many(i) for i in range(150)], 1)
    assert len(page.encode()) <= 1024 * 1024 and "every finding is in the annotations" in page


class _Sev:
    value = "warning"


# ---------------------------------------------------------------- Mermaid's own parser

MERMAID_PREFIX = Path(os.environ.get("WFLINT_MERMAID_PREFIX") or Path(__file__).parent.parent / ".cache" / "mermaid")
MERMAID_JS = MERMAID_PREFIX / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"
PARSE_PAGE = """<!DOCTYPE html><html><body><pre id="out">pending</pre><script src="%s"></script><script>
const docs = %s; mermaid.initialize({startOnLoad: false});
(async () => { const bad = []; for (const [name, d] of docs) {
  try { await mermaid.parse(d); } catch (e) { bad.push(name + ": " + String(e).slice(0, 300)); } }
  document.getElementById("out").textContent = "DONE " + docs.length + " bad " + bad.length + "\\n" + bad.join("\\n"); })();
</script></body></html>"""


def mermaid_js() -> Path:
    """mermaid@11 from npm into .cache when CI asks for it (as the n8n oracle installs n8n); else skipped."""
    if MERMAID_JS.exists():
        return MERMAID_JS
    if not (os.environ.get("CI") and shutil.which("npm")):
        pytest.skip(f"mermaid@11 not installed at {MERMAID_PREFIX} (set WFLINT_MERMAID_PREFIX, or CI=true to install it)")
    MERMAID_PREFIX.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(["npm", "install", "mermaid@11", "--no-audit", "--no-fund", "--loglevel=error"],
                          cwd=MERMAID_PREFIX, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0 or not MERMAID_JS.exists():
        pytest.fail(f"installing mermaid@11 failed:\n{proc.stderr[-2000:]}")
    return MERMAID_JS


def _mermaid_blocks(text: str) -> list[str]:
    blocks = re.findall(r"```mermaid\n(.*?)```", text, re.S)
    return blocks or [b for b in text.strip().split("\n\n") if b.startswith("flowchart")]


def test_mermaid_parses_what_wflint_draws(write, tmp_path):
    browser, script = chromium(), mermaid_js()
    hostile = write("ci.yml", KEYWORDS)
    timings = write("t.json", json.dumps({"end": 30, "class": 20}))
    docs = []
    for name, args in (("flowchart", ["graph", hostile]), ("relaxed", ["graph", hostile, "--relaxed"]),
                       ("gantt", ["report", hostile, "--timings", timings]), ("seed", ["report", SEED]),
                       ("two DAGs", ["graph", write("two.py", TWO_DAGS)])):
        docs += [(name, block) for block in _mermaid_blocks(run(*args).stdout)]
    docs.append(("must fail", 'flowchart LR\n    end["x"]\n    a --> end'))  # the oracle can say no
    page = tmp_path / "parse.html"
    page.write_text(PARSE_PAGE % (script.as_uri(), json.dumps(docs)), encoding="utf-8")
    dom = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--allow-file-access-from-files",
                          "--virtual-time-budget=20000", "--dump-dom", page.as_uri()],
                         capture_output=True, text=True, timeout=120).stdout
    verdict = re.search(r'<pre id="out">(.*?)</pre>', dom, re.S)
    assert verdict, dom[-2000:]
    lines = verdict.group(1).split("\n")
    assert lines[0] == f"DONE {len(docs)} bad 1", verdict.group(1)
    assert lines[1].startswith("must fail:")
