"""Sprite scene graphs (Visual Genome shaped), every relation checked against the rendering.

Objects: ``bbox`` (x, y, w, h) is the box of the object's visible pixels in the id map,
``pixels`` their count, ``visible_fraction`` = pixels / its full drawn area (pixels with
alpha >= 128 of its layers, including any part outside the image), ``depth_rank`` the
depth-order rank of its main layer (larger is nearer). Objects under
``min_visible_pixels`` or ``min_visible_fraction`` are dropped with their relations (their
pixels keep their id in the map; nothing in the graph names them). A kept object's
``unnamed_partners`` say which of its placed relations hold with such a thing that still
shows a pixel or more (a pepper too small to name on the counter: {"predicate": "on",
"side": "subject"}; in the record's JSON as JSON text), so no question takes the named
partner for the only one.

By-construction relations (emitted by the rule that placed things) are verified; a failure
raises :class:`SceneSamplingError` and the world resamples:

- contact (``on``, ``sitting on``, ``standing on``, ``parked on``, ``lying on``,
  ``laying on``, ``walking on/in``, ``growing on``, ``on back of``): object pixels lie in
  rows [b - 4, b + 4] of the subject's visible bottom row b, within its visible columns;
- ``in``: the subject is partly hidden (visible fraction < 1) and the container's pixels
  lie inside the subject's drawn box;
- hand/body (``holding``, ``carrying``, ``playing``, ``eating``, ``wearing``,
  ``riding``): the object's visible box lies within 4 px of the subject's visible box;
- ``hanging from``: the subject's top is at or below the object's top and its bottom
  reaches below the object's bottom, columns overlapping; ``over`` / ``flying in``: the
  subject's bottom is above the object's top (over, 3 px margin) or bottom (flying in),
  columns overlapping;
- ``under``: columns overlap and the subject's top is below the object's top by >= 30 % of
  the object's height;
- ``against``: the subject's bottom row is within 8 px of the object's bottom row;
- part relations (``part of``, ``of``, ``has``, ...) between a thing and a part of it: the
  part's visible box touches (4 px margin) the box of the whole with its other parts tied
  to it by part relations (a table's leg touches its top or its other leg: the top alone
  may be hidden by what stands on it);
- anything else (``attached to``, ``mounted on``, ``at``, ``using``, ...): the two
  visible boxes touch or overlap (4 px margin), or for ``along`` lie within 15 % of the
  image height.

Geometric relations, decided from the maps with margins (M = 2 px):

- ``left of``: A's visible box ends at least M left of B's box centre line, their row
  extents overlap by >= 30 % of the shorter; one per subject (the nearest such B);
- ``above``: A's box bottom is at least M above B's box centre row and their column extents
  overlap by >= 30 % of the narrower; one per subject (nearest B);
- ``behind`` / ``in front of``: the boxes overlap by >= 10 % of the smaller, the depth
  ranks differ and the ground depths differ by >= 0.5 m (the farther is ``behind``; one of
  the two per pair, by pair parity);
- ``near``: ground positions within 3 m (one per pair);
- the sky and the ceiling are ``above`` the nearest things clearly below them (as ``above``);
- things covering a window, door, board or curtain are ``in front of`` it.
Pairs already related by construction get no geometric relation.

``looking at`` / ``watching`` (facing-cone): a person or animal drawn facing left or right
looks at the nearest things (up to three) whose visible centre is on that side of its head,
within 0.5 x image width and 30 degrees of the horizontal (``watching`` for screens and, by
people, for animals and people).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from synthgen.seeding import canonical_json
from synthgen.world.scene import SceneSamplingError
from synthgen.world.sprites import grammar as G
from synthgen.world.sprites.backdrop import piece_stats
from synthgen.world.sprites.render import layer_drawable

CONTACT = {
    "on",
    "sitting on",
    "standing on",
    "parked on",
    "lying on",
    "laying on",
    "walking on",
    "walking in",
    "growing on",
    "on back of",
}
GEOMETRIC_LEFT = 4  # "left of" per subject: its nearest clear right-hand neighbours
GEOMETRIC_ABOVE = 3
GAZE_TARGETS = 3  # "looking at" / "watching": the nearest things in the facing cone
GEOMETRIC_MIN_PX = 100  # things drawn at least this many pixels get geometric relations
OVERHEAD = frozenset({"sky", "ceiling"})
NEAR_M = 3.0  # "near": ground positions at most this far apart (metres)
PLANE_THINGS = frozenset({"window", "door", "board", "mountain", "hill", "sky"})
# what things stand "in front of" (the plane is drawn first, the thing covers part of it)
BACK_PLANES = frozenset({"wall", "mountain", "hill", "sky", "window", "door", "board", "curtain"})
BODY = {"holding", "carrying", "playing", "eating", "wearing", "riding"}


@dataclass
class GObject:
    id: int
    names: list[str]
    synset: str
    attributes: list[str]
    bbox: tuple[int, int, int, int]
    pixels: int
    visible_fraction: float
    depth_rank: int
    category: str
    group: str
    role: str
    drawn_box: tuple[int, int, int, int]  # x, y, w, h of everything drawn (may leave the image)
    anchors: dict[str, tuple[float, float]] = field(default_factory=dict)
    facing: str = "none"
    pos: tuple[float, float] | None = None
    whole: int = 0  # a region of that object's sprite (0: none)
    unnamed_partners: tuple[tuple[str, str], ...] = ()
    """(predicate, side) of its placed relations with a dropped thing that shows: side
    "subject" when that thing is the relation's subject (it is on this object), else
    "object" (this object holds it); sorted, no repeats."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "names": self.names,
            "synset": self.synset,
            "attributes": self.attributes,
            "bbox": list(self.bbox),
            "pixels": self.pixels,
            "visible_fraction": round(self.visible_fraction, 4),
            "depth_rank": self.depth_rank,
            "category": self.category,
            "group": self.group,
            "role": self.role,
            "drawn_box": list(self.drawn_box),
            # a list of {name, x, y}, not a dict keyed by name: every record then has the
            # same keys, which Arrow / ``datasets`` need to type all shards alike
            "anchors": [
                {"name": k, "x": round(v[0], 2), "y": round(v[1], 2)}
                for k, v in sorted(self.anchors.items())
            ],
            "facing": self.facing,
            "pos": None if self.pos is None else list(self.pos),
            "whole": self.whole,
            # JSON text: a list most objects have empty, which a first shard of records
            # would type null in Arrow (see synthgen.records)
            "unnamed_partners": canonical_json(
                [{"predicate": p, "side": side} for p, side in self.unnamed_partners]
            ),
        }


