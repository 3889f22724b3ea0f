"""wflint: workflows fast without making them wrong.

The public API (``wflint.api``): ``check_paths``, ``analyze``, ``fix``. It is imported on first
use, so that the command line's start-up does not pay for it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Finding", "FixResult", "ParseError", "UsageError", "__version__", "analyze", "check_paths", "fix"]

if TYPE_CHECKING:
    from .api import FixResult, analyze, check_paths, fix
    from .errors import ParseError, UsageError
    from .finding import Finding


def __getattr__(name: str) -> Any:
    if name in ("FixResult", "analyze", "check_paths", "fix"):
        from . import api

        return getattr(api, name)
    if name in ("ParseError", "UsageError"):
        from . import errors

        return getattr(errors, name)
    if name == "Finding":
        from .finding import Finding

        return Finding
    raise AttributeError(f"module 'wflint' has no attribute {name!r}")
