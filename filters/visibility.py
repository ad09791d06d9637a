"""``visibility``: an oracle filter that rejects scenes with an object too hidden to ask about.

Questions about an object a person cannot see are wrong data, so a scene passes only when
every object shows at least ``min_pixels`` pixels in the exact instance map and, when the
candidate gives each object's visible fraction, at least ``min_fraction`` of its area (a
60-pixel sliver of a cube, or a fifth of one, is no object to ask about). The score is
the smallest visible pixel count; the detail names the most hidden object.
"""

from __future__ import annotations

from collections.abc import Sequence

from synthgen.filter import Filter, register_filter
from synthgen.records import Verdict


@register_filter
class Visibility(Filter):
    name = "visibility"
    kind = "oracle"

    def __init__(self, min_pixels: int, min_fraction: float = 0.0) -> None:
        self.min_pixels = min_pixels
        self.min_fraction = min_fraction

    def check(self, candidate: Sequence[tuple[int, int] | tuple[int, int, float]]) -> Verdict:
        """``candidate``: (object id, visible pixel count[, visible fraction]) per object."""
        if not candidate:
            return self.verdict(
                False,
                threshold=self.min_pixels,
                score_type="visible_pixels",
                detail="scene has no objects",
            )
        hidden = [c for c in candidate if len(c) > 2 and c[2] < self.min_fraction]  # type: ignore[misc]
        if hidden:
            object_id, pixels, fraction = min(hidden, key=lambda c: (c[2], c[0]))  # type: ignore[misc]
            return self.verdict(
                False,
                score=float(pixels),
                threshold=float(self.min_pixels),
                score_type="visible_pixels",
                detail=f"object {object_id} shows {fraction:.0%} of itself",
            )
        object_id, pixels = min(((c[0], c[1]) for c in candidate), key=lambda c: (c[1], c[0]))
        passed = pixels >= self.min_pixels
        return self.verdict(
            passed,
            score=float(pixels),
            threshold=float(self.min_pixels),
            score_type="visible_pixels",
            detail=None if passed else f"object {object_id} shows {pixels} px",
        )