@dataclass
class GRelation:
    id: int
    predicate: str
    subject_id: int
    object_id: int
    kind: str
    rule: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "predicate": self.predicate,
            "subject_id": self.subject_id,
            "object_id": self.object_id,
            "kind": self.kind,
            "rule": self.rule,
        }


@dataclass
class SpriteGraph:
    scene_type: str
    width: int
    height: int
    objects: list[GObject]
    relationships: list[GRelation]
    dropped: int = 0  # objects below the visibility thresholds
    pixel_counts: np.ndarray | None = field(default=None, repr=False, compare=False)
    """Pixels of each id (0..n) in the rendering's id map, named or not: the id map's
    bincount, counted while building the graph (consumers need not recount the map)."""
    boxes_hold_ids: bool = field(default=False, compare=False)
    """Every object's ``bbox`` holds pixels of its id in the rendering's id map (the box of
    its visible pixels, and its parts', and it shows at least one): what the QA view checks
    of other graphs before it reads the map as masks (``sources._ids_show``). Set by
    :func:`build_graph`; a graph built otherwise is checked."""

    def object(self, oid: int) -> GObject:
        for o in self.objects:
            if o.id == oid:
                return o
        raise KeyError(oid)

    def to_dict(self) -> dict[str, Any]:
        return {
            "scene_type": self.scene_type,
            "width": self.width,
            "height": self.height,
            "objects": [o.to_dict() for o in self.objects],
            "relationships": [r.to_dict() for r in self.relationships],
        }

    def to_vg(self, image_id: int = 0):
        """The graph as a Visual Genome image, validated by pydantic-core in one call from
        plain data (measured: 0.4 ms per sprite graph, where ``model_construct`` of each of
        its some 45 models took 0.66 ms)."""
        from synthgen.world.vg import VGImage

        return VGImage.model_validate(
            {
                "image_id": image_id,
                "width": self.width,
                "height": self.height,
                "objects": [
                    {
                        "object_id": o.id,
                        "x": o.bbox[0],
                        "y": o.bbox[1],
                        "w": o.bbox[2],
                        "h": o.bbox[3],
                        "names": list(o.names),
                        "attributes": list(o.attributes),
                    }
                    for o in self.objects
                ],
                "relationships": [
                    {
                        "relationship_id": r.id,
                        "predicate": r.predicate,
                        "subject_id": r.subject_id,
                        "object_id": r.object_id,
                    }
                    for r in self.relationships
                ],
            }
        )

    def synsets(self) -> dict[int, str]:
        return {o.id: o.synset for o in self.objects}


