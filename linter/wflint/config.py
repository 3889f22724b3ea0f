"""Project configuration: ``[tool.wflint]`` in ``pyproject.toml`` or a ``wflint.toml`` (docs/architecture.md).

Found by walking up from each checked file (the nearest wins; ``wflint.toml`` before
``pyproject.toml`` in one folder, and a ``pyproject.toml`` without ``[tool.wflint]`` is passed
over). The contract is ``schemas/config.schema.json``; the checks here are the schema's, done
directly so that a run costs no jsonschema import, with messages naming the file, key and reason.
"""
from __future__ import annotations

import fnmatch
import functools
import os
import sys
from collections.abc import Callable
from dataclasses import field
from typing import NoReturn

from wflint.records import dataclass

from .analysis.durations import parse_duration, parse_limit
from .errors import UsageError
from .ir import ApiLimit, Duration, DurationSource, Effect, Mode, PoolLimit, Workflow

KEYS = {"select", "ignore", "extend-select", "per-file-ignores", "fail-on", "durations", "limits", "effects",
        "exclude", "extend-exclude", "force-exclude"}
LIMIT_KEYS = {"apis", "pools", "concurrency"}
EFFECT_KEYS = {"reads", "writes", "independent", "sequential"}
FAIL_ON = ("error", "warning", "info", "never")
Fail = Callable[[str, str], NoReturn]  # raises UsageError naming the file, the key and the reason


@dataclass
class Config:
    """One project's settings, read from the nearest config file (or the defaults); ``matched`` records which
    entries were used."""

    path: str | None = None  # None: defaults, no file found
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    exclude: tuple[str, ...] = ()  # gitignore-style patterns, relative to the config's folder
    force_exclude: bool = False  # also for files named on the command line (as pre-commit names them)
    fail_on: str | None = None
    durations: dict[str, float] = field(default_factory=dict)
    apis: dict[str, tuple[float, str, float]] = field(default_factory=dict)  # rate, as written, burst
    pools: dict[str, int] = field(default_factory=dict)
    concurrency: int | None = None
    effects: dict[str, dict] = field(default_factory=dict)
    # durations/effects keys that named a task or kind of some workflow read (``unused_entries``)
    matched: set[str] = field(default_factory=set, compare=False, repr=False)

    @property
    def root(self) -> str:
        return os.path.dirname(self.path) if self.path else os.getcwd()

    def ignored_for(self, path: str) -> tuple[str, ...]:
        """Codes ``per-file-ignores`` turns off for ``path`` (gitignore-style globs, relative to the
        config's folder: ``dags/**/legacy_*.py``, ``*.json``)."""
        relative = self.relative(path)
        out: list[str] = []
        for pattern, codes in self.per_file_ignores.items():
            if _matches((pattern,), relative) or fnmatch.fnmatch(os.path.basename(path), pattern):
                out.extend(codes)
        return tuple(out)

    def excludes(self, path: str, named: bool) -> bool:
        """Is ``path`` left out by ``exclude``/``extend-exclude``? A file named on the command line
        only with ``force-exclude`` (as ruff does: a hook names every staged file)."""
        if not self.exclude or (named and not self.force_exclude):
            return False
        return _matches(self.exclude, self.relative(path))

    def relative(self, path: str) -> str:
        return os.path.relpath(os.path.abspath(path), self.root).replace(os.sep, "/")

    def apply(self, workflow: Workflow) -> None:
        """Durations, limits and effect overrides from the config, onto a freshly read workflow."""
        for task in workflow.tasks.values():
            self.matched.update(k for k in (task.id, task.kind) if k in self.durations or k in self.effects)
            seconds = self.durations.get(task.id, self.durations.get(task.kind))
            if seconds is not None and task.duration.source is not DurationSource.MEASURED:
                task.duration = Duration(seconds, DurationSource.CONFIGURED)
            override = self.effects.get(task.id)
            if override:
                task.effects.extend(Effect(r, Mode.READ) for r in override.get("reads", ()))
                task.effects.extend(Effect(r, Mode.WRITE) for r in override.get("writes", ()))
                if override.get("reads") or override.get("writes") or override.get("independent"):
                    task.opaque = False
                if override.get("sequential"):
                    task.opaque = True  # keep it where it is: ordered against everything
        for name, (rate, text, burst) in self.apis.items():
            workflow.limits.apis[name] = ApiLimit(name, rate, text, burst=burst)
        for name, size in self.pools.items():
            workflow.limits.pools[name] = PoolLimit(name, size)
        if self.concurrency is not None:
            workflow.limits.concurrency = self.concurrency
            workflow.limits.concurrency_source = f"limits.concurrency in {self.path}"


