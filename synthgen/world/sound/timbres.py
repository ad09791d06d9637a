"""Instrument timbres for additive synthesis, played through band-limited wavetables.

A timbre is a list of harmonic amplitudes plus how its notes evolve (sustained with vibrato,
or plucked/struck with a decay that darkens the tone). Summing 8-12 sines per sample per note
would cost most of the clip budget, so a note is one lookup into a single-cycle table that
already holds the harmonic sum. Tables are band-limited for the note's pitch (harmonics at or
above 0.45 x the sample rate are left out), so high notes do not alias.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from synthgen.world.sound.dsp import F32

TABLE_BITS = 12
TABLE_SIZE = 1 << TABLE_BITS
"""Samples per wavetable cycle; nearest-sample lookup error is about -62 dB."""


@dataclass(frozen=True)
class Timbre:
    """Harmonic amplitudes (index k = harmonic k+1) and the envelope behaviour of a note.

    ``plucked`` notes decay exponentially and cross-fade from ``harmonics`` to ``dark`` (a
    struck string loses its upper partials first); sustained ones have ``attack_s`` and a
    ``vibrato`` (relative depth at 5.5 Hz). ``breath`` adds that much breath noise (flute).
    """

    name: str
    harmonics: tuple[float, ...]
    plucked: bool = False
    dark: tuple[float, ...] = (1.0,)
    attack_s: float = 0.02
    vibrato: float = 0.0
    breath: float = 0.0


TIMBRES: dict[str, Timbre] = {
    t.name: t
    for t in (
        Timbre("flute", (1.0, 0.35, 0.12, 0.05), attack_s=0.04, vibrato=0.004, breath=0.04),
        Timbre(
            "clarinet",
            (1.0, 0.03, 0.55, 0.02, 0.32, 0.02, 0.18, 0.01, 0.1),
            attack_s=0.03,
        ),
        Timbre(
            "violin",
            tuple(1.0 / k for k in range(1, 13)),
            attack_s=0.05,
            vibrato=0.006,
        ),
        Timbre("organ", (1.0, 0.8, 0.45, 0.6, 0.0, 0.3, 0.0, 0.3), attack_s=0.01),
        Timbre(
            "piano",
            (1.0, 0.55, 0.35, 0.25, 0.15, 0.1, 0.06, 0.04),
            plucked=True,
            dark=(1.0, 0.25, 0.05),
        ),
        Timbre(
            "guitar",
            (1.0, 0.75, 0.55, 0.4, 0.28, 0.2, 0.13, 0.08, 0.05),
            plucked=True,
            dark=(1.0, 0.3, 0.08),
        ),
        Timbre("marimba", (1.0, 0.0, 0.0, 0.35, 0.0, 0.0, 0.0, 0.0, 0.0, 0.12), plucked=True),
    )
}

NOTE_TIMBRES = ("flute", "clarinet", "violin", "organ", "piano", "guitar", "marimba")
CHORD_TIMBRES = ("piano", "organ", "guitar", "violin")
MELODY_TIMBRES = ("flute", "clarinet", "piano", "marimba", "violin")


@cache
def _table(harmonics: tuple[float, ...]) -> np.ndarray:
    phase = np.arange(TABLE_SIZE) / TABLE_SIZE
    wave = np.zeros(TABLE_SIZE)
    for k, amp in enumerate(harmonics, start=1):
        if amp:
            wave += amp * np.sin(2 * np.pi * k * phase)
    peak = np.max(np.abs(wave))
    return (wave / peak if peak > 0 else wave).astype(F32)


def wavetable(harmonics: tuple[float, ...], max_freq: float, sample_rate: int) -> np.ndarray:
    """Single-cycle table of ``harmonics`` keeping only those below 0.45 x ``sample_rate``
    when the fundamental reaches ``max_freq`` Hz."""
    keep = max(1, int(0.45 * sample_rate // max(max_freq, 1.0)))
    return _table(tuple(harmonics[:keep]))


def lookup(table: np.ndarray, phase: np.ndarray) -> np.ndarray:
    """Read ``table`` at uint32 phases (see :mod:`synthgen.world.sound.dsp`)."""
    return np.take(table, phase >> (32 - TABLE_BITS))


def midi_hz(note: float) -> float:
    return float(440.0 * 2.0 ** ((note - 69.0) / 12.0))
