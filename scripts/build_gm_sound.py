#!/usr/bin/env python
"""Extract a small General MIDI sample set (synthgen/world/sound/data/gm_*) from FluidR3_GM.

Input (needed only to rebuild the data, never at run time): Debian's ``fluid-soundfont-gm``
(``apt-get install -y fluid-soundfont-gm``), /usr/share/sounds/sf2/FluidR3_GM.sf2 (~140 MB,
MIT licence, Frank Wen and contributors).

For every entry of :data:`MELODIC` (a GM program, bank 0) and :data:`DRUMS` (a key of the
standard kit, bank 128 preset 0) the script walks the SoundFont's preset -> instrument ->
sample zones for one key at velocity 100, takes the one sample that plays there (the first
matching zone; stereo pairs use their left/mono sample), and stores it as:

- mono int16 PCM resampled to :data:`RATE` Hz (windowed-sinc, float64), cut after the loop
  end for looped samples (the player loops ``[loop_start, loop_end)``) or after
  :data:`MAX_ONESHOT_S` seconds with a 20-ms fade for one-shot samples;
- metadata: root key (the zone's overridingRootKey, else the sample's), fine tune in cents
  (sample correction + zone coarse/fine tune), loop points (zone offsets applied), whether
  it loops, and the volume envelope's attack/decay/sustain/release of the zone.

Output: ``gm_samples.npy`` (all PCM concatenated; ``.npy`` has no timestamps) and
``gm_samples.json`` (sorted keys, fixed float rounding): the same SoundFont gives the same
bytes. ``--check`` rebuilds into a temp dir and compares bytes with the shipped files.

    python scripts/build_gm_sound.py [--sf2 PATH] [--out DIR] [--check]
"""

from __future__ import annotations

import argparse
import json
import struct
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "synthgen" / "world" / "sound" / "data"
DEFAULT_SF2 = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
RATE = 22050
MAX_ONESHOT_S = 1.6
MAX_LOOPED_S = 1.2
"""A looped sample longer than this before its loop end is cut at its loop end anyway, but
such samples are rare; this caps one-shot material and keeps the package data small."""

MELODIC: dict[str, tuple[int, int]] = {
    # name: (GM program 0-127, key to take the sample for)
    "piano": (0, 60),
    "electric_piano": (4, 60),
    "harpsichord": (6, 60),
    "glockenspiel": (9, 79),
    "vibraphone": (11, 67),
    "marimba": (12, 67),
    "tubular_bells": (14, 67),
    "hammond_organ": (16, 60),
    "church_organ": (19, 60),
    "accordion": (21, 60),
    "harmonica": (22, 67),
    "acoustic_guitar": (24, 60),
    "electric_guitar": (26, 60),
    "bass_guitar": (33, 40),
    "violin": (40, 67),
    "cello": (42, 48),
    "double_bass": (43, 40),
    "pizzicato": (45, 60),
    "harp": (46, 60),
    "timpani": (47, 45),
    "strings": (48, 60),
    "choir": (52, 60),
    "trumpet": (56, 67),
    "trombone": (57, 53),
    "french_horn": (60, 55),
    "saxophone": (65, 62),
    "clarinet": (71, 62),
    "flute": (73, 72),
    "synthesizer": (80, 60),
    "sitar": (104, 60),
    "banjo": (105, 62),
    "bagpipes": (109, 67),
    "steelpan": (114, 67),
}

DRUMS: dict[str, int] = {
    # name: key of the GM standard kit
    "bass_drum": 36,
    "side_stick": 37,
    "snare": 38,
    "hand_clap": 39,
    "low_tom": 45,
    "closed_hihat": 42,
    "open_hihat": 46,
    "crash": 49,
    "ride": 51,
    "tambourine": 54,
    "cowbell": 56,
    "maracas": 70,
    "wood_block": 76,
}

GEN = {
    "startAddrsOffset": 0,
    "endAddrsOffset": 1,
    "startloopAddrsOffset": 2,
    "endloopAddrsOffset": 3,
    "startAddrsCoarseOffset": 4,
    "endAddrsCoarseOffset": 12,
    "attackVolEnv": 34,
    "holdVolEnv": 35,
    "decayVolEnv": 36,
    "sustainVolEnv": 37,
    "releaseVolEnv": 38,
    "instrument": 41,
    "keyRange": 43,
    "velRange": 44,
    "startloopAddrsCoarseOffset": 45,
    "initialAttenuation": 48,
    "endloopAddrsCoarseOffset": 50,
    "coarseTune": 51,
    "fineTune": 52,
    "sampleID": 53,
    "sampleModes": 54,
    "overridingRootKey": 58,
}
RANGE_GENS = (GEN["keyRange"], GEN["velRange"])


@dataclass
class Sample:
    name: str
    start: int
    end: int
    loop_start: int
    loop_end: int
    rate: int
    pitch: int
    correction: int


