"""Noise tables: spectrally shaped noise made once per process and read at random offsets.

Drawing 160k Gaussian samples costs 1.5 ms and shaping them with an FFT another 3 ms, more
than the whole per-clip budget of ``bench/audio.py``. So each noise colour is made once per
(process, sample rate) from a fixed seed, as a periodic table of ``length`` samples (it is
shaped in the frequency domain, so reading it circularly has no seam), and a clip reads a
slice at an offset drawn from the clip's own RNG. The tables are a pure function of the sample
rate, so a clip stays a pure function of (config, seed, index); they are kept in the
per-machine cache folder, keyed by everything they depend on (:func:`cached_tables`).

Background colours also carry their power spectrogram at every hop-aligned offset, summed
cumulatively over bins: the audibility check then reads the background's energy in any band
and frame range with two lookups instead of an STFT per clip.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from synthgen.cachedir import (
    cache_path,
    key_text,
    numpy_key,
    read_cached,
    source_digest,
    write_cached,
)
from synthgen.world.sound.dsp import F32, Spectrogram

TABLE_SEED = 0x50D5
"""Seed of the noise tables (constant: the tables are data, not per-clip randomness)."""

TABLE_SECONDS = 11.0
"""Tables hold at least this long, so a 10-s clip never reads a sample twice."""

Shape = Callable[[np.ndarray], np.ndarray]


def _band(centre: float, octaves: float) -> Shape:
    return lambda f: np.exp(-0.5 * (np.log2(np.maximum(f, 1.0) / centre) / octaves) ** 2)


SHAPES: dict[str, Shape] = {
    # backgrounds
    "white": lambda f: np.ones_like(f),
    "pink": lambda f: 1.0 / np.sqrt(np.maximum(f, 20.0)),
    "brown": lambda f: 1.0 / np.maximum(f, 20.0),
    # event textures
    "rain": lambda f: (f / 1800.0) ** 2 / (1.0 + (f / 1800.0) ** 2) / (1.0 + (f / 9000.0) ** 2),
    "wind": _band(420.0, 0.9),
    "scuff": _band(1600.0, 0.8),
    "rumble": lambda f: 1.0 / (1.0 + (np.maximum(f, 1.0) / 140.0) ** 2) * (f > 15.0),
    "breath": _band(2500.0, 0.7),
    # added after the ones above, so their tables (same RNG stream) are unchanged
    "water": _band(1500.0, 0.9),
    "hiss": _band(5000.0, 0.6),
    "murmur": _band(600.0, 0.7),
}
"""Amplitude spectrum of each table as a function of frequency in Hz."""

BACKGROUNDS = ("white", "pink", "brown")


@dataclass
class NoiseBank:
    """Unit-RMS float32 noise tables of one sample rate (see the module docstring)."""

    sample_rate: int
    length: int
    tables: Mapping[str, np.ndarray]
    spectrogram: Spectrogram
    _cum_power: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def offset(self, rng: np.random.Generator, aligned: bool = False) -> int:
        """A random read offset; ``aligned`` ones are multiples of the analysis hop."""
        hop = self.spectrogram.hop
        if aligned:
            return int(rng.integers(self.length // hop)) * hop
        return int(rng.integers(self.length))

    def read(self, name: str, offset: int, n: int, gain: float = 1.0) -> np.ndarray:
        """``n`` samples of table ``name`` from ``offset`` times ``gain``, wrapping around
        (a new array)."""
        table = self.tables[name]
        idx = offset % self.length
        if idx + n <= self.length:
            return np.multiply(table[idx : idx + n], F32(gain))
        out = np.empty(n, F32)
        done = 0
        while done < n:  # wrap around (more than once only for clips longer than the table)
            take = min(n - done, self.length - idx)
            np.multiply(table[idx : idx + take], F32(gain), out=out[done : done + take])
            done += take
            idx = 0
        return out

    def take(self, name: str, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` samples of table ``name`` at a random offset."""
        return self.read(name, self.offset(rng), n)

    def cum_power(self, name: str) -> np.ndarray:
        """(length / hop, bins + 1) float64: for the frame starting at offset ``j * hop``
        of table ``name``, the power summed over bins ``[0, k)`` is ``[j, k]``."""
        if name not in self._cum_power:
            spec = self.spectrogram
            table = self.tables[name]
            circular = np.concatenate([table, table[: spec.frame]])
            count = self.length // spec.hop
            power = spec.power(circular)[:count].astype(np.float64)
            cum = np.zeros((count, spec.bins + 1))
            np.cumsum(power, axis=1, out=cum[:, 1:])
            self._cum_power[name] = cum
        return self._cum_power[name]

    def band_power(
        self, name: str, offset: int, frames: np.ndarray, k0: int, k1: int
    ) -> np.ndarray:
        """Per-frame power of table ``name`` read from hop-aligned ``offset``, for clip
        frame indices ``frames`` and bins ``[k0, k1)`` (unit gain)."""
        hop = self.spectrogram.hop
        if offset % hop:
            raise ValueError("band_power needs a hop-aligned offset")
        cum = self.cum_power(name)
        rows = (offset // hop + frames) % cum.shape[0]
        return cum[rows, k1] - cum[rows, k0]


def _table(shape: Shape, length: int, sample_rate: int, rng: np.random.Generator) -> np.ndarray:
    spectrum = np.fft.rfft(rng.standard_normal(length))
    spectrum *= shape(np.fft.rfftfreq(length, 1.0 / sample_rate))
    spectrum[0] = 0.0
    table = np.fft.irfft(spectrum, length)
    return (table / np.sqrt(np.mean(table**2))).astype(F32)


def build_tables(sample_rate: int) -> dict[str, np.ndarray]:
    """Every table of :data:`SHAPES` at ``sample_rate``, made from :data:`TABLE_SEED` (in
    :data:`SHAPES` order: they share one RNG stream)."""
    length = table_length(sample_rate)
    rng = np.random.default_rng([TABLE_SEED, sample_rate])
    return {name: _table(shape, length, sample_rate, rng) for name, shape in SHAPES.items()}


def table_length(sample_rate: int) -> int:
    """Samples per table: the power of two holding :data:`TABLE_SECONDS`."""
    return 1 << int(np.ceil(np.log2(TABLE_SECONDS * sample_rate)))


CACHE_NAME = "sound-noise"
"""Cache folder of the tables (:func:`synthgen.cachedir.cache_dir`)."""


def tables_key(sample_rate: int, name: str) -> dict[str, object]:
    """Everything table ``name`` depends on: this module's source (shapes, seed, order,
    :func:`_table`), the sample rate and numpy (its RNG streams, FFT and the SIMD kernels of
    exp/log)."""
    return {
        "what": "noise table",
        "table": name,
        "sample_rate": sample_rate,
        "length": table_length(sample_rate),
        "names": list(SHAPES),
        "source": source_digest(__file__),
        **numpy_key(),
    }


class CachedTables(Mapping[str, np.ndarray]):
    """:func:`build_tables` of one rate, each table read from the per-machine cache on first
    use (:func:`synthgen.cachedir.read_cached`: whole key and CRC checked).

    Building the tables takes 0.15-0.2 s of CPU (eleven FFT pairs over 2**18 samples at
    16 kHz), most of what a one-record replay would spend (issue #16); a clip reads one to
    four of the eleven, so each is its own file (1 MB at 16 kHz) and only those are read.
    When one is missing or fails its checks, all are built again (they share one RNG stream)
    and every file is rewritten. Tables are read-only arrays."""

    def __init__(self, sample_rate: int) -> None:
        self.sample_rate = sample_rate
        self.length = table_length(sample_rate)
        self._tables: dict[str, np.ndarray] = {}

    def __getitem__(self, name: str) -> np.ndarray:
        table = self._tables.get(name)
        if table is not None:
            return table
        if name not in SHAPES:
            raise KeyError(name)
        key = tables_key(self.sample_rate, name)
        data = read_cached(cache_path(CACHE_NAME, key), key_text(key))
        if data is None or len(data) != self.length * 4:
            self._build_all()
            return self._tables[name]
        table = np.frombuffer(data, dtype=F32)
        self._tables[name] = table
        return table

    def _build_all(self) -> None:
        for name, table in build_tables(self.sample_rate).items():
            table.flags.writeable = False
            self._tables[name] = table
            key = tables_key(self.sample_rate, name)
            write_cached(cache_path(CACHE_NAME, key), key_text(key), table.tobytes())

    def __iter__(self) -> Iterator[str]:
        return iter(SHAPES)

    def __len__(self) -> int:
        return len(SHAPES)


def cached_tables(sample_rate: int) -> CachedTables:
    """The tables of ``sample_rate``, read from the per-machine cache as used."""
    return CachedTables(sample_rate)


@cache
def noise_bank(sample_rate: int) -> NoiseBank:
    """The process-wide bank of ``sample_rate`` (tables read from the per-machine cache, or
    built and cached on first use: see :func:`cached_tables`)."""
    tables = cached_tables(sample_rate)
    return NoiseBank(sample_rate, table_length(sample_rate), tables, Spectrogram(sample_rate))
