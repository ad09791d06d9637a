"""``clap_relative``: a caption must match its audio at least as well as the plain label text.

AudioSetCaps' check: an LLM-written caption is kept only if CLAP(audio, caption) >=
CLAP(audio, label text), e.g. "Dog, Bark" for a clip labelled so. The rule is relative, so it
needs no absolute cut-off and carries across CLAP checkpoints. The verdict's threshold is the
label text's score. (AudioSetCaps retries a failed caption up to twice; that loop belongs to the
generator, which can re-ask its LLM and call this filter again.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from synthgen.filter import Filter, register_filter
from synthgen.models.torch_utils import model_label
from synthgen.records import Verdict

if TYPE_CHECKING:
    from synthgen.media import Audio
    from synthgen.models.scorers import AudioTextScorer

SCORE_TYPE = "clap_audio_text_cosine"
DIGITS = 6


@register_filter
class ClapRelative(Filter):
    """Passes when ``score(audio, caption) >= score(audio, label_text)``."""

    name = "clap_relative"
    kind = "clap"

    def __init__(self, scorer: AudioTextScorer) -> None:
        self.scorer = scorer
        self.model = model_label(scorer.model_ref())

    def check(self, candidate: tuple[Audio, str, str]) -> Verdict:
        """Judge one (audio, caption, label_text) triple."""
        return self.check_batch([candidate])[0]

    def check_batch(self, candidates: Sequence[tuple[Audio, str, str]]) -> list[Verdict]:
        """Judge many triples; each audio is embedded once for both of its texts."""
        if not candidates:
            return []
        audios = [c[0] for c in candidates]
        texts = [[c[1], c[2]] for c in candidates]
        scores = self.scorer.audio_texts(audios, texts)
        verdicts = []
        for row in scores:
            caption, label = round(float(row[0]), DIGITS), round(float(row[1]), DIGITS)
            verdicts.append(
                self.verdict(
                    caption >= label,
                    score=caption,
                    threshold=label,
                    score_type=SCORE_TYPE,
                    model=self.model,
                )
            )
        return verdicts
