"""Unique referring expressions: the shortest description that matches exactly one object.

An expression is a set of (attribute type -> value) constraints plus the name. A question
never uses an expression that matches more than one object: if even the full description is
shared (two identical objects), the object cannot be referred to and the question is skipped.
The per-graph table of shortest expressions lives on the graph
(:attr:`~synthgen.generators.qa.graph.QAGraph.refs`), computed once for all questions.
"""

from __future__ import annotations

from collections.abc import Mapping

from synthgen.generators.qa.graph import QAGraph, QObject, Ref, phrase

__all__ = ["matches", "phrase", "region", "select", "unique_description"]


def matches(o: QObject, name: str | None, attrs: Mapping[str, str]) -> bool:
    if name is not None and o.name != name:
        return False
    return all(o.attrs.get(k) == v for k, v in attrs.items())


def select(g: QAGraph, name: str | None, attrs: Mapping[str, str]) -> list[QObject]:
    """Objects matching a description."""
    return [o for o in g.objects if matches(o, name, attrs)]


def unique_description(g: QAGraph, o: QObject) -> Ref | None:
    """(phrase, attrs) of the shortest description that selects only ``o``; None if none."""
    return g.refs[o.id]


def region(o: QObject) -> str:
    """The object's visible box as a region token, ``[x, y, w, h]`` in pixels."""
    x, y, w, h = o.bbox
    return f"[{x}, {y}, {w}, {h}]"