def unused_entries(config: Config) -> list[str]:
    """``durations``/``effects`` entries that named no task id or kind of the workflows read: most
    often a typo or a renamed task, which would otherwise be ignored without a word."""
    return [f"durations.{k}" for k in config.durations if k not in config.matched] + \
        [f"effects.{k}" for k in config.effects if k not in config.matched]


_CACHE: dict[str, Config] = {}  # folder → its governing config, for one invocation (``forget_configs``)


def forget_configs() -> None:
    """Drop what earlier lookups found: each command reads the configuration as it is now."""
    _CACHE.clear()


def find_config(path: str, explicit: str | None = None) -> Config:
    """The configuration that governs ``path``: ``explicit`` if given, else the nearest file up."""
    if explicit:
        return load_config(explicit)
    folder = os.path.dirname(os.path.abspath(path)) if path != "-" else os.getcwd()
    visited = []
    while True:
        if folder in _CACHE:
            found = _CACHE[folder]
            break
        visited.append(folder)
        here = _config_in(folder)
        if here is not None:
            found = here
            break
        parent = os.path.dirname(folder)
        if parent == folder:
            found = Config()
            break
        folder = parent
    for f in visited:
        _CACHE[f] = found
    return found


def _config_in(folder: str) -> Config | None:
    candidate = os.path.join(folder, "wflint.toml")
    if os.path.isfile(candidate):
        return load_config(candidate)
    candidate = os.path.join(folder, "pyproject.toml")
    if os.path.isfile(candidate) and _mentions_wflint(candidate):
        table = _read_toml(candidate).get("tool", {}).get("wflint")
        if table is not None:
            return _parse(candidate, table, prefix="tool.wflint.")
    return None


def load_config(path: str) -> Config:
    if not os.path.isfile(path):
        raise UsageError(f"{path}: no such config file")
    data = _read_toml(path)
    if os.path.basename(path) == "pyproject.toml":
        return _parse(path, data.get("tool", {}).get("wflint", {}), prefix="tool.wflint.")
    return _parse(path, data, prefix="")


MAX_CONFIG_BYTES = 4 * 1024 * 1024


def _mentions_wflint(path: str) -> bool:
    """A ``pyproject.toml`` that never says "wflint" is another tool's: passed over unread, so that
    a broken one above a checked file does not stop wflint."""
    try:
        with open(path, "rb") as handle:
            return b"wflint" in handle.read(MAX_CONFIG_BYTES)
    except OSError:
        return False


def _read_toml(path: str) -> dict:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # Python 3.10
        import tomli as tomllib
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_CONFIG_BYTES + 1)
        if len(raw) > MAX_CONFIG_BYTES:
            raise UsageError(f"{path}: invalid config: larger than {MAX_CONFIG_BYTES // (1024 * 1024)} MiB")
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: invalid config: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{path}: invalid config: {exc}") from None


def _parse(path: str, table: dict, prefix: str) -> Config:
    """A config table checked key by key (the schema's rules, in a fixed order) into a ``Config``."""
    def fail(key: str, reason: str) -> NoReturn:
        raise UsageError(f"{path}: invalid config: {prefix}{key}: {reason}")

    if not isinstance(table, dict):
        fail("", "expected a table")
    _known_keys(table, KEYS, "", fail)
    config = Config(path=path)
    _parse_rule_selection(config, table, fail)
    _parse_fail_on(config, table, fail)
    _parse_per_file_ignores(config, table, fail)
    _parse_exclude(config, table, fail)
    _parse_durations(config, table, fail)
    _parse_limits(config, _table(table, "limits", fail), fail)
    _parse_effects(config, table, fail)
    return config


def _known_keys(table: dict, allowed: set[str], where: str, fail: Fail) -> None:
    """A misspelt key would otherwise be ignored silently: name it, with the keys that are allowed."""
    for key in table:
        if key not in allowed:
            fail(f"{where}{key}", f"unknown key (allowed: {', '.join(sorted(allowed))})")


def _codes(value, key: str, fail: Fail) -> tuple[str, ...]:
    """A list of rule codes, upper-cased so that ``par001`` selects PAR001."""
    if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
        fail(key, "expected a list of rule codes")
    return tuple(c.upper() for c in value)


def _parse_rule_selection(config: Config, table: dict, fail: Fail) -> None:
    """``select``, ``ignore`` and ``extend-select``: which rules run."""
    if "select" in table:
        config.select = _codes(table["select"], "select", fail)
    if "ignore" in table:
        config.ignore = _codes(table["ignore"], "ignore", fail)
    if "extend-select" in table:
        config.extend_select = _codes(table["extend-select"], "extend-select", fail)


