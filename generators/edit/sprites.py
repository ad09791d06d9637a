"""``edit`` on the sprite world: instructions about real things, exact masks.

A scene S is sampled from the sprite world; an edit type is drawn and applied to a leaf
thing of S (``synthgen.world.sprites.edits``: nothing rests on it, is held by it or is
part of it, so nothing is left floating). Types (:data:`SPRITE_EDIT_TYPES`):

remove       "Remove the dog."                       (any leaf thing)
remove_from  "Remove the dog from the sofa."          (a thing resting on / in another thing)
take_off     "Take the cap off the woman."            (a worn thing)
take_away    "Take the umbrella away from the man."   (a held, carried, eaten thing)
add          "Add a goat standing on the grass."      (source: S without a thing on the ground)
put_on       "Put a cup on the table."                (source: S without a thing on/in a thing)
dress        "Put a cap on the woman."                (source: S without a worn thing)
give         "Make the man hold an umbrella."         (source: S without a held thing)
replace      "Replace the apple with an orange."      (same hypernym, same foot point)
recolor      "Replace the red car with a blue car."   (another art of the category in another
             colour: the atlas has no same-design variants, so it says replace, not paint)
resize       "Make the dog bigger."                   (0.6-0.75x or 1.35-1.6x as tall)
move         "Move the dog to the left."              (same ground row, >= its width), or
             "Move the dog closer to the camera."     (same ground, 1.25-1.45x / 0.65-0.8x tall)
flip         "Turn the dog to face the other way."    (things drawn facing left or right)

The adding types are removals read backwards: the rule that placed the thing made its
relations true (the cup on the table top, the umbrella in the hand), so the target is a
scene the world itself sampled and checked.

Checks (each a verdict in the lineage):

* ``edit_preservation`` (oracle): zero pixels differ outside the mask. The mask is the
  footprint of the edited thing's layers in source and target (art pixels with alpha > 0
  and shadow ellipses, ``edits.footprint``), computed from the layers, not from the pixels;
* ``edit_fidelity`` (oracle): the target graph differs from the source graph as the type
  says (the thing is gone / present with the relation / another category / colour / size /
  place / facing), and every other thing keeps its category;
* ``refexp_unique`` (oracle): every expression in the instruction denotes exactly the meant
  thing in the source scene (``synthgen.world.sprites.referring``), re-evaluated here;
* ``edit_visible``: at least one pixel inside the mask changed;
* ``edit_salient`` (oracle): the edited thing shows at least ``min_thing_pixels`` pixels
  in every image it is in (things this small are not even offered to the planner).
"""

from __future__ import annotations

from functools import cache
from types import SimpleNamespace
from typing import Any

import numpy as np

from synthgen.generators.edit import pixels
from synthgen.generators.qa.templates import article
from synthgen.media import MediaItem
from synthgen.program import Context, Reject, Rejected, Sample
from synthgen.prompts import load, text_sha256
from synthgen.records import Verdict
from synthgen.world.scene import SceneSamplingError
from synthgen.world.sprites import SpriteWorld, tables
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
)
from synthgen.world.sprites.render import render_scene
from synthgen.world.sprites.scene import SpriteScene, Tables

SPRITE_EDIT_TYPES: tuple[str, ...] = (
    "remove",
    "remove_from",
    "take_off",
    "take_away",
    "add",
    "put_on",
    "dress",
    "give",
    "replace",
    "recolor",
    "resize",
    "move",
    "flip",
)
REMOVING = frozenset({"remove", "remove_from", "take_off", "take_away"})
ADDING = frozenset({"add", "put_on", "dress", "give"})
VERB_BASE = {"holding": "hold", "carrying": "carry", "playing": "play with", "eating": "eat"}
PROMPT_NAME = "edit_sprites"
GROW = (1.35, 1.6)
SHRINK = (0.6, 0.75)
MIN_MOVE_PX = 16
DEPTH_NEAR = (1.25, 1.45)
DEPTH_FAR = (0.65, 0.8)
"""A move in depth changes the thing's drawn height by these factors (nearer / farther)."""
MIN_SIZE_CHANGE = 1.15
"""A resize must change the thing's visible height by at least this factor."""


