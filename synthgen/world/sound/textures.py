"""Noise and impact synthesisers: rain, wind, clock ticks, knocks, drum hits, footsteps, birds.

Noisy sounds read the shared noise tables (:mod:`synthgen.world.sound.noise`) at offsets drawn
from the clip's RNG; trains of short impacts are overlap-added in one ``np.bincount``
(:func:`synthgen.world.sound.dsp.grains`).
"""

from __future__ import annotations

import numpy as np

from synthgen.world.sound.dsp import (
    F32,
    control,
    expand,
    fade,
    grains,
    seconds,
    sine,
    sine_cycles,
    tone_phase,
)
from synthgen.world.sound.noise import NoiseBank
from synthgen.world.sound.synth import (
    EventSpec,
    Synth,
    draw_count,
    fit_count,
    fit_repeats,
    log_uniform,
    n_samples,
    register_synth,
)


def damped(freq: float, tau: float, length: int, sample_rate: int) -> np.ndarray:
    """A decaying sine ``exp(-t/tau) sin(2 pi f t)`` of ``length`` samples (an impact)."""
    t = seconds(length, sample_rate)
    return np.exp(t * F32(-1.0 / tau)) * sine(tone_phase(length, freq, sample_rate))


DROP_HZ = (2600.0, 3400.0, 4300.0)
"""Ring frequencies of rain drops (all below 0.45 x 16 kHz)."""