def _search_boxes(scene, W: int, H: int):
    """Per object (oid k at row k - 1): the inclusive box (x0, y0, x1, y1) of the image
    where its pixels can be, its drawn box (half-open, may leave the image), the rank of
    its first layer, its drawn area (pixels of its labels), and whether nothing was drawn."""
    n = len(scene.objects)
    nb = len(scene.backdrop.pieces)
    big = 1 << 30
    pboxes, pcounts = piece_stats(scene.scene_type, scene.variant, W, H)
    box = pboxes.tolist() + [[big, big, -1, -1] for _ in range(n - nb)]
    drawn = [[0, 0, W, H] for _ in range(nb)] + [[big, big, -big, -big] for _ in range(n - nb)]
    rank = list(range(1, nb + 1)) + [0] * (n - nb)
    area = pcounts.tolist() + [0] * (n - nb)
    # the drawables the renderer looked up for these very layers (None: look up here)
    got = scene._cache.get("arts")
    arts = got[1] if got is not None and got[0] is scene.layers else None
    for i, lay in enumerate(scene.layers):
        d = arts[i] if arts is not None and arts[i] is not None else layer_drawable(scene, lay)
        counts = d.counts if d is not None else ()
        lx0, ly0, lx1, ly1 = lay.x, lay.y, lay.x + lay.w, lay.y + lay.h
        cx0, cy0, cx1, cy1 = max(lx0, 0), max(ly0, 0), min(lx1, W) - 1, min(ly1, H) - 1
        for k, oid in enumerate(lay.oids):
            j = oid - 1
            if j < nb:
                continue
            b = box[j]
            if cx0 < b[0]:
                b[0] = cx0
            if cy0 < b[1]:
                b[1] = cy0
            if cx1 > b[2]:
                b[2] = cx1
            if cy1 > b[3]:
                b[3] = cy1
            e = drawn[j]
            if lx0 < e[0]:
                e[0] = lx0
            if ly0 < e[1]:
                e[1] = ly0
            if lx1 > e[2]:
                e[2] = lx1
            if ly1 > e[3]:
                e[3] = ly1
            if k < len(counts):
                area[j] += counts[k]
            if rank[j] == 0:
                rank[j] = nb + i + 1
    empty = [b[2] < b[0] for b in box]
    for j, b in enumerate(box):
        if empty[j]:
            b[:] = (0, 0, 0, 0)
        else:
            b[2] = max(b[2], b[0])
            b[3] = max(b[3], b[1])
    return box, drawn, rank, area, empty


