"""Musical synthesisers: single notes, chords and short melodies on a few instruments.

Additive synthesis through band-limited wavetables (:mod:`synthgen.world.sound.timbres`):
sustained instruments (flute, clarinet, violin, organ) with attack and vibrato, plucked or
struck ones (piano, guitar, marimba) decaying and darkening.
"""

from __future__ import annotations

import numpy as np

from synthgen.world.sound.dsp import (
    F32,
    control,
    expand,
    fade,
    phase_from_freq,
    seconds,
    tone_phase,
)
from synthgen.world.sound.noise import NoiseBank
from synthgen.world.sound.synth import EventSpec, Synth, n_samples, register_synth
from synthgen.world.sound.timbres import (
    CHORD_TIMBRES,
    MELODY_TIMBRES,
    NOTE_TIMBRES,
    TIMBRES,
    Timbre,
    lookup,
    midi_hz,
    wavetable,
)
from synthgen.world.sound.tonal import PENTATONIC


def play(
    timbre: Timbre,
    freq: float | np.ndarray,
    n: int,
    sample_rate: int,
    rng: np.random.Generator,
    bank: NoiseBank,
    tau: float,
) -> np.ndarray:
    """One sustained or plucked note of ``n`` samples (``freq`` scalar or per sample)."""
    t = seconds(n, sample_rate)
    top = float(np.max(freq))
    if timbre.vibrato:
        base = np.full(n, F32(freq)) if np.isscalar(freq) else freq.astype(F32)
        ct, _ = control(n, sample_rate)
        wobble = expand(np.sin(F32(2 * np.pi * 5.5) * ct), n)
        phase = phase_from_freq(base * (F32(1.0) + F32(timbre.vibrato) * wobble), sample_rate)
    elif np.isscalar(freq):
        phase = tone_phase(n, float(freq), sample_rate)
    else:
        phase = phase_from_freq(freq, sample_rate)
    bright = lookup(wavetable(timbre.harmonics, top, sample_rate), phase)
    if timbre.plucked:
        decay = np.exp(t * F32(-1.0 / tau))
        dark = lookup(wavetable(timbre.dark, top, sample_rate), phase)
        out = decay * (dark + decay**3 * (bright - dark))
        return fade(out, sample_rate, 0.003, 0.03)
    out = fade(bright, sample_rate, timbre.attack_s, 0.06)
    if timbre.breath:
        out += F32(timbre.breath) * fade(bank.take("breath", rng, n), sample_rate, 0.02, 0.06)
    return out


@register_synth
class Note(Synth):
    """One sustained or plucked note of an instrument (flute, violin, piano, ...)."""

    name = "note"
    pitched = True
    family = "music"

    def sample(self, rng: np.random.Generator, max_duration: float) -> EventSpec:
        timbre = NOTE_TIMBRES[int(rng.integers(len(NOTE_TIMBRES)))]
        return EventSpec(
            self.name,
            duration=float(min(rng.uniform(0.7, 2.5), max_duration)),
            pitch_hz=midi_hz(float(rng.integers(55, 85))),
            timbre=timbre,
        )

    def render(
        self, spec: EventSpec, rng: np.random.Generator, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        n = n_samples(spec, sample_rate)
        timbre = TIMBRES[spec.timbre or "piano"]
        return play(
            timbre, float(spec.pitch_hz or 440.0), n, sample_rate, rng, bank, spec.duration / 3.5
        )


CHORDS = {"major": (0, 4, 7), "minor": (0, 3, 7), "major7": (0, 4, 7, 11), "minor7": (0, 3, 7, 10)}


@register_synth
class Chord(Synth):
    """A chord of 3-4 notes on one instrument; guitar chords are strummed."""

    name = "chord"
    family = "music"

    def sample(self, rng: np.random.Generator, max_duration: float) -> EventSpec:
        quality = list(CHORDS)[int(rng.integers(len(CHORDS)))]
        return EventSpec(
            self.name,
            duration=float(min(rng.uniform(0.9, 2.5), max_duration)),
            timbre=CHORD_TIMBRES[int(rng.integers(len(CHORD_TIMBRES)))],
            params={
                "root": float(rng.integers(48, 68)),
                "quality": float(list(CHORDS).index(quality)),
            },
        )

    def render(
        self, spec: EventSpec, rng: np.random.Generator, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        n = n_samples(spec, sample_rate)
        timbre = TIMBRES[spec.timbre or "piano"]
        intervals = CHORDS[list(CHORDS)[int(spec.params["quality"])]]
        strum = round(0.018 * sample_rate) if timbre.name == "guitar" else 0
        out = np.zeros(n, F32)
        for i, step in enumerate(intervals):
            start = i * strum
            freq = midi_hz(spec.params["root"] + step)
            out[start:] += play(
                timbre, freq, n - start, sample_rate, rng, bank, spec.duration / 3.5
            )
        return out


@register_synth
class Melody(Synth):
    """A short tune: 3-7 notes of a pentatonic scale on one instrument."""

    name = "melody"
    family = "music"

    def sample(self, rng: np.random.Generator, max_duration: float) -> EventSpec:
        beat = float(rng.uniform(0.16, 0.32))
        count = int(rng.integers(3, 8))
        lengths = rng.choice([1, 1, 2], size=count)
        while count > 2 and beat * float(lengths.sum()) > max_duration:
            count -= 1
            lengths = lengths[:count]
        degrees = np.cumsum(rng.choice([-2, -1, 1, 1, 2], size=count))
        degrees -= degrees.min()
        return EventSpec(
            self.name,
            duration=min(beat * float(lengths.sum()), max_duration),
            repetitions=count,
            timbre=MELODY_TIMBRES[int(rng.integers(len(MELODY_TIMBRES)))],
            params={
                "beat": beat,
                "root": float(rng.integers(60, 73)),
                **{f"len{i}": float(v) for i, v in enumerate(lengths)},
                **{f"deg{i}": float(v) for i, v in enumerate(degrees)},
            },
        )

    def render(
        self, spec: EventSpec, rng: np.random.Generator, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        n = n_samples(spec, sample_rate)
        p = spec.params
        count = spec.repetitions
        lengths = np.array([round(p[f"len{i}"] * p["beat"] * sample_rate) for i in range(count)])
        lengths[-1] = n - lengths[:-1].sum()
        degrees = [int(p[f"deg{i}"]) for i in range(count)]
        notes = [p["root"] + 12 * (d // 5) + PENTATONIC[d % 5] for d in degrees]
        freqs = np.repeat(np.array([midi_hz(m) for m in notes], dtype=F32), lengths)
        starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
        local = (np.arange(n) - starts).astype(F32) * F32(1.0 / sample_rate)
        note_len = np.repeat(lengths.astype(F32) / F32(sample_rate), lengths)
        timbre = TIMBRES[spec.timbre or "flute"]
        tone = play(
            Timbre(timbre.name, timbre.harmonics, breath=timbre.breath, vibrato=timbre.vibrato),
            freqs,
            n,
            sample_rate,
            rng,
            bank,
            1.0,
        )
        env = np.exp(-local / (note_len * F32(0.4))) if timbre.plucked else np.ones(n, F32)
        edge = F32(0.008)
        env *= np.clip(np.minimum(local / edge, (note_len - local) / edge), 0.0, 1.0)
        return tone * env
