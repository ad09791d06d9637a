"""Temporal relations between event spans, with margins, and the clip's temporal structure.

Every pair of events in a scene is either clearly sequential (the later one starts at least
``gap`` seconds after the earlier one ends) or clearly overlapping (they sound together for at
least ``overlap`` seconds); anything in between is *ambiguous* and the sampler never produces
it. Onsets are at least ``onset`` seconds apart, so "which starts first" is never a tie.

:func:`structure` splits a scene into what captions can say without lying: *ambient* events
(rain, wind, an engine) that overlap every other event, and foreground *groups* in time order
where every event of a group overlaps every other event of it and every event of a later group
comes after every event of an earlier one. "A, then B while C, over rain" is then true of
every pair it relates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

TimeRelation = Literal["before", "after", "overlapping"]


@dataclass(frozen=True)
class Margins:
    """Seconds: minimum gap for before/after, minimum shared time for overlapping, minimum
    distance between onsets."""

    gap: float = 0.15
    overlap: float = 0.3
    onset: float = 0.25

    def needed_overlap(self, a: Span, b: Span) -> float:
        """Shared time that makes ``a`` and ``b`` overlapping: ``overlap`` seconds, or 3/4 of
        the shorter one when that is shorter (a 0.1-s beep during rain overlaps it)."""
        return min(self.overlap, 0.75 * min(a[1] - a[0], b[1] - b[0]))


Span = tuple[float, float]


EPS = 1e-9
"""Spans are rounded to the millisecond; a gap of exactly the margin computed from rounded
and unrounded ends differs in the last bit, so comparisons allow this much."""


def time_relation(a: Span, b: Span, margins: Margins) -> TimeRelation | None:
    """How span ``a`` relates to span ``b``; None when no relation holds with margin."""
    if b[0] - a[1] >= margins.gap - EPS:
        return "before"
    if a[0] - b[1] >= margins.gap - EPS:
        return "after"
    if min(a[1], b[1]) - max(a[0], b[0]) >= margins.needed_overlap(a, b) - EPS:
        return "overlapping"
    return None


def unambiguous(a: Span, b: Span, margins: Margins) -> bool:
    return abs(a[0] - b[0]) >= margins.onset - EPS and time_relation(a, b, margins) is not None


@dataclass(frozen=True)
class Structure:
    """Indices into the span list: ``ambient`` events, and foreground ``groups`` in order
    (each group sorted by onset)."""

    ambient: tuple[int, ...]
    groups: tuple[tuple[int, ...], ...]

    @property
    def order(self) -> tuple[int, ...]:
        """Foreground events in time order, then the ambient ones (the captions' order)."""
        return tuple(i for g in self.groups for i in g) + self.ambient


def structure(
    spans: Sequence[Span], ambient_ok: Sequence[bool], margins: Margins
) -> Structure | None:
    """The clip's temporal structure (see the module docstring), or None when some pair is
    ambiguous or the foreground does not split into such groups."""
    n = len(spans)
    rel = [
        [time_relation(spans[i], spans[j], margins) if i != j else None for j in range(n)]
        for i in range(n)
    ]
    return structure_of([s[0] for s in spans], rel, ambient_ok)


def structure_of(
    onsets: Sequence[float],
    rel: Sequence[Sequence[TimeRelation | None]],
    ambient_ok: Sequence[bool],
) -> Structure | None:
    """:func:`structure` from onsets and a relation matrix (``rel[i][j]``: i to j)."""
    n = len(onsets)
    if any(rel[i][j] is None for i in range(n) for j in range(n) if i != j):
        return None
    ambient = [
        i
        for i in range(n)
        if ambient_ok[i] and all(rel[i][j] == "overlapping" for j in range(n) if j != i)
    ]
    if len(ambient) == n or n < 2:
        ambient = []
    foreground = sorted((i for i in range(n) if i not in ambient), key=lambda i: onsets[i])
    groups: list[list[int]] = []
    for i in foreground:
        if groups and all(rel[j][i] == "overlapping" for j in groups[-1]):
            groups[-1].append(i)
        elif not groups or all(rel[j][i] == "before" for j in groups[-1]):
            groups.append([i])
        else:
            return None
    return Structure(tuple(ambient), tuple(tuple(g) for g in groups))
