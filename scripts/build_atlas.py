#!/usr/bin/env python
"""Build the sprite atlas package data (synthgen/world/sprites/data) from installable art.

Inputs (none is needed at run time, only to rebuild the data):

- Debian's ``fonts-noto-color-emoji`` (``apt-get install -y fonts-noto-color-emoji``):
  NotoColorEmoji.ttf, style "noto". Its glyphs are 136x128 PNG bitmaps in the CBDT table
  (the 109 ppem strike, the font's only size); this script reads those PNGs straight out of
  the font with fontTools (cmap for single code points, the GSUB ligatures for ZWJ / skin
  sequences), which is exactly what Pillow's ``draw.text(..., embedded_color=True)`` at
  size 109 paints, but without a text-layout engine (BASIC layout cannot join ZWJ
  sequences and raqm differs between machines), so no byte depends on the machine's fonts.
- npm's ``@lobehub/fluent-emoji-3d`` (``npm pack @lobehub/fluent-emoji-3d``): 256 px WebP
  per emoji, style "fluent"; pass the .tgz or the unpacked ``package`` folder.
- Debian's ``wordnet-base`` (``apt-get install -y wordnet-base``): WordNet 3.0 noun files,
  read here to name each category's synset (NLTK-style id, e.g. ``dog.n.01``) and its
  hypernym path; only the resulting table is shipped.
- ``scripts/atlas_categories.py``: the curated, human-edited category table.

Processing per sprite: decode -> trim to the alpha bounding box (alpha > 0) -> shrink so
the longer side is at most MAX_SIDE px (Lanczos on premultiplied alpha; never enlarged) ->
for art that draws a second thing with the named one, only the named thing
(:func:`only_the_thing_below`, :func:`only_one_region`; :func:`without_snow` for skiers on
a snow patch; art that cannot be parted is not used, ``NOT_IN_STYLE``) ->
dominant colour (see :func:`dominant_color`). Sprites are shelf-packed, in table order,
into RGBA sheets per style, written as PNG with fixed per-row filter choice and libdeflate
level 12 (the pinned ``deflate`` package), no ancillary chunks: the same inputs give the
same bytes on any machine. ``--check`` rebuilds into a temp dir and compares bytes with
the shipped files.

    python scripts/build_atlas.py --fluent /tmp/lobehub-fluent-emoji-3d-1.1.0.tgz
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import io
import json
import struct
import sys
import tarfile
import tempfile
import zlib
from pathlib import Path

import deflate
import numpy as np
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "synthgen" / "world" / "sprites" / "data"
DEFAULT_NOTO = Path("/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf")
DEFAULT_FLUENT = Path(tempfile.gettempdir()) / "lobehub-fluent-emoji-3d-1.1.0.tgz"
DEFAULT_WORDNET = Path("/usr/share/wordnet")
TABLE = Path(__file__).resolve().parent / "atlas_categories.py"

MAX_SIDE = 72
SHEET_WIDTH = 1024
SHEET_MAX_HEIGHT = 2048
STYLES = ("noto", "fluent")

INSTALL_HINT = {
    "noto": "apt-get update && apt-get install -y fonts-noto-color-emoji",
    "fluent": "cd /tmp && npm pack @lobehub/fluent-emoji-3d  (then pass --fluent /tmp/*.tgz)",
    "wordnet": "apt-get update && apt-get install -y wordnet-base",
}


class MissingInput(SystemExit):
    pass


def need(path: Path, what: str) -> Path:
    if not path.exists():
        raise MissingInput(
            f"build_atlas: {what} not found at {path}; install: {INSTALL_HINT[what]}"
        )
    return path


# ---------------------------------------------------------------- the category table


def load_table():
    spec = importlib.util.spec_from_file_location("atlas_categories", TABLE)
    mod = importlib.util.module_from_spec(spec)
    sys.modules["atlas_categories"] = mod
    try:
        spec.loader.exec_module(mod)
    finally:
        del sys.modules["atlas_categories"]
    return mod


# ---------------------------------------------------------------- WordNet (noun files)


class WordNet:
    """Just enough of WordNet 3.0's noun database: synset ids and hypernym paths."""

    def __init__(self, root: Path) -> None:
        self.index: dict[str, list[int]] = {}
        for line in (root / "index.noun").read_text(encoding="latin-1").splitlines():
            if line.startswith(" "):
                continue
            parts = line.split()
            n_ptr = int(parts[3])
            n_syn = int(parts[2])
            self.index[parts[0]] = [int(o) for o in parts[4 + n_ptr + 2 : 4 + n_ptr + 2 + n_syn]]
        self.words: dict[int, list[str]] = {}
        self.parents: dict[int, list[int]] = {}
        for line in (root / "data.noun").read_text(encoding="latin-1").splitlines():
            if line.startswith(" "):
                continue
            head = line.split(" | ")[0].split()
            off, n_w = int(head[0]), int(head[3], 16)
            words = [head[4 + 2 * i] for i in range(n_w)]
            p = 4 + 2 * n_w
            n_p = int(head[p])
            parents = []
            for i in range(n_p):
                sym, target, pos = head[p + 1 + 4 * i : p + 4 + 4 * i]
                if sym in ("@", "@i") and pos == "n":
                    parents.append(int(target))
            self.words[off] = words
            self.parents[off] = parents

    def name(self, off: int) -> str:
        lemma = self.words[off][0].lower()
        lemma_clean = lemma.split("(")[0]
        return f"{lemma_clean}.n.{self.index[lemma_clean].index(off) + 1:02d}"

    def lookup(self, synset_id: str) -> int:
        lemma, _, num = synset_id.rsplit(".", 2)
        return self.index[lemma][int(num) - 1]

    def first(self, lemma: str) -> int | None:
        offs = self.index.get(lemma.replace(" ", "_").lower())
        return offs[0] if offs else None

    def path(self, off: int) -> list[int]:
        """Root -> off, always taking the first listed hypernym."""
        out = [off]
        while self.parents[out[-1]]:
            out.append(self.parents[out[-1]][0])
        return out[::-1]

    def ancestors(self, off: int) -> set[str]:
        seen, todo = set(), [off]
        while todo:
            o = todo.pop()
            if o in seen:
                continue
            seen.add(o)
            todo.extend(self.parents[o])
        return {self.name(o) for o in seen}


