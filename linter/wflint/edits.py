"""Text edits: what a format's rewriter returns for a fix (DESIGN §9).

A ``TextEdit`` replaces the characters ``[start, end)`` of the text the rewriter was given with
``replacement`` (offsets count characters, not bytes). The fixer applies a fix's edits with
``apply_edits``, and SARIF shows them as its replacements (``regions``), so what is written, what
``--diff`` shows and what a code-scanning dashboard offers are the same edits.

A rewriter that edits in steps, each step placed on the text the previous ones left (a fresh parse
for fresh positions), records them in an ``EditLog``, which keeps them as edits of the original.
"""
from __future__ import annotations

from collections.abc import Iterable

from wflint.records import dataclass

from .errors import RewriteError


@dataclass(frozen=True)
class TextEdit:
    """Replace ``[start, end)`` of the text a rewriter was given; edits are applied together, so they never overlap."""

    start: int
    end: int
    replacement: str

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"a text edit must have 0 <= start <= end, not [{self.start}, {self.end})")

    @property
    def delta(self) -> int:
        """How much longer the text gets."""
        return len(self.replacement) - (self.end - self.start)


def ordered(text: str, edits: Iterable[TextEdit]) -> list[TextEdit]:
    """The edits by position; ``RewriteError`` if two overlap or one lies outside ``text``.

    Edits may touch (one ends where the next starts); insertions at one offset keep their order."""
    result = sorted(edits, key=lambda e: (e.start, e.end))  # stable: equal insertions keep their order
    for edit in result:
        if edit.end > len(text):
            raise RewriteError(f"an edit ends at {edit.end}, past the end of the text ({len(text)})")
    for a, b in zip(result, result[1:]):
        if b.start < a.end:
            raise RewriteError("two edits touch the same text")
    return result


def apply_edits(text: str, edits: Iterable[TextEdit]) -> str:
    """``text`` with every edit made (each edit's offsets are into ``text``, not into the result)."""
    parts, at = [], 0
    for edit in ordered(text, edits):
        parts += [text[at:edit.start], edit.replacement]
        at = edit.end
    parts.append(text[at:])
    return "".join(parts)


class EditLog:
    """Edits made one step after another, each on the text as the earlier steps left it (``text``),
    kept as edits of the original (``edits``): non-overlapping, by position. Edits that meet or
    overlap an earlier one are merged with it into one."""

    def __init__(self, text: str) -> None:
        self.original = text
        self.text = text
        self._edits: list[TextEdit] = []  # against ``original``, by position

    @property
    def edits(self) -> list[TextEdit]:
        return list(self._edits)

    def apply(self, *edits: TextEdit) -> str:
        """Make ``edits`` (offsets into the current ``text``, not overlapping each other); the new text."""
        for edit in reversed(ordered(self.text, edits)):  # from the end: earlier offsets stay valid
            if edit.start != edit.end or edit.replacement:
                self._record(edit)
        return self.text

    def _record(self, edit: TextEdit) -> None:
        text = self.text
        before: list[TextEdit] = []  # recorded edits wholly left of ``edit``
        met: list[TextEdit] = []  # those it overlaps or touches: merged with it
        after: list[TextEdit] = []
        running = shift = 0  # current offset - original offset: left of each edit; left of ``met``
        for old in self._edits:
            start = old.start + running  # where ``old`` sits in the current text
            end = start + len(old.replacement)
            if end < edit.start:
                before.append(old)
                shift = running + old.delta
            elif start > edit.end:
                after.append(old)
            else:
                met.append(old)
            running += old.delta
        if not met:
            merged = TextEdit(edit.start - shift, edit.end - shift, edit.replacement)
        else:
            met_delta = sum(old.delta for old in met)
            lo = min(edit.start, met[0].start + shift)
            hi = max(edit.end, met[-1].end + shift + met_delta)  # the last met edit's end, in the current text
            merged = TextEdit(lo - shift, hi - shift - met_delta, text[lo:edit.start] + edit.replacement + text[edit.end:hi])
        self._edits = [*before, merged, *after]
        self.text = text[:edit.start] + edit.replacement + text[edit.end:]


def line_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of ``offset``."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def regions(text: str, edits: Iterable[TextEdit]) -> list[dict]:
    """Each edit as the region of ``text`` it replaces (1-based lines and columns) and its new text."""
    out = []
    for edit in ordered(text, edits):
        (sl, sc), (el, ec) = line_column(text, edit.start), line_column(text, edit.end)
        out.append({"start_line": sl, "start_column": sc, "end_line": el, "end_column": ec,
                    "text": edit.replacement})
    return out
