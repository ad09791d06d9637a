"""``clip_pair_band``: two images must be similar but not identical (Img-Diff's rule).

Img-Diff keeps an image pair rendered from the same noise with one object swapped only when
the CLIP image-image cosine lies in [0.90, 0.98]: below, the images differ in more than the
object; above, the edit did not take. The verdict's threshold is the bound that decided (``hi``
when the pair is too similar, else ``lo``); the detail names the band and the outcome.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from synthgen.errors import UserError
from synthgen.filter import Filter, register_filter
from synthgen.models.torch_utils import model_label
from synthgen.records import Verdict

if TYPE_CHECKING:
    from PIL import Image

    from synthgen.models.scorers import ImageTextScorer

SCORE_TYPE = "clip_image_image_cosine"
DIGITS = 6


@register_filter
class ClipPairBand(Filter):
    """Passes when ``lo <= cosine(image_a, image_b) <= hi``."""

    name = "clip_pair_band"
    kind = "clip"

    def __init__(self, scorer: ImageTextScorer, lo: float = 0.90, hi: float = 0.98) -> None:
        if not -1 <= lo <= hi <= 1:
            raise UserError(f"clip_pair_band: need -1 <= lo <= hi <= 1 (got lo={lo}, hi={hi})")
        self.scorer = scorer
        self.lo = lo
        self.hi = hi
        self.model = model_label(scorer.model_ref())

    def check(self, candidate: tuple[Image.Image, Image.Image]) -> Verdict:
        return self.check_batch([candidate])[0]

    def check_batch(self, candidates: Sequence[tuple[Image.Image, Image.Image]]) -> list[Verdict]:
        """Judge many pairs, scored in batches."""
        if not candidates:
            return []
        images_a, images_b = zip(*candidates, strict=True)
        scores = [round(float(s), DIGITS) for s in self.scorer.image_image(images_a, images_b)]
        return [self._judge(s) for s in scores]

    def _judge(self, score: float) -> Verdict:
        band = f"band [{self.lo:g}, {self.hi:g}]"
        if score > self.hi:
            passed, threshold, detail = False, self.hi, f"{band}: too similar"
        elif score < self.lo:
            passed, threshold, detail = False, self.lo, f"{band}: too different"
        else:
            passed, threshold, detail = True, self.lo, f"{band}: in band"
        return self.verdict(
            passed,
            score=score,
            threshold=threshold,
            score_type=SCORE_TYPE,
            model=self.model,
            detail=detail,
        )