# ---------------------------------------------------------------- art sources


class Noto:
    def __init__(self, path: Path) -> None:
        from fontTools.ttLib import TTFont

        font = TTFont(str(path))
        self.cmap = font.getBestCmap()
        self.strike = font["CBDT"].strikeData[0]
        self.ligs: dict[tuple[str, ...], str] = {}
        for lookup in font["GSUB"].table.LookupList.Lookup:
            if lookup.LookupType != 4:
                continue
            for sub in lookup.SubTable:
                for first, ligs in sub.ligatures.items():
                    for lig in ligs:
                        self.ligs.setdefault((first, *lig.Component), lig.LigGlyph)

    def glyph(self, cps: tuple[int, ...]) -> str | None:
        for seq in (cps, tuple(c for c in cps if c != 0xFE0F)):
            names = [self.cmap.get(c) for c in seq]
            if None in names:
                continue
            if len(names) == 1:
                return names[0]
            g = self.ligs.get(tuple(names))
            if g is not None:
                return g
        return None

    def image(self, cps: tuple[int, ...]) -> Image.Image | None:
        g = self.glyph(cps)
        if g is None or g not in self.strike:
            return None
        with Image.open(io.BytesIO(self.strike[g].imageData)) as im:
            return im.convert("RGBA")


class Fluent:
    def __init__(self, path: Path) -> None:
        self.files: dict[str, bytes] = {}
        if path.is_dir():
            assets = path / "assets" if (path / "assets").is_dir() else path
            for f in assets.glob("*.webp"):
                self.files[f.stem] = f.read_bytes()
        else:
            with tarfile.open(path) as tar:
                for m in tar.getmembers():
                    if m.isfile() and m.name.endswith(".webp"):
                        stem = m.name.rsplit("/", 1)[-1][: -len(".webp")]
                        self.files[stem] = tar.extractfile(m).read()
        if not self.files:
            raise MissingInput(f"build_atlas: no .webp assets in {path}")

    def image(self, cps: tuple[int, ...]) -> Image.Image | None:
        plain = tuple(c for c in cps if c != 0xFE0F)
        for seq in (cps, plain, (plain[0], 0xFE0F, *plain[1:])):
            data = self.files.get("-".join(f"{c:x}" for c in seq))
            if data is not None:
                with Image.open(io.BytesIO(data)) as im:
                    return im.convert("RGBA")
        return None


