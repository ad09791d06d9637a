"""Unique referring expressions: the shortest description that matches exactly one object.

An expression is a set of (attribute type -> value) constraints plus the name. A question
never uses an expression that matches more than one object: if even the full description is
shared (two identical objects), the object cannot be referred to and the question is skipped.
"""

from __future__ import annotations

from itertools import combinations

from synthgen.generators.qa.graph import QAGraph, QObject

_ORDER = ("size", "color", "material")


def matches(o: QObject, name: str | None, attrs: dict[str, str]) -> bool:
    if name is not None and o.name != name:
        return False
    return all(o.attrs.get(k) == v for k, v in attrs.items())


def select(g: QAGraph, name: str | None, attrs: dict[str, str]) -> list[QObject]:
    """Objects matching a description."""
    return [o for o in g.objects if matches(o, name, attrs)]


def phrase(name: str | None, attrs: dict[str, str]) -> str:
    words = [attrs[k] for k in _ORDER if k in attrs]
    words += [v for k, v in sorted(attrs.items()) if k not in _ORDER]
    return " ".join([*words, name or "object"])


def unique_description(g: QAGraph, o: QObject) -> tuple[str, dict[str, str]] | None:
    """(phrase, attrs) of the shortest description that selects only ``o``; None if none."""
    typed = [k for k in _ORDER if k in o.attrs]
    for size in range(len(typed) + 1):
        for keys in combinations(typed, size):
            attrs = {k: o.attrs[k] for k in keys}
            if len(select(g, o.name, attrs)) == 1:
                return phrase(o.name, attrs), attrs
    return None


def region(o: QObject) -> str:
    """The object's visible box as a region token, ``[x, y, w, h]`` in pixels."""
    x, y, w, h = o.bbox
    return f"[{x}, {y}, {w}, {h}]"
