"""``min_area``: an oracle filter on the share of the image an object covers."""

from __future__ import annotations

from synthgen.filter import Filter, register_filter
from synthgen.records import Verdict


@register_filter
class MinArea(Filter):
    """Passes when ``area / total >= threshold`` (exact pixel counts, no model)."""

    name = "min_area"
    kind = "oracle"

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold

    def check(self, candidate: tuple[int, int]) -> Verdict:
        area, total = candidate
        score = area / total
        return self.verdict(
            score >= self.threshold,
            score=round(score, 6),
            threshold=self.threshold,
            score_type="area_fraction",
        )