def parse_cps(hexseq: str) -> tuple[int, ...]:
    return tuple(int(h, 16) for h in hexseq.replace(" ", "-").split("-"))


# ---------------------------------------------------------------- pixels

COLOURS = ROOT / "synthgen" / "world" / "sprites" / "colours.py"
"""The per-pixel colour-name rule (palette, HSV thresholds), shared with the world's
``colour_share`` so the atlas labels and the recolour checks read pixels alike; loaded by
path (numpy only), like the category table."""


@functools.cache
def _colours():
    spec = importlib.util.spec_from_file_location("sprite_colours", COLOURS)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def dominant_color(rgba: np.ndarray) -> str:
    """The most frequent colour name of the sprite's counted pixels (ties: palette order;
    black when under 8 % of its opaque pixels count, see ``colours.pixel_names``)."""
    colours = _colours()
    names = colours.pixel_names(rgba)
    if names is None:
        return "black"
    counts = np.bincount(names, minlength=len(colours.PALETTE))
    return colours.PALETTE[int(np.argmax(counts))]


def prepare(im: Image.Image) -> Image.Image:
    bbox = im.getchannel("A").getbbox()
    if bbox is None:
        raise ValueError("empty sprite")
    im = im.crop(bbox)
    w, h = im.size
    scale = min(1.0, MAX_SIDE / max(w, h))
    if scale < 1.0:
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        im = im.resize(size, Image.Resampling.LANCZOS)
        # resampling can leave all-transparent border rows; trim again
        bbox = im.getchannel("A").getbbox()
        im = im.crop(bbox)
    a = np.array(im)
    a[a[:, :, 3] == 0] = 0  # no colour under transparent pixels (smaller, canonical)
    return Image.fromarray(a, "RGBA")


def _trimmed(a: np.ndarray) -> Image.Image:
    """RGBA pixels as an image cropped to their alpha box."""
    out = Image.fromarray(a, "RGBA")
    return out.crop(out.getchannel("A").getbbox())


NARROW_TOP = 0.4
"""A top row of a :data:`atlas_categories.ONE_THING_BELOW` sprite belongs to the thing above
(a lamp's shade and pole) while its opaque width is under this share of the widest row."""


def only_the_thing_below(im: Image.Image) -> Image.Image:
    """The named thing of art that draws a second one with it (the couch emoji's floor
    lamp): its largest opaque region (:func:`_one_region`), less the top rows narrower
    than :data:`NARROW_TOP` of the widest (a pole standing behind the back), trimmed to its
    alpha box."""
    a = _one_region(np.array(im), "largest")
    widths = (a[:, :, 3] >= 128).sum(axis=1)
    a[: int(np.argmax(widths >= NARROW_TOP * widths.max()))] = 0
    return _trimmed(a)


def only_one_region(im: Image.Image, which: str) -> Image.Image:
    """A :data:`atlas_categories.ONE_REGION` sprite without the things drawn apart from the
    named one: the region ``which`` names (:func:`_one_region`), trimmed to its alpha box."""
    return _trimmed(_one_region(np.array(im), which))


def _one_region(a: np.ndarray, which: str) -> np.ndarray:
    """RGBA pixels ``a`` with only one 4-connected region of opaque pixels (alpha >= 128)
    and the soft edge pixels touching it: the ``largest``, or the ``leftmost`` (by its
    left edge) of the regions at least a quarter of the largest's size (no stray speck)."""
    from scipy import ndimage

    labels, n = ndimage.label(a[:, :, 3] >= 128)  # 4-connected: a pole's corner touch is not
    if n < 2:
        return a
    sizes = np.bincount(labels.ravel())[1:]
    keep = 1 + int(np.argmax(sizes))
    if which == "leftmost":
        big = [i for i in range(n) if sizes[i] >= sizes.max() / 4]
        lefts = {i: int(np.flatnonzero((labels == i + 1).any(axis=0))[0]) for i in big}
        keep = 1 + min(big, key=lambda i: lefts[i])
    elif which != "largest":
        raise ValueError(f"ONE_REGION: {which!r} is neither 'largest' nor 'leftmost'")
    main = labels == keep
    edge = ndimage.binary_dilation(main, structure=np.ones((3, 3))) & (a[:, :, 3] < 128)
    a[~(main | edge)] = 0
    return a


