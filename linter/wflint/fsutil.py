"""Writing files so that a reader never sees half of one: temp file beside it, then rename."""
from __future__ import annotations

import os

from wflint.records import dataclass


@dataclass(frozen=True)
class TextStyle:
    """How a file's text was stored, so a fix writes it back the same way: a UTF-8 BOM, CRLF line
    endings. Readers see LF only (as Python's universal newlines give them)."""

    bom: bool = False
    newline: str = "\n"
    mixed: bool = False  # both CRLF and LF (or a lone CR): a fix could not keep every line's ending

    def restore(self, text: str) -> str:
        if self.newline != "\n":
            text = text.replace("\n", self.newline)
        return "\ufeff" + text if self.bom else text


def decode_text(raw: bytes) -> tuple[str, TextStyle]:
    """UTF-8 bytes → text with LF endings and no BOM, and the style to restore (UnicodeDecodeError
    for other bytes)."""
    text = raw.decode("utf-8")
    bom = text.startswith("\ufeff")
    if bom:
        text = text[1:]
    crlf = text.count("\r\n")
    lone_cr = text.count("\r") - crlf
    lf = text.count("\n") - crlf
    style = TextStyle(bom, "\r\n" if crlf and not lf else "\n", bool(lone_cr or (crlf and lf)))
    if crlf or lone_cr:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, style


class WriteError(OSError):
    """A file wflint will not or cannot write, in words for one line."""


def write_atomic(path: str, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all: a temp file beside the target, then a rename.
    A symlink stays a link (its target is written), mode and owner are kept, a read-only file is
    refused, and the temp file is removed also when the process is interrupted or terminated."""
    target = os.path.realpath(path)
    folder = os.path.dirname(target)
    existing = os.stat(target) if os.path.exists(target) else None
    if existing is not None and not existing.st_mode & 0o222:
        raise WriteError(f"{path}: read-only; not written")
    import tempfile  # here, not at the top: every run imports this module, few write a file

    try:
        fd, tmp = tempfile.mkstemp(prefix=".wflint-", dir=folder)
    except OSError as exc:
        raise WriteError(f"{path}: cannot write in {folder}: {exc.strerror or exc}") from None
    with _terminate_as_exit():
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
            _keep_mode_and_owner(tmp, existing)
            os.replace(tmp, target)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise


def _keep_mode_and_owner(tmp: str, existing: os.stat_result | None) -> None:
    if existing is None:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        return
    os.chmod(tmp, existing.st_mode & 0o7777)
    try:
        os.chown(tmp, existing.st_uid, existing.st_gid)
    except PermissionError:  # not ours to give away: the file becomes the writer's, as with any editor
        pass


class _terminate_as_exit:
    """While a file is being replaced, SIGTERM raises SystemExit so the temp file is cleaned up."""

    def __enter__(self):
        import signal
        import threading

        self.previous = None
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGTERM, _exit_on_term)
        return self

    def __exit__(self, *exc) -> None:
        import signal

        if self.previous is not None:
            signal.signal(signal.SIGTERM, self.previous)


def _exit_on_term(signum, frame) -> None:
    raise SystemExit(128 + signum)


def check_output_target(path: str, inputs: list[str]) -> None:
    """``--output-file`` writes a report, never over a symlink, a device or a file being checked."""
    if os.path.islink(path):
        raise WriteError(f"{path}: is a symlink; --output-file does not write through links")
    if os.path.exists(path):
        import stat

        if not stat.S_ISREG(os.stat(path).st_mode):
            raise WriteError(f"{path}: not a regular file; --output-file writes only files")
        if any(os.path.exists(p) and os.path.samefile(p, path) for p in inputs if p != "-"):
            raise WriteError(f"{path}: is one of the files being read; choose another --output-file")
