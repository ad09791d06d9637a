"""imgdiff on the sprite world: pairs of real scenes that differ in 1-3 things.

A scene S is sampled from the sprite world; each change picks a different leaf thing of S
(``synthgen.world.sprites.edits``: nothing rests on it, holds it or is part of it) and is
one of

replace   the thing becomes another category of the same hypernym (a dog -> a cat, an
          apple -> an orange), at the same foot point and scale
remove    the thing is gone in image B
add       the thing is missing in image A (A is S without it): "a cup was added on the table"
attach    the same for a thing someone holds, carries, plays with, eats or wears:
          "the man is now holding an umbrella"
move      the thing stands further left or right on the same ground row (at least its own
          width, at least 16 px), or nearer or farther on the same ground (drawn 1.25-1.45x
          or 0.65-0.8x as tall, its layer re-sorted in the draw order by its new depth)
resize    the thing is drawn 0.6-0.75x or 1.35-1.6x as tall (its foot point kept)
recolor   the thing replaced by another of its category in another colour ("the green tent
          was replaced by an orange tent"; the atlas has no same-design colour variants, so
          the captions say replaced, not repainted), only things mostly one colour

Image A is S with the ``add`` / ``attach`` things removed, image B is S with the other
changes applied; both are rendered by the world's own renderer and their graphs built and
checked by it (a change that breaks a by-construction relation, e.g. a cup moved off the
table, fails there and the candidate is rejected as ``sprite_edit_check``).

A thing no change is about must be named in both graphs or in neither (else the pair is
rejected as ``occlusion``: a change uncovered or covered it, a difference the captions would
not say).

Ground truth per change: ``box`` is the union of the thing's boxes in the two id maps
(the object's box, its parts included, widened by 2 px for the anti-aliased edge; ground
shadow not included; ``before`` / ``after`` hold the graphs' boxes); ``shadow_box`` is
the box of its ground shadow ellipses where it has one. ``diff_area`` checks the pixels
with the shadow-only pixels of the changed things left out (where the shadow changes and
no changed art is drawn), so the check is the same as for the shapes world: every other
differing pixel must fall in a change box, each change covers >= 1/400 of the image and
its pixel box has IoU >= 0.5 with the claimed one. Regions of different changes never
overlap or touch (their layers' rectangles are kept apart when sampling).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from synthgen.filters.diff_area import DiffArea, DiffCandidate, ExpectedChange, apart
from synthgen.generators.imgdiff.describe import capitalise
from synthgen.generators.imgdiff.procedural import union
from synthgen.generators.imgdiff.qa import conversations, make_qa, which_image_options
from synthgen.generators.imgdiff.schema import Box, ChangeRecord, ObjectState
from synthgen.generators.qa.templates import PLURAL_ONLY, article
from synthgen.program import Context, Reject, Rejected, Sample
from synthgen.prompts import load, text_sha256
from synthgen.world.scene import SceneSamplingError
from synthgen.world.sprites import SpritesConfig, SpriteWorld, tables
from synthgen.world.sprites import edits as E
from synthgen.world.sprites.colours import colour_word
from synthgen.world.sprites.graph import SpriteGraph, build_graph
from synthgen.world.sprites.referring import (
    PLACE_PHRASE,
    Ref,
    denotes,
    noun,
    unique_ref,
    visible_boxes,
    words,
)
from synthgen.world.sprites.render import render_scene
from synthgen.world.sprites.scene import SpriteScene, Tables

SPRITE_KINDS: tuple[str, ...] = ("replace", "remove", "add", "attach", "move", "resize", "recolor")
PROMPT_NAME = "imgdiff_sprites"
GROW = (1.35, 1.6)
SHRINK = (0.6, 0.75)
MIN_MOVE_PX = 16
DEPTH_NEAR = (1.25, 1.45)
DEPTH_FAR = (0.65, 0.8)
"""A move in depth changes the thing's drawn height by these factors (nearer / farther)."""
MOVE_WORDS: dict[str, dict[str, str]] = {
    "left": {"direction": "to the left", "place": "further to the left"},
    "right": {"direction": "to the right", "place": "further to the right"},
    "closer": {"direction": "closer to the camera", "place": "nearer the camera"},
    "farther": {"direction": "away from the camera", "place": "farther from the camera"},
}
"""How a move reads: "the dog moved {direction}", "the dog is {place}"."""


