"""``dataclass``, as the standard library's, with nothing compiled at import time.

Before Python 3.13 the standard decorator compiles every generated method with its own ``exec``:
six for a frozen class, about half a millisecond a class, which was 40 ms of a 110 ms
``wflint check`` on one small file (issue 10 item 8), mostly for classes that run never uses.
Here the standard decorator still reads the fields (defaults, factories, ``compare``/``repr``
flags, ``fields()``, ``replace()``), but generates no method: ``__eq__``, ``__hash__``, ``__repr__``
and the frozen guards are closures shared by every class, and ``__init__`` is compiled on a
class's first instantiation, once. The behaviour is the standard one: the same signature and
defaults, ``__post_init__``, equality only between instances of the same class over the compared
fields, the hash of those fields' tuple (frozen classes), ``__hash__ = None`` for mutable ones,
the same repr text, ``FrozenInstanceError`` on assignment, and a method the class defines itself is
kept; ``slots=True`` gives the class its fields as ``__slots__`` (and pickling that the frozen
guards allow). Options the shortcut does not cover go to the standard decorator unchanged; type checkers
see the standard decorator. tests/test_records.py holds it to the standard one.
"""
from __future__ import annotations

import dataclasses
import reprlib
from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import TYPE_CHECKING, Any

_Key = Callable[[Any], tuple]


def _key(names: Sequence[str]) -> _Key:
    """The tuple of ``names`` of an instance, as dataclasses compare and hash it."""
    if not names:
        return lambda obj: ()
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    return attrgetter(*names)


def _eq(key: _Key) -> Callable[[Any, Any], Any]:
    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return key(self) == key(other)
        return NotImplemented

    return __eq__


def _hash(key: _Key) -> Callable[[Any], int]:
    def __hash__(self: Any) -> int:
        return hash(key(self))

    return __hash__


def _repr(names: Sequence[str]) -> Callable[[Any], str]:
    @reprlib.recursive_repr()
    def __repr__(self: Any) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{self.__class__.__qualname__}({shown})"

    return __repr__


def _guards(cls: Any, names: frozenset[str]) -> tuple[Callable, Callable]:
    """Frozen classes refuse assignment and deletion of fields, as the standard guards do."""

    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    return __setattr__, __delattr__


def _init_source(cls: type, frozen: bool) -> tuple[str, dict[str, Any]]:
    """The text of the ``__init__`` the standard decorator would write, and the names it uses. A
    frozen record's slots are set past its guard through their own descriptors, faster than the
    standard's ``object.__setattr__`` per field; a field kept in ``__dict__`` is set that way, as
    the standard does (a dict made whole and copied in would lose CPython's shared keys: more
    memory per record)."""
    names = {f.name for f in dataclasses.fields(cls)}
    me = "__dataclass_self__" if "self" in names else "self"
    env: dict[str, Any] = {"__object_setattr": object.__setattr__, "__has_factory": _HAS_FACTORY}
    params, body = [me], []
    for f in dataclasses.fields(cls):
        value = _init_value(f, env, params)
        if value is None:
            continue
        slot = _slot_setter(cls, f.name) if frozen else None
        if slot is not None:
            env[f"__set_{f.name}"] = slot
            body.append(f"__set_{f.name}({me}, {value})")
        elif frozen:
            body.append(f"__object_setattr({me}, {f.name!r}, {value})")
        else:
            body.append(f"{me}.{f.name} = {value}")
    if hasattr(cls, "__post_init__"):
        body.append(f"{me}.__post_init__()")
    lines = "\n".join(f"  {line}" for line in body or ["pass"])
    return f"def __init__({', '.join(params)}):\n{lines}\n", env


def _slot_setter(cls: type, name: str) -> Callable[[Any, Any], None] | None:
    """The ``__set__`` of the slot that holds field ``name`` (None: the field lives in ``__dict__``)."""
    for klass in cls.__mro__:
        found = klass.__dict__.get(name)
        if type(found).__name__ == "member_descriptor":
            return found.__set__  # type: ignore[union-attr]
    return None


class _HasFactory:
    def __repr__(self) -> str:
        return "<factory>"


_HAS_FACTORY = _HasFactory()


def _init_value(f: dataclasses.Field, env: dict[str, Any], params: list[str]) -> str | None:
    """The expression a field is set from, adding its parameter to ``params``; None: left unset."""
    if f.default_factory is not dataclasses.MISSING:
        env[f"__factory_{f.name}"] = f.default_factory
        if not f.init:
            return f"__factory_{f.name}()"
        params.append(f"{f.name}=__has_factory")
        return f"__factory_{f.name}() if {f.name} is __has_factory else {f.name}"
    if f.default is not dataclasses.MISSING:
        env[f"__default_{f.name}"] = f.default
        if not f.init:
            return f"__default_{f.name}"
        params.append(f"{f.name}=__default_{f.name}")
        return f.name
    if not f.init:
        return None
    params.append(f.name)
    return f.name


