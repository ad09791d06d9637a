"""The scene graph as question programs see it: a small, fast, source-neutral view.

Both sources build one: the procedural world (typed attributes, 3D positions, exact masks and
depth) and imported Visual Genome graphs (names, untyped attributes, boxes, relations; no
depth, no masks). Question kinds declare what they need (``requires``) and are skipped, and
counted as skipped, when a graph lacks it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

ATTRIBUTE_TYPES = ("color", "material", "size")
"""Attribute types of the procedural world, in the order descriptions use them."""


@dataclass(frozen=True)
class QObject:
    """One object: ``attrs`` maps attribute type -> value (VG attributes typed by vocabulary,
    untyped ones under ``"other"`` joined by commas)."""

    id: int
    name: str
    attrs: dict[str, str]
    bbox: tuple[int, int, int, int]
    centroid: tuple[float, float]
    distance: float | None = None
    position: tuple[float, float, float] | None = None

    def describe(self, types: tuple[str, ...] = ATTRIBUTE_TYPES) -> str:
        """Noun phrase with every typed attribute, e.g. ``large red metal cube``."""
        words = [
            self.attrs[t] for t in ("size", "color", "material") if t in self.attrs and t in types
        ]
        return " ".join([*words, self.name])


@dataclass
class QAGraph:
    """A scene graph plus optional per-pixel masks (instance ids) and depth."""

    width: int
    height: int
    objects: list[QObject]
    relations: list[tuple[int, str, int]] = field(default_factory=list)
    ids: np.ndarray | None = None
    depth_fn: Callable[[], np.ndarray] | None = None
    source: str = "svg"

    @property
    def has_masks(self) -> bool:
        return self.ids is not None

    @property
    def has_depth(self) -> bool:
        return self.depth_fn is not None

    @cached_property
    def depth(self) -> np.ndarray:
        """Per-pixel depth, computed on first use (most questions never need it)."""
        if self.depth_fn is None:
            raise ValueError("this graph has no depth")
        return self.depth_fn()

    @property
    def has_3d(self) -> bool:
        return bool(self.objects) and all(o.position is not None for o in self.objects)

    @cached_property
    def by_id(self) -> dict[int, QObject]:
        return {o.id: o for o in self.objects}

    @cached_property
    def name_counts(self) -> Counter[str]:
        return Counter(o.name for o in self.objects)

    @cached_property
    def relations_between(self) -> dict[tuple[int, int], list[str]]:
        """(subject, object) -> predicates, in graph order."""
        out: dict[tuple[int, int], list[str]] = {}
        for s, p, o in self.relations:
            out.setdefault((s, o), []).append(p)
        return out

    @cached_property
    def predicates(self) -> list[str]:
        return sorted({p for _, p, _ in self.relations})

    def capabilities(self) -> frozenset[str]:
        caps = {"boxes", "relations"} if self.relations else {"boxes"}
        if self.has_masks:
            caps.add("masks")
        if self.has_depth:
            caps.add("depth")
        if self.has_3d:
            caps.add("3d")
        if any(set(o.attrs) & set(ATTRIBUTE_TYPES) for o in self.objects):
            caps.add("typed_attributes")
        return frozenset(caps)