@cache
def phrasebook() -> dict[str, Any]:
    return load(PROMPT_NAME)


@cache
def phrasebook_sha256() -> str:
    return text_sha256(repr(phrasebook()["captions"]))


@dataclass(frozen=True)
class Planned:
    """One change on thing ``oid`` of S: ``edit`` is the single-change result (for the
    ``add`` / ``attach`` kinds: S without the thing), ``region`` its layers' rectangle."""

    kind: str
    oid: int
    edit: E.Edited
    region: tuple[int, int, int, int]
    detail: dict[str, Any]


def _rect(scene: SpriteScene, layers: tuple[int, ...]) -> tuple[int, int, int, int] | None:
    boxes = []
    for i in layers:
        lay = scene.layers[i]
        boxes.append((lay.x, lay.y, lay.x + lay.w - 1, lay.y + lay.h - 1))
        if lay.shadow is not None:
            sx, sy, rx, ry = lay.shadow
            boxes.append((sx - rx, sy - ry, sx + rx, sy + ry))
    if not boxes:
        return None
    return (
        min(b[0] for b in boxes) - 1,
        min(b[1] for b in boxes) - 1,
        max(b[2] for b in boxes) + 1,
        max(b[3] for b in boxes) + 1,
    )


def _try(
    rng: np.random.Generator, kind: str, scene: SpriteScene, t: Tables, oid: int
) -> tuple[E.Edited, dict[str, Any]] | None:
    """One attempt at a change of ``kind`` on thing ``oid`` (None: not applicable)."""
    u = float(rng.random())
    v = float(rng.random())
    held = E.holder_of(scene, oid)
    if kind == "remove":
        return E.remove(scene, oid), {}
    if kind == "add":
        return (E.remove(scene, oid), {}) if held is None else None
    if kind == "attach":
        return (E.remove(scene, oid), {"holder": held}) if held is not None else None
    if held is not None or not E.is_sprite_thing(scene, t, oid):
        return None  # a held thing's grip would leave the hand
    if kind != "recolor" and E.posed_on_support(scene, oid):
        return None  # a rider moved, resized or replaced alone would ride nothing
    o = scene.objects[oid - 1]
    if kind == "replace":
        cats = E.replacements(t, o.category)
        if not cats:
            return None
        cat = cats[int(u * len(cats))]
        got = E.replace(scene, oid, t, cat, v)
        return (got, {"category": cat}) if got is not None else None
    if kind == "resize":
        grow = u < 0.5
        lo, hi = GROW if grow else SHRINK
        got = E.resize(scene, oid, t, lo + (hi - lo) * v)
        return (got, {"change": "bigger" if grow else "smaller"}) if got is not None else None
    if kind == "move":
        w = float(rng.random())
        if w < 0.5:  # in depth: nearer (bigger, lower) or farther, on the same ground
            way = "closer" if u < 0.5 else "farther"
            lo, hi = DEPTH_NEAR if way == "closer" else DEPTH_FAR
            foot = E.depth_row(scene, oid, lo + (hi - lo) * v)
            got = E.move_in_depth(scene, oid, t, foot) if foot is not None else None
            return (got, dict(MOVE_WORDS[way])) if got else None
        lay = scene.layers[E.layers_of(scene, {oid})[0]]
        dist = max(lay.w, MIN_MOVE_PX) * (1.0 + v)
        dx = round(-dist if u < 0.5 else dist)
        got = E.move(scene, oid, t, dx)
        return (got, dict(MOVE_WORDS["left" if dx < 0 else "right"])) if got else None
    if kind == "recolor":
        options = E.recolour_options(scene, t, oid)
        if not options:
            return None
        spr = options[int(u * len(options))]
        got = E.recolour(scene, oid, t, spr)
        old = colour_word(o.attributes)
        return (
            (got, {"old": old, "new": spr.color, "b_new": article(f"{spr.color} {noun(o)}")})
            if got
            else None
        )
    raise ValueError(f"unknown sprite change kind {kind!r}")


