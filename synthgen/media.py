"""In-memory media values that programs return and encoders turn into bytes.

Programs never write files: they return PIL images or :class:`Audio` in a
:class:`~synthgen.program.Sample`, and the sink encodes them with the job's encoder
(DESIGN.md section 3). :class:`MediaItem` lets a program pin the encoder of one item, e.g. a
16-bit depth map that must stay lossless whatever ``--encoder`` says.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Audio:
    """Audio samples: float32 in [-1, 1], shape (frames,) for mono or (frames, channels)."""

    samples: np.ndarray
    sample_rate: int

    @property
    def channels(self) -> int:
        return 1 if self.samples.ndim == 1 else int(self.samples.shape[1])

    @property
    def duration(self) -> float:
        return self.samples.shape[0] / self.sample_rate


@dataclass(frozen=True)
class MediaItem:
    """A media value with an explicit encoder name (overrides the job's encoder)."""

    value: Any
    encoder: str | None = None


def media_kind(value: Any) -> str:
    """``"image"`` or ``"audio"``; raises TypeError for anything a sink cannot encode."""
    if isinstance(value, MediaItem):
        value = value.value
    if isinstance(value, Audio):
        return "audio"
    from PIL import Image

    if isinstance(value, Image.Image):
        return "image"
    raise TypeError(f"cannot encode media of type {type(value).__name__}; use a PIL image or Audio")
