"""wflint.records.dataclass behaves as the standard decorator on every shape the code base uses."""
from __future__ import annotations

import copy
import dataclasses
import functools
import pickle
from dataclasses import field

import pytest

from wflint.records import dataclass as fast

DECORATORS = pytest.mark.parametrize("deco", [dataclasses.dataclass, fast], ids=["standard", "records"])


def shapes(deco):
    """The same class bodies under one decorator; returned for comparison across decorators."""

    @deco(frozen=True)
    class Point:
        """doc"""
        x: int
        y: tuple = ()
        tags: list = field(default_factory=list, compare=False, repr=False)
        cached: tuple | None = field(default=None, init=False, repr=False, compare=False)

    @deco(frozen=True)
    class Point3(Point):
        z: str = "q"

    @deco
    class Box:
        size: int = 0
        items: dict = field(default_factory=dict)

    @deco(eq=False)
    class Node:
        name: str

    @deco(frozen=True)
    class Checked:
        start: int
        end: int

        def __post_init__(self) -> None:
            if self.start > self.end:
                raise ValueError("start after end")

    @deco(frozen=True)
    class Selfish:
        self: int
        other: int = 2

    @deco(frozen=True)
    class Own:
        a: int

        def __repr__(self) -> str:
            return "own"

        def __eq__(self, other: object) -> bool:
            return True

        def __hash__(self) -> int:
            return 7

    return Point, Point3, Box, Node, Checked, Selfish, Own


STANDARD = shapes(dataclasses.dataclass)
FAST = shapes(fast)
STANDARD_SLOTTED = shapes(functools.partial(dataclasses.dataclass, slots=True))
FAST_SLOTTED = shapes(functools.partial(fast, slots=True))


def observe(Point, Point3, Box, Node, Checked, Selfish, Own):
    """Everything a caller can see of the classes, as plain values."""
    p, q = Point(1, (2,)), Point(1, (2,), [9])
    seen = {
        "repr": [repr(p), repr(Point3(1)), repr(Box()), repr(Box(3, {"a": 1})), repr(Node("n")), repr(Own(1)),
                 repr(Selfish(1))],
        "eq": [p == q, p != Point(2), Point3(1) == Point(1), Box(1) == Box(1), Node("n") == Node("n"),
               Own(1) == Own(2), p == (1, (2,))],
        "hash": [hash(p) == hash(q), hash(Own(3)), Box.__hash__ is None, Node.__hash__ is object.__hash__],
        "defaults": [p.tags, p.cached, Point3(1).z, Box().items, Box().items is not Box().items],
        "fields": [[(f.name, f.init, f.repr, f.compare) for f in dataclasses.fields(k)] for k in (Point, Point3, Box)],
        "replace": repr(dataclasses.replace(p, x=5)),
        "astuple": dataclasses.astuple(Point3(1, (3,))),
        "asdict": dataclasses.asdict(Box(2, {"k": 1})),
        "copy": copy.deepcopy(q) == q and copy.copy(q).tags is q.tags,
        "keywords": repr(Point(y=(1,), x=3)),
        "match_args": Point3.__match_args__,
        "selfish": (Selfish(self=4).self, Selfish(1, other=5).other),
    }
    return seen


def raised(action) -> str:
    try:
        action()
    except Exception as exc:  # the type and text are what the test compares
        return f"{type(exc).__name__}: {exc}"
    return "nothing"


def errors(Point, Point3, Box, Node, Checked, Selfish, Own):
    p = Point(1)
    return [raised(lambda: setattr(p, "x", 2)), raised(lambda: delattr(p, "x")),
            raised(lambda: setattr(p, "new", 1)), raised(lambda: Checked(3, 1)), raised(lambda: Point()),
            raised(lambda: Point(1, (), [], None)), raised(lambda: Point(1, z=3)), raised(lambda: hash(Box())),
            raised(lambda: Checked(1, 2))]


@fast(frozen=True)
class Pickled:
    a: int
    b: list = field(default_factory=list, compare=False)


def test_frozen_instances_pickle_and_copy():
    value = Pickled(1, [2])
    again = pickle.loads(pickle.dumps(value))
    assert again == value and again.b == [2] and copy.deepcopy(value).b == [2]
    with pytest.raises(dataclasses.FrozenInstanceError):
        again.a = 3


def test_everything_observable_is_the_standard():
    assert observe(*FAST) == observe(*STANDARD)
    assert observe(*FAST_SLOTTED) == observe(*STANDARD_SLOTTED)


def test_errors_are_the_standard_ones():
    assert errors(*FAST) == errors(*STANDARD)
    # Python 3.11's own slotted frozen class answers a new attribute with a TypeError from its
    # guard (which names the class before slots were added); the shortcut's is the unslotted one.
    fast_errors, standard_errors = errors(*FAST_SLOTTED), errors(*STANDARD_SLOTTED)
    assert fast_errors[2] == "FrozenInstanceError: cannot assign to field 'new'"
    assert fast_errors[:2] + fast_errors[3:] == standard_errors[:2] + standard_errors[3:]


@fast(frozen=True, slots=True)
class SlottedBase:
    a: int
    b: list = field(default_factory=list, compare=False)


@fast(frozen=True, slots=True)
class SlottedPoint(SlottedBase):
    c: str = "q"


@fast(slots=True)
class SlottedBox:
    size: int = 0


def test_slotted_records_have_no_instance_dict_and_pickle_frozen():
    assert SlottedBase.__slots__ == ("a", "b") and SlottedPoint.__slots__ == ("c",)
    point, box = SlottedPoint(1, [3]), SlottedBox(4)
    assert not hasattr(point, "__dict__") and not hasattr(box, "__dict__")
    again = pickle.loads(pickle.dumps(point))
    assert again == point and again.b == [3] and again.c == "q" and pickle.loads(pickle.dumps(box)) == box
    with pytest.raises(dataclasses.FrozenInstanceError):
        again.a = 2
    with pytest.raises(AttributeError):
        box.extra = 1


@DECORATORS
def test_non_default_after_default_is_refused_at_definition(deco):
    with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):
        @deco(frozen=True)
        class Bad:
            a: int = 1
            b: int


@DECORATORS
def test_mutable_default_is_refused(deco):
    with pytest.raises(ValueError, match="mutable default"):
        @deco
        class Bad:
            a: list = []


def test_nothing_is_compiled_until_a_class_is_used(monkeypatch):
    compiled: list[str] = []
    real_exec = exec

    def counting_exec(source, *args):
        compiled.append(source)
        return real_exec(source, *args)

    monkeypatch.setattr("builtins.exec", counting_exec)

    @fast(frozen=True)
    class Unused:
        a: int
        b: str = ""

    assert compiled == []
    Unused(1), Unused(2)
    assert len(compiled) == 1 and compiled[0].startswith("def __init__(self, a, b=")


def test_options_beyond_the_shortcut_go_to_the_standard_decorator():
    @fast(order=True, frozen=True)
    class Ordered:
        a: int

    assert Ordered(1) < Ordered(2) and "__lt__" in Ordered.__dict__