def plan_changes(
    rng: np.random.Generator,
    scene: SpriteScene,
    t: Tables,
    kinds: tuple[str, ...],
    changes: tuple[int, int],
    tries: int,
    eligible: set[int] | None = None,
) -> list[Planned] | None:
    """1-3 changes on different leaf things with apart regions; ``eligible``: the things
    that may change (default: every leaf thing). The count is drawn from ``changes``; when
    no further change fits after at least the fewest were made, those are kept; None when
    not even that many fit."""
    lo, hi = changes
    count = lo + int(rng.random() * (hi - lo + 1))
    leaves = [k for k in E.leaf_things(scene) if eligible is None or k in eligible]
    out: list[Planned] = []
    for _ in range(count):
        for _attempt in range(tries):
            kind = kinds[int(rng.random() * len(kinds))]
            free = [k for k in leaves if all(k != p.oid for p in out)]
            if not free:
                return out if len(out) >= lo else None
            oid = free[int(rng.random() * len(free))]
            got = _try(rng, kind, scene, t, oid)
            if got is None:
                continue
            edit, detail = got
            rect_a = _rect(scene, edit.changed_before)
            rect_b = _rect(edit.scene, edit.changed_after)
            rects = [r for r in (rect_a, rect_b) if r is not None]
            region = (
                min(r[0] for r in rects),
                min(r[1] for r in rects),
                max(r[2] for r in rects),
                max(r[3] for r in rects),
            )
            if not all(apart(region, p.region) for p in out):
                continue
            out.append(Planned(kind, oid, edit, region, detail))
            break
        else:
            # a sprite scene has few changeable things: keep the changes made when they are
            # already as many as asked at least (the how-many answer counts what was made)
            return out if len(out) >= lo else None
    return out


def _compose(scene: SpriteScene, t: Tables, planned: list[Planned], adds: bool):
    """S with the changes applied: the redraws first (ids kept), then the removals from the
    highest id down (a removal renumbers only ids above it). ``adds``: build image A (remove
    the added things) instead of image B (apply every other change). Returns the scene and
    base oid -> oid."""
    oid_map = {o.oid: o.oid for o in scene.objects}
    removals = []
    for p in planned:
        if (p.kind in ("add", "attach")) != adds:
            continue
        if p.kind in ("remove", "add", "attach"):
            removals.append(p.oid)
            continue
        lay = p.edit.scene.layers[p.edit.changed_after[0]]
        new_obj = p.edit.scene.objects[p.oid - 1]
        i = E._main_layer(scene, p.oid)
        scene = E._copy(
            scene,
            objects=(*scene.objects[: p.oid - 1], new_obj, *scene.objects[p.oid :]),
            layers=(*scene.layers[:i], lay, *scene.layers[i + 1 :]),
        )
    for oid in sorted(removals, reverse=True):
        edited = E.remove(scene, oid)
        scene = edited.scene
        oid_map = {k: (edited.oid_map[v] if v is not None else None) for k, v in oid_map.items()}
    return scene, oid_map


