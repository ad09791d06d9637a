"""Media encoders by name: png (libdeflate level 1), jpg (q90), webp, wav, flac.

An encoder turns one in-memory media value into bytes plus the metadata that goes into the
record's :class:`~synthgen.records.MediaRef` (mime, width/height or duration/sample rate).
Encoding is deterministic: the same value always gives the same bytes, in any process, on
any machine. For PNG that rules out the system zlib (distributions ship zlib, zlib-ng-compat
or patched builds, each with its own bytes), zlib-ng (its bytes may differ between CPU
architectures) and ISA-L (no determinism promise, intel/isa-l#140; issue #13 caught it). PNG
streams are deflated by libdeflate, pinned: its compressor has no CPU-dependent match
finding and starts from a freshly initialised state on every call, and its bytes change
only between libdeflate versions (see :func:`fast_png`).

An encoder whose optional dependency is missing fails when the job is built
(:meth:`Encoder.check_available`, called by :func:`resolve_encoders`), not in a worker.
"""

from __future__ import annotations

import functools
import hashlib
import io
import struct
import zlib
from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import Any, ClassVar, Literal

import deflate
import numpy as np

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

    @classmethod
    def check_available(cls) -> None:
        """Raise a one-line UserError with the fix if this encoder cannot run here."""
        return None


encoders: Registry[type[Encoder]] = Registry("encoder", "synthgen.encoders")
register_encoder = encoders.register

DEFAULT_ENCODERS: dict[str, str] = {"image": "png", "audio": "wav"}


class _PillowEncoder(Encoder):
    kind = "image"
    format: ClassVar[str]
    options: ClassVar[dict[str, Any]] = {}
    feature: ClassVar[str | None] = None  # the PIL.features name the format needs

    @classmethod
    def check_available(cls) -> None:
        from PIL import features

        if cls.feature is not None and not features.check(cls.feature):
            raise UserError(
                f"--encoder {cls.name} needs Pillow with {cls.feature.upper()} support, which "
                f"this Pillow lacks: pip install --force-reinstall pillow (the PyPI wheels have "
                f"it) or choose another --encoder"
            )

    def encode(self, value: Any) -> tuple[bytes, dict[str, Any]]:
        buf = io.BytesIO()
        value.save(buf, self.format, **self.options)
        return buf.getvalue(), {"width": value.width, "height": value.height}


_PNG_COLOR_TYPES = {"L": (0, 1), "RGB": (2, 3), "RGBA": (6, 4)}

#: The libdeflate level of every PNG stream. Part of the bytes: changing it changes datasets.
PNG_DEFLATE_LEVEL = 1
#: The ``deflate`` release (its bundled libdeflate) whose bytes datasets hold; pyproject pins it.
PINNED_DEFLATE = "0.9.0"
#: sha256 of :func:`png_deflate` of :func:`_deflate_probe` under PINNED_DEFLATE.
_PROBE_SHA256 = "aeb22ee477f45ebf127d1ebe43c28ce317d04009690ee66857439e63c80b6023"


def png_deflate(data: Any) -> bytes:
    """zlib stream of ``data`` (any buffer) by libdeflate at :data:`PNG_DEFLATE_LEVEL`."""
    return bytes(deflate.zlib_compress(data, PNG_DEFLATE_LEVEL))