@register_synth
class Rain(Synth):
    """Rain: a steady high hiss with a crackle of individual drops on top."""

    name = "rain"
    audioset = "Rain"
    ambient = True
    stationary = True
    family = "weather"

    def sample(self, rng: np.random.Generator, max_duration: float) -> EventSpec:
        return EventSpec(
            self.name,
            duration=float(min(rng.uniform(3.0, 9.5), max_duration)),
            params={"rate": float(rng.uniform(25.0, 80.0)), "swell": float(rng.uniform(0.1, 0.3))},
        )

    def render(
        self, spec: EventSpec, rng: np.random.Generator, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        n = n_samples(spec, sample_rate)
        p = spec.params
        t, _ = control(n, sample_rate)
        swell = F32(0.6) + F32(0.6 * p["swell"]) * np.sin(
            F32(2 * np.pi * 0.23) * t + F32(rng.random())
        )
        out = bank.take("rain", rng, n) * expand(swell, n)
        count = int(p["rate"] * spec.duration)
        drop_len = round(0.012 * sample_rate)
        kinds = np.stack([damped(f, 0.0018, drop_len, sample_rate) for f in DROP_HZ])
        starts = rng.integers(0, max(1, n - drop_len), size=count)
        shapes = kinds[rng.integers(0, len(DROP_HZ), size=count)]
        out += grains(n, starts, shapes, rng.uniform(0.3, 1.6, size=count))
        return fade(out, sample_rate, 0.01, 0.3)


@register_synth
class Wind(Synth):
    """Wind: low broadband whoosh swelling in gusts, with a faint whistle riding on it."""

    name = "wind"
    audioset = "Wind"
    ambient = True
    stationary = True
    family = "weather"

    def sample(self, rng: np.random.Generator, max_duration: float) -> EventSpec:
        return EventSpec(
            self.name,
            duration=float(min(rng.uniform(3.0, 9.5), max_duration)),
            params={
                "gust1": float(rng.uniform(0.15, 0.4)),
                "gust2": float(rng.uniform(0.4, 0.9)),
                "phase1": float(rng.uniform(-0.1, 0.1)),
                "phase2": float(rng.random()),
                "whistle": float(rng.uniform(350.0, 800.0)),
            },
        )

    def render(
        self, spec: EventSpec, rng: np.random.Generator, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        n = n_samples(spec, sample_rate)
        p = spec.params
        t, _ = control(n, sample_rate)
        two_pi = F32(2 * np.pi)
        # starts near the top of a gust (phase1 ~ 0 -> cos ~ 1), so the onset is heard at once
        gust = F32(0.62) + F32(0.26) * np.cos(two_pi * (F32(p["gust1"]) * t + F32(p["phase1"])))
        gust += F32(0.12) * np.cos(two_pi * (F32(p["gust2"]) * t + F32(p["phase2"])))
        whistle = sine(tone_phase(n, p["whistle"], sample_rate)) * F32(0.08)
        whistle += bank.take("wind", rng, n)
        return fade(whistle * expand(gust, n), sample_rate, 0.02, 0.3)


@register_synth
class Clock(Synth):
    """A ticking clock: short resonant clicks every 0.5 or 1 s, alternating tick and tock."""

    name = "clock"
    audioset = "Tick-tock"
    family = "clock"

    def sample(self, rng: np.random.Generator, max_duration: float) -> EventSpec:
        period = float((0.5 if rng.random() < 0.6 else 1.0) * rng.uniform(0.96, 1.04))
        unit = 0.02
        ticks = fit_repeats(int(rng.uniform(2.0, 6.0) / period) + 1, period, unit, max_duration)
        return EventSpec(
            self.name,
            duration=(ticks - 1) * period + unit,
            repetitions=ticks,
            params={"period": period, "freq": float(rng.uniform(2200.0, 3600.0))},
        )

    def render(
        self, spec: EventSpec, rng: np.random.Generator, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        n = n_samples(spec, sample_rate)
        p = spec.params
        unit = round(0.02 * sample_rate)
        starts = np.round(np.arange(spec.repetitions) * p["period"] * sample_rate).astype(int)
        out = np.zeros(n, F32)
        for parity, shift in ((0, 1.0), (1, 0.82)):
            click = damped(p["freq"] * shift, 0.0025, unit, sample_rate)
            click += F32(0.5) * damped(p["freq"] * shift * 1.9, 0.0012, unit, sample_rate)
            sel = starts[parity::2]
            out += grains(n, sel, click, np.ones(sel.size))
        return out


@register_synth
class Knock(Synth):
    """Knocking on a door: 2-5 quick, dry, woody thumps."""

    name = "knock"
    audioset = "Knock"
    countable = True
    family = "impact"

    def sample(self, rng: np.random.Generator, max_duration: float) -> EventSpec:
        spacing = float(rng.uniform(0.14, 0.3))
        unit = 0.09
        reps, spacing = fit_count(draw_count(rng), spacing, unit, max_duration, 0.14)
        return EventSpec(
            self.name,
            duration=(reps - 1) * spacing + unit,
            repetitions=reps,
            params={"spacing": spacing, "freq": float(rng.uniform(140.0, 260.0))},
        )

    def render(
        self, spec: EventSpec, rng: np.random.Generator, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        n = n_samples(spec, sample_rate)
        p = spec.params
        unit = round(0.09 * sample_rate)
        knock = damped(p["freq"], 0.022, unit, sample_rate)
        knock += damped(p["freq"] * 2.7, 0.008, unit, sample_rate) * F32(0.6)
        click = bank.take("scuff", rng, unit) * np.exp(seconds(unit, sample_rate) * F32(-1 / 0.004))
        knock += F32(0.35) * click
        starts = np.round(np.arange(spec.repetitions) * p["spacing"] * sample_rate).astype(int)
        return grains(n, starts, knock, rng.uniform(0.8, 1.0, size=starts.size))


@register_synth
class Drum(Synth):
    """Drum hits: 2-5 deep, booming hits at a steady tempo (pitch drops after each hit)."""

    name = "drum"
    audioset = "Drum"
    countable = True
    family = "impact"

    def sample(self, rng: np.random.Generator, max_duration: float) -> EventSpec:
        period = float(rng.uniform(0.32, 0.6))
        unit = min(period, float(rng.uniform(0.25, 0.45)))
        reps, period = fit_count(draw_count(rng), period, unit, max_duration, unit)
        return EventSpec(
            self.name,
            duration=(reps - 1) * period + unit,
            repetitions=reps,
            params={"period": period, "unit": unit, "freq": float(rng.uniform(55.0, 110.0))},
        )

    def render(
        self, spec: EventSpec, rng: np.random.Generator, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        n = n_samples(spec, sample_rate)
        p = spec.params
        unit = round(p["unit"] * sample_rate)
        t = seconds(unit, sample_rate)
        f_end, drop, tau = p["freq"], 2.0 * p["freq"], 0.03
        # phase of f(t) = f_end + drop * exp(-t/tau), integrated in closed form
        cycles = f_end * t + F32(drop * tau) * (F32(1.0) - np.exp(t * F32(-1.0 / tau)))
        hit = sine_cycles(cycles) * np.exp(t * F32(-3.0 / p["unit"]))
        hit += F32(0.25) * bank.take("scuff", rng, unit) * np.exp(t * F32(-1 / 0.006))
        fade(hit, sample_rate, 0.001, 0.02)
        starts = np.round(np.arange(spec.repetitions) * p["period"] * sample_rate).astype(int)
        return grains(n, starts, hit, rng.uniform(0.85, 1.0, size=starts.size))


@register_synth
class Footsteps(Synth):
    """Footsteps: 2-5 steps at a walking pace, each a soft heel thump and a scuff."""

    name = "footsteps"
    audioset = "Walk, footsteps"
    countable = True
    family = "impact"

    def sample(self, rng: np.random.Generator, max_duration: float) -> EventSpec:
        period = float(rng.uniform(0.45, 0.65))
        unit = 0.16
        reps, period = fit_count(draw_count(rng), period, unit, max_duration, 0.3)
        return EventSpec(
            self.name,
            duration=(reps - 1) * period + unit,
            repetitions=reps,
            params={"period": period, "freq": float(rng.uniform(70.0, 120.0))},
        )

    def render(
        self, spec: EventSpec, rng: np.random.Generator, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        n = n_samples(spec, sample_rate)
        p = spec.params
        unit = round(0.16 * sample_rate)
        t = seconds(unit, sample_rate)
        step = damped(p["freq"], 0.025, unit, sample_rate) * F32(0.8)
        scuff = bank.take("scuff", rng, unit) * np.exp(t * F32(-1 / 0.035))
        step += F32(0.8) * scuff * np.minimum(F32(1.0), t / F32(0.004))
        fade(step, sample_rate, 0.001, 0.02)
        starts = np.round(np.arange(spec.repetitions) * p["period"] * sample_rate).astype(int)
        gains = np.where(np.arange(starts.size) % 2 == 0, 1.0, 0.8) * rng.uniform(0.85, 1.0)
        return grains(n, starts, step, gains)


@register_synth
class Birds(Synth):
    """Bird chirps: 3-8 quick high whistles sweeping up or down in pitch."""

    name = "birds"
    audioset = "Bird vocalization, bird call, bird song"
    family = "animal"

    def sample(self, rng: np.random.Generator, max_duration: float) -> EventSpec:
        spacing = float(rng.uniform(0.1, 0.25))
        length = float(rng.uniform(0.045, min(0.1, spacing - 0.03)))
        reps = fit_repeats(int(rng.integers(3, 9)), spacing, length, max_duration)
        start = log_uniform(rng, 2400.0, 4400.0)
        return EventSpec(
            self.name,
            duration=(reps - 1) * spacing + length,
            repetitions=reps,
            params={
                "spacing": spacing,
                "length": length,
                "start": start,
                "end": start * float(rng.choice([0.6, 0.75, 1.35, 1.6])),
            },
        )

    def render(
        self, spec: EventSpec, rng: np.random.Generator, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        n = n_samples(spec, sample_rate)
        p = spec.params
        local = np.mod(seconds(n, sample_rate), F32(p["spacing"]))
        length = F32(p["length"])
        slope = F32((p["end"] - p["start"]) / (2.0 * p["length"]))
        cycles = local * (F32(p["start"]) + slope * local)
        inside = local < length
        env = np.where(inside, np.sin(F32(np.pi) * np.minimum(local, length) / length) ** 2, 0)
        return (sine_cycles(cycles) * env).astype(F32)