class SpriteDiff:
    """The sprite-world imgdiff maker, one per program instance."""

    def __init__(self, config: Any, diff_area: DiffArea) -> None:
        self.config = config
        self.world_config: SpritesConfig = config.world
        self.world = SpriteWorld()
        self.t = tables(self.world_config.atlas)
        self.kinds = tuple(k for k in config.kinds if k in SPRITE_KINDS)
        self.diff_area = diff_area

    def generate(self, ctx: Context[Any]) -> Sample | Reject:
        cfg = self.config
        with ctx.stage("scene"):
            try:
                scene = self.world.sample(ctx.rng, self.world_config)
            except SceneSamplingError as e:
                return Reject("scene_sampling", str(e))
        with ctx.stage("variant"):
            graph = self.world.graph(
                scene, self.world.render(scene, self.world_config), self.world_config
            )
            planned = plan_changes(
                ctx.rng,
                scene,
                self.t,
                self.kinds,
                cfg.changes,
                cfg.change_tries,
                self._eligible(scene, graph),
            )
            if planned is None:
                return Reject("no_change", f"no valid, separate change in {cfg.change_tries} tries")
            scene_a, map_a = _compose(scene, self.t, planned, adds=True)
            scene_b, map_b = _compose(scene, self.t, planned, adds=False)
        with ctx.stage("render"):
            ren_a, ren_b = render_scene(scene_a), render_scene(scene_b)
            try:
                graph_a = build_graph(scene_a, ren_a, self.world_config)
                graph_b = build_graph(scene_b, ren_b, self.world_config)
            except SceneSamplingError as e:
                return Reject("sprite_edit_check", str(e))
        try:
            return self._finish(
                ctx,
                scene,
                planned,
                (scene_a, ren_a, graph_a, map_a),
                (scene_b, ren_b, graph_b, map_b),
            )
        except Rejected as rejected:
            return rejected.reject

    def _eligible(self, scene: SpriteScene, graph: SpriteGraph) -> set[int]:
        """Things a change may be about: shown in the scene's graph, with enough visible
        pixels for ``diff_area`` (twice its least area, so a resize or partial cover still
        passes), not hidden past its occlusion limit, and with a unique expression in the
        scene (the captions name it)."""
        cfg = self.config
        least = 2 * cfg.min_area_fraction * graph.width * graph.height
        boxes = visible_boxes(graph)
        return {
            o.id
            for o in graph.objects
            if o.role == "thing"
            and o.pixels >= least
            and o.visible_fraction >= cfg.min_visible_fraction
            and unique_ref(scene, self.t, o.id, boxes) is not None
        }

    def _finish(self, ctx, scene, planned, a, b) -> Sample:
        scene_a, ren_a, graph_a, map_a = a
        scene_b, ren_b, graph_b, map_b = b
        shown_a = {o.id: o for o in graph_a.objects}
        shown_b = {o.id: o for o in graph_b.objects}
        boxes_a, boxes_b = visible_boxes(graph_a), visible_boxes(graph_b)
        _require_same_bystanders(scene, planned, (map_a, shown_a), (map_b, shown_b))
        book = phrasebook()["captions"]
        ctx.used_prompt(f"{PROMPT_NAME}.captions", phrasebook_sha256())
        records: list[ChangeRecord] = []
        expected: list[ExpectedChange] = []
        shadow_only = np.zeros((scene.height, scene.width), dtype=bool)
        which: list[tuple[int, str, int]] = []
        added: set[str] = set()
        for n, p in enumerate(planned):
            ia, ib = map_a[p.oid], map_b[p.oid]
            if p.kind in ("add", "attach"):
                ia = None
            if p.kind == "remove":
                ib = None
            for k, shown in ((ia, shown_a), (ib, shown_b)):
                if k is not None and k not in shown:
                    raise Rejected(Reject("visibility", f"change {n} ({p.kind}): thing hidden"))
            lay_a = E.layers_of(scene_a, E.parts_of(scene_a, ia)) if ia else ()
            lay_b = E.layers_of(scene_b, E.parts_of(scene_b, ib)) if ib else ()
            art = np.zeros_like(shadow_only)
            shade = np.zeros_like(shadow_only)
            for sc, lays in ((scene_a, lay_a), (scene_b, lay_b)):
                if lays:
                    art |= _art(sc, lays)
                    shade |= E.footprint(sc, lays)
            shadow_only |= shade & ~art
            state_a = _state(scene_a, graph_a, ia) if ia else None
            state_b = _state(scene_b, graph_b, ib) if ib else None
            box = _widen(
                union(
                    _ids_box(ren_a.ids, E.parts_of(scene_a, ia)) if ia else None,
                    _ids_box(ren_b.ids, E.parts_of(scene_b, ib)) if ib else None,
                ),
                scene.width,
                scene.height,
            )
            sboxes = [
                s
                for s in (
                    E.shadow_box(scene_a, lay_a) if lay_a else None,
                    E.shadow_box(scene_b, lay_b) if lay_b else None,
                )
                if s is not None
            ]
            sbox = None
            if sboxes:
                x0, y0 = min(s[0] for s in sboxes), min(s[1] for s in sboxes)
                x1, y1 = max(s[2] for s in sboxes), max(s[3] for s in sboxes)
                sbox = (x0, y0, x1 - x0 + 1, y1 - y0 + 1)
            frac = min(
                [shown_a[ia].visible_fraction for _ in (1,) if ia]
                + [shown_b[ib].visible_fraction for _ in (1,) if ib]
            )
            expected.append(ExpectedChange(box, f"change {n} ({p.kind})", frac))
            slots = self._slots(p, scene_a, ia, boxes_a, scene_b, ib, boxes_b)
            if p.kind in ("add", "attach"):
                # a second added dog is "another dog" (two "a dog has been added" read as one)
                word = noun(scene_b.objects[ib - 1])
                if word in added:
                    plural = word.rpartition(" ")[2] in PLURAL_ONLY
                    slots["b_noun"] = f"{'more' if plural else 'another'} {word}"
                added.add(word)
            records.append(
                ChangeRecord(
                    kind=p.kind,
                    before=state_a,
                    after=state_b,
                    box_a=state_a.bbox if state_a else None,
                    box_b=state_b.bbox if state_b else None,
                    box=box,
                    shadow_box=sbox,
                    region_caption_before=slots.get("a_noun"),
                    region_caption_after=article(noun(scene_b.objects[ib - 1])) if ib else None,
                    captions=[capitalise(tpl.format(**slots)) for tpl in book[p.kind]],
                    direction=p.detail.get("direction"),
                )
            )
            which += _which(n, scene_a, ia, scene_b, ib, self.t)
        with ctx.stage("checks"):

            def ignore(rows: slice, cols: slice) -> np.ndarray:
                return shadow_only[rows, cols]

            ctx.require(
                self.diff_area.check(DiffCandidate(ren_a.image, ren_b.image, expected, ignore))
            )
        n_phr = len(records[0].captions)
        captions = [" ".join(c.captions[i] for c in records) for i in range(n_phr)]
        pick = which_image_options(ctx.rng, which)
        qas = make_qa(records, captions, pick, ask_count=self.config.changes[1] > 1)
        boxes = [c.box for c in records]
        union_box = boxes[0]
        for bx in boxes[1:]:
            union_box = union(union_box, bx)
        graphs = None
        return Sample(
            {
                "source": "procedural",
                "width": scene.width,
                "height": scene.height,
                "changes": records,
                "boxes": boxes,
                "union_box": union_box,
                "captions": captions,
                "qa": qas,
                "conversations": conversations(qas),
                "scene_graphs": graphs,
                "world_graphs": [graph_a.to_dict(), graph_b.to_dict()]
                if self.config.scene_graphs
                else None,
            },
            {"image_0": ren_a.image, "image_1": ren_b.image},
        )

    def _slots(self, p, scene_a, ia, boxes_a, scene_b, ib, boxes_b) -> dict[str, str]:
        t = self.t
        slots: dict[str, str] = {}
        if ia:
            ref = unique_ref(scene_a, t, ia, boxes_a, colour_first=p.kind == "recolor")
            # the phrase picks the thing in A and names nothing else in B (where an added
            # chair would make "the chair" of a replaced one read as two)
            if ref is None or not set(denotes(ref, scene_b, t, boxes_b)) <= {ib}:
                raise Rejected(Reject("ambiguous", f"no unique phrase for the {p.kind} thing"))
            slots["the_a"] = ref.text()
            slots["a_noun"] = article(noun(scene_a.objects[ia - 1]))
        if ib:
            ob = scene_b.objects[ib - 1]
            slots["b_noun"] = article(noun(ob))
            ref = unique_ref(scene_b, t, ib, boxes_b)
            if ref is not None:
                slots["the_b"] = ref.text()
        # verbs agree with the changed thing ("the skis are", "skis have been added")
        word = noun((scene_a.objects[ia - 1]) if ia else scene_b.objects[ib - 1])
        plural = word.rpartition(" ")[2] in PLURAL_ONLY
        slots.update(
            has="have" if plural else "has",
            was="were" if plural else "was",
            is_="are" if plural else "is",
            it="them" if plural else "it",
        )
        slots.update({k: str(v) for k, v in p.detail.items() if isinstance(v, str)})
        slots.setdefault("where", "")
        if p.kind == "add":
            sup = E.support_of(scene_b, ib)
            if sup is not None and sup[1] in PLACE_PHRASE and sup[0] in boxes_b:
                anchor = Ref(noun(scene_b.objects[sup[0] - 1]))
                if denotes(anchor, scene_b, t, boxes_b) == [sup[0]]:
                    slots["where"] = f" {PLACE_PHRASE[sup[1]]} {anchor.text()}"
        if p.kind == "attach":
            holder, pred = E.holder_of(scene_b, ib)  # type: ignore[misc]
            ref = unique_ref(scene_b, t, holder, boxes_b, relations=False)
            if ref is None:
                raise Rejected(Reject("ambiguous", "no unique phrase for the holder"))
            slots["holder"] = ref.text()
            slots["verb"] = E.ATTACH_VERBS[pred]
        return slots


