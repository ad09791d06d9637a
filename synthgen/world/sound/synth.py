"""The synthesiser contract and registry: one class per kind of sound a person can name.

A :class:`Synth` does two things with the RNG it is given (never global state):

* :meth:`Synth.sample` draws an :class:`EventSpec`: duration, repetitions, pitch, timbre and
  class-specific parameters that fit in ``max_duration`` seconds;
* :meth:`Synth.render` turns a spec into a mono float32 waveform of exactly
  ``round(duration * sample_rate)`` samples whose sound fills that span: attacks are at most
  a few ms after the start and the last repetition has died away (or is faded) by the end.
  That is what makes the scene graph's spans checkable against the signal.

Loudness and pan are not the synthesiser's business: the scene sampler draws them and the
mixer scales the waveform to the drawn level.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from synthgen.world.sound.noise import NoiseBank


@dataclass
class EventSpec:
    """One sound event before it is measured. Times in seconds, pitch in Hz, level in dBFS
    (RMS over the active frames), pan in [-1, 1]. ``params`` holds class-specific values."""

    label: str
    duration: float
    repetitions: int = 1
    pitch_hz: float | None = None
    timbre: str | None = None
    text: str | None = None
    params: dict[str, float] = field(default_factory=dict)
    form: str | None = None
    """What an instrument plays: "note", "melody" or "chord"."""
    notes: tuple[int, ...] | None = None
    """MIDI keys an instrument plays, in order (a chord's at once)."""
    tempo_bpm: float | None = None
    language: str | None = None
    onset: float = 0.0
    level_db: float = -20.0
    pan: float = 0.0

    @property
    def offset(self) -> float:
        return self.onset + self.duration


class Synth(ABC):
    """A parametric sound class. Class attributes describe it to the sampler and captions.

    ``pitched``: ``pitch_hz`` is one steady pitch a listener can compare. ``countable``: the
    repetitions are discrete sounds a listener can count (knocks, strikes, steps).
    ``ambient``: the sound can last the whole clip and be described as a background.
    ``family``: sounds of one family are too alike to use each other as "absent" answers.
    ``level_offset_db``: added to the drawn level (a low hum needs more power to be heard).
    ``stationary``: a steady texture whose statistics do not change from frame to frame, so
    the checks may analyse every other frame of it (half the FFTs for the longest sounds).
    ``free_duration``: the event's length is drawn with :func:`free_duration`, the same
    range for every such class, so "how long" and "which is longer" need the audio.
    ``pitch_pool``: classes of one pool draw their pitch from one range (pitch questions
    compare only within a pool, where the names do not tell which is higher).
    ``audioset``: the class's AudioSet ontology name (``data/audioset_classes.csv``).
    """

    name: ClassVar[str]
    pitched: ClassVar[bool] = False
    countable: ClassVar[bool] = False
    ambient: ClassVar[bool] = False
    family: ClassVar[str] = ""
    level_offset_db: ClassVar[float] = 0.0
    stationary: ClassVar[bool] = False
    free_duration: ClassVar[bool] = False
    pitch_pool: ClassVar[str] = ""
    audioset: ClassVar[str] = ""

    def available(self) -> bool:
        """False when an external tool the synthesiser needs is missing (speech)."""
        return True

    @abstractmethod
    def sample(self, rng: np.random.Generator, max_duration: float) -> EventSpec:
        """Draw the parameters of one event lasting at most ``max_duration`` seconds."""

    @abstractmethod
    def render(
        self, spec: EventSpec, rng: np.random.Generator, sample_rate: int, bank: NoiseBank
    ) -> np.ndarray:
        """Mono float32 samples of ``spec`` (``n_samples(spec, sample_rate)`` long)."""


def n_samples(spec: EventSpec, sample_rate: int) -> int:
    return max(1, round(spec.duration * sample_rate))


def fit_repeats(count: int, period: float, unit: float, max_duration: float) -> int:
    """Largest count <= ``count`` of ``unit``-long sounds every ``period`` s that fits in
    ``max_duration`` (at least 1)."""
    fit = int((max_duration - unit) // period) + 1 if max_duration >= unit else 1
    return max(1, min(count, fit))


COUNT_RANGE = (2, 5)
"""Repetitions of every countable class are drawn uniformly from this range, so "how many
times does the dog bark?" has the same answers for every class: only the audio tells."""


def draw_count(rng: np.random.Generator) -> int:
    return int(rng.integers(COUNT_RANGE[0], COUNT_RANGE[1] + 1))


def fit_count(
    count: int, period: float, unit: float, max_duration: float, min_period: float
) -> tuple[int, float]:
    """(repetitions, period) for ``count`` sounds of ``unit`` s every ``period`` s within
    ``max_duration``: the period shrinks (down to ``min_period``) before the count does, so
    the drawn count survives crowded clips and stays independent of the class."""
    if count > 1 and (count - 1) * period + unit > max_duration:
        period = max(min_period, (max_duration - unit) / (count - 1))
    return fit_repeats(count, period, unit, max_duration), period


def log_uniform(rng: np.random.Generator, lo: float, hi: float) -> float:
    return float(np.exp(rng.uniform(np.log(lo), np.log(hi))))


FREE_DURATION_S = (1.0, 5.0)
"""Range of :func:`free_duration`."""


def free_duration(rng: np.random.Generator, max_duration: float) -> float:
    """A length drawn uniformly from :data:`FREE_DURATION_S`, capped at ``max_duration``: the
    same draw for every ``free_duration`` class."""
    return float(min(rng.uniform(*FREE_DURATION_S), max_duration))


TONE_HZ = (350.0, 1400.0)
"""Pitch range of the ``tone`` pitch pool (beeps, bells, whistles, horns...)."""


def tone_pitch(rng: np.random.Generator) -> float:
    """A pitch of the ``tone`` pool, log-uniform over :data:`TONE_HZ`."""
    return log_uniform(rng, *TONE_HZ)


SYNTHS: dict[str, Synth] = {}


def register_synth(cls: type[Synth]) -> type[Synth]:
    """Class decorator: add one instance of ``cls`` to :data:`SYNTHS` under ``cls.name``."""
    if cls.name in SYNTHS:
        raise ValueError(f"sound class {cls.name!r} is registered twice")
    SYNTHS[cls.name] = cls()
    return cls


def get_synth(name: str) -> Synth:
    try:
        return SYNTHS[name]
    except KeyError:
        raise KeyError(f"unknown sound class {name!r}; known: {sorted(SYNTHS)}") from None
