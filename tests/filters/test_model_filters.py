"""The model-backed filters: clip_score, clip_pair_band, clap_relative.

The decision logic is tested with stub scorers that return chosen scores (exact cases,
boundaries, ties); the wiring is tested with the tiny random CLIP/CLAP checkpoints.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from synthgen.errors import UserError
from synthgen.filter import filters
from synthgen.filters.clap_relative import ClapRelative
from synthgen.filters.clip_pair_band import ClipPairBand
from synthgen.filters.clip_score import LAION_THRESHOLD, ClipScore
from synthgen.records import Verdict
from tests.models import tiny


class StubImageScorer:
    """Returns the scores it was given, in order, whatever the inputs."""

    def __init__(self, scores: Sequence[float]) -> None:
        self.scores = list(scores)
        self.calls: list[int] = []

    def model_ref(self) -> tuple[str, str | None]:
        return ("stub/clip", "abc123")

    def _next(self, n: int) -> np.ndarray:
        self.calls.append(n)
        out, self.scores = self.scores[:n], self.scores[n:]
        return np.asarray(out, dtype=np.float64)

    def image_text(self, images: Sequence[Any], texts: Sequence[str]) -> np.ndarray:
        assert len(images) == len(texts)
        return self._next(len(images))

    def image_image(self, a: Sequence[Any], b: Sequence[Any]) -> np.ndarray:
        assert len(a) == len(b)
        return self._next(len(a))


class StubAudioScorer:
    """Scores texts from a table: text -> score, whatever the audio."""

    def __init__(self, table: dict[str, float]) -> None:
        self.table = table

    def model_ref(self) -> tuple[str, str | None]:
        return ("stub/clap", None)

    def audio_text(self, audios: Sequence[Any], texts: Sequence[str]) -> np.ndarray:
        return np.asarray([self.table[t] for t in texts])

    def audio_texts(self, audios: Sequence[Any], texts: Sequence[Sequence[str]]) -> np.ndarray:
        return np.asarray([[self.table[t] for t in group] for group in texts])


IMG = tiny.shape_image("red")


def assert_filled(v: Verdict, kind: str, score_type: str) -> None:
    assert v.kind == kind
    assert v.score_type == score_type
    assert v.model
    assert v.score is not None and v.threshold is not None


def test_filters_are_registered() -> None:
    assert filters.get("clip_score") is ClipScore
    assert filters.get("clip_pair_band") is ClipPairBand
    assert filters.get("clap_relative") is ClapRelative


# -- clip_score ---------------------------------------------------------------------------------


def test_clip_score_absolute_defaults_to_laion() -> None:
    f = ClipScore(StubImageScorer([0.30, 0.28, 0.279999, 0.2799999]))
    assert f.threshold == LAION_THRESHOLD == 0.28
    passed = [f.check((IMG, "t")) for _ in range(4)]
    # the decision uses the recorded score (6 decimals), so a verdict re-checks from its fields
    assert [v.passed for v in passed] == [True, True, False, True]
    assert passed[3].score == 0.28
    v = passed[0]
    assert_filled(v, "clip", "clip_image_text_cosine")
    assert (v.filter, v.score, v.threshold, v.model) == (
        "clip_score",
        0.3,
        0.28,
        "stub/clip@abc123",
    )


def test_clip_score_absolute_custom_threshold_and_batch() -> None:
    scorer = StubImageScorer([0.1, 0.5, 0.2])
    verdicts = ClipScore(scorer, threshold=0.2).check_batch([(IMG, "a"), (IMG, "b"), (IMG, "c")])
    assert [v.passed for v in verdicts] == [False, True, True]
    assert scorer.calls == [3]  # one scorer call for the batch


def test_clip_score_top_fraction_keeps_the_best_share_of_the_pool() -> None:
    scores = [0.10, 0.35, 0.20, 0.31, 0.05, 0.22, 0.40, 0.15, 0.30, 0.25]
    f = ClipScore(StubImageScorer(scores), top_fraction=0.3)
    verdicts = f.select_top([IMG] * 10, ["t"] * 10)
    kept = [s for s, v in zip(scores, verdicts, strict=True) if v.passed]
    assert sorted(kept) == [0.31, 0.35, 0.40]
    assert {v.threshold for v in verdicts} == {0.31}  # the pool's cut-off
    assert all(v.detail == "top 0.3 of a pool of 10" for v in verdicts)
    assert_filled(verdicts[0], "clip", "clip_image_text_cosine")


def test_clip_score_top_fraction_ties_and_rounding_up() -> None:
    f = ClipScore(StubImageScorer([0.3, 0.5, 0.3, 0.1]))
    verdicts = f.select_top([IMG] * 4, ["t"] * 4, fraction=0.5)  # k = 2; 0.3 tied at the cut
    assert [v.passed for v in verdicts] == [True, True, True, False]
    f = ClipScore(StubImageScorer([0.3, 0.5, 0.1]))
    verdicts = f.select_top([IMG] * 3, ["t"] * 3, fraction=0.1)  # ceil(0.3) = 1 kept
    assert [v.passed for v in verdicts] == [False, True, False]
    assert ClipScore(StubImageScorer([])).select_top([], [], fraction=0.3) == []


def test_clip_score_top_fraction_mode_is_relative_only() -> None:
    f = ClipScore(StubImageScorer([0.9]), top_fraction=0.3)
    assert f.threshold is None
    with pytest.raises(UserError, match="relative"):
        f.check((IMG, "t"))
    with pytest.raises(UserError, match="fraction"):
        ClipScore(StubImageScorer([])).select_top([IMG], ["t"])
    with pytest.raises(UserError, match="top_fraction"):
        ClipScore(StubImageScorer([]), top_fraction=1.5)
    with pytest.raises(UserError, match="threshold"):
        ClipScore(StubImageScorer([]), threshold=28.0)


# -- clip_pair_band -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "passed", "threshold", "why"),
    [
        (0.95, True, 0.90, "in band"),
        (0.90, True, 0.90, "in band"),
        (0.98, True, 0.90, "in band"),
        (0.99, False, 0.98, "too similar"),
        (1.00, False, 0.98, "too similar"),
        (0.89, False, 0.90, "too different"),
    ],
)
def test_clip_pair_band_img_diff_rule(
    score: float, passed: bool, threshold: float, why: str
) -> None:
    v = ClipPairBand(StubImageScorer([score])).check((IMG, IMG))
    assert v.passed is passed
    assert v.threshold == threshold
    assert v.detail == f"band [0.9, 0.98]: {why}"
    assert_filled(v, "clip", "clip_image_image_cosine")
    assert v.filter == "clip_pair_band"


def test_clip_pair_band_rejects_a_bad_band() -> None:
    with pytest.raises(UserError, match="lo <= hi"):
        ClipPairBand(StubImageScorer([]), lo=0.98, hi=0.9)


# -- clap_relative ------------------------------------------------------------------------------


def test_clap_relative_caption_must_beat_the_label() -> None:
    scorer = StubAudioScorer({"good caption": 0.42, "bad caption": 0.1, "tie": 0.3, "Dog": 0.3})
    f = ClapRelative(scorer)
    audio = tiny.tone()
    good, bad, tie = f.check_batch(
        [(audio, "good caption", "Dog"), (audio, "bad caption", "Dog"), (audio, "tie", "Dog")]
    )
    assert (good.passed, bad.passed, tie.passed) == (True, False, True)
    assert (good.score, good.threshold) == (0.42, 0.3)  # threshold = the label text's score
    assert_filled(bad, "clap", "clap_audio_text_cosine")
    assert (bad.filter, bad.model) == ("clap_relative", "stub/clap")
    assert f.check_batch([]) == []


# -- with the tiny models -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def clip_scorer(tmp_path_factory: pytest.TempPathFactory) -> Any:
    pytest.importorskip("transformers")
    from synthgen.models.scorers import ClipScorer

    return ClipScorer(str(tiny.checkpoint("clip", tmp_path_factory)))


@pytest.fixture(scope="module")
def clap_scorer(tmp_path_factory: pytest.TempPathFactory) -> Any:
    pytest.importorskip("transformers")
    from synthgen.models.scorers import ClapScorer

    return ClapScorer(str(tiny.checkpoint("clap", tmp_path_factory)))


def test_clip_pair_band_with_a_real_model(clip_scorer: Any) -> None:
    a, b = tiny.shape_image("red"), tiny.noise_image(7)
    identical = ClipPairBand(clip_scorer).check((a, a.copy()))
    assert identical.score == pytest.approx(1.0, abs=1e-5)
    assert not identical.passed and identical.threshold == 0.98  # not a difference pair
    assert identical.model == "{}@{}".format(*clip_scorer.model_ref())
    s = float(clip_scorer.image_image([a], [b])[0])
    assert ClipPairBand(clip_scorer, lo=-1.0, hi=1.0).check((a, b)).passed
    assert ClipPairBand(clip_scorer, lo=s - 0.01, hi=min(1.0, s + 0.01)).check((a, b)).passed
    assert not ClipPairBand(clip_scorer, lo=min(1.0, s + 0.005), hi=1.0).check((a, b)).passed


def test_clip_score_with_a_real_model(clip_scorer: Any) -> None:
    images = [tiny.shape_image("red"), tiny.noise_image(1), tiny.shape_image("blue")]
    texts = ["a red square", "a photo of a cat", "a blue circle"]
    scores = clip_scorer.image_text(images, texts)
    mid = float(np.sort(scores)[1])
    verdicts = ClipScore(clip_scorer, threshold=round(mid, 6)).check_batch(
        list(zip(images, texts, strict=True))
    )
    assert [v.passed for v in verdicts] == [
        bool(round(float(s), 6) >= round(mid, 6)) for s in scores
    ]
    assert [v.score for v in verdicts] == [round(float(s), 6) for s in scores]
    top = ClipScore(clip_scorer, top_fraction=1 / 3).select_top(images, texts)
    assert sum(v.passed for v in top) == 1
    assert top[int(np.argmax(scores))].passed
    assert_filled(top[0], "clip", "clip_image_text_cosine")


def test_clap_relative_with_a_real_model(clap_scorer: Any) -> None:
    audio = tiny.tone(440, sample_rate=48_000)
    caption, label = "a dog barks in the distance", "Dog, Bark"
    expected = clap_scorer.audio_text([audio, audio], [caption, label])
    v = ClapRelative(clap_scorer).check((audio, caption, label))
    assert v.score == round(float(expected[0]), 6)
    assert v.threshold == round(float(expected[1]), 6)
    assert v.passed is (v.score >= v.threshold)
    swapped = ClapRelative(clap_scorer).check((audio, label, caption))
    assert swapped.passed is (v.threshold >= v.score)
    assert_filled(v, "clap", "clap_audio_text_cosine")