@cache
def _phrasings(edit_type: str) -> tuple[tuple[str, ...], str]:
    options = tuple(load(PROMPT_NAME)["types"][edit_type]["phrasings"])
    return options, text_sha256("\n".join(options))


class Plan(SimpleNamespace):
    """source / target scenes, the edited thing's oid in each (None where absent), the
    layers that changed in each, the instruction slots, the expressions to re-check
    (role -> (Ref, scene "source", oid)) and the requested values (``params``)."""


def _candidates(scene: SpriteScene, t: Tables, edit_type: str) -> list[int]:
    leaves = E.leaf_things(scene)
    out = []
    for k in leaves:
        held = E.holder_of(scene, k)
        sup = E.support_of(scene, k)
        on_thing = sup is not None and scene.objects[sup[0] - 1].role != "backdrop"
        if edit_type == "remove":
            ok = True
        elif edit_type in ("remove_from", "put_on"):
            ok = held is None and on_thing and sup[1] in ("on", "in")  # type: ignore[index]
        elif edit_type in ("take_off", "dress"):
            ok = held is not None and held[1] == "wearing"
        elif edit_type in ("take_away", "give"):
            ok = held is not None and held[1] in VERB_BASE
        elif edit_type == "add":
            ok = held is None and sup is not None and not on_thing
        else:
            ok = held is None and E.is_sprite_thing(scene, t, k)
            # a rider moved, resized, mirrored or replaced alone would ride nothing
            ok = ok and (edit_type == "recolor" or not E.posed_on_support(scene, k))
        if ok:
            out.append(k)
    return out


def _one_ref(scene, t, oid, boxes, **kw) -> Ref:
    ref = unique_ref(scene, t, oid, boxes, **kw)
    if ref is None:
        raise _NoPlan("no unique expression")
    return ref


class _NoPlan(Exception):
    pass