def _visible(ids: np.ndarray, box: list, empty: list) -> tuple[list[int], list[tuple]]:
    """Pixel counts and visible boxes (x, y, w, h; zeros when unseen) of objects 1..n in
    the id map, each looked for in its search box only (its pixels are nowhere else)."""
    cnz, fnz = np.count_nonzero, np.flatnonzero
    counts: list[int] = []
    boxes: list[tuple] = []
    for k, (x0, y0, x1, y1) in enumerate(box, start=1):
        if empty[k - 1]:
            counts.append(0)
            boxes.append((0, 0, 0, 0))
            continue
        m = ids[y0 : y1 + 1, x0 : x1 + 1] == k
        c = int(cnz(m))
        counts.append(c)
        if not c:
            boxes.append((0, 0, 0, 0))
        elif m[0].any() and m[-1].any() and m[:, 0].any() and m[:, -1].any():
            boxes.append((x0, y0, x1 - x0 + 1, y1 - y0 + 1))  # every edge of the box is hit
        else:
            ry, rx = fnz(m.any(1)), fnz(m.any(0))
            a, b = int(rx[0]), int(ry[0])
            boxes.append((x0 + a, y0 + b, int(rx[-1]) - a + 1, int(ry[-1]) - b + 1))
    return counts, boxes


def build_graph(scene, rendering, config) -> SpriteGraph:
    W, H = scene.width, scene.height
    ids = rendering.ids
    box, drawn, rank, area, empty = _search_boxes(scene, W, H)
    counts, bboxes = _visible(ids, box, empty)
    objs: dict[int, GObject] = {}
    dropped = 0
    # a whole whose sprite has part regions: its own pixels plus its parts' count as seen,
    # and its box is the box of both (a man's box holds his head); parts of a dropped whole
    # are dropped with it
    parts_of: dict[int, list[int]] = {}
    for j, o in enumerate(scene.objects):
        if o.whole:
            parts_of.setdefault(o.whole - 1, []).append(j)
    shown: dict[int, float] = {}  # visible objects: their visible fraction
    for j, o in enumerate(scene.objects):
        c = counts[j]
        seen = c if o.whole else c + sum(counts[k] for k in parts_of.get(j, ()))
        frac = min(1.0, seen / area[j]) if area[j] > 0 else 0.0
        if c >= config.min_visible_pixels and frac >= config.min_visible_fraction:
            shown[j] = frac
    for j, o in enumerate(scene.objects):
        if j not in shown or (o.whole and o.whole - 1 not in shown):
            dropped += 1
            continue
        c, frac = counts[j], shown[j]
        x, y, w, h = bboxes[j]
        for k in parts_of.get(j, ()):
            if k in shown:
                px, py, pw, ph = bboxes[k]
                x1, y1 = max(x + w, px + pw), max(y + h, py + ph)
                x, y = min(x, px), min(y, py)
                w, h = x1 - x, y1 - y
        d = drawn[j]
        objs[o.oid] = GObject(
            id=o.oid,
            names=[o.name, *o.alt],
            synset=o.synset,
            attributes=list(o.attributes),
            bbox=(x, y, w, h),
            pixels=c,
            visible_fraction=frac,
            depth_rank=rank[j],
            category=o.category,
            group=o.group,
            role=o.role,
            drawn_box=(d[0], d[1], d[2] - d[0], d[3] - d[1]),
            anchors=dict(o.anchors),
            facing=o.facing,
            pos=o.pos,
            whole=o.whole,
        )
    _unnamed_partners(scene, objs, counts)
    rels: list[tuple[int, str, int, str, str]] = []
    related: set[int] = set()  # _pair keys
    items: set[int] = set()
    tied = _tied_parts(scene.relations, objs)
    for r in scene.relations:
        if r.subject not in objs or r.object not in objs:
            continue
        if r.kind == "part" and (r.subject in tied or r.object in tied):
            why = _check_part(objs[r.subject], objs[r.object], tied, objs)
        else:
            why = _check(r.predicate, objs[r.subject], objs[r.object], ids, H)
        if why and r.rule.endswith("?"):
            continue  # an optional relation the rendering does not show: left out
        if why:
            raise SceneSamplingError(
                f"{r.predicate}({objs[r.subject].names[0]}, {objs[r.object].names[0]}) "
                f"[{r.rule}]: {why}"
            )
        rels.append((r.subject, r.predicate, r.object, r.kind, r.rule.rstrip("?")))
        related.add(_pair(r.subject, r.object))
        if r.kind == "interactional" or r.kind == "part" or r.predicate in ("in", "on back of"):
            items.add(r.object if r.kind != "part" or r.predicate == "has" else r.subject)
        if (
            r.predicate in ("on", "in", "growing on", "on back of")
            and objs[r.subject].role == "thing"
            and objs[r.object].role == "thing"
        ):
            items.add(r.subject)
    rels += _facing(objs, related, items, W)
    rels += _geometric(objs, related, items, H)
    out = [GRelation(i + 1, p, s, o, k, rule) for i, (s, p, o, k, rule) in enumerate(rels)]
    pixel_counts = np.array([W * H - sum(counts), *counts], np.int64)
    pixel_counts.setflags(write=False)
    # every object kept shows >= min_visible_pixels >= 1 pixels inside its box: the view
    # need not look for them
    return SpriteGraph(
        scene.scene_type, W, H, list(objs.values()), out, dropped, pixel_counts, True
    )


