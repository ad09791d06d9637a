"""Name -> class registries filled by decorators and by entry points.

One :class:`Registry` per extension point (programs, filters, encoders, executors). Built-in
implementations register themselves when their module is imported; third-party packages
declare an entry point in the registry's group (e.g. ``synthgen.programs``) and are loaded the
first time a name is looked up or the registry is listed.

A built-in package may name its modules instead of importing them all: a module-level
``MODULES`` dict (registered name -> module). Looking one name up then imports only its
module (a replay of an svg record does not import the sound code); listing imports them all.
"""

from __future__ import annotations

import difflib
import functools
import importlib
from collections.abc import Callable
from importlib.metadata import EntryPoint, entry_points
from typing import Generic, TypeVar

from synthgen.errors import UserError

T = TypeVar("T")


class Registry(Generic[T]):
    """A named collection of classes of one extension point."""

    def __init__(self, kind: str, entry_point_group: str | None, builtins: tuple[str, ...] = ()):
        self.kind = kind
        self.entry_point_group = entry_point_group
        self._builtins = builtins
        self._items: dict[str, T] = {}
        self._loaded = False

    def register(self, name: str | T | None = None) -> Callable[[T], T] | T:
        """Class decorator: ``@registry.register`` (uses the class's ``name`` attribute) or
        ``@registry.register("name")``."""
        if name is not None and not isinstance(name, str):
            return self.register()(name)  # used bare: @registry.register

        def decorate(obj: T) -> T:
            key = name or getattr(obj, "name", None)
            if not key:
                raise ValueError(f"{self.kind} {obj!r} has no name")
            existing = self._items.get(key)
            if (
                existing is not None
                and existing is not obj
                and _qualname(existing) != _qualname(obj)
            ):
                raise ValueError(
                    f"{self.kind} {key!r} is registered twice: {_qualname(existing)}"
                    f" and {_qualname(obj)}"
                )
            self._items[key] = obj
            return obj

        return decorate

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        for module in self._builtins:
            for name in _named_modules(importlib.import_module(module)).values():
                importlib.import_module(name)
        if self.entry_point_group:
            for ep in _entry_points(self.entry_point_group):
                if ep.name in self._items:
                    continue
                obj = ep.load()
                self.register(ep.name)(obj)

    def get(self, name: str) -> T:
        """The class registered as ``name``; a :class:`UserError` naming close matches if none."""
        if name not in self._items and not self._loaded:
            for module in self._builtins:
                named = _named_modules(importlib.import_module(module)).get(name)
                if named is not None:
                    importlib.import_module(named)
        if name not in self._items:
            self._load()
        try:
            return self._items[name]
        except KeyError:
            known = sorted(self._items)
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise UserError(
                f"unknown {self.kind} {name!r}: {hint}known: {', '.join(known)}"
                f" (see `synthgen list`)"
            ) from None

    def names(self) -> list[str]:
        self._load()
        return sorted(self._items)

    def items(self) -> list[tuple[str, T]]:
        self._load()
        return sorted(self._items.items())


@functools.cache
def _all_entry_points() -> object:
    return entry_points()


def _entry_points(group: str) -> tuple[EntryPoint, ...]:
    """The installed entry points of ``group``. The installed distributions are scanned once
    per process for every registry (10-25 ms a scan with the heavy extras installed), not
    once per registry that lists its names."""
    return tuple(_all_entry_points().select(group=group))  # type: ignore[attr-defined]


def _qualname(obj: object) -> str:
    return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', repr(obj))}"


def _named_modules(package: object) -> dict[str, str]:
    """A built-in package's ``MODULES`` map (name -> module registering it); {} if none."""
    named = getattr(package, "MODULES", None)
    return named if isinstance(named, dict) else {}