def plan_edit(
    rng: np.random.Generator,
    edit_type: str,
    scene: SpriteScene,
    graph: SpriteGraph,
    t: Tables,
    min_pixels: int = 1,
) -> Plan | None:
    """A plan of ``edit_type`` on a leaf thing of ``scene`` that shows at least
    ``min_pixels`` pixels in it (None: not applicable)."""
    cands = _candidates(scene, t, edit_type)
    shown = {o.id for o in graph.objects if o.pixels >= min_pixels}
    cands = [k for k in cands if k in shown]
    u, v, w = (float(x) for x in rng.random(3))
    if not cands:
        return None
    oid = cands[int(u * len(cands))]
    o = scene.objects[oid - 1]
    boxes = visible_boxes(graph)
    slots: dict[str, str] = {}
    refs: dict[str, tuple[Ref, int]] = {}
    params: dict[str, Any] = {"category": o.category}
    try:
        if edit_type in REMOVING or edit_type in ADDING:
            removed = E.remove(scene, oid)
            if edit_type in REMOVING:
                src, tgt, src_oid, tgt_oid = scene, removed.scene, oid, None
                ref = _one_ref(scene, t, oid, boxes, relations=edit_type == "remove")
                refs["target"] = (ref, oid)
                slots["target"] = ref.text()
                before, after = removed.changed_before, ()
            else:
                src, tgt, src_oid, tgt_oid = removed.scene, scene, None, oid
                slots["new"] = article(noun(o))
                before, after = (), removed.changed_before
            src_boxes = boxes if src is scene else None
            if edit_type in ("remove_from", "put_on"):
                sup, pred = E.support_of(scene, oid)  # type: ignore[misc]
                params["relation"] = pred
                slots["prep"] = pred
                _anchor(slots, refs, "support", scene, removed, sup, t, boxes, src_boxes)
            elif edit_type in ("take_off", "take_away", "dress", "give"):
                holder, pred = E.holder_of(scene, oid)  # type: ignore[misc]
                params["relation"] = pred
                slots["verb"] = E.ATTACH_VERBS[pred]
                slots["verb_base"] = VERB_BASE.get(pred, "wear")
                _anchor(slots, refs, "holder", scene, removed, holder, t, boxes, src_boxes)
            elif edit_type == "add":
                sup, pred = E.support_of(scene, oid)  # type: ignore[misc]
                params["relation"] = pred
                if pred not in PLACE_PHRASE or sup not in boxes:
                    return None  # a support the image does not show is not named
                slots["on_ground"] = f"{PLACE_PHRASE[pred]} the {scene.objects[sup - 1].name}"
            return Plan(
                source=src,
                target=tgt,
                source_oid=src_oid,
                target_oid=tgt_oid,
                changed_before=before,
                changed_after=after,
                slots=slots,
                refs=refs,
                params=params,
            )
        ref = _one_ref(scene, t, oid, boxes, colour_first=edit_type == "recolor")
        refs["target"] = (ref, oid)
        slots["target"] = ref.text()
        if edit_type == "replace":
            cats = E.replacements(t, o.category)
            if not cats:
                return None
            cat = cats[int(v * len(cats))]
            edited = E.replace(scene, oid, t, cat, w)
            slots["new"] = article(cat)
            params["new_category"] = cat
        elif edit_type == "recolor":
            options = E.recolour_options(scene, t, oid)
            if not options:
                return None
            spr = options[int(v * len(options))]
            edited = E.recolour(scene, oid, t, spr)
            slots["color"] = params["color"] = spr.color
            slots["new"] = article(f"{spr.color} {noun(o)}")
        elif edit_type == "resize":
            grow = v < 0.5
            lo, hi = GROW if grow else SHRINK
            edited = E.resize(scene, oid, t, lo + (hi - lo) * w)
            slots["change"] = params["change"] = "bigger" if grow else "smaller"
        elif edit_type == "move":
            if float(rng.random()) < 0.5:  # in depth, on the same ground
                near = v < 0.5
                lo, hi = DEPTH_NEAR if near else DEPTH_FAR
                foot = E.depth_row(scene, oid, lo + (hi - lo) * w)
                edited = E.move_in_depth(scene, oid, t, foot) if foot is not None else None
                way = "closer to the camera" if near else "away from the camera"
            else:
                lay = scene.layers[E.layers_of(scene, {oid})[0]]
                dist = max(lay.w, MIN_MOVE_PX) * (1.0 + w)
                dx = round(-dist if v < 0.5 else dist)
                edited = E.move(scene, oid, t, dx)
                way = "to the left" if dx < 0 else "to the right"
            slots["direction"] = params["direction"] = way
        elif edit_type == "flip":
            edited = E.mirror(scene, oid, t)
            if edited is not None:
                face = edited.scene.objects[oid - 1].facing
                slots.update(face=face, face_the=f"the {face}")
                params["facing"] = face
        else:
            raise ValueError(f"unknown sprite edit type {edit_type!r}")
    except _NoPlan:
        return None
    if edited is None:
        return None
    return Plan(
        source=scene,
        target=edited.scene,
        source_oid=oid,
        target_oid=oid,
        changed_before=edited.changed_before,
        changed_after=edited.changed_after,
        slots=slots,
        refs=refs,
        params=params,
    )


def _anchor(slots, refs, role, scene, removed, oid, t, boxes, src_boxes) -> None:
    """The support / holder named in the instruction: unique in the source by noun (and
    colour or side), never by a relation (that could involve the edited thing)."""
    if src_boxes is not None:  # the source is S
        ref = _one_ref(scene, t, oid, boxes, relations=False)
        refs[role] = (ref, oid)
    else:  # the source is S without the thing: ids renumbered
        k = removed.oid_map[oid]
        ref = _one_ref(removed.scene, t, k, _boxes_without(boxes, removed), relations=False)
        refs[role] = (ref, k)
    slots[role] = ref.text()


def _boxes_without(boxes: dict[int, tuple], removed: E.Edited) -> dict[int, tuple]:
    return {removed.oid_map[k]: b for k, b in boxes.items() if removed.oid_map.get(k)}