class SoundFont:
    """The hydra (preset/instrument/sample tables) and sample data of an SF2 file."""

    def __init__(self, path: Path) -> None:
        data = path.read_bytes()
        if data[:4] != b"RIFF" or data[8:12] != b"sfbk":
            raise ValueError(f"{path} is not a SoundFont 2 file")
        self.chunks: dict[str, bytes] = {}
        self._walk(data, 12, len(data))
        self.smpl = np.frombuffer(self.chunks["smpl"], dtype="<i2")
        self.phdr = self._records("phdr", "<20sHHHIII")
        self.pbag = self._records("pbag", "<HH")
        self.pgen = self._gens("pgen")
        self.inst = self._records("inst", "<20sH")
        self.ibag = self._records("ibag", "<HH")
        self.igen = self._gens("igen")
        self.shdr = [
            Sample(n.split(b"\0")[0].decode("latin-1"), s, e, ls, le, r, p, c)
            for n, s, e, ls, le, r, p, c, _, _ in self._records("shdr", "<20sIIIIIBbHH")
        ]

    def _walk(self, data: bytes, pos: int, stop: int) -> None:
        while pos + 8 <= stop:
            cid = data[pos : pos + 4].decode("latin-1")
            size = struct.unpack_from("<I", data, pos + 4)[0]
            body = pos + 8
            if cid == "LIST":
                self._walk(data, body + 4, body + size)
            else:
                self.chunks[cid] = data[body : body + size]
            pos = body + size + (size & 1)

    def _records(self, cid: str, fmt: str) -> list[tuple]:
        return list(struct.iter_unpack(fmt, self.chunks[cid]))

    def _gens(self, cid: str) -> list[tuple[int, int, int]]:
        """(operator, signed amount, raw amount) per generator."""
        raw = self.chunks[cid]
        return [
            (op, struct.unpack_from("<h", raw, 4 * i + 2)[0], amount)
            for i, (op, amount) in enumerate(struct.iter_unpack("<HH", raw))
        ]

    def _zones(self, bags: list[tuple], gens: list, first: int, last: int) -> list[dict]:
        """Generator dicts of bags ``[first, last)``; ranges as (lo, hi)."""
        out = []
        for b in range(first, last):
            zone: dict[int, object] = {}
            for op, signed, raw in gens[bags[b][0] : bags[b + 1][0]]:
                zone[op] = (raw & 0xFF, raw >> 8) if op in RANGE_GENS else signed
            out.append(zone)
        return out

    def preset_zones(self, bank: int, program: int) -> list[dict]:
        for i, (_, prog, bnk, bag, *_rest) in enumerate(self.phdr[:-1]):
            if prog == program and bnk == bank:
                return self._zones(self.pbag, self.pgen, bag, self.phdr[i + 1][3])
        raise KeyError(f"no preset bank {bank} program {program}")

    def instrument_zones(self, index: int) -> list[dict]:
        return self._zones(self.ibag, self.igen, self.inst[index][1], self.inst[index + 1][1])


def _hit(zone: dict, key: int, vel: int) -> bool:
    klo, khi = zone.get(GEN["keyRange"], (0, 127))  # type: ignore[misc]
    vlo, vhi = zone.get(GEN["velRange"], (0, 127))  # type: ignore[misc]
    return klo <= key <= khi and vlo <= vel <= vhi


def find_zone(sf: SoundFont, bank: int, program: int, key: int, vel: int = 100) -> dict:
    """The instrument zone (global zone merged in) that plays ``key`` at ``vel``."""
    for pz in sf.preset_zones(bank, program):
        if GEN["instrument"] not in pz or not _hit(pz, key, vel):
            continue
        zones = sf.instrument_zones(int(pz[GEN["instrument"]]))  # type: ignore[arg-type]
        glob = zones[0] if GEN["sampleID"] not in zones[0] else {}
        for z in zones:
            if GEN["sampleID"] in z and _hit(z, key, vel):
                merged = {**glob, **z}
                for op in (GEN["coarseTune"], GEN["fineTune"]):  # preset values add
                    merged[op] = int(merged.get(op, 0)) + int(pz.get(op, 0))  # type: ignore[arg-type]
                return merged
    raise KeyError(f"no zone for bank {bank} program {program} key {key}")


def timecents(value: int | None, default: float) -> float:
    return default if value is None else float(2.0 ** (value / 1200.0))


def resample(x: np.ndarray, src: int, dst: int, taps: int = 32) -> np.ndarray:
    """Windowed-sinc resampling from ``src`` to ``dst`` Hz in float64 (low-pass at the lower
    Nyquist); a fixed loop order, so the same input gives the same bits."""
    if src == dst:
        return x.astype(np.float64)
    ratio = dst / src
    cutoff = min(1.0, ratio) * 0.95
    n_out = int(np.floor(x.size * ratio))
    t = np.arange(n_out, dtype=np.float64) / ratio
    base = np.floor(t).astype(np.int64)
    out = np.zeros(n_out, dtype=np.float64)
    for k in range(-taps + 1, taps + 1):
        idx = base + k
        d = t - idx
        w = cutoff * np.sinc(cutoff * d) * (0.5 + 0.5 * np.cos(np.pi * d / taps))
        valid = (idx >= 0) & (idx < x.size)
        out[valid] += w[valid] * x[idx[valid]]
    return out


