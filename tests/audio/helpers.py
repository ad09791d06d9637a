"""Shared helpers of the audio tests: hand-built scenes and an independent energy envelope."""

from __future__ import annotations

import numpy as np

from synthgen.world.sound import (
    RelationMargins,
    SceneSpec,
    SoundSceneConfig,
    Structure,
    get_synth,
    render_scene,
    sample_scene,
)
from synthgen.world.sound.render import RenderedScene
from synthgen.world.sound.synth import EventSpec

MARGINS = RelationMargins(
    gap_s=0.15, overlap_s=0.3, onset_s=0.25, loudness_db=6.0, pitch_semitones=3.0
)


def event(
    label: str,
    onset: float,
    level_db: float,
    seed: int = 0,
    max_duration: float = 2.0,
    **overrides: object,
) -> EventSpec:
    """An event of class ``label`` with parameters drawn from ``seed``, placed by hand."""
    ev = get_synth(label).sample(np.random.default_rng(seed), max_duration)
    ev.onset = onset
    ev.level_db = level_db
    for key, value in overrides.items():
        setattr(ev, key, value)
    return ev


def scene(
    events: list[EventSpec],
    background_db: float = -50.0,
    duration: float = 4.0,
    noise: str = "pink",
    sample_rate: int = 16000,
    seed: int = 0,
) -> RenderedScene:
    """Render a hand-made scene (no placement rules applied)."""
    spec = SceneSpec(
        duration=duration,
        sample_rate=sample_rate,
        channels=1,
        background=noise,
        background_level_db=background_db,
        events=events,
        structure=Structure((), (tuple(range(len(events))),)),
    )
    return render_scene(spec, np.random.default_rng(seed))


def sampled(cfg: SoundSceneConfig, seed: int) -> RenderedScene:
    rng = np.random.default_rng(seed)
    return render_scene(sample_scene(rng, cfg), rng)


def band_envelope(
    samples: np.ndarray, sample_rate: int, band: tuple[float, float], hop_s: float = 0.008
) -> tuple[np.ndarray, np.ndarray]:
    """(frame centre times, in-band power) of ``samples`` with 16-ms Hann frames every
    ``hop_s``: computed here from scratch, not with the library's analysis code."""
    x = samples.mean(axis=1) if samples.ndim == 2 else samples
    frame = int(0.016 * sample_rate)
    hop = int(hop_s * sample_rate)
    frames = np.lib.stride_tricks.sliding_window_view(x.astype(np.float64), frame)[::hop]
    spec = np.abs(np.fft.rfft(frames * np.hanning(frame), axis=1)) ** 2
    freqs = np.fft.rfftfreq(frame, 1.0 / sample_rate)
    sel = (freqs >= band[0]) & (freqs <= band[1])
    times = (np.arange(len(frames)) * hop + frame / 2) / sample_rate
    return times, spec[:, sel].sum(axis=1)