class SpriteEdits:
    """The sprite-world edit maker, one per program instance."""

    def __init__(self, program: Any) -> None:
        self.program = program
        self.config = program.config
        self.world_config = self.config.world
        self.world = SpriteWorld()
        self.t = tables(self.world_config.atlas)
        self.types = program.types

    def generate(self, ctx: Context[Any]) -> Sample | Reject:
        with ctx.stage("scene"):
            try:
                scene = self.world.sample(ctx.rng, self.world_config)
            except SceneSamplingError as e:
                return Reject("scene_sampling", str(e))
            rendering = self.world.render(scene, self.world_config)
            graph = self.world.graph(scene, rendering, self.world_config)
        style = self.program._draw_style(ctx)
        if style is not None or not self.types:
            src = SimpleNamespace(rendering=rendering, graph=None)
            try:
                return self.program._finish(ctx, src, style, None)
            except Rejected as rejected:
                return rejected.reject
        with ctx.stage("plan"):
            plan = None
            for j in ctx.rng.permutation(len(self.types)).tolist():
                plan = plan_edit(
                    ctx.rng, self.types[j], scene, graph, self.t, self.config.min_thing_pixels
                )
                if plan is not None:
                    edit_type = self.types[j]
                    break
            if plan is None:
                return Reject("no_applicable_edit", "no edit type fits this scene")
        try:
            return self._finish(ctx, edit_type, plan, scene, rendering, graph)
        except Rejected as rejected:
            return rejected.reject

    def _render(self, s: SpriteScene, scene, rendering, graph):
        if s is scene:
            return rendering, graph
        ren = render_scene(s)
        try:
            return ren, build_graph(s, ren, self.world_config)
        except SceneSamplingError as e:
            raise Rejected(Reject("sprite_edit_check", str(e))) from None

    def _finish(self, ctx, edit_type, plan, scene, rendering, graph) -> Sample:
        with ctx.stage("render"):
            src_ren, src_graph = self._render(plan.source, scene, rendering, graph)
            tgt_ren, tgt_graph = self._render(plan.target, scene, rendering, graph)
        with ctx.stage("check"):
            mask = np.zeros((scene.height, scene.width), dtype=bool)
            if plan.changed_before:
                mask |= E.footprint(plan.source, plan.changed_before)
            if plan.changed_after:
                mask |= E.footprint(plan.target, plan.changed_after)
            stats = pixels.compare(src_ren.image, tgt_ren.image, mask)
            ctx.require(self.program._preserved(stats))
            ctx.require(_fidelity(edit_type, plan, src_graph, tgt_graph, mask))
            src_boxes = visible_boxes(src_graph)
            wrong = []
            for role, (ref, oid) in plan.refs.items():
                hits = denotes(ref, plan.source, self.t, src_boxes)
                if hits != [oid] or oid not in src_boxes:
                    wrong.append(f"{role} denotes {hits}")
            ctx.require(
                Verdict(
                    filter="refexp_unique",
                    kind="oracle",
                    passed=not wrong,
                    detail="; ".join(wrong) or None,
                )
            )
            ctx.require(pixels.visible_verdict(stats))
            ctx.require(_salient(plan, src_graph, tgt_graph, self.config.min_thing_pixels))
        options, sha = _phrasings(edit_type)
        ctx.used_prompt(f"{PROMPT_NAME}/types.{edit_type}", sha)
        instruction = options[int(ctx.rng.random() * len(options))].format(**plan.slots)
        params = dict(plan.params)
        params.update(
            {f"{role}_ref": ref.to_dict() for role, (ref, _oid) in plan.refs.items()},
            source_id=plan.source_oid,
            target_id=plan.target_oid,
        )
        data: dict[str, Any] = {
            "source": "procedural",
            "category": "object",
            "edit_type": edit_type,
            "instruction": instruction,
            "referring_expression": plan.slots.get("target")
            or plan.slots.get("support")
            or plan.slots.get("holder"),
            "params": params,
            "preservation": stats,
            "fidelity": "passed",
        }
        if self.config.graphs:
            params["graphs"] = [src_graph.to_dict(), tgt_graph.to_dict()]
        media = {
            "source": src_ren.image,
            "target": tgt_ren.image,
            "mask": MediaItem(pixels.mask_image(mask), encoder="png"),
        }
        return Sample(data, media)


def _fidelity(
    edit_type: str, plan: Plan, src: SpriteGraph, tgt: SpriteGraph, mask: np.ndarray
) -> Verdict:
    """``edit_fidelity`` on sprite graphs (module docstring). Things whose visible box meets
    the mask may be uncovered or covered by the edit (a removed dog shows the cushion behind
    it); every other thing must be there in both graphs with its category."""
    ys, xs = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    near = (int(xs[0]), int(ys[0]), int(xs[-1]), int(ys[-1])) if len(ys) else None
    why = _fidelity_problem(edit_type, plan, src, tgt, near)
    return Verdict(filter="edit_fidelity", kind="oracle", passed=why is None, detail=why)


