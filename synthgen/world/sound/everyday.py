"""Everyday sounds of streets, kitchens, parks and offices, synthesised procedurally.

Two shapes cover most of them, so each class is a short recipe:

* :class:`Repeated`: countable sounds -- ``repetitions`` copies of one short unit (a bark, a
  chop, a honk) at a steady period, overlap-added in one ``np.bincount``
  (:func:`~synthgen.world.sound.dsp.grains`); the unit is drawn once per event;
* :class:`Steady`: a texture or a running machine whose length is a *free duration*
  (:func:`~synthgen.world.sound.synth.free_duration`, the same range for every such class),
  so how long it lasts is only known from the audio.

Everything random comes from the RNG passed in; noise comes from the shared tables.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from synthgen.world.sound.dsp import (
    F32,
    control,
    expand,
    fade,
    grains,
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
    log_uniform,
    n_samples,
    register_synth,
    tone_pitch,
)
from synthgen.world.sound.textures import damped
from synthgen.world.sound.timbres import lookup, wavetable


def harmonic(freq: np.ndarray, harmonics: tuple[float, ...], sample_rate: int) -> np.ndarray:
    """A harmonic tone following ``freq`` (Hz per sample) through a band-limited table."""
    table = wavetable(harmonics, float(np.max(freq)), sample_rate)
    return lookup(table, phase_from_freq(freq.astype(F32), sample_rate))


def glide(n: int, start: float, peak: float, end: float, sample_rate: int) -> np.ndarray:
    """Per-sample frequency rising from ``start`` to ``peak`` at 30 % then to ``end``."""
    x = np.linspace(0.0, 1.0, n, dtype=F32)
    up = start + (peak - start) * np.minimum(x / F32(0.3), 1.0)
    return np.where(x < 0.3, up, peak + (end - peak) * (x - F32(0.3)) / F32(0.7)).astype(F32)


def swell(n: int, sample_rate: int, attack: float = 0.25) -> np.ndarray:
    """A smooth ``sin``-shaped rise over ``attack`` of the span and fall over the rest."""
    x = np.linspace(0.0, 1.0, n, dtype=F32)
    a = F32(attack)
    return np.where(
        x < a, np.sin(F32(np.pi / 2) * x / a), np.cos(F32(np.pi / 2) * (x - a) / (1 - a))
    )


def decay(n: int, sample_rate: int, tau: float) -> np.ndarray:
    return np.exp(seconds(n, sample_rate) * F32(-1.0 / tau))


class Repeated(Synth):
    """``repetitions`` units of ``unit_s`` seconds every ``period_s`` (class ranges); the
    count is :func:`~synthgen.world.sound.synth.draw_count`'s, the same for every class."""

    countable = True
    period_s: ClassVar[tuple[float, float]] = (0.4, 0.7)
    unit_s: ClassVar[tuple[float, float]] = (0.15, 0.25)

    def extra(self, rng: np.random.Generator) -> dict[str, float]:
        """Class parameters of the unit (pitch, brightness...)."""
        return {}

    def sample(self, rng: np.random.Generator, max_duration: float) -> EventSpec:
        unit = float(rng.uniform(*self.unit_s))
        period = max(unit + 0.06, float(rng.uniform(*self.period_s)))
        reps, period = fit_count(draw_count(rng), period, unit, max_duration, unit + 0.06)
        unit = min(unit, max_duration)
        params = {"unit": unit, "period": period, **self.extra(rng)}
        pitch = params.pop("pitch", None)
        return EventSpec(
            self.name,
            duration=(reps - 1) * period + unit,
            repetitions=reps,
            pitch_hz=pitch,
            params=params,
        )

    def unit(
        self, spec: EventSpec, rng: np.random.Generator, n: int, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        raise NotImplementedError

    def render(
        self, spec: EventSpec, rng: np.random.Generator, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        n = n_samples(spec, sample_rate)
        p = spec.params
        m = min(n, round(p["unit"] * sample_rate))
        one = fade(self.unit(spec, rng, m, sample_rate, bank).astype(F32), sample_rate, 0.002, 0.01)
        starts = np.round(np.arange(spec.repetitions) * p["period"] * sample_rate).astype(int)
        return grains(n, starts, one, rng.uniform(0.85, 1.0, size=starts.size))


class Steady(Synth):
    """A sound lasting a free duration; ``texture`` makes its ``n`` samples."""

    free_duration = True

    def extra(self, rng: np.random.Generator) -> dict[str, float]:
        return {}

    def sample(self, rng: np.random.Generator, max_duration: float) -> EventSpec:
        params = self.extra(rng)
        pitch = params.pop("pitch", None)
        return EventSpec(
            self.name, duration=free_duration(rng, max_duration), pitch_hz=pitch, params=params
        )

    def texture(
        self, spec: EventSpec, rng: np.random.Generator, n: int, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        raise NotImplementedError

    def render(
        self, spec: EventSpec, rng: np.random.Generator, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        n = n_samples(spec, sample_rate)
        out = self.texture(spec, rng, n, sample_rate, bank).astype(F32)
        return fade(out, sample_rate, 0.01, 0.08)


def slow(n: int, sample_rate: int, rate: float, depth: float, phase: float) -> np.ndarray:
    """``1 + depth * sin(2 pi rate t + phase)`` held on the control grid."""
    t, _ = control(n, sample_rate)
    return expand(F32(1.0) + F32(depth) * np.sin(F32(2 * np.pi * rate) * t + F32(phase)), n)


# --- animals ------------------------------------------------------------------------------


@register_synth
class Dog(Repeated):
    """A dog barking: short harmonic yelps whose pitch drops, with a breathy edge."""

    name = "dog"
    family = "dog"
    audioset = "Bark"
    period_s = (0.3, 0.55)
    unit_s = (0.12, 0.2)

    def extra(self, rng: np.random.Generator) -> dict[str, float]:
        return {"f0": float(rng.uniform(380.0, 650.0))}

    def unit(
        self, spec: EventSpec, rng: np.random.Generator, n: int, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        f0 = spec.params["f0"]
        tone = harmonic(
            glide(n, f0 * 0.9, f0 * 1.15, f0 * 0.7, sample_rate),
            (1, 0.8, 0.6, 0.5, 0.3, 0.2),
            sample_rate,
        )
        return (tone + F32(0.3) * bank.take("scuff", rng, n)) * swell(n, sample_rate, 0.15)


@register_synth
class Cat(Repeated):
    """A cat meowing: a nasal tone rising then falling, once or twice."""

    name = "cat"
    family = "cat"
    audioset = "Meow"
    period_s = (0.9, 1.2)
    unit_s = (0.5, 0.8)

    def extra(self, rng: np.random.Generator) -> dict[str, float]:
        return {"f0": float(rng.uniform(450.0, 750.0))}

    def unit(
        self, spec: EventSpec, rng: np.random.Generator, n: int, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        f0 = spec.params["f0"]
        freq = glide(n, f0 * 0.8, f0 * 1.3, f0 * 0.75, sample_rate)
        return harmonic(freq, (0.6, 1.0, 0.7, 0.3, 0.2, 0.1), sample_rate) * swell(
            n, sample_rate, 0.3
        )


@register_synth
class Cow(Repeated):
    """A cow mooing: one or two long, low, buzzy calls."""

    name = "cow"
    family = "cattle"
    audioset = "Moo"
    period_s = (1.6, 2.0)
    unit_s = (1.0, 1.4)

    def extra(self, rng: np.random.Generator) -> dict[str, float]:
        return {"f0": float(rng.uniform(110.0, 160.0))}

    def unit(
        self, spec: EventSpec, rng: np.random.Generator, n: int, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        f0 = spec.params["f0"]
        freq = glide(n, f0 * 0.85, f0 * 1.1, f0 * 0.8, sample_rate)
        harm = tuple(1.0 / (k**0.7) for k in range(1, 14))
        return harmonic(freq, harm, sample_rate) * swell(n, sample_rate, 0.2)


@register_synth
class Rooster(Synth):
    """A rooster crowing: four syllables, the long third one highest."""

    name = "rooster"
    family = "fowl"
    audioset = "Crowing, cock-a-doodle-doo"

    def sample(self, rng: np.random.Generator, max_duration: float) -> EventSpec:
        return EventSpec(
            self.name,
            duration=float(min(rng.uniform(1.4, 2.0), max_duration)),
            params={"f0": float(rng.uniform(550.0, 800.0))},
        )

    def render(
        self, spec: EventSpec, rng: np.random.Generator, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        n = n_samples(spec, sample_rate)
        f0 = spec.params["f0"]
        shares = np.array([0.15, 0.15, 0.45, 0.25])
        lengths = np.round(shares * n).astype(int)
        lengths[-1] = n - lengths[:-1].sum()
        freq = np.concatenate(
            [np.full(m, F32(f0 * r)) for m, r in zip(lengths, (0.9, 1.0, 1.25, 0.8), strict=True)]
        )
        env = np.concatenate([swell(m, sample_rate, 0.2) for m in lengths])
        tone = harmonic(freq, (1.0, 0.7, 0.5, 0.4, 0.25, 0.15), sample_rate)
        return fade(tone * env, sample_rate, 0.005, 0.02)


@register_synth
class Duck(Repeated):
    """A duck quacking: short nasal buzzes."""

    name = "duck"
    family = "fowl"
    audioset = "Quack"
    period_s = (0.3, 0.5)
    unit_s = (0.14, 0.22)

    def extra(self, rng: np.random.Generator) -> dict[str, float]:
        return {"f0": float(rng.uniform(220.0, 320.0))}

    def unit(
        self, spec: EventSpec, rng: np.random.Generator, n: int, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        f0 = spec.params["f0"]
        harm = tuple(0.3 if k < 3 else 1.0 / (k - 2) for k in range(1, 16))
        return harmonic(glide(n, f0, f0 * 1.05, f0 * 0.8, sample_rate), harm, sample_rate) * swell(
            n, sample_rate, 0.1
        )


@register_synth
class Crow(Repeated):
    """A crow cawing: harsh, noisy calls."""

    name = "crow"
    family = "corvid"
    audioset = "Caw"
    period_s = (0.45, 0.7)
    unit_s = (0.22, 0.32)

    def extra(self, rng: np.random.Generator) -> dict[str, float]:
        return {"f0": float(rng.uniform(450.0, 650.0))}

    def unit(
        self, spec: EventSpec, rng: np.random.Generator, n: int, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        f0 = spec.params["f0"]
        rough = slow(n, sample_rate, 0.0, 0.0, 0.0) * (
            F32(1.0) + F32(0.05) * bank.take("scuff", rng, n)
        )
        tone = harmonic(
            glide(n, f0, f0 * 1.1, f0 * 0.85, sample_rate) * rough,
            (1, 0.9, 0.8, 0.6, 0.5, 0.4, 0.3),
            sample_rate,
        )
        return (tone + F32(0.4) * bank.take("breath", rng, n)) * swell(n, sample_rate, 0.1)


@register_synth
class Owl(Repeated):
    """An owl hooting: soft, low, pure hoots."""

    name = "owl"
    family = "owl"
    audioset = "Hoot"
    period_s = (0.55, 0.9)
    unit_s = (0.28, 0.4)

    def extra(self, rng: np.random.Generator) -> dict[str, float]:
        return {"f0": float(rng.uniform(330.0, 440.0))}

    def unit(
        self, spec: EventSpec, rng: np.random.Generator, n: int, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        f0 = spec.params["f0"]
        return harmonic(
            glide(n, f0 * 0.95, f0, f0 * 0.92, sample_rate), (1.0, 0.08), sample_rate
        ) * swell(n, sample_rate, 0.3)


@register_synth
class Cricket(Steady):
    """Crickets chirping: trains of 4-5 kHz pulses in quick chirps."""

    name = "cricket"
    family = "insect"
    audioset = "Cricket"
    ambient = True

    def extra(self, rng: np.random.Generator) -> dict[str, float]:
        return {"f": float(rng.uniform(3800.0, 4800.0)), "chirp": float(rng.uniform(2.0, 3.5))}

    def texture(
        self, spec: EventSpec, rng: np.random.Generator, n: int, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        p = spec.params
        t = seconds(n, sample_rate)
        pulses = (np.sin(F32(2 * np.pi * 40.0) * t) > 0).astype(F32)
        # a whole number of chirp cycles plus most of a chirp: on at both ends of the span
        rate = (round(p["chirp"] * spec.duration) + 0.4) / spec.duration
        chirps = (np.mod(t * F32(rate), F32(1.0)) < F32(0.45)).astype(F32)
        return sine(tone_phase(n, p["f"], sample_rate)) * pulses * chirps


@register_synth
class Frog(Repeated):
    """A frog croaking: low pulsed buzzes."""

    name = "frog"
    family = "frog"
    audioset = "Croak"
    period_s = (0.45, 0.7)
    unit_s = (0.2, 0.3)

    def extra(self, rng: np.random.Generator) -> dict[str, float]:
        return {"f0": float(rng.uniform(90.0, 160.0)), "rate": float(rng.uniform(18.0, 30.0))}

    def unit(
        self, spec: EventSpec, rng: np.random.Generator, n: int, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        p = spec.params
        pulse = np.maximum(F32(0.0), np.sin(F32(2 * np.pi * p["rate"]) * seconds(n, sample_rate)))
        tone = harmonic(np.full(n, F32(p["f0"])), tuple(1.0 / k for k in range(1, 20)), sample_rate)
        return tone * pulse * swell(n, sample_rate, 0.2)


@register_synth
class Bee(Steady):
    """A bee buzzing: a bright, wavering buzz."""

    name = "bee"
    family = "insect"
    audioset = "Bee, wasp, etc."

    def extra(self, rng: np.random.Generator) -> dict[str, float]:
        return {"f0": float(rng.uniform(180.0, 260.0)), "phase": float(rng.random())}

    def texture(
        self, spec: EventSpec, rng: np.random.Generator, n: int, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        p = spec.params
        freq = F32(p["f0"]) * slow(n, sample_rate, 1.3, 0.06, 6.28 * p["phase"])
        loud = slow(n, sample_rate, 0.7, 0.3, 6.28 * p["phase"])
        return harmonic(freq, tuple(1.0 / k for k in range(1, 25)), sample_rate) * loud


# --- people -------------------------------------------------------------------------------


@register_synth
class Applause(Steady):
    """Applause: many hands clapping at once, a dense crackle of claps."""

    name = "applause"
    family = "hands"
    audioset = "Applause"
    stationary = True

    def extra(self, rng: np.random.Generator) -> dict[str, float]:
        return {"rate": float(rng.uniform(40.0, 80.0))}

    def texture(
        self, spec: EventSpec, rng: np.random.Generator, n: int, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        m = round(0.012 * sample_rate)
        count = int(spec.params["rate"] * spec.duration)
        clap = bank.take("scuff", rng, m) * decay(m, sample_rate, 0.003)
        out = grains(
            n, rng.integers(0, max(1, n - m), size=count), clap, rng.uniform(0.3, 1.0, size=count)
        )
        return out + F32(0.25) * bank.take("breath", rng, n)


@register_synth
class Cough(Repeated):
    """Someone coughing: short, explosive, breathy bursts."""

    name = "cough"
    family = "cough"
    audioset = "Cough"
    period_s = (0.35, 0.5)
    unit_s = (0.2, 0.28)

    def unit(
        self, spec: EventSpec, rng: np.random.Generator, n: int, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        burst = bank.take("murmur", rng, n) + F32(0.6) * bank.take("breath", rng, n)
        return burst * decay(n, sample_rate, 0.07)


@register_synth
class Whistling(Synth):
    """Someone whistling a few notes: a pure tone with a little breath and vibrato."""

    name = "whistling"
    family = "whistle"
    audioset = "Whistling"
    countable = False

    def sample(self, rng: np.random.Generator, max_duration: float) -> EventSpec:
        count = int(rng.integers(3, 7))
        beat = float(rng.uniform(0.2, 0.35))
        count = max(2, min(count, int(max_duration / beat)))
        steps = rng.choice([-3, -2, 2, 3, 4, 5], size=count)
        return EventSpec(
            self.name,
            duration=min(count * beat, max_duration),
            repetitions=count,
            params={
                "beat": beat,
                "root": float(rng.uniform(1000.0, 1500.0)),
                **{f"s{i}": float(v) for i, v in enumerate(steps)},
            },
        )

    def render(
        self, spec: EventSpec, rng: np.random.Generator, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        n = n_samples(spec, sample_rate)
        p = spec.params
        m = max(1, n // spec.repetitions)
        semis = np.cumsum([p[f"s{i}"] for i in range(spec.repetitions)]) * 0.5
        notes = p["root"] * 2.0 ** (semis / 12.0)
        freq = np.repeat(notes.astype(F32), m)
        freq = np.concatenate([freq, np.full(n - freq.size, freq[-1], F32)])[:n]
        freq *= slow(n, sample_rate, 5.0, 0.01, 0.0)
        tone = sine(phase_from_freq(freq, sample_rate)) + F32(0.05) * bank.take("hiss", rng, n)
        return fade(tone, sample_rate, 0.03, 0.05)


@register_synth
class Snoring(Repeated):
    """Someone snoring: slow, rattling inhalations."""

    name = "snoring"
    family = "snore"
    audioset = "Snoring"
    period_s = (1.4, 1.8)
    unit_s = (0.7, 0.9)

    def unit(
        self, spec: EventSpec, rng: np.random.Generator, n: int, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        rattle = np.maximum(F32(0.0), np.sin(F32(2 * np.pi * 32.0) * seconds(n, sample_rate)))
        return bank.take("murmur", rng, n) * (F32(0.3) + rattle) * swell(n, sample_rate, 0.4)


@register_synth
class Heartbeat(Repeated):
    """A heartbeat: low double thumps (lub-dub)."""

    name = "heartbeat"
    family = "heart"
    audioset = "Heart sounds, heartbeat"
    period_s = (0.65, 0.95)
    unit_s = (0.32, 0.36)

    def extra(self, rng: np.random.Generator) -> dict[str, float]:
        return {"f": float(rng.uniform(45.0, 70.0))}

    def unit(
        self, spec: EventSpec, rng: np.random.Generator, n: int, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        f = spec.params["f"]
        lub = damped(f, 0.035, n, sample_rate)
        gap = round(0.2 * sample_rate)
        dub = np.zeros(n, F32)
        dub[gap:] = F32(0.7) * damped(f * 1.3, 0.03, n - gap, sample_rate)
        return lub + dub


@register_synth
class FingerSnap(Repeated):
    """Fingers snapping: sharp, dry clicks."""

    name = "finger_snap"
    family = "hands"
    audioset = "Finger snapping"
    period_s = (0.4, 0.6)
    unit_s = (0.05, 0.06)

    def unit(
        self, spec: EventSpec, rng: np.random.Generator, n: int, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        return (bank.take("hiss", rng, n) + damped(1800.0, 0.004, n, sample_rate)) * decay(
            n, sample_rate, 0.008
        )


# --- home and kitchen ---------------------------------------------------------------------


@register_synth
class Frying(Steady):
    """Food frying: a hot sizzle with spitting crackles."""

    name = "frying"
    family = "sizzle"
    audioset = "Frying (food)"
    ambient = True
    stationary = True

    def texture(
        self, spec: EventSpec, rng: np.random.Generator, n: int, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        m = round(0.004 * sample_rate)
        count = int(120 * spec.duration)
        pop = bank.take("hiss", rng, m)
        out = grains(
            n, rng.integers(0, max(1, n - m), size=count), pop, rng.uniform(0.5, 2.0, size=count)
        )
        return out + F32(0.6) * bank.take("hiss", rng, n)


@register_synth
class Faucet(Steady):
    """Water running from a tap: a bubbling rush of water."""

    name = "faucet"
    family = "water"
    audioset = "Water tap, faucet"
    stationary = True

    def texture(
        self, spec: EventSpec, rng: np.random.Generator, n: int, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        m = round(0.01 * sample_rate)
        count = int(60 * spec.duration)
        bubble = damped(float(rng.uniform(900.0, 1600.0)), 0.003, m, sample_rate)
        out = grains(
            n, rng.integers(0, max(1, n - m), size=count), bubble, rng.uniform(0.2, 0.8, size=count)
        )
        return bank.take("water", rng, n) + out


@register_synth
class Microwave(Steady):
    """A microwave oven running: a steady mains hum under a fan."""

    name = "microwave"
    family = "appliance"
    audioset = "Microwave oven"
    stationary = True
    level_offset_db = 3.0

    def extra(self, rng: np.random.Generator) -> dict[str, float]:
        return {"mains": float(rng.choice([50.0, 60.0]))}

    def texture(
        self, spec: EventSpec, rng: np.random.Generator, n: int, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        f = spec.params["mains"] * 2
        hum = harmonic(np.full(n, F32(f)), (1.0, 0.5, 0.4, 0.2, 0.1), sample_rate)
        return hum + F32(0.5) * bank.take("murmur", rng, n)


@register_synth
class Blender(Steady):
    """A blender: a loud, whining motor with grinding noise."""

    name = "blender"
    family = "appliance"
    audioset = "Blender"
    stationary = True

    def extra(self, rng: np.random.Generator) -> dict[str, float]:
        return {"f0": float(rng.uniform(250.0, 380.0))}

    def texture(
        self, spec: EventSpec, rng: np.random.Generator, n: int, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        freq = F32(spec.params["f0"]) * slow(n, sample_rate, 2.0, 0.02, 0.0)
        whine = harmonic(freq, tuple(1.0 / k for k in range(1, 12)), sample_rate)
        return whine + F32(0.7) * bank.take("breath", rng, n)


@register_synth
class Dishes(Repeated):
    """Pots and dishes clattering: bright metallic clangs."""

    name = "dishes"
    family = "kitchenware"
    audioset = "Dishes, pots, and pans"
    period_s = (0.25, 0.5)
    unit_s = (0.2, 0.25)

    def extra(self, rng: np.random.Generator) -> dict[str, float]:
        return {"f": float(rng.uniform(600.0, 1100.0))}

    def unit(
        self, spec: EventSpec, rng: np.random.Generator, n: int, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        f = spec.params["f"]
        out = np.zeros(n, F32)
        for ratio, amp in ((1.0, 1.0), (2.32, 0.7), (3.71, 0.5), (5.1, 0.3)):
            out += F32(amp) * damped(f * ratio, 0.06, n, sample_rate)
        return out + F32(0.3) * bank.take("scuff", rng, n) * decay(n, sample_rate, 0.01)


@register_synth
class Cutlery(Steady):
    """Cutlery clinking: small, high, glassy clinks at random moments."""

    name = "cutlery"
    family = "kitchenware"
    audioset = "Cutlery, silverware"

    def texture(
        self, spec: EventSpec, rng: np.random.Generator, n: int, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        m = round(0.08 * sample_rate)
        count = max(3, int(6 * spec.duration))
        clink = damped(3100.0, 0.02, m, sample_rate) + F32(0.6) * damped(
            4700.0, 0.012, m, sample_rate
        )
        starts = np.sort(rng.integers(0, max(1, n - m), size=count))
        starts[0] = 0
        starts[-1] = max(0, n - m)
        return grains(n, starts, clink, rng.uniform(0.5, 1.0, size=count))


@register_synth
class Chopping(Repeated):
    """Chopping food: a knife striking a board at a steady pace."""

    name = "chopping"
    family = "chop"
    audioset = "Chopping (food)"
    period_s = (0.18, 0.3)
    unit_s = (0.06, 0.08)

    def unit(
        self, spec: EventSpec, rng: np.random.Generator, n: int, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        thud = damped(float(rng.uniform(180.0, 260.0)), 0.015, n, sample_rate)
        return thud + F32(0.7) * bank.take("scuff", rng, n) * decay(n, sample_rate, 0.008)


@register_synth
class Vacuum(Steady):
    """A vacuum cleaner: a loud roar of air with a high motor whine."""

    name = "vacuum"
    family = "appliance"
    audioset = "Vacuum cleaner"
    stationary = True

    def extra(self, rng: np.random.Generator) -> dict[str, float]:
        return {"whine": float(rng.uniform(700.0, 1000.0))}

    def texture(
        self, spec: EventSpec, rng: np.random.Generator, n: int, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        whine = harmonic(np.full(n, F32(spec.params["whine"])), (1.0, 0.3), sample_rate)
        return bank.take("breath", rng, n) + bank.take("murmur", rng, n) + F32(0.3) * whine


@register_synth
class HairDryer(Steady):
    """A hair dryer: a steady rush of air over a low motor hum."""

    name = "hair_dryer"
    family = "appliance"
    audioset = "Hair dryer"
    stationary = True

    def texture(
        self, spec: EventSpec, rng: np.random.Generator, n: int, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        hum = harmonic(
            np.full(n, F32(float(rng.uniform(180.0, 240.0)))), (1.0, 0.6, 0.3), sample_rate
        )
        return bank.take("hiss", rng, n) + F32(0.8) * bank.take("water", rng, n) + F32(0.2) * hum


# --- office -------------------------------------------------------------------------------


@register_synth
class Typing(Steady):
    """Typing on a computer keyboard: quick, uneven plastic key clicks."""

    name = "typing"
    family = "keys"
    audioset = "Computer keyboard"

    def extra(self, rng: np.random.Generator) -> dict[str, float]:
        return {"rate": float(rng.uniform(6.0, 11.0))}

    def texture(
        self, spec: EventSpec, rng: np.random.Generator, n: int, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        m = round(0.03 * sample_rate)
        count = max(2, int(spec.params["rate"] * spec.duration))
        click = bank.take("scuff", rng, m) * decay(m, sample_rate, 0.004)
        click += F32(0.5) * damped(float(rng.uniform(2500.0, 3500.0)), 0.003, m, sample_rate)
        starts = np.sort(rng.integers(0, max(1, n - m), size=count))
        starts[0] = 0
        starts[-1] = max(0, n - m)
        return grains(n, starts, click, rng.uniform(0.5, 1.0, size=count))


@register_synth
class Telephone(Repeated):
    """An old telephone ringing: bursts of a trilling bell."""

    name = "telephone"
    family = "phone"
    audioset = "Telephone bell ringing"
    period_s = (1.6, 2.2)
    unit_s = (0.9, 1.2)

    def extra(self, rng: np.random.Generator) -> dict[str, float]:
        return {"f": float(rng.uniform(900.0, 1300.0))}

    def unit(
        self, spec: EventSpec, rng: np.random.Generator, n: int, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        f = spec.params["f"]
        t = seconds(n, sample_rate)
        trill = (np.sin(F32(2 * np.pi * 20.0) * t) > 0).astype(F32)
        bell = sine(tone_phase(n, f, sample_rate)) + F32(0.5) * sine(
            tone_phase(n, f * 2.76, sample_rate)
        )
        return bell * (F32(0.3) + trill)


@register_synth
class Printer(Steady):
    """A printer at work: a mechanical whirr with the rhythmic clack of the print head."""

    name = "printer"
    family = "office_machine"
    audioset = "Printer"

    def extra(self, rng: np.random.Generator) -> dict[str, float]:
        return {"rate": float(rng.uniform(2.5, 4.0))}

    def texture(
        self, spec: EventSpec, rng: np.random.Generator, n: int, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        whirr = bank.take("murmur", rng, n) * slow(n, sample_rate, spec.params["rate"], 0.5, 0.0)
        m = round(0.03 * sample_rate)
        starts = np.arange(0, max(1, n - m), round(sample_rate / spec.params["rate"]))
        clack = bank.take("scuff", rng, m) * decay(m, sample_rate, 0.006)
        return whirr + grains(n, starts, clack, np.full(starts.size, 1.2))


@register_synth
class Fan(Steady):
    """An electric fan: a soft, steady whoosh with a faint blade hum."""

    name = "fan"
    family = "fan"
    audioset = "Mechanical fan"
    ambient = True
    stationary = True

    def texture(
        self, spec: EventSpec, rng: np.random.Generator, n: int, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        blade = harmonic(np.full(n, F32(float(rng.uniform(90.0, 140.0)))), (1.0, 0.4), sample_rate)
        return bank.take("wind", rng, n) + F32(0.25) * blade


@register_synth
class DoorBell(Repeated):
    """A doorbell: a two-note chime, high then low (ding-dong)."""

    name = "doorbell"
    family = "doorbell"
    audioset = "Ding-dong"
    period_s = (1.4, 1.7)
    unit_s = (1.1, 1.2)
    pitch_pool = "tone"
    pitched = True

    def extra(self, rng: np.random.Generator) -> dict[str, float]:
        return {"pitch": tone_pitch(rng)}

    def unit(
        self, spec: EventSpec, rng: np.random.Generator, n: int, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        f = float(spec.pitch_hz or 660.0)
        half = round(0.45 * sample_rate)
        out = damped(f, 0.4, n, sample_rate) + F32(0.3) * damped(2 * f, 0.2, n, sample_rate)
        low = damped(f / 1.26, 0.4, n - half, sample_rate)
        out[half:] += low + F32(0.3) * damped(2 * f / 1.26, 0.2, n - half, sample_rate)
        return out


@register_synth
class SmokeAlarm(Repeated):
    """A smoke alarm: piercing high beeps in a steady pattern."""

    name = "smoke_alarm"
    family = "alarm"
    audioset = "Smoke detector, smoke alarm"
    period_s = (0.9, 1.1)
    unit_s = (0.45, 0.5)

    def unit(
        self, spec: EventSpec, rng: np.random.Generator, n: int, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        f = min(3100.0, 0.4 * sample_rate)
        return harmonic(np.full(n, F32(f)), (1.0, 0.0, 0.2), sample_rate)


@register_synth
class DialTone(Steady):
    """A telephone dial tone: two steady low tones together."""

    name = "dial_tone"
    family = "phone"
    audioset = "Dial tone"
    stationary = True

    def texture(
        self, spec: EventSpec, rng: np.random.Generator, n: int, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        return sine(tone_phase(n, 350.0, sample_rate)) + sine(tone_phase(n, 440.0, sample_rate))


# --- street -------------------------------------------------------------------------------


@register_synth
class CarHorn(Repeated):
    """A car horn honking: a loud, brassy two-tone blast."""

    name = "car_horn"
    family = "horn"
    audioset = "Vehicle horn, car horn, honking"
    period_s = (0.5, 0.9)
    unit_s = (0.25, 0.45)
    pitch_pool = "tone"
    pitched = True

    def extra(self, rng: np.random.Generator) -> dict[str, float]:
        return {"pitch": tone_pitch(rng)}

    def unit(
        self, spec: EventSpec, rng: np.random.Generator, n: int, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        f = float(spec.pitch_hz or 440.0)
        harm = tuple(1.0 / k**0.8 for k in range(1, 12))
        return harmonic(np.full(n, F32(f)), harm, sample_rate) + F32(0.6) * harmonic(
            np.full(n, F32(f * 1.26)), harm, sample_rate
        )


@register_synth
class Motorcycle(Steady):
    """A motorcycle engine: a throaty, pulsing roar that revs up."""

    name = "motorcycle"
    family = "machine"
    audioset = "Motorcycle"
    level_offset_db = 3.0

    def extra(self, rng: np.random.Generator) -> dict[str, float]:
        return {"f0": float(rng.uniform(60.0, 90.0)), "rev": float(rng.uniform(1.3, 1.8))}

    def texture(
        self, spec: EventSpec, rng: np.random.Generator, n: int, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        p = spec.params
        x = np.linspace(0.0, 1.0, n, dtype=F32)
        freq = F32(p["f0"]) * (F32(1.0) + F32(p["rev"] - 1.0) * np.sin(F32(np.pi) * x) ** 2)
        harm = tuple((1.5 if k % 2 == 0 else 1.0) / k**0.5 for k in range(1, 30))
        return harmonic(freq, harm, sample_rate) + F32(0.4) * bank.take("rumble", rng, n)


@register_synth
class CarPassing(Steady):
    """A car driving past: road noise swelling and fading as it passes."""

    name = "car_passing"
    family = "traffic"
    audioset = "Car passing by"

    def texture(
        self, spec: EventSpec, rng: np.random.Generator, n: int, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        road = bank.take("murmur", rng, n) + F32(0.8) * bank.take("rumble", rng, n)
        return road * (F32(0.15) + swell(n, sample_rate, float(rng.uniform(0.4, 0.6))))


@register_synth
class BicycleBell(Repeated):
    """A bicycle bell: a bright, fast metallic ring-ring."""

    name = "bicycle_bell"
    family = "bell"
    audioset = "Bicycle bell"
    period_s = (0.35, 0.5)
    unit_s = (0.25, 0.3)

    def unit(
        self, spec: EventSpec, rng: np.random.Generator, n: int, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        trill = F32(0.6) + F32(0.4) * np.sin(F32(2 * np.pi * 28.0) * seconds(n, sample_rate))
        ring = damped(2300.0, 0.12, n, sample_rate) + F32(0.6) * damped(
            3450.0, 0.08, n, sample_rate
        )
        return ring * trill


@register_synth
class Jackhammer(Steady):
    """A jackhammer: a rapid, hard hammering of metal on concrete."""

    name = "jackhammer"
    family = "tools"
    audioset = "Jackhammer"
    stationary = True

    def extra(self, rng: np.random.Generator) -> dict[str, float]:
        return {"rate": float(rng.uniform(18.0, 26.0))}

    def texture(
        self, spec: EventSpec, rng: np.random.Generator, n: int, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        m = round(0.03 * sample_rate)
        starts = np.arange(0, max(1, n - m), round(sample_rate / spec.params["rate"]))
        hit = bank.take("scuff", rng, m) * decay(m, sample_rate, 0.008) + damped(
            220.0, 0.01, m, sample_rate
        )
        return grains(n, starts, hit, rng.uniform(0.8, 1.0, size=starts.size))


@register_synth
class Helicopter(Steady):
    """A helicopter: the deep, rapid thump of rotor blades."""

    name = "helicopter"
    family = "aircraft"
    audioset = "Helicopter"
    ambient = True
    stationary = True
    level_offset_db = 3.0

    def extra(self, rng: np.random.Generator) -> dict[str, float]:
        return {"rate": float(rng.uniform(11.0, 17.0))}

    def texture(
        self, spec: EventSpec, rng: np.random.Generator, n: int, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        m = round(0.05 * sample_rate)
        starts = np.arange(0, max(1, n - m), round(sample_rate / spec.params["rate"]))
        thump = bank.take("murmur", rng, m) * decay(m, sample_rate, 0.015)
        return grains(n, starts, thump, np.ones(starts.size)) + F32(0.3) * bank.take(
            "rumble", rng, n
        )


@register_synth
class Traffic(Steady):
    """Traffic: the steady, low roar of a busy road."""

    name = "traffic"
    family = "traffic"
    audioset = "Traffic noise, roadway noise"
    ambient = True
    stationary = True

    def texture(
        self, spec: EventSpec, rng: np.random.Generator, n: int, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        roar = bank.take("rumble", rng, n) + F32(0.6) * bank.take("murmur", rng, n)
        return roar * slow(n, sample_rate, 0.15, 0.25, float(rng.uniform(0, 6.28)))


# --- nature -------------------------------------------------------------------------------


@register_synth
class Stream(Steady):
    """A stream: water babbling over stones."""

    name = "stream"
    family = "water"
    audioset = "Stream"
    ambient = True
    stationary = True

    def texture(
        self, spec: EventSpec, rng: np.random.Generator, n: int, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        m = round(0.015 * sample_rate)
        count = int(35 * spec.duration)
        blip = damped(float(rng.uniform(500.0, 900.0)), 0.004, m, sample_rate)
        out = grains(
            n, rng.integers(0, max(1, n - m), size=count), blip, rng.uniform(0.3, 1.0, size=count)
        )
        return F32(0.8) * bank.take("water", rng, n) + out


@register_synth
class Thunder(Synth):
    """Thunder: a crack followed by a long, deep rumble."""

    name = "thunder"
    family = "weather"
    audioset = "Thunder"

    def sample(self, rng: np.random.Generator, max_duration: float) -> EventSpec:
        return EventSpec(self.name, duration=float(min(rng.uniform(2.0, 4.0), max_duration)))

    def render(
        self, spec: EventSpec, rng: np.random.Generator, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        n = n_samples(spec, sample_rate)
        body = bank.take("rumble", rng, n) * swell(n, sample_rate, 0.1)
        crack = bank.take("murmur", rng, n) * decay(n, sample_rate, 0.25)
        return fade(body + crack, sample_rate, 0.005, 0.3)


@register_synth
class Fire(Steady):
    """A fire burning: a soft roar with snapping crackles."""

    name = "fire"
    family = "fire"
    audioset = "Crackle"
    ambient = True
    stationary = True

    def texture(
        self, spec: EventSpec, rng: np.random.Generator, n: int, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        m = round(0.006 * sample_rate)
        count = int(25 * spec.duration)
        snap = bank.take("scuff", rng, m) * decay(m, sample_rate, 0.0015)
        pops = grains(
            n, rng.integers(0, max(1, n - m), size=count), snap, rng.uniform(0.5, 3.0, size=count)
        )
        return pops + F32(0.5) * bank.take("rumble", rng, n)


@register_synth
class Leaves(Steady):
    """Leaves rustling in a breeze: soft, swelling high hiss."""

    name = "leaves"
    family = "weather"
    audioset = "Rustling leaves"
    stationary = True

    def texture(
        self, spec: EventSpec, rng: np.random.Generator, n: int, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        flutter = slow(
            n, sample_rate, float(rng.uniform(0.8, 1.6)), 0.6, float(rng.uniform(0, 6.28))
        )
        return bank.take("hiss", rng, n) * flutter


@register_synth
class Waves(Steady):
    """Waves breaking on a shore: a slow surge and wash of surf."""

    name = "waves"
    family = "water"
    audioset = "Waves, surf"
    ambient = True
    stationary = True

    def texture(
        self, spec: EventSpec, rng: np.random.Generator, n: int, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        surge = slow(
            n, sample_rate, float(rng.uniform(0.15, 0.25)), 0.7, float(rng.uniform(0, 6.28))
        )
        return (bank.take("water", rng, n) + F32(0.6) * bank.take("rumble", rng, n)) * surge


# --- tools --------------------------------------------------------------------------------


@register_synth
class Hammer(Repeated):
    """A hammer striking nails: hard, ringing blows."""

    name = "hammer"
    family = "tools"
    audioset = "Hammer"
    period_s = (0.4, 0.7)
    unit_s = (0.12, 0.16)

    def unit(
        self, spec: EventSpec, rng: np.random.Generator, n: int, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        ring = damped(float(rng.uniform(1400.0, 2200.0)), 0.03, n, sample_rate)
        return (
            ring
            + bank.take("scuff", rng, n) * decay(n, sample_rate, 0.006)
            + damped(150.0, 0.02, n, sample_rate)
        )


@register_synth
class Sawing(Steady):
    """Someone sawing wood: rasping strokes back and forth."""

    name = "sawing"
    family = "tools"
    audioset = "Sawing"

    def extra(self, rng: np.random.Generator) -> dict[str, float]:
        return {"rate": float(rng.uniform(1.5, 2.5))}

    def texture(
        self, spec: EventSpec, rng: np.random.Generator, n: int, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        t = seconds(n, sample_rate)
        strokes = np.abs(np.sin(F32(np.pi * spec.params["rate"]) * t + F32(0.3)))
        return (bank.take("scuff", rng, n) + F32(0.5) * bank.take("hiss", rng, n)) * strokes


@register_synth
class Drill(Steady):
    """A power drill: a high, steady motor whine."""

    name = "drill"
    family = "tools"
    audioset = "Drill"

    def extra(self, rng: np.random.Generator) -> dict[str, float]:
        return {"f0": float(rng.uniform(300.0, 500.0))}

    def texture(
        self, spec: EventSpec, rng: np.random.Generator, n: int, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        x = np.linspace(0.0, 1.0, n, dtype=F32)
        freq = F32(spec.params["f0"]) * (F32(0.7) + F32(0.3) * np.minimum(x * F32(5.0), 1.0))
        whine = harmonic(freq, tuple(1.0 / k for k in range(1, 10)), sample_rate)
        return whine + F32(0.3) * bank.take("scuff", rng, n)


EVERYDAY = tuple(
    name
    for name in (
        "dog",
        "cat",
        "cow",
        "rooster",
        "duck",
        "crow",
        "owl",
        "cricket",
        "frog",
        "bee",
        "applause",
        "cough",
        "whistling",
        "snoring",
        "heartbeat",
        "finger_snap",
        "frying",
        "faucet",
        "microwave",
        "blender",
        "dishes",
        "cutlery",
        "chopping",
        "vacuum",
        "hair_dryer",
        "typing",
        "telephone",
        "printer",
        "fan",
        "doorbell",
        "smoke_alarm",
        "dial_tone",
        "car_horn",
        "motorcycle",
        "car_passing",
        "bicycle_bell",
        "jackhammer",
        "helicopter",
        "traffic",
        "stream",
        "thunder",
        "fire",
        "leaves",
        "waves",
        "hammer",
        "sawing",
        "drill",
    )
)
"""The classes of this module, in a fixed order."""

__all__ = ["EVERYDAY", "Repeated", "Steady", "log_uniform"]
