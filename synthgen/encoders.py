"""Media encoders by name: png (fast, level 1), jpg (q90), webp, wav, flac.

An encoder turns one in-memory media value into bytes plus the metadata that goes into the
record's :class:`~synthgen.records.MediaRef` (mime, width/height or duration/sample rate).
Encoding is deterministic: the same value always gives the same bytes.
"""

from __future__ import annotations

import io
import struct
import zlib
from abc import ABC, abstractmethod
from typing import Any, ClassVar, Literal

import numpy as np
from isal import isal_zlib

from synthgen.errors import UserError
from synthgen.media import Audio
from synthgen.registry import Registry

MediaKind = Literal["image", "audio"]


class Encoder(ABC):
    """Encodes one kind of media. Subclasses set the class attributes and ``encode``."""

    name: ClassVar[str]
    kind: ClassVar[MediaKind]
    ext: ClassVar[str]
    mime: ClassVar[str]

    @abstractmethod
    def encode(self, value: Any) -> tuple[bytes, dict[str, Any]]:
        """Bytes of ``value`` and its MediaRef metadata (width/height or duration etc.)."""


encoders: Registry[type[Encoder]] = Registry("encoder", "synthgen.encoders")
register_encoder = encoders.register

DEFAULT_ENCODERS: dict[str, str] = {"image": "png", "audio": "wav"}


class _PillowEncoder(Encoder):
    kind = "image"
    format: ClassVar[str]
    options: ClassVar[dict[str, Any]] = {}

    def encode(self, value: Any) -> tuple[bytes, dict[str, Any]]:
        buf = io.BytesIO()
        value.save(buf, self.format, **self.options)
        return buf.getvalue(), {"width": value.width, "height": value.height}


_PNG_COLOR_TYPES = {"L": (0, 1), "RGB": (2, 3), "RGBA": (6, 4)}


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def fast_png(image: Any, level: int = 1) -> bytes:
    """PNG of an 8-bit L/RGB/RGBA image: filter type 0 on every row, ISA-L deflate ``level``.

    The encoder is the budget of image datasets. Pillow always tries every PNG row filter,
    which costs 4x the compression itself on our flat-shaded renders (1.5 ms at 320x240);
    filter 0 with zlib level 1 costs 0.29 ms, and the same stream deflated by ISA-L
    (``isal``, levels 0-3) 0.05 ms, for files about 10 % larger. ISA-L is a core dependency,
    not an optional speed-up, because its deflate bytes differ from zlib's: with a fallback
    the same job would write other bytes on another machine. The container is the standard
    one; any PNG reader decodes it. Other modes go through Pillow.
    """
    color_type, channels = _PNG_COLOR_TYPES[image.mode]
    width, height = image.size
    rows = np.frombuffer(image.tobytes(), dtype=np.uint8).reshape(height, width * channels)
    raw = np.empty((height, width * channels + 1), dtype=np.uint8)
    raw[:, 0] = 0  # filter type None
    raw[:, 1:] = rows
    raw.flags.writeable = False
    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _png_chunk(b"IHDR", header),
            _png_chunk(b"IDAT", isal_zlib.compress(raw, level)),
            _png_chunk(b"IEND", b""),
        )
    )


@register_encoder
class PngEncoder(_PillowEncoder):
    """Lossless PNG with fast deflate (:func:`fast_png`): the budget of image datasets."""

    name = "png"
    ext = "png"
    mime = "image/png"
    format = "PNG"
    options = {"compress_level": 1}

    def encode(self, value: Any) -> tuple[bytes, dict[str, Any]]:
        if value.mode in _PNG_COLOR_TYPES:
            return fast_png(value), {"width": value.width, "height": value.height}
        return super().encode(value)


@register_encoder
class JpegEncoder(_PillowEncoder):
    name = "jpg"
    ext = "jpg"
    mime = "image/jpeg"
    format = "JPEG"
    options = {"quality": 90}

    def encode(self, value: Any) -> tuple[bytes, dict[str, Any]]:
        if value.mode not in ("RGB", "L"):
            value = value.convert("RGB")
        return super().encode(value)


@register_encoder
class WebpEncoder(_PillowEncoder):
    name = "webp"
    ext = "webp"
    mime = "image/webp"
    format = "WEBP"
    options = {"quality": 90, "method": 4}


def _pcm16(audio: Audio) -> np.ndarray:
    return (np.clip(audio.samples, -1.0, 1.0) * 32767.0).round().astype("<i2")


def _audio_meta(audio: Audio) -> dict[str, Any]:
    return {
        "duration": round(audio.duration, 6),
        "sample_rate": audio.sample_rate,
        "channels": audio.channels,
    }


@register_encoder
class WavEncoder(Encoder):
    """16-bit PCM WAV through the standard library (no extra needed)."""

    name = "wav"
    kind = "audio"
    ext = "wav"
    mime = "audio/wav"

    def encode(self, value: Audio) -> tuple[bytes, dict[str, Any]]:
        import wave

        buf = io.BytesIO()
        with wave.open(buf, "wb") as w:
            w.setnchannels(value.channels)
            w.setsampwidth(2)
            w.setframerate(value.sample_rate)
            w.writeframes(_pcm16(value).tobytes())
        return buf.getvalue(), _audio_meta(value)


@register_encoder
class FlacEncoder(Encoder):
    """16-bit FLAC through soundfile (the ``audio`` extra)."""

    name = "flac"
    kind = "audio"
    ext = "flac"
    mime = "audio/flac"

    def encode(self, value: Audio) -> tuple[bytes, dict[str, Any]]:
        try:
            import soundfile
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise UserError(
                "--encoder flac needs soundfile: pip install 'synthgen[audio]'"
            ) from exc
        buf = io.BytesIO()
        soundfile.write(buf, _pcm16(value), value.sample_rate, format="FLAC", subtype="PCM_16")
        return buf.getvalue(), _audio_meta(value)


def resolve_encoders(names: list[str] | tuple[str, ...] | None) -> dict[str, str]:
    """Map media kind -> encoder name from ``--encoder`` values (later ones win per kind)."""
    chosen = dict(DEFAULT_ENCODERS)
    for raw in names or ():
        for name in filter(None, (part.strip() for part in raw.split(","))):
            try:
                cls = encoders.get(name)
            except UserError:
                raise UserError(
                    f"--encoder {name!r} is unknown: choose from {', '.join(encoders.names())}"
                ) from None
            chosen[cls.kind] = name
    return chosen