def _require_same_bystanders(scene: SpriteScene, planned: list[Planned], *images) -> None:
    """Reject (``occlusion``) when a thing no change is about is named in one image's graph
    and not in the other's (shown enough to name in one, hidden past the world's visibility
    limits in the other): a change uncovered it (the tram removed, a train that stood hidden
    behind it now shows) or covered it (a couch added in front of a bottle). A person would
    list that as a difference too, and the captions do not say it. A thing named in both
    images may show more or less of itself (a chair added in front of the table's leg): the
    change box covers that, and the caption's change explains it. ``images``: (base oid ->
    oid, graph objects by oid) for image A and image B."""
    changed = set().union(*(E.parts_of(scene, p.oid) for p in planned))
    (map_a, shown_a), (map_b, shown_b) = images
    for o in scene.objects:
        if o.oid in changed or o.role == "backdrop":
            continue
        in_a, in_b = map_a.get(o.oid) in shown_a, map_b.get(o.oid) in shown_b
        if in_a != in_b:
            where = "first" if in_a else "second"
            raise Rejected(
                Reject("occlusion", f"the {o.category} is named only in the {where} image")
            )


def _art(scene: SpriteScene, layers: tuple[int, ...]) -> np.ndarray:
    """Footprint of the layers' art alone (their shadows left out)."""
    bare = E._copy(
        scene,
        layers=tuple(
            dataclasses.replace(lay, shadow=None) if i in layers else lay
            for i, lay in enumerate(scene.layers)
        ),
    )
    return E.footprint(bare, layers)


