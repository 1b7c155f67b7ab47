"""Frozen dataclasses that cost less to define: ``@record`` on a subclass of ``Record``.

Python 3.11's ``dataclass`` writes out and compiles six methods for each frozen
class; defining the model's classes that way was most of the time importing it
took, paid at every start.  A record has dataclasses generate only ``__init__``
and the two methods that keep it frozen; equality, hash and repr work as
dataclasses' do (over the fields, honouring ``compare`` and ``repr``) but are
written once, here.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from operator import attrgetter
from typing import Callable, TypeVar

T = TypeVar("T", bound=type)

_keys: dict[type, Callable[[object], tuple]] = {}  # a class's compared fields, as a tuple
_shown: dict[type, tuple[str, ...]] = {}  # the fields its repr shows


def record(cls: T | None = None, /, *, slots: bool = False):
    """``@dataclass(frozen=True)`` for a subclass of :class:`Record`."""

    def make(cls: T) -> T:
        if not issubclass(cls, Record):
            raise TypeError(f"{cls.__name__}: a record derives from Record")
        return dataclass(frozen=True, eq=False, repr=False, slots=slots)(cls)

    return make if cls is None else make(cls)


def _key(cls: type) -> Callable[[object], tuple]:
    key = _keys.get(cls)
    if key is None:
        names = [f.name for f in fields(cls) if f.compare]
        if len(names) == 1:  # attrgetter of one name gives the value, not a tuple
            single = attrgetter(names[0])
            key = lambda item: (single(item),)  # noqa: E731
        else:
            key = attrgetter(*names) if names else (lambda item: ())
        _keys[cls] = key
    return key


class Record:
    """Equality, hash and repr over a frozen dataclass's fields."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        key = _key(self.__class__)
        return key(self) == key(other)

    def __hash__(self) -> int:
        return hash(_key(self.__class__)(self))

    def __repr__(self) -> str:
        cls = self.__class__
        names = _shown.get(cls)
        if names is None:
            names = _shown[cls] = tuple(f.name for f in fields(cls) if f.repr)
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{cls.__qualname__}({shown})"
