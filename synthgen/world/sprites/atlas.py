"""The sprite atlas: real object categories drawn as emoji art, shipped as package data.

    atlas = load_atlas()
    atlas.categories["dog"]            # Category(name, plural, synonyms, synset, hypernyms, ...)
    atlas.sprites("dog")               # every sprite of a category, all styles and poses
    atlas.sprites("man", pose="walking")
    atlas.resolve("guy")               # -> Category("man"): names, plurals and synonyms

The data in ``sprites/data`` is written by ``scripts/build_atlas.py`` from Debian's
``fonts-noto-color-emoji`` (style "noto", Apache-2.0) and npm's ``@lobehub/fluent-emoji-3d``
(style "fluent", MIT); see LICENSE-* and ATTRIBUTION there. Loading needs only numpy and
Pillow and is cached per process; every array is read-only. A sheet is decoded from its PNG
once per machine: the raw pixels are kept as ``.npy`` in synthgen's cache folder
(:func:`synthgen.cachedir.cache_dir`, ``atlas/``, named by the PNG's hash) and memory-mapped by
later processes, so a process pays only for the sprites it touches (a one-record replay used to
spend ~0.3 s CPU decoding all four sheets). The pixels are the same either way.

Sprites are straight-alpha RGBA, trimmed to their alpha bounding box. Anchors are
normalised (x, y) points of the sprite box (0, 0 top left). ``facing`` is the direction
the art faces as drawn ("left", "right", "front", or "none" for things without one). People
are drawn in the emoji sets' skin-tone-neutral default (yellow skin).
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import numpy as np
from PIL import Image

from synthgen.cachedir import cache_dir
from synthgen.fsutil import atomic_write_bytes

DATA_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Category:
    name: str
    plural: str
    synonyms: tuple[str, ...]
    synset: str  # WordNet 3.0 synset id, e.g. "dog.n.01"
    hypernyms: tuple[str, ...]  # generic -> specific, e.g. ("animal", "mammal", "dog")
    group: str  # person, animal, vehicle, food, furniture, clothing, plant, ...
    height_m: tuple[float, float]  # real-world height range in metres, lo <= hi


@dataclass(frozen=True)
class Sprite:
    category: str
    style: str
    pose: str  # "" for things without poses
    rgba: np.ndarray = field(repr=False, compare=False)  # (h, w, 4) uint8, read-only
    anchors: Mapping[str, tuple[float, float]]  # normalised (x, y) in [0, 1]
    facing: str  # "left" | "right" | "front" | "none", as drawn
    color: str  # dominant colour name


class Atlas:
    """Categories and their sprites; build with :func:`load_atlas`."""

    def __init__(self, categories: Mapping[str, Category], sprites: tuple[Sprite, ...]) -> None:
        self.categories: Mapping[str, Category] = MappingProxyType(dict(categories))
        self.all_sprites: tuple[Sprite, ...] = sprites
        by_cat: dict[str, list[Sprite]] = {name: [] for name in self.categories}
        for s in sprites:
            by_cat[s.category].append(s)
        self._by_category = {k: tuple(v) for k, v in by_cat.items()}
        by_pose: dict[tuple[str, str], list[Sprite]] = {}
        for s in sprites:
            by_pose.setdefault((s.category, s.pose), []).append(s)
        self._by_pose = {k: tuple(v) for k, v in by_pose.items()}
        self.styles: tuple[str, ...] = tuple(dict.fromkeys(s.style for s in sprites))
        words: dict[str, str] = {}
        for c in self.categories.values():
            for w in (c.name, c.plural, *c.synonyms):
                words.setdefault(w, c.name)
        self._words = words

    def sprites(self, category: str, pose: str | None = None) -> tuple[Sprite, ...]:
        """Sprites of ``category`` (KeyError if unknown), all poses or only ``pose``."""
        found = self._by_category[category]
        return found if pose is None else self._by_pose.get((category, pose), ())

    def poses(self, category: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.pose for s in self._by_category[category]))

    def resolve(self, word: str) -> Category | None:
        """The category named ``word`` by its name, plural or a synonym, else None."""
        name = self._words.get(word.strip().lower())
        return None if name is None else self.categories[name]

    def __repr__(self) -> str:
        return (
            f"Atlas({len(self.categories)} categories, {len(self.all_sprites)} sprites, "
            f"styles={self.styles})"
        )


def _read_only(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


@functools.cache
def load_atlas(data_dir: str | None = None) -> Atlas:
    """The shipped atlas (or one written by scripts/build_atlas.py into ``data_dir``)."""
    root = Path(data_dir) if data_dir is not None else DATA_DIR
    meta = json.loads((root / "atlas.json").read_text(encoding="utf-8"))
    cats = json.loads((root / "categories.json").read_text(encoding="utf-8"))
    categories = {
        c["name"]: Category(
            name=c["name"],
            plural=c["plural"],
            synonyms=tuple(c["synonyms"]),
            synset=c["synset"],
            hypernyms=tuple(c["hypernyms"]),
            group=c["group"],
            height_m=(float(c["height_m"][0]), float(c["height_m"][1])),
        )
        for c in cats["categories"]
    }
    sheets = [_sheet_pixels(root / name) for name in meta["sheets"]]
    sprites = []
    for s in meta["sprites"]:
        x, y, w, h = s["rect"]
        rgba = _read_only(sheets[s["sheet"]][y : y + h, x : x + w])
        anchors = MappingProxyType({k: (float(v[0]), float(v[1])) for k, v in s["anchors"].items()})
        sprites.append(
            Sprite(
                category=s["category"],
                style=s["style"],
                pose=s["pose"],
                rgba=rgba,
                anchors=anchors,
                facing=s["facing"],
                color=s["color"],
            )
        )
    return Atlas(categories, tuple(sprites))


def _decode(png: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(png)) as im:
        return np.asarray(im.convert("RGBA"))


def _sheet_pixels(path: Path) -> np.ndarray:
    """The (h, w, 4) uint8 pixels of sheet PNG ``path``, read-only: memory-mapped from the
    cache (written on the first call on a machine), or decoded in memory where the cache
    cannot be read or written. A cached file is named by the PNG's SHA-256 and must have the
    shape the PNG header states, so an edited sheet or a torn file is never used."""
    png = path.read_bytes()
    kept = cache_dir("atlas") / f"{hashlib.sha256(png).hexdigest()[:40]}.npy"
    with Image.open(io.BytesIO(png)) as im:
        shape = (im.height, im.width, 4)
    try:
        pixels = np.load(kept, mmap_mode="r")
        if pixels.shape == shape and pixels.dtype == np.uint8:
            return pixels.view(np.ndarray)
    except (OSError, ValueError):
        pass
    pixels = _decode(png)
    try:
        buf = io.BytesIO()
        np.save(buf, pixels)
        kept.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(kept, buf.getvalue())
    except OSError:
        pass  # an unwritable cache: decode again next time
    return _read_only(pixels)
