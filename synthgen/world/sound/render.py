"""Rendering a scene: background noise plus one stem per event, mixed and normalised.

The mixer keeps what the oracle checks need: each event's *stem* (the exact mono samples it
adds to the mix, at their final level, with the per-channel pan gains) and where the
background was read from its noise table. Because the mix is exactly the sum of those parts,
measuring each part on its own is measuring it in the rendered signal, without the
guesswork of separating a mixture.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from synthgen.world.sound.dsp import F32, active_rms, db_to_amp, pan_gains
from synthgen.world.sound.noise import NoiseBank, noise_bank
from synthgen.world.sound.scene import SceneSpec
from synthgen.world.sound.synth import get_synth

if TYPE_CHECKING:
    from synthgen.world.sound.analysis import SceneMeasurements

HEADROOM = 0.95
"""The mix is scaled down (all parts alike) when its peak would exceed this."""


@dataclass
class Stem:
    """One event in the mix: ``samples`` (mono, final level) start at sample ``start`` and
    reach channel c with gain ``gains[c]``."""

    start: int
    samples: np.ndarray
    gains: tuple[float, ...]

    @property
    def stop(self) -> int:
        return self.start + self.samples.size


@dataclass
class RenderedScene:
    """A rendered clip: ``mix`` float32 (frames,) or (frames, channels) in [-1, 1], and its
    parts. The background of channel c is ``background_gain`` x the noise table
    ``spec.background`` read from ``background_offsets[c]`` (hop-aligned)."""

    spec: SceneSpec
    mix: np.ndarray
    stems: list[Stem]
    background_offsets: tuple[int, ...]
    background_gain: float
    gain: float
    bank: NoiseBank

    @property
    def sample_rate(self) -> int:
        return self.spec.sample_rate

    @property
    def n(self) -> int:
        return int(self.mix.shape[0])

    @cached_property
    def measurements(self) -> SceneMeasurements:
        """Signal measurements of every event (computed once, shared by the filters)."""
        from synthgen.world.sound.analysis import measure

        return measure(self)

    def without(self, drop: list[int]) -> RenderedScene:
        """This scene with events ``drop`` taken out of the mix (their stems subtracted) and
        out of the spec; the other events keep their samples and measurements (SNRs
        re-measured without the dropped ones). What a caption describes is then exactly
        what the clip holds."""
        if not drop:
            return self
        keep = [i for i in range(len(self.stems)) if i not in drop]
        mix = self.mix.copy()
        for i in drop:
            stem = self.stems[i]
            if mix.ndim == 1:
                mix[stem.start : stem.stop] -= stem.samples
            else:
                for c, g in enumerate(stem.gains):
                    mix[stem.start : stem.stop, c] -= F32(g) * stem.samples
        spec = replace(self.spec, events=[self.spec.events[i] for i in keep])
        out = RenderedScene(
            spec,
            mix,
            [self.stems[i] for i in keep],
            self.background_offsets,
            self.background_gain,
            self.gain,
            self.bank,
        )
        out.__dict__["measurements"] = self.measurements.subset(keep)
        return out

    def background(self, channel: int = 0) -> np.ndarray:
        """The background samples of ``channel`` as mixed."""
        raw = self.bank.read(self.spec.background, self.background_offsets[channel], self.n)
        return raw * F32(self.background_gain)


def render_scene(spec: SceneSpec, rng: np.random.Generator) -> RenderedScene:
    """Render ``spec`` with noise and per-event randomness drawn from ``rng``."""
    sr = spec.sample_rate
    bank = noise_bank(sr)
    n = round(spec.duration * sr)
    channels = spec.channels
    offsets = tuple(bank.offset(rng, aligned=True) for _ in range(channels))
    bg_gain = db_to_amp(spec.background_level_db)
    if channels == 1:
        mix = bank.read(spec.background, offsets[0], n, F32(bg_gain))
    else:
        mix = np.stack([bank.read(spec.background, o, n) for o in offsets], axis=1)
        mix *= F32(bg_gain)
    hop = bank.spectrogram.hop
    stems = []
    for ev in spec.events:
        x = get_synth(ev.label).render(ev, rng, sr, bank)
        rms = active_rms(x, hop)
        if rms > 0:
            x *= F32(db_to_amp(ev.level_db) / rms)
        start = round(ev.onset * sr)
        x = x[: max(0, n - start)]
        stem = Stem(start, x, pan_gains(ev.pan, channels))
        if channels == 1:
            mix[start : stem.stop] += x
        else:
            for c, g in enumerate(stem.gains):
                mix[start : stem.stop, c] += F32(g) * x
        stems.append(stem)
    peak = float(np.max(np.abs(mix))) if n else 0.0
    gain = HEADROOM / peak if peak > HEADROOM else 1.0
    if gain != 1.0:
        mix *= F32(gain)
        for stem in stems:
            stem.samples *= F32(gain)
    return RenderedScene(spec, mix, stems, offsets, bg_gain * gain, gain, bank)