def _unnamed_partners(scene, objs: dict[int, GObject], counts) -> None:
    """Set each kept object's ``unnamed_partners``: its placed relations (not part
    relations) whose other end was dropped but shows a pixel or more in the id map."""
    shows = {o.oid for j, o in enumerate(scene.objects) if counts[j] > 0}
    found: dict[int, set[tuple[str, str]]] = {}
    for r in scene.relations:
        if r.kind == "part":
            continue
        if r.object in objs and r.subject not in objs and r.subject in shows:
            found.setdefault(r.object, set()).add((r.predicate, "subject"))
        elif r.subject in objs and r.object not in objs and r.object in shows:
            found.setdefault(r.subject, set()).add((r.predicate, "object"))
    for oid, partners in found.items():
        objs[oid].unnamed_partners = tuple(sorted(partners))


def _tied_parts(relations, objs: dict[int, GObject]) -> dict[int, list[int]]:
    """Whole -> its shown parts tied to it by a part relation (``part of``, ``of``,
    ``has``, ...): a thing (role ``thing``) and a part (role ``part``) of it."""
    tied: dict[int, list[int]] = {}
    for r in relations:
        if r.kind != "part":
            continue
        a, b = objs.get(r.subject), objs.get(r.object)
        if a is None or b is None:
            continue
        if a.role == "thing" and b.role == "part":
            tied.setdefault(a.id, []).append(b.id)
        elif b.role == "thing" and a.role == "part":
            tied.setdefault(b.id, []).append(a.id)
    return tied


def _check_part(s: GObject, o: GObject, tied: dict[int, list[int]], objs) -> str:
    """A part relation between a whole and its part: the part's visible box touches (4 px)
    the box of the whole with its other tied parts (a table's leg touches the table, its
    top and other legs: the top alone may be hidden by what stands on it, and a handle
    sits on a drawer under the counter's top). Other part relations: the boxes touch."""
    whole, part = (s, o) if s.id in tied and o.role == "part" else (o, s)
    if whole.id not in tied or part.role != "part":
        return "" if _touch(_box(s), _box(o), 4) else "boxes apart"
    x0, y0, x1, y1 = _box(whole)
    for k in tied[whole.id]:
        if k != part.id:
            b = _box(objs[k])
            x0, y0, x1, y1 = min(x0, b[0]), min(y0, b[1]), max(x1, b[2]), max(y1, b[3])
    return "" if _touch((x0, y0, x1, y1), _box(part), 4) else "boxes apart"


def _box(o: GObject):
    x, y, w, h = o.bbox
    return x, y, x + w, y + h  # half-open


def _touch(a, b, m: int) -> bool:
    return a[0] - m < b[2] and b[0] - m < a[2] and a[1] - m < b[3] and b[1] - m < a[3]