def _ids_box(ids: np.ndarray, oids: set[int]) -> Box | None:
    """Box (x, y, w, h) of the pixels of ``oids`` in an id map (a structure's parts count,
    also parts too small for the graph)."""
    m = np.isin(ids, list(oids))
    ys, xs = np.flatnonzero(m.any(axis=1)), np.flatnonzero(m.any(axis=0))
    if not len(ys):
        return None
    return (int(xs[0]), int(ys[0]), int(xs[-1] - xs[0]) + 1, int(ys[-1] - ys[0]) + 1)


EDGE_PX = 2
"""How far a resampled sprite's anti-aliased edge reaches past its id-map pixels."""


def _widen(box: Box, width: int, height: int) -> Box:
    """``box`` :data:`EDGE_PX` pixels wider on every side (clipped): a sprite's anti-aliased
    edge, whose pixels are under half opaque and so not the sprite's in the id map, still
    changes."""
    x, y, w, h = box
    x0, y0 = max(x - EDGE_PX, 0), max(y - EDGE_PX, 0)
    x1, y1 = min(x + w + EDGE_PX, width), min(y + h + EDGE_PX, height)
    return (x0, y0, x1 - x0, y1 - y0)


def _state(scene: SpriteScene, graph: SpriteGraph, oid: int) -> ObjectState:
    o = scene.objects[oid - 1]
    g = graph.object(oid)
    # "color" in every state ("" for an uncoloured sprite): the key set of a state is the same
    # in every record, so a first shard of uncoloured sprites types a later one's colour
    attrs = {
        "category": o.category,
        "synset": o.synset,
        "group": o.group,
        "color": colour_word(o.attributes),
    }
    return ObjectState(
        name=noun(o),
        attributes=attrs,
        id=oid,
        bbox=tuple(g.bbox),
        visible_pixels=g.pixels,
        position=o.pos,
    )


def _which(n: int, scene_a, ia, scene_b, ib, t: Tables) -> list[tuple[int, str, int]]:
    """(change, phrase, image) for a changed thing whose noun no thing of the other image
    is called by ("Which image contains a cat?")."""
    out = []
    for k, mine, other, image in ((ia, scene_a, scene_b, 0), (ib, scene_b, scene_a, 1)):
        if not k:
            continue
        word = noun(mine.objects[k - 1])
        if not any(word in words(t, o) for o in other.objects):
            out.append((n, article(word), image))
    return out
