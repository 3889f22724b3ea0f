"""``report --format html``: one self-contained page, the Markdown report's words, charts as SVG."""
from __future__ import annotations

from html.parser import HTMLParser

from conftest import FIXTURES, run

SEED = FIXTURES / "examples" / "customer-health.wflint.yaml"
VOID = {"meta", "br", "img", "input", "link", "hr"}


class Outline(HTMLParser):
    """Tags in document order, checking that every element closes where it should."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.seen: list[str] = []
        self.text: list[str] = []
        self.attrs: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.seen.append(tag)
        self.attrs.append((tag, dict(attrs)))
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag):
        assert self.open and self.open[-1] == tag, f"</{tag}> closes <{self.open[-1] if self.open else None}>"
        self.open.pop()

    def handle_data(self, data):
        self.text.append(data)


def outline(page: str) -> Outline:
    parser = Outline()
    parser.feed(page)
    parser.close()
    assert parser.open == []
    return parser


def test_seed_report_as_html():
    page = run("report", SEED, "--format", "html").stdout
    doc = outline(page)
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page
    assert not [a for _, a in doc.attrs if "src" in a or "href" in a]  # nothing fetched: works offline
    assert doc.seen.count("h2") == 6 and doc.seen.count("svg") == 2 and doc.seen.count("table") >= 3
    text = "".join(doc.text)
    assert "Total time saved: 3s (33.3% faster)" in text
    bars = [a for tag, a in doc.attrs if tag == "rect" and a["class"] in ("bar", "crit")]  # not the legend's keys
    assert len(bars) == 10  # five tasks, before and after
    # one time scale: the 9 s run spans the chart; the 6 s plan ends two thirds of the way
    right = [float(a["x"]) + float(a["width"]) for a in bars]
    assert max(right[:5]) == 820.0 and round(max(right[5:]), 1) == round(260 + 560 * 6 / 9, 1)
    assert {a["class"] for a in bars[5:]} == {"bar", "crit"}


def test_names_are_escaped(write):
    path = write("x.wflint.yaml", "name: '<b>x</b>'\ncurrent: sequential\ntasks:\n"
                 "  a: {title: '<script>alert(1)</script>', duration: 1s}\n  b: {title: 'b & c', duration: 2s}\n")
    page = run("report", path, "--format", "html").stdout
    outline(page)
    assert "<script" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "b &amp; c" in page


def test_every_fixture_report_is_a_well_formed_page():
    pages = 0
    for path in sorted((FIXTURES / "rules").glob("*/*")):
        result = run("report", path, "--format", "html")
        if result.exit_code != 0:  # unreadable fixtures (WFL001) have no report
            continue
        doc = outline(result.stdout)
        assert doc.seen.count("h1") >= 1 and doc.seen.count("h2") == 6 * doc.seen.count("h1"), path
        pages += 1
    assert pages >= 40
