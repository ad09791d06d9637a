"""The oracle filters on hand-built scenes: audibility (band SNR) and separability (masking)."""

from __future__ import annotations

import numpy as np
import pytest

from synthgen.filter import filters
from synthgen.filters.audibility import Audibility
from synthgen.filters.separability import Separability
from tests.audio.helpers import event, scene


def test_filters_are_registered() -> None:
    assert filters.get("audibility") is Audibility
    assert filters.get("separability") is Separability


def test_an_event_below_the_snr_is_rejected_with_its_name() -> None:
    """A beep 30 dB under a loud background is inaudible: rejected, and the detail says
    which event and by how much."""
    quiet = scene([event("beep", 1.0, -62.0)], background_db=-30.0, noise="white")
    v = Audibility(snr_db=6.0).check(quiet)
    assert not v.passed
    assert v.filter == "audibility" and v.kind == "oracle"
    assert v.score_type == "band_snr_db" and v.threshold == 6.0
    assert v.score < 6.0
    assert "event 0 (beep)" in v.detail


def test_the_snr_threshold_is_the_boundary() -> None:
    """The same beep passes with a lower threshold than its measured SNR and fails with a
    higher one; the score moves dB for dB with the event level."""
    clip = scene([event("beep", 1.0, -45.0)], background_db=-35.0, noise="pink")
    score = Audibility(0.0).check(clip).score
    assert Audibility(score - 0.5).check(clip).passed
    assert not Audibility(score + 0.5).check(clip).passed
    louder = scene([event("beep", 1.0, -35.0)], background_db=-35.0, noise="pink")
    assert Audibility(0.0).check(louder).score == pytest.approx(score + 10.0, abs=0.05)


def test_the_faintest_of_several_events_decides() -> None:
    clip = scene(
        [event("bell", 0.2, -20.0), event("knock", 2.6, -70.0)], background_db=-40.0, noise="brown"
    )
    v = Audibility(6.0).check(clip)
    assert not v.passed and "(knock)" in v.detail
    loud = scene(
        [event("bell", 0.2, -20.0), event("knock", 2.6, -20.0)], background_db=-60.0, noise="brown"
    )
    assert Audibility(6.0).check(loud).passed


def test_band_snr_counts_only_the_events_band() -> None:
    """A quiet high beep over loud brown noise (energy at low frequencies) is audible: the
    background is weak in the beep's band. Over white noise of the same level it is not."""
    beep = event("beep", 1.0, -45.0, pitch_hz=2000.0)
    over_brown = scene([beep], background_db=-30.0, noise="brown")
    assert Audibility(6.0).check(over_brown).passed
    beep = event("beep", 1.0, -45.0, pitch_hz=2000.0)
    over_white = scene([beep], background_db=-30.0, noise="white")
    assert not Audibility(6.0).check(over_white).passed


def test_events_apart_in_time_are_separable() -> None:
    clip = scene([event("flute", 0.2, -20.0, seed=1), event("flute", 2.5, -20.0, seed=1)])
    v = Separability(0.6).check(clip)
    assert v.passed and v.score == 1.0


def test_same_sound_at_the_same_time_is_not_separable() -> None:
    """Two copies of one flute note overlapping: each masks the other in every cell."""
    a = event("flute", 0.5, -20.0, seed=2, form="note", notes=(67,))
    b = event("flute", 0.6, -20.0, seed=2, form="note", notes=(67,))
    v = Separability(0.6).check(scene([a, b]))
    assert not v.passed
    assert v.score_type == "ibm_energy_retention" and v.threshold == 0.6
    assert "overlap in time and frequency" in v.detail


def test_overlapping_events_in_different_bands_are_separable() -> None:
    """A high beep over a low engine hum: together in time, apart in frequency."""
    hum = event("engine", 0.2, -20.0, max_duration=3.5)
    beep = event("beep", 1.0, -25.0, pitch_hz=2500.0)
    v = Separability(0.6).check(scene([hum, beep]))
    assert v.passed and v.score > 0.9


def test_a_loud_event_masks_a_quiet_one_in_its_band() -> None:
    loud = event("rain", 0.2, -15.0, max_duration=3.5)
    faint = event("birds", 1.0, -45.0, seed=3)
    v = Separability(0.6).check(scene([loud, faint]))
    assert not v.passed and "(birds)" in v.detail
    assert Separability(0.0).check(scene([loud, faint])).passed


def test_an_event_under_a_louder_one_in_its_band_is_inaudible() -> None:
    """Five knocks under a louder engine hum in the same band: clearly audible over the
    quiet background alone, masked once the engine is in the mix. A beep far above the
    hum's band at the same level stays audible (the band, not the overall energy, counts)."""
    knocks = event("knock", 1.0, -30.0, seed=1)
    assert knocks.repetitions == 5
    assert Audibility(6.0).check(scene([knocks], background_db=-60.0)).passed
    engine = event("engine", 0.2, -14.0, max_duration=3.5)
    clip = scene([engine, event("knock", 1.0, -30.0, seed=1)], background_db=-60.0)
    v = Audibility(6.0).check(clip)
    assert not v.passed and "event 1 (knock)" in v.detail and "rest of the mix" in v.detail
    assert clip.measurements.audible(6.0) == [0]
    beep = event("beep", 1.0, -30.0, pitch_hz=2000.0)
    engine = event("engine", 0.2, -14.0, max_duration=3.5)
    assert Audibility(6.0).check(scene([engine, beep], background_db=-60.0)).passed


def test_dropping_a_masked_event_removes_it_from_the_mix() -> None:
    """``without`` subtracts the dropped stem: the clip then equals a render without it."""
    engine = event("engine", 0.2, -14.0, max_duration=3.5)
    clip = scene([engine, event("knock", 1.0, -30.0, seed=1)], background_db=-60.0)
    kept = clip.without([1])
    assert [e.label for e in kept.spec.events] == ["engine"]
    bg = clip.background()
    np.testing.assert_allclose(
        kept.mix,
        bg + np.pad(clip.stems[0].samples, (clip.stems[0].start, clip.n - clip.stems[0].stop)),
        atol=1e-6,
    )
    assert Audibility(6.0).check(kept).passed