def _lazy_init(cls: type, frozen: bool) -> Callable[..., None]:
    """An ``__init__`` that compiles the real one the first time the class is instantiated."""

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        source, env = _init_source(cls, frozen)
        exec(source, env)
        real = env["__init__"]
        real.__qualname__ = f"{cls.__qualname__}.__init__"
        cls.__init__ = real  # type: ignore[misc]
        real(self, *args, **kwargs)

    return __init__


def _check_order(cls: type) -> None:
    """A parameter without a default after one with a default, refused at definition as the standard does."""
    seen_default = ""
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        has_default = f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
        if has_default:
            seen_default = f.name
        elif seen_default:
            raise TypeError(f"non-default argument {f.name!r} follows default argument")


def _explicit_hash(cls: type) -> bool:
    """Whether the class body defines ``__hash__`` itself (dataclasses' own test)."""
    own = cls.__dict__.get("__hash__", dataclasses.MISSING)
    return not (own is dataclasses.MISSING or (own is None and "__eq__" in cls.__dict__))


def _finish(cls: type, *, init: bool, repr: bool, eq: bool, frozen: bool, explicit_hash: bool) -> None:
    fields = dataclasses.fields(cls)
    if init and "__init__" not in cls.__dict__:
        _check_order(cls)
        cls.__init__ = _lazy_init(cls, frozen)  # type: ignore[misc]
    if repr and "__repr__" not in cls.__dict__:
        cls.__repr__ = _repr([f.name for f in fields if f.repr])  # type: ignore[assignment]
    if frozen:
        cls.__setattr__, cls.__delattr__ = _guards(cls, frozenset(f.name for f in fields))  # type: ignore[method-assign]
    if eq and "__eq__" not in cls.__dict__:
        cls.__eq__ = _eq(_key([f.name for f in fields if f.compare]))  # type: ignore[assignment]
    if not eq or explicit_hash:
        return
    if frozen:
        hashed = [f.name for f in fields if (f.compare if f.hash is None else f.hash)]
        cls.__hash__ = _hash(_key(hashed))  # type: ignore[assignment]
    else:
        cls.__hash__ = None  # type: ignore[assignment]


def _covered(klass: type, frozen: bool) -> bool:
    """Classes the shortcut builds exactly as the standard would; the rest go to the standard."""
    if frozen and ("__setattr__" in klass.__dict__ or "__delattr__" in klass.__dict__):
        return False  # the standard decorator refuses these, with its own message
    annotations = klass.__dict__.get("__annotations__", {})
    return not any("InitVar" in str(kind) or "KW_ONLY" in str(kind) for kind in annotations.values())


def _slotted(cls: type) -> type:
    """The class again with its fields in ``__slots__`` and no instance ``__dict__``, as the
    standard ``slots=True`` makes it: the IR holds hundreds of thousands of small records, and a
    dict-less one is about 40 bytes smaller. Fields a base class slots already are not repeated."""
    inherited = {name for base in cls.__mro__[1:-1] for name in _slot_names(base)}
    names = tuple(f.name for f in dataclasses.fields(cls) if f.name not in inherited)
    body = {key: value for key, value in cls.__dict__.items()
            if key not in names and key not in ("__dict__", "__weakref__")}
    body["__slots__"] = names
    made = type(cls)(cls.__name__, cls.__bases__, body)
    made.__qualname__ = cls.__qualname__
    made.__getstate__, made.__setstate__ = _state(tuple(f.name for f in dataclasses.fields(made)))  # type: ignore[method-assign,attr-defined]
    return made


def _state(names: tuple[str, ...]) -> tuple[Callable, Callable]:
    """Pickling of a slotted record, frozen or not (the frozen guard refuses ``setattr``)."""

    def __getstate__(self: Any) -> list:
        return [getattr(self, name) for name in names]

    def __setstate__(self: Any, state: list) -> None:
        for name, value in zip(names, state):
            object.__setattr__(self, name, value)

    return __getstate__, __setstate__


def _slot_names(cls: type) -> tuple[str, ...]:
    slots = cls.__dict__.get("__slots__", ())
    return (slots,) if isinstance(slots, str) else tuple(slots)


def _dataclass(cls: type | None = None, /, *, init: bool = True, repr: bool = True, eq: bool = True,
               frozen: bool = False, slots: bool = False, **other: Any) -> Any:
    def standard(klass: type) -> type:
        return dataclasses.dataclass(klass, init=init, repr=repr, eq=eq, frozen=frozen, slots=slots, **other)

    def wrap(klass: type) -> type:
        if other or not _covered(klass, frozen):  # order, kw_only, weakref_slot...: as asked
            return standard(klass)
        explicit_hash = _explicit_hash(klass)
        made: type = dataclasses.dataclass(klass, init=False, repr=False, eq=False, frozen=False)
        if slots:
            made = _slotted(made)
        _finish(made, init=init, repr=repr, eq=eq, frozen=frozen, explicit_hash=explicit_hash)
        return made

    return wrap if cls is None else wrap(cls)


if TYPE_CHECKING:
    from dataclasses import dataclass as dataclass
else:
    dataclass = _dataclass

__all__ = ["dataclass"]