def _check(pred: str, s: GObject, o: GObject, ids: np.ndarray, H: int) -> str:
    sb, ob = _box(s), _box(o)
    if pred in CONTACT:
        b = sb[3] - 1
        rows = ids[max(b - 4, 0) : min(b + 5, H), sb[0] : sb[2]]
        return "" if (rows == o.id).any() else "no support pixels at the subject's foot"
    if pred == "in":
        dx, dy, dw, dh = s.drawn_box
        win = ids[max(dy, 0) : max(dy + dh, 0), max(dx, 0) : max(dx + dw, 0)]
        if s.visible_fraction >= 0.999:
            return "subject not occluded"
        return "" if (win == o.id).any() else "container not over the subject"
    if pred in BODY:
        return "" if _touch(sb, ob, 4) else "boxes apart"
    if pred == "hanging from":
        ok = sb[1] >= ob[1] and sb[3] > ob[3] - 2 and sb[0] < ob[2] and ob[0] < sb[2]
        return "" if ok else "not hanging below"
    if pred in ("over", "flying in"):
        ok = (
            sb[3] <= (ob[3] if pred == "flying in" else ob[1] + 3)
            and sb[0] < ob[2]
            and ob[0] < sb[2]
        )
        return "" if ok else "not above"
    if pred == "under":
        ok = sb[0] < ob[2] and ob[0] < sb[2] and sb[1] >= ob[1] + 0.3 * (ob[3] - ob[1])
        return "" if ok else "not under"
    if pred == "against":
        return "" if abs(sb[3] - ob[3]) <= 8 else "not at the wall's foot"
    if pred == "along":
        return "" if _touch(sb, ob, int(0.15 * H)) else "too far"
    return "" if _touch(sb, ob, 4) else "boxes apart"


def _things(objs: dict[int, GObject], items: set[int]) -> list[GObject]:
    return [o for o in objs.values() if o.role == "thing" and o.id not in items]


def _facing(objs, related, items, W) -> list[tuple]:
    out = []
    screens = set(G.WATCHABLE)
    cands = [o for o in objs.values() if o.role == "thing"]
    for s in cands:
        if s.group not in ("person", "animal") or s.facing not in ("left", "right"):
            continue
        head = s.anchors.get("head") or s.anchors.get("face")
        if head is None:
            continue
        d = 1 if s.facing == "right" else -1
        sx0, _sy0, sx1, _sy1 = _box(s)
        found = []
        for t in cands:
            if t.id == s.id or _pair(s.id, t.id) in related:
                continue
            x, y, w, h = t.bbox
            tx, ty = x + w / 2, y + h / 2
            dx = (tx - head[0]) * d
            if dx <= 0 or dx > 0.5 * W or abs(ty - head[1]) > 0.58 * dx:
                continue
            if (x < sx1 and sx0 < x + w) if d > 0 else x + w > sx0:
                continue  # overlapping the subject: not clearly in front of its eyes
            found.append((dx, t.id, t))
        found.sort(key=lambda e: (e[0], e[1]))
        for _dx, _tid, t in found[:GAZE_TARGETS]:
            watch = t.category in screens or (
                s.group == "person" and t.group in ("animal", "person")
            )
            pred = "watching" if watch else "looking at"
            out.append((s.id, pred, t.id, "interactional", "facing-cone"))
            related.add(_pair(s.id, t.id))
    return out


def side_by_side(ab, bb) -> bool:
    """Boxes (half-open x0, y0, x1, y1) standing side by side on one level: their bottom
    rows within 12 % of the taller's height, rows shared by >= 50 % of the shorter, and a
    horizontal gap of 2 px to half the narrower width (a clear margin, not far apart)."""
    ha, hb = ab[3] - ab[1], bb[3] - bb[1]
    vo = min(ab[3], bb[3]) - max(ab[1], bb[1])
    gap = max(ab[0], bb[0]) - min(ab[2], bb[2])
    narrow = min(ab[2] - ab[0], bb[2] - bb[0])
    return (
        abs(ab[3] - bb[3]) <= 0.12 * max(ha, hb)
        and vo >= 0.5 * min(ha, hb)
        and 2 <= gap <= max(4, 0.5 * narrow)
    )