def without_snow(im: Image.Image) -> Image.Image:
    """A :data:`atlas_categories.SNOW_BACKDROP` sprite without its snow patch: the
    snow-coloured pixels (bright, and grey-white or cyan-white: value > 0.72 and saturation
    < 0.3, or blue >= red, green >= red and saturation < 0.6) 4-connected to the sprite's
    border become transparent (goggles and skis inside the figure stay), trimmed to its
    alpha box."""
    from scipy import ndimage

    a = np.array(im)
    rgb = a[:, :, :3].astype(np.float32) / 255.0
    hi, lo = rgb.max(axis=2), rgb.min(axis=2)
    sat = np.where(hi > 0, (hi - lo) / np.maximum(hi, 1e-6), 0.0)
    r, g, b = rgb[:, :, 0], rgb[:, :, 1], rgb[:, :, 2]
    snowy = (a[:, :, 3] > 0) & (hi > 0.72) & ((sat < 0.3) | ((b >= r) & (g >= r) & (sat < 0.6)))
    labels, _ = ndimage.label(snowy)
    edge = np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])
    a[np.isin(labels, np.unique(edge[edge > 0]))] = 0
    return _trimmed(a)


# ---------------------------------------------------------------- deterministic PNG


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _filters(rows: np.ndarray, bpp: int) -> np.ndarray:
    """All five PNG filters of every row: (5, H, W*bpp) uint8."""
    x = rows.astype(np.int16)
    a = np.zeros_like(x)
    a[:, bpp:] = x[:, :-bpp]
    b = np.zeros_like(x)
    b[1:] = x[:-1]
    c = np.zeros_like(x)
    c[1:, bpp:] = x[:-1, :-bpp]
    p = a + b - c
    pa, pb, pc = np.abs(p - a), np.abs(p - b), np.abs(p - c)
    paeth = np.where((pa <= pb) & (pa <= pc), a, np.where(pb <= pc, b, c))
    out = np.stack([x, x - a, x - b, x - ((a + b) >> 1), x - paeth])
    return (out & 0xFF).astype(np.uint8)


def write_png(a: np.ndarray) -> bytes:
    """RGBA PNG: per row the filter with the least sum of signed residuals, libdeflate 12."""
    h, w, ch = a.shape
    rows = a.reshape(h, w * ch)
    f = _filters(rows, ch)
    cost = np.abs(f.astype(np.int8).astype(np.int32)).sum(axis=2)  # (5, H)
    choice = np.argmin(cost, axis=0)  # first minimum on ties
    raw = np.empty((h, w * ch + 1), dtype=np.uint8)
    raw[:, 0] = choice
    raw[:, 1:] = f[choice, np.arange(h)]
    header = struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0)
    idat = bytes(deflate.zlib_compress(raw.tobytes(), 12))
    return b"".join(
        (b"\x89PNG\r\n\x1a\n", _chunk(b"IHDR", header), _chunk(b"IDAT", idat), _chunk(b"IEND", b""))
    )


def pack(sizes: list[tuple[int, int]]) -> tuple[list[tuple[int, int, int]], list[tuple[int, int]]]:
    """Shelf packing in the given order: (sheet, x, y) per item and (w, h) per sheet."""
    places, sheets = [], []
    sheet, x, y, shelf = 0, 0, 0, 0
    for w, h in sizes:
        if x + w > SHEET_WIDTH:  # next shelf, or next sheet when that shelf may not fit
            if y + shelf + MAX_SIDE > SHEET_MAX_HEIGHT:
                sheets.append((SHEET_WIDTH, y + shelf))
                sheet, x, y, shelf = sheet + 1, 0, 0, 0
            else:
                x, y, shelf = 0, y + shelf, 0
        places.append((sheet, x, y))
        x += w
        shelf = max(shelf, h)
    sheets.append((SHEET_WIDTH, y + shelf))
    return places, sheets


# ---------------------------------------------------------------- build


