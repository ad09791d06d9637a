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
    """

    name: ClassVar[str]
    pitched: ClassVar[bool] = False
    countable: ClassVar[bool] = False
    ambient: ClassVar[bool] = False
    family: ClassVar[str] = ""
    level_offset_db: ClassVar[float] = 0.0
    stationary: ClassVar[bool] = False

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


def log_uniform(rng: np.random.Generator, lo: float, hi: float) -> float:
    return float(np.exp(rng.uniform(np.log(lo), np.log(hi))))


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