def _deflate_probe() -> bytes:
    """A fixed 64-row scanline buffer (runs, repeats, literals), built without any library."""
    row = bytes((x * 7 + (x // 13) * 31) % 256 for x in range(960))
    rows = (
        b"\0" + (bytes(960) if y % 5 == 0 else row[y % 17 :] + row[: y % 17]) for y in range(64)
    )
    return b"".join(rows)


@functools.cache
def deflate_matches_pin() -> bool:
    """Whether the installed libdeflate writes the bytes :data:`PINNED_DEFLATE` writes."""
    return hashlib.sha256(png_deflate(_deflate_probe())).hexdigest() == _PROBE_SHA256


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def fast_png(image: Any) -> bytes:
    """PNG of an 8-bit L/RGB/RGBA image: filter type 0 on every row, libdeflate level 1.

    The encoder is the budget of image datasets. Pillow always tries every PNG row filter,
    which costs 4x the compression itself on our flat-shaded renders; filter 0 and one fast
    deflate is enough. The deflate must give the same bytes for the same pixels in any
    process, after any history, on any machine (the dataset guarantee), so it is libdeflate
    (``deflate``, a core dependency pinned to one release, no fallback):

    - deterministic by construction: every call allocates and initialises a new compressor,
      and its match finder has no CPU-dependent code (SIMD only fills/rebases hash tables
      and computes checksums, with identical results), so x86_64 and aarch64 agree;
    - its bytes change only with the libdeflate version, hence the pin and the probe
      (:func:`deflate_matches_pin`) that refuses a job on another build;
    - the others fail that: ISA-L (``isal``, used before) does not promise deterministic
      output (intel/isa-l#140) and wrote other bytes for identical pixels in crash-and-resume
      runs (issue #13); the stdlib's zlib is whatever libz the machine has (zlib,
      zlib-ng-compat, patched builds); zlib-ng's output may differ between CPU architectures.

    On svg's 320x240 renders (bench/png_deflate.py) level 1 takes about 0.4 ms and 6.4 KB
    per image, against zlib level 1's 0.53 ms and 8.0 KB and ISA-L's 0.12 ms and 9.3 KB. The
    container is the standard one; any PNG reader decodes it. Other modes go through
    Pillow's filters with the stream re-deflated the same way (:class:`PngEncoder`).
    """
    color_type, channels = _PNG_COLOR_TYPES[image.mode]
    width, height = image.size
    rows = np.frombuffer(image.tobytes(), dtype=np.uint8).reshape(height, width * channels)
    raw = np.empty((height, width * channels + 1), dtype=np.uint8)
    raw[:, 0] = 0  # filter type None
    raw[:, 1:] = rows
    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _png_chunk(b"IHDR", header),
            _png_chunk(b"IDAT", png_deflate(raw)),
            _png_chunk(b"IEND", b""),
        )
    )


def _redeflate_png(data: bytes) -> bytes:
    """``data`` (a PNG) with its IDAT chunks replaced by one IDAT deflated by png_deflate."""
    out, idat, pos = [data[:8]], [], 8
    while pos < len(data):
        (length,) = struct.unpack_from(">I", data, pos)
        kind, end = data[pos + 4 : pos + 8], pos + 12 + length
        if kind == b"IDAT":
            if not idat:
                out.append(b"")  # where the single IDAT goes
                slot = len(out) - 1
            idat.append(data[pos + 8 : end - 4])
        else:
            out.append(data[pos:end])
        pos = end
    out[slot] = _png_chunk(b"IDAT", png_deflate(zlib.decompress(b"".join(idat))))
    return b"".join(out)


@register_encoder
class PngEncoder(_PillowEncoder):
    """Lossless PNG, deflated by pinned libdeflate (:func:`fast_png`): the same bytes anywhere.

    8-bit L/RGB/RGBA (every render) take :func:`fast_png`. Other modes (16-bit depth maps,
    palette, LA, ...) take Pillow's row filters, stored uncompressed, and the stream is then
    inflated and deflated by libdeflate, so no byte comes from the machine's zlib.
    """

    name = "png"
    ext = "png"
    mime = "image/png"
    format = "PNG"
    options = {"compress_level": 0}

    @classmethod
    def check_available(cls) -> None:
        if not deflate_matches_pin():
            raise UserError(
                f"the png encoder's libdeflate (deflate {deflate.__version__}) writes other "
                f"bytes than deflate {PINNED_DEFLATE}, which datasets are made with: "
                f"pip install 'deflate=={PINNED_DEFLATE}'"
            )

    def encode(self, value: Any) -> tuple[bytes, dict[str, Any]]:
        meta = {"width": value.width, "height": value.height}
        if value.mode in _PNG_COLOR_TYPES:
            return fast_png(value), meta
        data, _ = super().encode(value)
        return _redeflate_png(data), meta


@register_encoder
class JpegEncoder(_PillowEncoder):
    name = "jpg"
    ext = "jpg"
    mime = "image/jpeg"
    format = "JPEG"
    options = {"quality": 90}
    feature = "jpg"

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
    feature = "webp"


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

    @classmethod
    def check_available(cls) -> None:
        try:
            import soundfile
        except (ImportError, OSError):  # OSError: soundfile without its libsndfile
            raise UserError(
                '--encoder flac needs soundfile (the audio extra): pip install -e ".[audio]"'
            ) from None
        if "FLAC" not in soundfile.available_formats():
            raise UserError(
                "--encoder flac needs a libsndfile with FLAC support, which soundfile lacks "
                "here: pip install --force-reinstall soundfile (its wheels bundle one)"
            )

    def encode(self, value: Audio) -> tuple[bytes, dict[str, Any]]:
        try:
            import soundfile
        except ImportError:  # a job checks this when built; synthgen.generate may not
            self.check_available()
            raise
        buf = io.BytesIO()
        soundfile.write(buf, _pcm16(value), value.sample_rate, format="FLAC", subtype="PCM_16")
        return buf.getvalue(), _audio_meta(value)


def encoder_names(values: list[str] | tuple[str, ...] | None) -> Iterator[str]:
    """The encoder names in ``--encoder`` values, in order (``"png,wav"`` gives two)."""
    for raw in values or ():
        yield from filter(None, (part.strip() for part in raw.split(",")))


def resolve_encoders(
    names: list[str] | tuple[str, ...] | None, defaults: dict[str, str] | None = None
) -> dict[str, str]:
    """Map media kind -> encoder name from ``--encoder`` values (later ones win per kind),
    over ``defaults`` (the program's, see ``Program.default_encoders``) over
    :data:`DEFAULT_ENCODERS`.

    Every chosen encoder (defaults included) is checked here, when the job is built, so a
    missing optional dependency is a one-line UserError before anything is written.
    """
    chosen = {**DEFAULT_ENCODERS, **(defaults or {})}
    for name in encoder_names(names):
        try:
            cls = encoders.get(name)
        except UserError:
            raise UserError(
                f"--encoder {name!r} is unknown: choose from {', '.join(encoders.names())}"
            ) from None
        chosen[cls.kind] = name
    for name in chosen.values():
        encoders.get(name).check_available()
    return chosen