def _side_by_side(th, related) -> list[tuple]:
    """``next to`` for neighbours standing side by side (one per pair, the left one first;
    ground things also within 1 m of depth), and ``between`` for a thing with such a
    neighbour on each side (stated to each: ``A between B``, ``A between C``)."""
    out = []
    nbr: dict[int, list[tuple[int, GObject]]] = {}
    boxes = [_box(o) for o in th]
    for i, a in enumerate(th):
        ab = boxes[i]
        ha = ab[3] - ab[1]
        for j in range(i + 1, len(th)):
            bb = boxes[j]
            hb = bb[3] - bb[1]
            if abs(ab[3] - bb[3]) > 0.12 * (ha if ha > hb else hb):
                continue  # side_by_side's first test (bottoms apart), without the call
            b = th[j]
            if _pair(a.id, b.id) in related:
                continue
            if a.pos is not None and b.pos is not None and abs(a.pos[1] - b.pos[1]) > 1.0:
                continue
            if side_by_side(ab, bb):
                left, right = (a, b) if ab[0] < bb[0] else (b, a)
                nbr.setdefault(left.id, []).append((1, right))
                nbr.setdefault(right.id, []).append((-1, left))
    done: set[int] = set()
    for a in th:
        got = nbr.get(a.id, [])
        ls = [o for d, o in got if d < 0]
        rs = [o for d, o in got if d > 0]
        if len(ls) == 1 and len(rs) == 1:
            b, c = ls[0], rs[0]
            out.append((a.id, "between", b.id, "geometric", f"geometric:between:{c.id}"))
            out.append((a.id, "between", c.id, "geometric", f"geometric:between:{b.id}"))
            done |= {_pair(a.id, b.id), _pair(a.id, c.id)}
    for a in th:
        for d, b in nbr.get(a.id, []):
            key = _pair(a.id, b.id)
            if d > 0 and key not in done:
                out.append((a.id, "next to", b.id, "geometric", "geometric:side"))
                done.add(key)
    related |= done
    return out


def _pair(a: int, b: int) -> int:
    """The key of an unordered pair of object ids (ids are below 2**16)."""
    return (a << 16) | b if a < b else (b << 16) | a


