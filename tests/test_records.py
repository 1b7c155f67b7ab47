"""Records: frozen dataclasses whose ==, hash and repr are written once (records.py)."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, dataclass, field, replace

import pytest

from briefreader.records import Record, record


@record
class Point(Record):
    x: int
    y: int = 0
    note: str = field(default="", compare=False, repr=False)


@dataclass(frozen=True)
class Twin:  # what dataclasses itself makes of the same fields
    x: int
    y: int = 0
    note: str = field(default="", compare=False, repr=False)


@record
class Other(Record):
    x: int
    y: int = 0


@record(slots=True)
class Slotted(Record):
    x: int


def test_equality_and_hash_follow_the_compared_fields_as_dataclasses_do():
    assert Point(1, 2, "a") == Point(1, 2, "b")  # note is left out of ==
    assert hash(Point(1, 2, "a")) == hash(Point(1, 2, "b"))
    assert Point(1, 2) != Point(1, 3)
    assert Point(1, 2) != Other(1, 2)  # another class is never equal
    assert (Point(1, 2) == Twin(1, 2)) is (Twin(1, 2) == Point(1, 2)) is False
    assert len({Point(1), Point(1), Point(2)}) == 2


def test_repr_is_the_dataclass_repr():
    assert repr(Point(1, 2, "hidden")) == repr(Twin(1, 2, "hidden")).replace("Twin", "Point")
    assert "hidden" not in repr(Point(1, 2, "hidden"))


def test_a_record_is_frozen_and_works_with_replace():
    point = Point(1, 2)
    with pytest.raises(FrozenInstanceError):
        point.x = 5  # type: ignore[misc]
    assert replace(point, y=7) == Point(1, 7)
    assert not hasattr(Slotted(1), "__dict__")


def test_only_a_subclass_of_record_can_be_a_record():
    with pytest.raises(TypeError):
        @record
        class Loose:
            x: int