def extract(sf: SoundFont, bank: int, program: int, key: int) -> tuple[np.ndarray, dict]:
    z = find_zone(sf, bank, program, key)
    s = sf.shdr[int(z[GEN["sampleID"]])]  # type: ignore[arg-type]

    def offset(fine: str, coarse: str) -> int:
        return int(z.get(GEN[fine], 0)) + 32768 * int(z.get(GEN[coarse], 0))  # type: ignore[arg-type]

    start = s.start + offset("startAddrsOffset", "startAddrsCoarseOffset")
    end = s.end + offset("endAddrsOffset", "endAddrsCoarseOffset")
    loop_start = s.loop_start + offset("startloopAddrsOffset", "startloopAddrsCoarseOffset")
    loop_end = s.loop_end + offset("endloopAddrsOffset", "endloopAddrsCoarseOffset")
    looped = int(z.get(GEN["sampleModes"], 0)) & 1 == 1 and loop_end > loop_start + 32  # type: ignore[operator]
    pcm = sf.smpl[start:end].astype(np.float64) / 32768.0
    ratio = RATE / s.rate
    if looped:
        stop = loop_end - start
        if stop / s.rate > MAX_LOOPED_S + 1.0:
            looped = False
    if looped:
        pcm = pcm[: loop_end - start]
        ls, le = round((loop_start - start) * ratio), round((loop_end - start) * ratio)
    else:
        pcm = pcm[: round(MAX_ONESHOT_S * s.rate)]
        ls = le = 0
    out = resample(pcm, s.rate, RATE)
    if looped:
        out = out[:le]
    else:
        fade_n = min(out.size, round(0.02 * RATE))
        out[out.size - fade_n :] *= np.linspace(1.0, 0.0, fade_n)
    peak = float(np.max(np.abs(out))) or 1.0
    pcm16 = np.round(out / peak * 32000.0).astype("<i2")
    root = int(z.get(GEN["overridingRootKey"], -1))  # type: ignore[arg-type]
    if root < 0:
        root = s.pitch
    tune = s.correction + 100 * int(z.get(GEN["coarseTune"], 0)) + int(z.get(GEN["fineTune"], 0))  # type: ignore[arg-type]
    meta = {
        "sample": s.name,
        "root_key": root,
        "tune_cents": tune,
        "loop": [ls, le] if looped else None,
        "attack_s": round(timecents(z.get(GEN["attackVolEnv"]), 0.001), 4),  # type: ignore[arg-type]
        "decay_s": round(timecents(z.get(GEN["decayVolEnv"]), 0.001), 4),  # type: ignore[arg-type]
        "sustain_db": round(-float(z.get(GEN["sustainVolEnv"], 0)) / 10.0, 2),  # type: ignore[arg-type]
        "release_s": round(timecents(z.get(GEN["releaseVolEnv"]), 0.001), 4),  # type: ignore[arg-type]
    }
    return pcm16, meta


def build(sf2: Path, out: Path) -> None:
    sf = SoundFont(sf2)
    parts: list[np.ndarray] = []
    index: dict[str, dict] = {}
    offset = 0
    jobs = [(n, 0, p, k) for n, (p, k) in MELODIC.items()] + [
        (n, 128, 0, k) for n, k in DRUMS.items()
    ]
    for name, bank, program, key in jobs:
        pcm, meta = extract(sf, bank, program, key)
        meta.update({"offset": offset, "length": int(pcm.size), "bank": bank, "program": program})
        meta["key"] = key
        index[name] = meta
        parts.append(pcm)
        offset += pcm.size
    out.mkdir(parents=True, exist_ok=True)
    np.save(out / "gm_samples.npy", np.concatenate(parts).astype("<i2"), allow_pickle=False)
    doc = {"rate": RATE, "source": "FluidR3_GM.sf2 (Debian fluid-soundfont-gm)", "samples": index}
    (out / "gm_samples.json").write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sf2", type=Path, default=DEFAULT_SF2)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true", help="rebuild in a temp dir, compare")
    args = parser.parse_args()
    if not args.sf2.is_file():
        print(f"{args.sf2} not found: apt-get install -y fluid-soundfont-gm", file=sys.stderr)
        return 2
    if not args.check:
        build(args.sf2, args.out)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        build(args.sf2, Path(tmp))
        bad = [
            n
            for n in ("gm_samples.npy", "gm_samples.json")
            if (Path(tmp) / n).read_bytes() != (args.out / n).read_bytes()
        ]
    if bad:
        print(f"rebuilt files differ from the shipped ones: {bad}", file=sys.stderr)
        return 1
    print("gm samples: rebuilt bytes equal the shipped files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
