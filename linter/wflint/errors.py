"""The two ways wflint refuses input: a usage error (exit 2) and a file it cannot read (WFL001)."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .finding import Finding
    from .rule import RuleInfo


class UsageError(Exception):
    """Bad command line, missing path, unknown format, invalid config: exit 2."""


class NotAWorkflow(UsageError):
    """A file named on the command line that is of no format wflint reads. ``check`` passes over it
    with a notice when other files were read, and fails with exit 2 only when none was."""


class ParseError(Exception):
    """A file that cannot be read as its format; reported as a WFL001 finding, never a traceback."""

    def __init__(self, path: str, reason: str, line: int = 1, column: int = 1) -> None:
        reason = " ".join(reason.split())  # one line, whatever the parser said
        super().__init__(reason)
        self.path = path
        self.reason = reason
        self.line = max(1, line)
        self.column = max(1, column)

    def __reduce__(self):  # a worker process sends it back (pool.py)
        return type(self), (self.path, self.reason, self.line, self.column)

    def one_line(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.reason}"

    def finding(self, info: RuleInfo) -> Finding:
        """The WFL001 finding for this error (``info``: that rule's registry entry)."""
        from .finding import Finding

        return Finding(code=info.code, name=info.name, severity=info.severity, message=self.reason,
                       path=self.path, line=self.line, column=self.column)


class NothingRead(Exception):
    """A file of a known format in which no workflow could be read statically (WFL003, info): not an
    error in the file, but never "all checks passed" either."""

    def __init__(self, path: str, reason: str, line: int = 1) -> None:
        super().__init__(reason)
        self.path, self.reason, self.line = path, reason, max(1, line)

    def __reduce__(self):
        return type(self), (self.path, self.reason, self.line)

    def finding(self, info: RuleInfo) -> Finding:
        from .finding import Finding

        return Finding(code=info.code, name=info.name, severity=info.severity, message=self.reason,
                       path=self.path, line=self.line, column=1)


class RewriteError(Exception):
    """An adapter cannot turn an IR-level change into a text edit; the fix is skipped, not written.

    ``reason`` says why; ``by_hand`` is the change the author could make instead, which the fixer
    shows only for a fix wflint judged safe (never an edit it could not prove harmless)."""

    def __init__(self, reason: str, by_hand: str = "") -> None:
        super().__init__(f"{reason}; {by_hand}" if by_hand else reason)
        self.reason, self.by_hand = reason, by_hand

    def __reduce__(self):
        return type(self), (self.reason, self.by_hand)