def _parse_fail_on(config: Config, table: dict, fail: Fail) -> None:
    """``fail-on``: the lowest severity that makes ``wflint check`` exit non-zero."""
    if "fail-on" in table:
        if table["fail-on"] not in FAIL_ON:
            fail("fail-on", f"expected one of {', '.join(FAIL_ON)}, got {table['fail-on']!r}")
        config.fail_on = table["fail-on"]


def _parse_per_file_ignores(config: Config, table: dict, fail: Fail) -> None:
    """``per-file-ignores``: glob → rule codes turned off for the files it matches."""
    for pattern, value in _table(table, "per-file-ignores", fail).items():
        config.per_file_ignores[pattern] = _codes(value, f"per-file-ignores.{pattern}", fail)


def _parse_exclude(config: Config, table: dict, fail: Fail) -> None:
    """``exclude`` (replaces the default, which is none beyond the skipped folders), ``extend-exclude``
    (adds to it) and ``force-exclude``: gitignore-style patterns of files not to check."""
    patterns: list[str] = []
    for key in ("exclude", "extend-exclude"):
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
            fail(key, "expected a list of gitignore-style patterns")
        patterns += value
    config.exclude = tuple(patterns)
    if "force-exclude" in table:
        if not isinstance(table["force-exclude"], bool):
            fail("force-exclude", "expected true or false")
        config.force_exclude = table["force-exclude"]


def _matches(patterns: tuple[str, ...], relative: str) -> bool:
    """gitignore semantics (``**``, a leading ``/`` anchors, a trailing ``/`` means a folder), through
    the maintained ``pathspec`` matcher."""
    return _spec(patterns).match_file(relative)


@functools.lru_cache(maxsize=64)
def _spec(patterns: tuple[str, ...]):
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(patterns)


def _parse_durations(config: Config, table: dict, fail: Fail) -> None:
    """``durations``: task id or kind → seconds, written as ``90``, ``"1m30s"`` and the like."""
    for name, value in _table(table, "durations", fail).items():
        try:
            config.durations[name] = parse_duration(value)
        except ValueError as exc:
            fail(f"durations.{name}", str(exc))


def _parse_limits(config: Config, limits: dict, fail: Fail) -> None:
    """``[limits]``: API rates, pool sizes and the concurrency cap the schedule must respect."""
    _known_keys(limits, LIMIT_KEYS, "limits.", fail)
    for name, value in _table(limits, "apis", fail, "limits.").items():
        try:
            rate, burst = parse_limit(value)
            config.apis[name] = (rate, str(value), burst)
        except ValueError as exc:
            fail(f"limits.apis.{name}", str(exc))
    for name, value in _table(limits, "pools", fail, "limits.").items():
        config.pools[name] = _whole_number(value, f"limits.pools.{name}", fail)
    if "concurrency" in limits:
        config.concurrency = _whole_number(limits["concurrency"], "limits.concurrency", fail)


def _whole_number(value, key: str, fail: Fail) -> int:
    """A count of slots or tasks: an int of at least 1 (``true`` is not a number here)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        fail(key, f"expected a whole number of at least 1, got {value!r}")
    return value


def _parse_effects(config: Config, table: dict, fail: Fail) -> None:
    """``[effects.<task>]``: reads, writes and ordering hints for tasks whose effects wflint cannot see."""
    for task, value in _table(table, "effects", fail).items():
        if not isinstance(value, dict):
            fail(f"effects.{task}", "expected a table")
        for key, item in value.items():
            _check_effect(f"effects.{task}.{key}", key, item, fail)
        config.effects[task] = value


def _check_effect(where: str, key: str, item, fail: Fail) -> None:
    """One key of an effects table: known, and of its type (resources are strings, hints are booleans)."""
    if key not in EFFECT_KEYS:
        fail(where, f"unknown key (allowed: {', '.join(sorted(EFFECT_KEYS))})")
    if key in ("reads", "writes") and (not isinstance(item, list) or not all(isinstance(r, str) for r in item)):
        fail(where, "expected a list of resources")
    if key in ("independent", "sequential") and not isinstance(item, bool):
        fail(where, "expected true or false")


def _table(table: dict, key: str, fail: Fail, prefix: str = "") -> dict:
    """``table[key]`` as a table (empty when absent), or a failure naming it."""
    value = table.get(key, {})
    if not isinstance(value, dict):
        fail(prefix + key, "expected a table")
    return value
