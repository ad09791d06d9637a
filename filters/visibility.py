"""``visibility``: an oracle filter that rejects scenes with an object too hidden to ask about.

Questions about an object a person cannot see are wrong data, so a scene passes only when
every object shows at least ``min_pixels`` pixels in the exact instance map. The score is
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

    def __init__(self, min_pixels: int) -> None:
        self.min_pixels = min_pixels

    def check(self, candidate: Sequence[tuple[int, int]]) -> Verdict:
        """``candidate``: (object id, visible pixel count) per object."""
        if not candidate:
            return self.verdict(
                False,
                threshold=self.min_pixels,
                score_type="visible_pixels",
                detail="scene has no objects",
            )
        object_id, pixels = min(candidate, key=lambda item: (item[1], item[0]))
        passed = pixels >= self.min_pixels
        return self.verdict(
            passed,
            score=float(pixels),
            threshold=float(self.min_pixels),
            score_type="visible_pixels",
            detail=None if passed else f"object {object_id} shows {pixels} px",
        )
