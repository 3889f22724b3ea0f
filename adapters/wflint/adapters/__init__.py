"""Format adapters: each turns one kind of file into IR workflows (docs/architecture.md).

Each adapter package exposes ``FORMAT`` (its name), ``sniff(path, text) -> bool`` (cheap, no heavy
imports) and ``read(path, text) -> list[Workflow]`` (raises ``ParseError``); optionally
``why_not(path, text) -> str``, the reason a file that looks like its format is not one. They
are imported only when a file needs them.
"""
from __future__ import annotations

import importlib
from types import ModuleType

# Order matters: the first adapter whose sniff accepts a file reads it.
ADAPTERS = ("wflint.adapters.spec", "wflint.adapters.n8n", "wflint.adapters.airflow", "wflint.adapters.gha")


def adapter_modules() -> list[ModuleType]:
    return [importlib.import_module(name) for name in ADAPTERS]


def by_format(name: str) -> ModuleType | None:
    return next((m for m in adapter_modules() if m.FORMAT == name), None)


def format_names() -> list[str]:
    return [m.FORMAT for m in adapter_modules()]


def sniff(path: str, text: str) -> ModuleType | None:
    return next((m for m in adapter_modules() if m.sniff(path, text)), None)


def why_not(path: str, text: str) -> str:
    """Why no adapter reads a file that looks like one of their formats (an adapter's
    ``why_not``, where it has one), in words for the end of one line; "" when none says."""
    for module in adapter_modules():
        explain = getattr(module, "why_not", None)
        reason = explain(path, text) if explain is not None else ""
        if reason:
            return reason
    return ""


def preload(paths: list[str]) -> None:
    """Before worker processes fork: import the readers these files will likely need, so that each
    worker inherits them instead of importing them again (an adapter's ``preload``, where it has one)."""
    for name in ADAPTERS:
        module = importlib.import_module(name)
        warm = getattr(module, "preload", None)
        if warm is not None:
            warm(paths)
