"""``edit_preservation``: outside the edit mask, source and target pixels are identical.

For an exact edit (the procedural world, where the mask is derived from the renders, see
``generators/edit/pixels.py``) nothing outside the mask may change at all: the default
tolerance is 0 for the largest absolute channel difference. The verdict's score is that
largest difference; the detail gives the number of changed pixels outside the mask and
their mean difference. A mask that is not a strict subset of the image (nothing preserved)
passes trivially, which is what global styles are.
"""

from __future__ import annotations

import numpy as np

from synthgen.filter import Filter, register_filter
from synthgen.records import Verdict


@register_filter
class EditPreservation(Filter):
    """Passes when no pixel outside the mask differs by more than ``max_abs_diff``."""

    name = "edit_preservation"
    kind = "oracle"

    def __init__(self, max_abs_diff: int = 0) -> None:
        self.max_abs_diff = max_abs_diff

    def check(self, candidate: tuple[np.ndarray, np.ndarray, np.ndarray]) -> Verdict:
        """``candidate``: (source (H, W[, C]) uint8, target of the same shape, mask (H, W) bool)."""
        source, target, mask = candidate
        if source.shape != target.shape:
            return self.verdict(
                False, score_type="max_abs_diff_outside_mask", detail="image sizes differ"
            )
        return self.check_diff(abs_diff(source, target), mask)

    def check_diff(self, diff: np.ndarray, mask: np.ndarray) -> Verdict:
        """The same check from a precomputed :func:`abs_diff` (programs reuse it for stats)."""
        worst = int(diff.max(where=~mask, initial=0)) if diff.size else 0
        changed = 0
        if worst > self.max_abs_diff:
            changed = int(np.count_nonzero((diff > self.max_abs_diff) & ~mask))
        return self.check_stats(worst, changed)

    def check_stats(self, worst: int, changed: int) -> Verdict:
        """The verdict from statistics the caller already has: ``worst``, the largest
        difference outside the mask, and ``changed``, how many pixels outside the mask
        differ by more than the tolerance."""
        passed = worst <= self.max_abs_diff
        return self.verdict(
            passed,
            score=float(worst),
            threshold=float(self.max_abs_diff),
            score_type="max_abs_diff_outside_mask",
            detail=None if passed else f"{changed} px changed outside the mask",
        )


def abs_diff(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(H, W) uint8: per pixel, the largest absolute channel difference of two uint8 images."""
    d = np.maximum(a, b)
    d -= np.minimum(a, b)
    if d.ndim == 2:
        return d
    out = d[..., 0].copy()
    for c in range(1, d.shape[2]):
        np.maximum(out, d[..., c], out=out)
    return out
