"""Tonal synthesisers: beeps, sirens, bells, chimes and engine hum.

Harmonic sounds read band-limited wavetables (:mod:`synthgen.world.sound.timbres`);
inharmonic ones (bells, chimes) sum a handful of decaying sines. Oscillator phases are exact
uint32 fractions of a cycle (:func:`synthgen.world.sound.dsp.tone_phase`), so pitch holds over
a whole clip. Musical instruments are in :mod:`synthgen.world.sound.instruments`.
"""

from __future__ import annotations

import numpy as np

from synthgen.world.sound.dsp import (
    F32,
    control,
    expand,
    fade,
    gate,
    phase_from_freq,
    seconds,
    sine,
    tone_phase,
)
from synthgen.world.sound.noise import NoiseBank
from synthgen.world.sound.synth import (
    EventSpec,
    Synth,
    draw_count,
    fit_count,
    free_duration,
    n_samples,
    register_synth,
    tone_pitch,
)
from synthgen.world.sound.timbres import lookup, midi_hz, wavetable


@register_synth
class Beep(Synth):
    """Electronic beeps: 2-5 equal bursts of a sine (or a square-ish sine + 3rd harmonic)."""

    name = "beep"
    pitched = True
    countable = True
    family = "electronic"
    audioset = "Beep, bleep"
    pitch_pool = "tone"

    def sample(self, rng: np.random.Generator, max_duration: float) -> EventSpec:
        length = float(rng.uniform(0.08, 0.35))
        gap = float(rng.uniform(0.12, 0.35))
        reps, period = fit_count(draw_count(rng), length + gap, length, max_duration, length + 0.1)
        gap = period - length
        return EventSpec(
            self.name,
            duration=reps * length + (reps - 1) * gap,
            repetitions=reps,
            pitch_hz=tone_pitch(rng),
            params={"length": length, "gap": gap, "square": float(rng.random() < 0.4)},
        )

    def render(
        self, spec: EventSpec, rng: np.random.Generator, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        n = n_samples(spec, sample_rate)
        p = spec.params
        f = float(spec.pitch_hz or 1000.0)
        local = np.mod(seconds(n, sample_rate), F32(p["length"] + p["gap"]))
        harmonics = (1.0, 0.0, 0.3) if p["square"] else (1.0,)
        wave = lookup(wavetable(harmonics, f, sample_rate), tone_phase(n, f, sample_rate))
        return wave * gate(local, p["length"], 0.004)


@register_synth
class Siren(Synth):
    """A siren: a harmonic tone sweeping between two pitches, slow (wail) or fast (yelp)."""

    name = "siren"
    family = "electronic"
    audioset = "Siren"
    free_duration = True

    def sample(self, rng: np.random.Generator, max_duration: float) -> EventSpec:
        lo = float(rng.uniform(450.0, 750.0))
        yelp = rng.random() < 0.35
        rate = float(rng.uniform(3.0, 5.0) if yelp else rng.uniform(0.3, 0.6))
        return EventSpec(
            self.name,
            duration=free_duration(rng, max_duration),
            params={"lo": lo, "hi": lo * float(rng.uniform(1.6, 2.1)), "rate": rate},
        )

    def render(
        self, spec: EventSpec, rng: np.random.Generator, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        n = n_samples(spec, sample_rate)
        p = spec.params
        t, _ = control(n, sample_rate)
        sweep = (1.0 - np.cos(F32(2 * np.pi * p["rate"]) * t)) * F32(0.5)
        freq = expand(F32(p["lo"]) * np.exp(sweep * F32(np.log(p["hi"] / p["lo"]))), n)
        table = wavetable((1.0, 0.45, 0.25, 0.1), p["hi"], sample_rate)
        return fade(lookup(table, phase_from_freq(freq, sample_rate)), sample_rate, 0.01, 0.08)


BELL_PARTIALS = (
    # (ratio to the strike pitch, amplitude, decay group)
    (0.5, 0.35, 0),
    (1.0, 1.0, 1),
    (1.19, 0.55, 1),
    (1.5, 0.3, 1),
    (2.0, 0.6, 2),
    (2.51, 0.22, 2),
    (2.66, 0.18, 2),
    (3.01, 0.12, 2),
)
BELL_DECAY = (1.3, 1.0, 0.55)
"""Decay constant of each partial group relative to the bell's: the hum rings longest and the
upper partials die first (what makes a bell sound struck, not sustained)."""
BELL_TAIL = 3.45
"""A strike is rendered for this many decay constants (-30 dB), then faded."""


@register_synth
class Bell(Synth):
    """A bell struck 2-5 times: inharmonic church-bell partials, higher ones decaying faster."""

    name = "bell"
    pitched = True
    countable = True
    family = "bell"
    audioset = "Bell"
    pitch_pool = "tone"

    def sample(self, rng: np.random.Generator, max_duration: float) -> EventSpec:
        tau = float(rng.uniform(0.35, 0.9))
        spacing = float(rng.uniform(0.7, 1.3))
        tail = BELL_TAIL * tau
        if tail > max_duration:
            tau = max_duration / BELL_TAIL
            tail = max_duration
        reps, spacing = fit_count(draw_count(rng), spacing, tail, max_duration, 0.5)
        return EventSpec(
            self.name,
            duration=(reps - 1) * spacing + tail,
            repetitions=reps,
            pitch_hz=tone_pitch(rng),
            params={"tau": tau, "spacing": spacing},
        )

    def render(
        self, spec: EventSpec, rng: np.random.Generator, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        n = n_samples(spec, sample_rate)
        p = spec.params
        t = seconds(n, sample_rate)
        reps = spec.repetitions
        strike_times = np.arange(reps) * p["spacing"]
        strike = None
        if reps > 1:
            strike = np.minimum((t / F32(p["spacing"])).astype(np.int32), reps - 1)
        f0 = float(spec.pitch_hz or 440.0)
        out = np.zeros(n, F32)
        for group, rel in enumerate(BELL_DECAY):
            tone = np.zeros(n, F32)
            for ratio, amp, g in BELL_PARTIALS:
                if g == group and f0 * ratio < 0.45 * sample_rate:
                    tone += F32(amp) * sine(tone_phase(n, f0 * ratio, sample_rate))
            tau = p["tau"] * rel
            # sum over past strikes of exp(-(t - t_s)/tau) = exp(-t/tau) * cumsum(exp(t_s/tau))
            env = np.exp(t * F32(-1.0 / tau))
            if strike is not None:
                env *= np.cumsum(np.exp(strike_times / tau)).astype(F32)[strike]
            out += tone * env
        return fade(out, sample_rate, 0.002, 0.05)


CHIME_PARTIALS = ((1.0, 1.0), (2.76, 0.4), (5.40, 0.15))
PENTATONIC = (0, 2, 4, 7, 9)
"""Scale degrees (semitones) of the major pentatonic scale: chimes and melodies use it."""


@register_synth
class Chime(Synth):
    """Tinkling metal chimes: 4-9 random strikes of high tuned bars (free-bar partials)."""

    name = "chime"
    family = "bell"
    audioset = "Chime"

    def sample(self, rng: np.random.Generator, max_duration: float) -> EventSpec:
        tau = float(rng.uniform(0.25, 0.55))
        duration = float(min(rng.uniform(1.8, 4.0), max_duration))
        strikes = int(rng.integers(4, 10))
        return EventSpec(
            self.name,
            duration=max(duration, BELL_TAIL * tau + 0.05),
            repetitions=strikes,
            params={"tau": tau},
        )

    def render(
        self, spec: EventSpec, rng: np.random.Generator, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        n = n_samples(spec, sample_rate)
        tau = spec.params["tau"]
        tail = min(n, round(BELL_TAIL * tau * sample_rate))
        count = spec.repetitions
        starts = np.sort(rng.integers(0, max(1, n - tail), size=count))
        starts[0] = 0
        starts[-1] = max(0, n - tail)  # the last strike rings out exactly at the span's end
        notes = 84 + np.array(PENTATONIC)[rng.integers(0, 5, size=count)]
        notes += 12 * rng.integers(0, 2, size=count)
        gains = rng.uniform(0.5, 1.0, size=count)
        t = seconds(tail, sample_rate)
        decay = np.exp(t * F32(-1.0 / tau))
        out = np.zeros(n, F32)
        for start, note, g in zip(starts, notes, gains, strict=True):
            f0 = midi_hz(float(note))
            strike = np.zeros(tail, F32)
            for ratio, amp in CHIME_PARTIALS:
                if f0 * ratio < 0.45 * sample_rate:
                    strike += F32(amp) * sine(tone_phase(tail, f0 * ratio, sample_rate))
            stop = min(n, int(start) + tail)
            out[start:stop] += F32(g) * (strike * decay)[: stop - start]
        return fade(out, sample_rate, 0.002, 0.05)


@register_synth
class Engine(Synth):
    """An idling engine: a low harmonic drone with a slowly wandering rpm plus rumble."""

    name = "engine"
    audioset = "Engine"
    pitched = True
    ambient = True
    stationary = True
    family = "machine"
    level_offset_db = 6.0

    def sample(self, rng: np.random.Generator, max_duration: float) -> EventSpec:
        return EventSpec(
            self.name,
            duration=float(min(rng.uniform(2.5, 9.0), max_duration)),
            pitch_hz=float(rng.uniform(28.0, 55.0)),
            params={"wobble": float(rng.uniform(0.3, 0.9)), "phase": float(rng.random())},
        )

    def render(
        self, spec: EventSpec, rng: np.random.Generator, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        n = n_samples(spec, sample_rate)
        p = spec.params
        f0 = float(spec.pitch_hz or 40.0)
        t, _ = control(n, sample_rate)
        wobble = np.sin(F32(2 * np.pi * p["wobble"]) * t + F32(2 * np.pi * p["phase"]))
        freq = expand(F32(f0) * (F32(1.0) + F32(0.015) * wobble), n)
        harmonics = tuple((1.5 if k == 2 else 1.0) / k**0.6 for k in range(1, 25))
        table = wavetable(harmonics, f0 * 1.02, sample_rate)
        out = lookup(table, phase_from_freq(freq, sample_rate))
        out += F32(0.35) * bank.take("rumble", rng, n)
        return fade(out, sample_rate, 0.02, 0.2)