def _salient(plan: Plan, src: SpriteGraph, tgt: SpriteGraph, least: int) -> Verdict:
    """``edit_salient`` (oracle): the edited thing shows at least ``least`` pixels in every
    image it is in (a thing moved away or shrunk is measured where it ends up), so the
    instruction is about something a person can make out, not a 10x10 speck."""
    pixels = [
        next((o.pixels for o in graph.objects if o.id == oid), 0)  # not in the graph: unseen
        for graph, oid in ((src, plan.source_oid), (tgt, plan.target_oid))
        if oid is not None
    ]
    fewest = min(pixels, default=0)
    return Verdict(
        filter="edit_salient",
        kind="oracle",
        passed=fewest >= least,
        score=float(fewest),
        threshold=float(least),
        score_type="visible_pixels_of_the_edited_thing",
    )


def _categories(g: SpriteGraph, skip: int | None, near=None) -> list[str]:
    def meets(o) -> bool:
        x, y, w, h = o.bbox
        return near is not None and not (
            x > near[2] or y > near[3] or x + w - 1 < near[0] or y + h - 1 < near[1]
        )

    return sorted(
        o.category for o in g.objects if o.role == "thing" and o.id != skip and not meets(o)
    )


def _fidelity_problem(edit_type, plan, src: SpriteGraph, tgt: SpriteGraph, near) -> str | None:
    s_oid, t_oid = plan.source_oid, plan.target_oid
    s_ids = {o.id: o for o in src.objects}
    t_ids = {o.id: o for o in tgt.objects}
    if edit_type in REMOVING:
        if s_oid not in s_ids:
            return "the thing to remove is not visible in the source"
        gone = s_ids[s_oid].category
        if _categories(tgt, None, near) != _categories(src, s_oid, near):
            return f"target things are not the source's without the {gone}"
        return None
    if edit_type in ADDING:
        if t_oid not in t_ids:
            return "the added thing is not visible in the target"
        if _categories(src, None, near) != _categories(tgt, t_oid, near):
            return "source things are not the target's without the added thing"
        rel = plan.params.get("relation")
        if rel and not any(
            (r.subject_id == t_oid and r.predicate == rel)
            or (r.object_id == t_oid and r.predicate == rel)
            for r in tgt.relationships
        ):
            return f"the added thing is not {rel} its anchor in the target graph"
        return None
    if s_oid not in s_ids or t_oid not in t_ids:
        return "the edited thing is not visible in both images"
    a, b = s_ids[s_oid], t_ids[t_oid]
    if _categories(src, s_oid, near) != _categories(tgt, t_oid, near):
        return "another thing changed"
    if edit_type == "replace":
        return None if b.category == plan.params["new_category"] != a.category else "category"
    if edit_type == "recolor":
        return None if colour_word(b.attributes) == plan.params["color"] else "colour"
    if edit_type == "resize":
        ratio = b.drawn_box[3] / max(a.drawn_box[3], 1)
        grew = plan.params["change"] == "bigger"
        ok = ratio >= MIN_SIZE_CHANGE if grew else ratio <= 1 / MIN_SIZE_CHANGE
        return None if ok and a.category == b.category else f"height ratio {ratio:.2f}"
    if edit_type == "move":
        (ax, ay, _aw, ah), (bx, by, _bw, bh) = a.drawn_box, b.drawn_box
        way = plan.params["direction"]
        if way == "closer to the camera":  # lower in the image and taller
            ok = by + bh > ay + ah and bh >= MIN_SIZE_CHANGE * ah
        elif way == "away from the camera":
            ok = by + bh < ay + ah and ah >= MIN_SIZE_CHANGE * bh
        else:
            ok = abs(bx - ax) >= MIN_MOVE_PX and (bx < ax) == (way == "to the left")
        return None if ok else f"{way}: drawn box {a.drawn_box} -> {b.drawn_box}"
    if edit_type == "flip":
        return None if b.facing == plan.params["facing"] != a.facing else "facing"
    return f"unknown type {edit_type}"
