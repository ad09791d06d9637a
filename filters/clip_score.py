"""``clip_score``: CLIP image-text agreement, absolute (LAION) or top-fraction (DataComp).

Two modes, because the two anchor pipelines filter differently:

* absolute: :meth:`ClipScore.check` passes a pair when cosine >= ``threshold``; the default
  0.28 is LAION's cut-off for OpenAI CLIP ViT-B/32 and means little for any other model.
* top fraction: :meth:`ClipScore.select_top` keeps the best ``fraction`` of a *pool* (DataComp's
  best simple filter keeps the top 30 % by ViT-L/14 score). It is relative, so it needs the
  whole pool (or a large batch) at once: the verdicts record the pool's cut-off score as their
  threshold, and a candidate's fate depends on the other candidates in the pool.

Every verdict carries the model (``id@revision``), the score type, the score and the threshold.
Scores are rounded to 6 decimals (batched float kernels move them by ~1e-6) and the decision is
taken on the rounded score, so any verdict can be re-checked from its own fields. The same holds
for ``clip_pair_band`` and ``clap_relative``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from synthgen.errors import UserError
from synthgen.filter import Filter, register_filter
from synthgen.models.torch_utils import model_label
from synthgen.records import Verdict

if TYPE_CHECKING:
    from PIL import Image

    from synthgen.models.scorers import ImageTextScorer

LAION_THRESHOLD = 0.28
"""LAION-400M/5B image-text cut-off (OpenAI CLIP ViT-B/32 cosine)."""

SCORE_TYPE = "clip_image_text_cosine"
DIGITS = 6


@register_filter
class ClipScore(Filter):
    """Image-text cosine >= threshold (absolute) or within the pool's top fraction."""

    name = "clip_score"
    kind = "clip"

    def __init__(
        self,
        scorer: ImageTextScorer,
        threshold: float | None = None,
        top_fraction: float | None = None,
    ) -> None:
        if top_fraction is not None and not 0 < top_fraction <= 1:
            raise UserError(f"clip_score: top_fraction must be in (0, 1] (got {top_fraction})")
        if threshold is not None and not -1 <= threshold <= 1:
            raise UserError(f"clip_score: threshold must be a cosine in [-1, 1] (got {threshold})")
        self.scorer = scorer
        self.top_fraction = top_fraction
        self.threshold = (
            LAION_THRESHOLD if threshold is None and top_fraction is None else threshold
        )
        self.model = model_label(scorer.model_ref())

    def check(self, candidate: tuple[Image.Image, str]) -> Verdict:
        """Absolute mode on one (image, text) pair."""
        return self.check_batch([candidate])[0]

    def check_batch(self, candidates: Sequence[tuple[Image.Image, str]]) -> list[Verdict]:
        """Absolute mode on many pairs, scored in batches."""
        if self.threshold is None:
            raise UserError(
                "clip_score was set up in top-fraction mode, which is relative: "
                "score a pool with select_top(), or give an absolute threshold"
            )
        scores = self._scores(candidates)
        return [
            self.verdict(
                s >= self.threshold,
                score=s,
                threshold=self.threshold,
                score_type=SCORE_TYPE,
                model=self.model,
            )
            for s in scores
        ]

    def select_top(
        self,
        images: Sequence[Image.Image],
        texts: Sequence[str],
        fraction: float | None = None,
    ) -> list[Verdict]:
        """Top-fraction mode: pass the ``ceil(fraction * n)`` best-scoring pairs of the pool.

        The threshold of every verdict is the pool's cut-off (the k-th best score); all pairs
        scoring at least the cut-off pass, so ties at the cut-off all pass.
        """
        fraction = self.top_fraction if fraction is None else fraction
        if fraction is None or not 0 < fraction <= 1:
            raise UserError(f"clip_score: select_top needs a fraction in (0, 1] (got {fraction})")
        scores = self._scores(list(zip(images, texts, strict=True)))
        if not scores:
            return []
        k = max(1, math.ceil(fraction * len(scores)))
        cutoff = sorted(scores, reverse=True)[k - 1]
        detail = f"top {fraction:g} of a pool of {len(scores)}"
        return [
            self.verdict(
                s >= cutoff,
                score=s,
                threshold=cutoff,
                score_type=SCORE_TYPE,
                model=self.model,
                detail=detail,
            )
            for s in scores
        ]

    def _scores(self, candidates: Sequence[tuple[Image.Image, str]]) -> list[float]:
        if not candidates:
            return []
        images, texts = zip(*candidates, strict=True)
        return [round(float(s), DIGITS) for s in self.scorer.image_text(images, texts)]