def mirror(anchors: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
    swap = {"hand_left": "hand_right", "hand_right": "hand_left",
            "foot_left": "foot_right", "foot_right": "foot_left"}
    return {swap.get(k, k): (round(1.0 - x, 3), y) for k, (x, y) in anchors.items()}


def build(noto_path: Path, fluent_path: Path, wordnet_path: Path, out: Path,
          contact: Path | None = None, verbose: bool = True) -> dict[str, int]:
    table = load_table()
    sources = {"noto": Noto(need(noto_path, "noto")), "fluent": Fluent(need(fluent_path, "fluent"))}
    wn = WordNet(need(wordnet_path, "wordnet"))
    cats_out, items, problems = [], [], []
    for entry in table.entries():
        try:
            off = wn.lookup(entry.wn) if entry.wn else wn.first(entry.name)
        except (KeyError, IndexError):
            off = None
        if off is None:
            problems.append(f"{entry.name}: no WordNet noun; give wn=")
            continue
        synset = wn.name(off)
        anc = wn.ancestors(off)
        want = table.GROUP_SYNSETS.get(entry.group, ())
        if want and not anc & set(want):
            problems.append(f"{entry.name}: {synset} is not under {want} (group {entry.group})")
        path = [wn.name(o).split(".n.")[0].replace("_", " ") for o in wn.path(off)[:-1]]
        hyper = [table.HYPERNYM_RENAME.get(p, p) for p in path if p not in table.HYPERNYM_STOP]
        if entry.group not in hyper:
            hyper.insert(0, entry.group)
        else:
            hyper = hyper[hyper.index(entry.group):]
        hyper.append(entry.name)
        cats_out.append({
            "name": entry.name,
            "plural": entry.plural,
            "synonyms": list(entry.synonyms),
            "synset": synset,
            "hypernyms": list(dict.fromkeys(hyper)),
            "group": entry.group,
            "height_m": [entry.height[0], entry.height[1]],
        })
        n_styles = 0
        for style in STYLES:
            got = 0
            if (entry.name, style) in table.NOT_IN_STYLE:
                continue
            for pose, hexseq in entry.poses:
                im = sources[style].image(parse_cps(hexseq))
                if im is None:
                    continue
                im = prepare(im)
                if entry.name in table.ONE_THING_BELOW:
                    im = only_the_thing_below(im)
                if entry.name in table.ONE_REGION:
                    im = only_one_region(im, table.ONE_REGION[entry.name])
                if entry.name in table.SNOW_BACKDROP:
                    im = without_snow(im)
                facing = entry.facing_for(style, pose)
                anchors = dict(entry.anchors_for(pose))
                if facing == "left":
                    anchors = mirror(anchors)
                items.append({
                    "category": entry.name, "style": style, "pose": pose, "image": im,
                    "anchors": {k: [x, y] for k, (x, y) in sorted(anchors.items())},
                    "facing": facing, "color": dominant_color(np.asarray(im)),
                })
                got += 1
            if got == 0 and style == "noto":
                problems.append(f"{entry.name}: no noto art for {entry.poses}")
            n_styles += got > 0
    if problems:
        msg = "\n  ".join(problems)
        raise SystemExit(f"build_atlas: the table has problems:\n  {msg}")
    out.mkdir(parents=True, exist_ok=True)
    sprites_meta, sheet_names = [], []
    for style in STYLES:
        mine = [it for it in items if it["style"] == style]
        places, sheets = pack([it["image"].size for it in mine])
        base = len(sheet_names)
        canvases = [np.zeros((h, w, 4), np.uint8) for w, h in sheets]
        for it, (s, x, y) in zip(mine, places, strict=True):
            a = np.asarray(it["image"])
            canvases[s][y : y + a.shape[0], x : x + a.shape[1]] = a
            w, h = it["image"].size
            sprites_meta.append({
                "category": it["category"], "style": style, "pose": it["pose"],
                "sheet": base + s, "rect": [x, y, w, h], "anchors": it["anchors"],
                "facing": it["facing"], "color": it["color"],
            })
        for k, c in enumerate(canvases):
            name = f"sheet_{style}_{k}.png"
            (out / name).write_bytes(write_png(c))
            sheet_names.append(name)
    order = {c["name"]: i for i, c in enumerate(cats_out)}
    sprites_meta.sort(key=lambda m: (order[m["category"]], STYLES.index(m["style"])))
    meta = {
        "format": 1,
        "max_side": MAX_SIDE,
        "styles": list(STYLES),
        "sheets": sheet_names,
        "sprites": sprites_meta,
    }
    dump = {"ensure_ascii": False, "indent": 0, "separators": (",", ":")}
    (out / "atlas.json").write_text(json.dumps(meta, **dump) + "\n", encoding="utf-8")
    (out / "categories.json").write_text(
        json.dumps({"format": 1, "categories": cats_out}, **dump) + "\n", encoding="utf-8"
    )
    for stale in sorted(out.glob("sheet_*.png")):
        if stale.name not in sheet_names:
            stale.unlink()
    if contact is not None:
        write_contact_sheet(items, contact)
    stats = {
        "categories": len(cats_out),
        "sprites": len(sprites_meta),
        "multi_style": sum(
            len({m["style"] for m in sprites_meta if m["category"] == c["name"]}) >= 2
            for c in cats_out
        ),
        "bytes": sum(p.stat().st_size for p in out.iterdir() if p.is_file()),
    }
    if verbose:
        print(json.dumps(stats))
    return stats


def write_contact_sheet(items: list[dict], path: Path, cell: int = 40) -> None:
    """Every category on a row-major grid: noto and fluent of the first pose side by side."""
    first: dict[str, dict[str, Image.Image]] = {}
    for it in items:
        first.setdefault(it["category"], {}).setdefault(it["style"], it["image"])
    names = list(first)
    cols = 16
    cw, ch = 2 * cell + 4, cell + 12
    rows = (len(names) + cols - 1) // cols
    sheet = Image.new("RGB", (cols * cw, rows * ch), (255, 255, 255))
    draw = ImageDraw.Draw(sheet)
    for i, name in enumerate(names):
        x0, y0 = (i % cols) * cw, (i // cols) * ch
        for j, style in enumerate(STYLES):
            im = first[name].get(style)
            if im is None:
                continue
            t = im.copy()
            t.thumbnail((cell, cell), Image.Resampling.LANCZOS)
            sheet.paste(t, (x0 + j * cell + (cell - t.width) // 2, y0 + (cell - t.height) // 2), t)
        draw.text((x0 + 1, y0 + cell), name[:14], fill=(0, 0, 0))
    path.parent.mkdir(parents=True, exist_ok=True)
    sheet.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        path, optimize=True
    )


def is_generated(name: str) -> bool:
    """Files the build writes; the licences and ATTRIBUTION beside them are kept by hand."""
    return name in ("atlas.json", "categories.json") or (
        name.startswith("sheet_") and name.endswith(".png")
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--noto", type=Path, default=DEFAULT_NOTO, help="NotoColorEmoji.ttf")
    ap.add_argument("--fluent", type=Path, default=DEFAULT_FLUENT,
                    help="@lobehub/fluent-emoji-3d .tgz (npm pack) or unpacked package dir")
    ap.add_argument("--wordnet", type=Path, default=DEFAULT_WORDNET,
                    help="WordNet 3.0 dict dir (Debian wordnet-base)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--contact-sheet", type=Path, default=None,
                    help="also write a contact sheet PNG (docs/atlas_contact_sheet.png)")
    ap.add_argument("--check", action="store_true",
                    help="build into a temp dir and compare bytes with --out")
    args = ap.parse_args(argv)
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            build(args.noto, args.fluent, args.wordnet, Path(tmp), verbose=False)
            mine = sorted(p.name for p in Path(tmp).iterdir())
            theirs = sorted(p.name for p in args.out.iterdir() if is_generated(p.name))
            bad = [n for n in mine if (Path(tmp) / n).read_bytes() != (args.out / n).read_bytes()
                   ] if mine == theirs else ["file lists differ"]
            if bad:
                print(f"build_atlas --check: differs: {bad}", file=sys.stderr)
                return 1
            print("build_atlas --check: identical")
            return 0
    build(args.noto, args.fluent, args.wordnet, args.out, args.contact_sheet)
    return 0


if __name__ == "__main__":
    sys.exit(main())