def _geometric(objs, related, items, H) -> list[tuple]:
    out = []
    # things drawn at least 200 px, held and contained things too (a cup left of a plate)
    th = [o for o in objs.values() if o.role == "thing" and o.pixels >= GEOMETRIC_MIN_PX]
    # pieces of the back plane with edges a viewer can point at (a window above the bed)
    flat = [o for o in objs.values() if o.role == "backdrop" and o.category in PLANE_THINGS]
    M = 2
    out += _side_by_side(th, related)
    # the sky and the ceiling span the image: "above" the things under them (nearest first)
    tops = [o for o in objs.values() if o.role == "backdrop" and o.category in OVERHEAD]
    subs, cands = th + tops, th + flat
    if subs and cands:
        # every (subject, candidate) pair's tests at once; the picks below run in order, as
        # each subject's relations leave the pair out for later subjects
        sa = np.array([_box(o) for o in subs], np.int64).T[:, :, None]
        sb = np.array([_box(o) for o in cands], np.int64).T[:, None, :]
        a0, a1, a2, a3 = sa
        b0, b1, b2, b3 = sb
        vo = np.minimum(a3, b3) - np.maximum(a1, b1)
        ho = np.minimum(a2, b2) - np.maximum(a0, b0)
        narrow = np.minimum(a2 - a0, b2 - b0)
        short = np.minimum(a3 - a1, b3 - b1)
        # clearly left: A's box ends left of B's box start (or overlaps it by at most 10 %
        # of the narrower width) and ends M px left of B's centre line, rows shared;
        # "2 x <= b0 + b2" is "x <= (b0 + b2) / 2" in integers
        left = (a2 - b0 <= 0.1 * narrow) & (2 * (a2 + M) <= b0 + b2) & (vo >= 0.3 * short)
        above = (a3 - b1 <= 0.1 * short) & (2 * (a3 + M) <= b1 + b3) & (ho >= 0.3 * narrow)
        per_left: list[list[int]] = [[] for _ in subs]
        per_above: list[list[int]] = [[] for _ in subs]
        for i, j in zip(*(x.tolist() for x in np.nonzero(left)), strict=True):
            per_left[i].append(j)
        for i, j in zip(*(x.tolist() for x in np.nonzero(above)), strict=True):
            per_above[i].append(j)
        for i, a in enumerate(subs):
            if not per_left[i] and not per_above[i]:
                continue
            aid = a.id
            ab = _box(a)
            lefts = []
            for j in per_left[i]:
                b = cands[j]
                if b.id != aid and _pair(aid, b.id) not in related:
                    lefts.append((b.bbox[0] - ab[2], b.id))
            aboves = []
            for j in per_above[i]:
                b = cands[j]
                if b.id != aid and _pair(aid, b.id) not in related:
                    aboves.append((b.bbox[1] - ab[3], b.id))
            lefts.sort()
            aboves.sort()
            for _gap, bid in lefts[:GEOMETRIC_LEFT]:
                out.append((aid, "left of", bid, "geometric", "geometric:box"))
                related.add(_pair(aid, bid))
            for _gap, bid in aboves[:GEOMETRIC_ABOVE]:
                if _pair(aid, bid) not in related:
                    out.append((aid, "above", bid, "geometric", "geometric:box"))
                    related.add(_pair(aid, bid))
    for i, a in enumerate(th):
        if a.pos is None:
            continue
        ax, ay, aw, ah = a.bbox
        ax1, ay1 = ax + aw, ay + ah
        apx, apz = a.pos
        aid, arank = a.id, a.depth_rank
        for b in th[i + 1 :]:
            if b.pos is None:
                continue
            key = _pair(aid, b.id)
            if key in related:
                continue
            bx, by, bw, bh = b.bbox
            iw = (ax1 if ax1 < bx + bw else bx + bw) - (ax if ax > bx else bx)
            ih = (ay1 if ay1 < by + bh else by + bh) - (ay if ay > by else by)
            dz = apz - b.pos[1]
            if (
                iw > 0
                and ih > 0
                and iw * ih >= 0.1 * min(aw * ah, bw * bh)
                and abs(dz) >= 0.5
                and arank != b.depth_rank
                and (dz > 0) == (arank < b.depth_rank)
            ):
                far, near = (a, b) if dz > 0 else (b, a)
                if (aid + b.id) % 2:
                    out.append((far.id, "behind", near.id, "geometric", "geometric:depth"))
                else:
                    out.append((near.id, "in front of", far.id, "geometric", "geometric:depth"))
                related.add(key)
                continue
            dx = apx - b.pos[0]
            if abs(dx) > NEAR_M or abs(dz) > NEAR_M:
                continue  # the hypotenuse is at least the longer leg
            if float(np.hypot(dx, dz)) <= NEAR_M:
                out.append((aid, "near", b.id, "geometric", "geometric:ground"))
                related.add(key)
    # a thing standing on the ground whose box covers a back plane by >= 30 % of its own
    # box: "in front of" the wall / mountain (the plane is drawn first, so it is behind)
    planes = [o for o in objs.values() if o.role == "backdrop" and o.category in BACK_PLANES]
    for a in th:
        if a.pos is None:
            continue
        ab = _box(a)
        for w in planes:
            if _pair(a.id, w.id) in related:
                continue
            wb = _box(w)
            iw = min(ab[2], wb[2]) - max(ab[0], wb[0])
            ih = min(ab[3], wb[3]) - max(ab[1], wb[1])
            if iw > 0 and ih > 0 and iw * ih >= 0.3 * a.bbox[2] * a.bbox[3]:
                out.append((a.id, "in front of", w.id, "geometric", "geometric:plane"))
                related.add(_pair(a.id, w.id))
    return out
