"""``svg_multi``: 2-4 procedural images per record with their exact scene graphs and the
multi-image questions (ProVision's 14 kinds: select, aggregate, compare).

Views. With ``views="related"`` (default) the images show one set of objects from different
cameras: each further view keeps every object of the first at its place, drops some, and
recolors or swaps the material of a few, then is rendered from another stage under another
light (re-drawn until every object shows ``min_visible_pixels``). So "in which image is the
cube left of the sphere" (the camera moved), "which image has no red cone" (dropped) and
"how do the cube's attributes differ" (recolored) have answers. Every question of such a
record says so (:data:`VIEWS_NOTE`), totals count physical objects ("how many different
cubes appear": a cube seen in three views is one), and no question compares an object with
itself ("what do the cubes have in common" is not asked). The record's ``physical_ids``
give each graph object's physical object. ``views="independent"`` samples unrelated
scenes (every object its own). Image order is shuffled, so the first scene is not always
first.

The sprite world (``world="sprites"``: real things, category names) has no camera to move,
so its related images are one place at different times (:data:`PLACE_NOTE` opens every
question): the first scene as drawn, and each further image that scene with one or two of
its leaf things removed, moved (sideways or in depth), replaced by another category of the
same kind (a dog by a cat) or by one of another colour (``synthgen.world.sprites.edits``,
drawn as imgdiff draws its changes, every relation re-checked on the new rendering). A
replaced thing is a new physical object; a moved one is the same. Independent sprite
records are distinct scenes, every object its own. The record holds each image's world
graph (``world_graphs``, as svg's ``world_graph``) instead of ``scene_graphs``, and the
questions read names as a viewer does (``generators/qa/multi.py``: only names every image
settles, placed relations only).

Every image passes the visibility filter, and the record carries ``image_0`` ...
``image_{k-1}``, their scene graphs in the same order, the QA, and LLaVA conversations whose
first turn holds one ``<image>`` token per image. A candidate none of whose asked kinds has a
question on its images is rejected (``no_questions``): no record without QA. Pure function
of (config, seed, index).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
from pydantic import Field, field_validator, model_validator

from synthgen.filters.visibility import Visibility
from synthgen.generators.jsonfield import OmitNone
from synthgen.generators.qa import QA, QAConfig, QASuite, conversations, question_kinds
from synthgen.generators.qa.base import MultiImageKind
from synthgen.generators.qa.graph import QAGraph
from synthgen.generators.qa.programs import pick
from synthgen.generators.qa.sources import (
    from_scene_graph,
    from_world_graph,
    unnamed_things,
    world_graph_json,
)
from synthgen.program import (
    Context,
    Program,
    ProgramConfig,
    Reject,
    Rejected,
    Sample,
    register_program,
)
from synthgen.records import BaseRecord
from synthgen.world import SceneGraph, SceneSamplingError, WorldConfig
from synthgen.world.base import WorldRendering
from synthgen.world.choice import WorldSettings, world_field, world_of
from synthgen.world.graph import PredicateFilter, build_scene_graph
from synthgen.world.render import Rendering, get_renderer
from synthgen.world.scene import Scene, light_from_uniforms, sample_rendered_scene
from synthgen.world.stage import make_stage

VIEWS_NOTE = (
    "The images show one scene from different viewpoints, some objects removed or changed. "
)
"""Opens every question of a ``views="related"`` record: the images are of one scene."""
PLACE_NOTE = (
    "The images show one place at different times; between them some things were removed, "
    "moved or replaced. "
)
"""Opens every question of a related sprite-world record: one place, edited between images."""
PLACE_CHANGES = ("remove", "replace", "move", "recolor")
"""The sprite edits between related images (imgdiff's change kinds that keep one place)."""
NEW_THING = 10_000
"""Physical id of a thing replaced in related image j (its base id b): ``j * NEW_THING + b``."""
NO_QUESTIONS = Reject("no_questions", "no multi-image question has an answer on these images")
"""A candidate whose images no asked kind can question (nothing differs askably between
them, or no name is settled in every image): rejected, as a record without questions
teaches nothing (``qa.per_image=0`` asks for none, and keeps them)."""
CALIBRATION_SEED = 7_2024
CALIBRATION_SETS = 24
"""Image sets the multi-image answer balance is calibrated on (per config, per process)."""


class SvgMultiConfig(ProgramConfig):
    world: WorldSettings = world_field("shapes")
    qa: QAConfig = Field(default_factory=QAConfig, description="questions per record")
    images: tuple[int, int] = Field((2, 4), description="fewest and most images per record")
    views: Literal["related", "independent"] = Field(
        "related", description="related: one object set seen from several cameras"
    )
    drop: float = Field(0.2, ge=0, le=0.9, description="related: chance an object is left out")
    recolor: float = Field(
        0.15, ge=0, le=1, description="related: chance an object's color changes"
    )
    rematerial: float = Field(0.1, ge=0, le=1, description="related: chance its material swaps")
    view_tries: int = Field(20, ge=1, description="related: cameras tried per view")
    predicates: PredicateFilter = None
    min_visible_pixels: int = Field(
        40, ge=1, description="visibility filter: every object must show this many pixels"
    )
    conversations: bool = Field(True, description="add LLaVA-style conversation turns")

    @field_validator("images")
    @classmethod
    def _images(cls, value: tuple[int, int]) -> tuple[int, int]:
        lo, hi = value
        if not 2 <= lo <= hi <= 4:
            raise ValueError("images must satisfy 2 <= fewest <= most <= 4")
        return value

    @model_validator(mode="after")
    def _multi_kinds(self) -> SvgMultiConfig:
        if self.qa.kinds is not None:
            single = [k for k in self.qa.kinds if question_kinds.get(k).images < 2]
            if single:
                raise ValueError(
                    f"qa.kinds {single} are single-image kinds; svg_multi asks multi-image "
                    f"kinds (multi_*)"
                )
        return self


class SvgMultiRecord(OmitNone, BaseRecord):
    views: str = Field(description='"related" or "independent"')
    scene_graphs: list[SceneGraph] | None = Field(
        None, description="shapes world: exact graph of image_i, in order"
    )
    world_graphs: list[dict[str, Any]] | None = Field(
        None,
        description="another world (sprites): the exact graph of image_i as that world builds "
        "it (svg's world_graph), in order",
    )
    physical_ids: list[list[int]] = Field(
        description="per image, per graph object (in order): the physical object it shows "
        "(related views of one scene share them; independent scenes never do)"
    )
    qa: list[QA]
    conversations: list[dict[str, Any]] | None = Field(
        None, description="LLaVA turns; left out of the JSON when turned off"
    )

    omit_when_none = ("conversations", "scene_graphs", "world_graphs")


@register_program
class SvgMulti(Program[SvgMultiConfig]):
    name = "svg_multi"
    version = "1"
    description = "2-4 procedural images per record, exact scene graphs, multi-image QA"
    Config = SvgMultiConfig
    Record = SvgMultiRecord
    media_kinds = ("image",)
    worlds = ("shapes", "sprites")  # related: cameras (shapes) or edits of one place (sprites)

    @classmethod
    def default_encoders(cls, config: SvgMultiConfig) -> dict[str, str]:
        """JPEG for the sprite world's photo-like images, PNG for the shapes world, as svg
        (see ``Svg.default_encoders``)."""
        return {} if isinstance(config.world, WorldConfig) else {"image": "jpg"}

    def __init__(self, config: SvgMultiConfig) -> None:
        super().__init__(config)
        self.suite = self._suite(config)
        self.visibility = Visibility(config.min_visible_pixels)

    @staticmethod
    def _suite(config: SvgMultiConfig) -> QASuite:
        return QASuite(
            config.qa,
            calibration_sets=functools.partial(calibration_sets, config),
            calibration_key=f"svg_multi:{config.model_dump_json()}",
            calibration_world=config.world,
        )

    @classmethod
    def warm_up(cls, config: SvgMultiConfig) -> None:
        """The QA balance tables of ``config``, into the per-machine cache."""
        cls._suite(config).warm()

    def media_slots(self) -> list[str]:
        """Every image name a record can have: each webdataset sample has a member per
        slot (see :class:`synthgen.sinks.WebDatasetWriter`), so datasets' webdataset loader
        sees the same members in every sample."""
        return [f"image_{k}" for k in range(self.config.images[1])]

    def generate(self, ctx: Context[SvgMultiConfig]) -> Sample | Reject:
        cfg = ctx.config
        if not isinstance(cfg.world, WorldConfig):
            return self._from_world(ctx)
        with ctx.stage("scene"):
            try:
                drawn = sample_view_set(ctx.rng, cfg)
            except SceneSamplingError as exc:
                return Reject("scene_sampling", str(exc))
            if drawn is None:
                return Reject(
                    "view_sampling", f"no camera showed every object in {cfg.view_tries} tries"
                )
        views, physical = drawn
        with ctx.stage("graph"):
            graphs = [build_scene_graph(s, r, cfg.predicates) for s, r in views]
        for graph in graphs:
            ctx.require(self.visibility.check([(o.id, o.visible_pixels) for o in graph.objects]))
        with ctx.stage("qa"):
            qa_graphs = _qa_graphs(graphs, [r for _, r in views], physical, cfg.views)
        qas, turns = self._ask(ctx, qa_graphs, VIEWS_NOTE)
        media = {f"image_{i}": r.image for i, (_, r) in enumerate(views)}
        record = {
            "views": cfg.views,
            "scene_graphs": graphs,
            "physical_ids": physical,
            "qa": qas,
            "conversations": turns,
        }
        return Sample(record, media)

    def _ask(
        self, ctx: Context[SvgMultiConfig], graphs: list[QAGraph], related_note: str
    ) -> tuple[list[QA], list | None]:
        """The record's questions over its images' QA views (each opening with
        ``related_note`` when the images are related) and their conversation turns (None when
        turned off: left out of the JSON; [] when ``qa.per_image`` is 0). A candidate
        without questions otherwise is rejected (:data:`NO_QUESTIONS`)."""
        cfg = ctx.config
        with ctx.stage("qa"):
            qas = self.suite.ask_many(graphs, ctx.rng, ctx.counters)
            if not qas and cfg.qa.per_image:
                raise Rejected(NO_QUESTIONS)
            if cfg.views == "related":
                qas = [q.model_copy(update={"question": related_note + q.question}) for q in qas]
        turns = None
        if cfg.conversations:
            turns = conversations(qas, image_tokens=len(graphs)) if qas else []
        return qas, turns

    def _from_world(self, ctx: Context[SvgMultiConfig]) -> Sample | Reject:
        """The sprite world: distinct scenes, or one place edited between images."""
        cfg = ctx.config
        with ctx.stage("scene"):
            try:
                drawn = sample_world_set(ctx.rng, cfg)
            except SceneSamplingError as exc:
                return Reject("scene_sampling", str(exc))
            if drawn is None:
                return Reject(
                    "view_sampling", f"no edit of the place held in {cfg.view_tries} tries"
                )
        with ctx.stage("graph"):
            images = [world_image(cfg, *item) for item in drawn]
        for image in images:
            ctx.require(self.visibility.check(image.pixels))
        qas, turns = self._ask(ctx, [i.view for i in images], PLACE_NOTE)
        record = {
            "views": cfg.views,
            "world_graphs": [i.graph_json for i in images],
            "physical_ids": [i.physical for i in images],
            "qa": qas,
            "conversations": turns,
        }
        return Sample(record, {f"image_{k}": i.image for k, i in enumerate(images)})


@dataclass
class WorldImage:
    """One image of another world's record: its QA view (with physical ids when related),
    the world graph the record stores, each graph object's physical id, its visible pixel
    counts (for the visibility filter) and the picture."""

    view: QAGraph
    graph_json: dict[str, Any]
    physical: list[int]
    pixels: list[tuple[int, int]]
    image: Any


def world_image(
    cfg: SvgMultiConfig, scene: Any, rendering: WorldRendering, graph: Any, physical: dict[int, int]
) -> WorldImage:
    """The QA view and record parts of one drawn image (as svg's world path builds them)."""
    world = world_of(cfg.world)
    vg = graph.to_vg()
    counts = np.bincount(np.asarray(rendering.ids, dtype=np.int64).ravel())
    graph_json = world_graph_json(graph, vg)
    view = from_world_graph(
        vg, rendering, world.name, graph_json, unnamed_things(scene, counts, vg)
    )
    ids = [int(o["id"]) for o in graph_json["objects"]]
    if cfg.views == "related":
        view.identity = {i: physical[i] for i in ids}
    pixels = [
        (o.object_id, int(counts[o.object_id]) if o.object_id < len(counts) else 0)
        for o in vg.objects
    ]
    return WorldImage(view, graph_json, [physical[i] for i in ids], pixels, rendering.image)


def sample_world_set(
    rng: np.random.Generator, cfg: SvgMultiConfig
) -> list[tuple[Any, WorldRendering, Any, dict[int, int]]] | None:
    """The record's 2-4 images of a world other than shapes, in shuffled order, each as
    (scene, rendering, graph, object id -> physical id): distinct scenes (ids numbered
    apart), or for ``related`` the first scene and edits of it (:func:`_edited_place`);
    None if an edit found no change that held in ``view_tries`` tries."""
    world = world_of(cfg.world)
    lo, hi = cfg.images
    k = lo + int(rng.random() * (hi - lo + 1))
    same_type = hasattr(cfg.world, "scene_types")
    out: list[tuple[Any, WorldRendering, Any, dict[int, int]]] = []
    if cfg.views == "independent":
        start, settings = 0, cfg.world
        for _ in range(k):
            scene = world.sample(rng, settings)
            if same_type:
                settings = settings.model_copy(update={"scene_types": (scene.scene_type,)})
            rendering = world.render(scene, settings)
            graph = world.graph(scene, rendering, settings)
            oids = [o.oid for o in scene.objects]
            out.append((scene, rendering, graph, {i: start + i for i in oids}))
            start += max(oids, default=0)
    else:
        base = world.sample(rng, cfg.world)
        rendering = world.render(base, cfg.world)
        graph = world.graph(base, rendering, cfg.world)
        out.append((base, rendering, graph, {o.oid: o.oid for o in base.objects}))
        for j in range(1, k):
            got = _edited_place(rng, cfg, base, graph, j)
            if got is None:
                return None
            out.append(got)
    order = rng.permutation(k).tolist()
    return [out[i] for i in order]


def _edited_place(
    rng: np.random.Generator, cfg: SvgMultiConfig, base: Any, graph: Any, j: int
) -> tuple[Any, WorldRendering, Any, dict[int, int]] | None:
    """The base sprite scene with one or two of its visible leaf things changed
    (:data:`PLACE_CHANGES`, one after the other), rendered and its graph re-checked, and
    each object's physical id: the base object it is, or ``j * NEW_THING + id`` for a thing
    that replaced one (and its parts)."""
    from synthgen.generators.imgdiff.sprites import plan_changes
    from synthgen.world.sprites import tables
    from synthgen.world.sprites.graph import build_graph
    from synthgen.world.sprites.render import render_scene

    t = tables(cfg.world.atlas)
    visible = {o.id for o in graph.objects if o.role == "thing"}
    for _ in range(cfg.view_tries):
        scene, to_now, replaced = base, {o.oid: o.oid for o in base.objects}, set()
        for _change in range(1 + int(rng.random() * 2)):
            now = {v: b for b, v in to_now.items() if v is not None}
            eligible = {to_now[b] for b in visible if to_now.get(b) and b not in replaced}
            planned = plan_changes(rng, scene, t, PLACE_CHANGES, (1, 1), 4, eligible)
            if not planned:
                break
            change = planned[0]
            if change.kind in ("replace", "recolor"):
                replaced.add(now[change.oid])
            scene = change.edit.scene
            to_now = {
                b: (change.edit.oid_map.get(v) if v is not None else None)
                for b, v in to_now.items()
            }
        if scene is base:
            continue
        rendering = render_scene(scene)
        try:
            edited = build_graph(scene, rendering, cfg.world)
        except SceneSamplingError:
            continue
        base_of = {v: b for b, v in to_now.items() if v is not None}
        physical = {}
        for o in scene.objects:
            b = base_of.get(o.oid)
            new = b is None or b in replaced or base_of.get(o.whole) in replaced
            physical[o.oid] = j * NEW_THING + o.oid if new else b
        return scene, rendering, edited, physical
    return None


def _qa_graphs(
    graphs: list[SceneGraph],
    renderings: list[Rendering],
    physical: list[list[int]] | None = None,
    views: str = "independent",
) -> list[QAGraph]:
    """The QA views of a record's images; for related views each with its objects'
    physical ids (``QAGraph.identity``)."""
    out = []
    for i, (g, r) in enumerate(zip(graphs, renderings, strict=True)):
        view = from_scene_graph(g, r.ids, functools.partial(lambda x: x.depth, r))
        if views == "related" and physical is not None:
            view.identity = {o.id: p for o, p in zip(g.objects, physical[i], strict=True)}
        out.append(view)
    return out


def sample_views(
    rng: np.random.Generator, cfg: SvgMultiConfig
) -> list[tuple[Scene, Rendering]] | None:
    """The record's 2-4 (scene, rendering) pairs (see :func:`sample_view_set`)."""
    drawn = sample_view_set(rng, cfg)
    return None if drawn is None else drawn[0]


def sample_view_set(
    rng: np.random.Generator, cfg: SvgMultiConfig
) -> tuple[list[tuple[Scene, Rendering]], list[list[int]]] | None:
    """The record's 2-4 (scene, rendering) pairs in shuffled order, and per image the
    physical object of each of its objects (object k of a related view shows object
    ``physical[k] - 1`` of the first scene; independent scenes number theirs apart);
    None if a related view found no camera that shows every object."""
    lo, hi = cfg.images
    k = lo + int(rng.random() * (hi - lo + 1))
    physical: list[list[int]] = []
    if cfg.views == "independent":
        views = [sample_rendered_scene(rng, cfg.world) for _ in range(k)]
        start = 0
        for scene, _ in views:
            physical.append(list(range(start + 1, start + len(scene.objects) + 1)))
            start += len(scene.objects)
    else:
        first = sample_rendered_scene(rng, cfg.world)
        views = [first]
        physical.append(list(range(1, len(first[0].objects) + 1)))
        for _ in range(k - 1):
            got = _related_view(first[0], rng, cfg)
            if got is None:
                return None
            views.append(got[0])
            physical.append(got[1])
    order = rng.permutation(k).tolist()
    return [views[i] for i in order], [physical[i] for i in order]


def _related_view(
    base: Scene, rng: np.random.Generator, cfg: SvgMultiConfig
) -> tuple[tuple[Scene, Rendering], list[int]] | None:
    """The base's objects (some dropped, some recolored or re-materialed) from a new
    camera, and the base object (1-based) each of its objects is."""
    world = cfg.world
    objects = []
    kept: list[int] = []
    for k, o in enumerate(base.objects):
        u = rng.random(3).tolist()
        if u[0] < cfg.drop:
            continue
        kept.append(k + 1)
        color, material = o.color, o.material
        if u[1] < cfg.recolor and len(world.colors) > 1:
            others = [c for c in world.colors if c != o.color]
            color = pick(rng, others)
        if u[2] < cfg.rematerial and len(world.materials) > 1:
            others = [m for m in world.materials if m != o.material]
            material = pick(rng, others)
        objects.append(replace(o, color=color, material=material))
    if not objects:
        k = int(rng.random() * len(base.objects))
        objects, kept = [base.objects[k]], [k + 1]
    renderer = get_renderer(world.renderer, shadows=world.shadows)
    need = max(world.min_visible_pixels, cfg.min_visible_pixels)
    for _ in range(cfg.view_tries):
        s, a, e = rng.random(3).tolist()
        stage = make_stage(int(s * world.stages), world.stage_seed, world.width, world.height)
        light = light_from_uniforms(world, a, e)
        scene = Scene(objects=tuple(objects), stage=stage, light=light)
        rendering = renderer.render(scene)
        if int(rendering.pixel_counts[1:].min()) >= need:
            return (scene, rendering), kept
    return None


@functools.lru_cache(maxsize=8)
def calibration_sets(cfg: SvgMultiConfig) -> tuple[tuple[QAGraph, ...], ...]:
    """Image sets drawn the way records draw them, from a fixed seed: the multi-image kinds'
    answer balance is calibrated on these (no masks or depth; the balanced kinds count)."""
    rng = np.random.default_rng(CALIBRATION_SEED)
    out = []
    if not isinstance(cfg.world, WorldConfig):
        while len(out) < CALIBRATION_SETS:
            try:
                drawn = sample_world_set(rng, cfg)
            except SceneSamplingError:
                continue
            if drawn is not None:
                out.append(tuple(world_image(cfg, *item).view for item in drawn))
        return tuple(out)
    while len(out) < CALIBRATION_SETS:
        try:
            drawn = sample_view_set(rng, cfg)
        except SceneSamplingError:
            continue
        if drawn is None:
            continue
        views, physical = drawn
        graphs = [build_scene_graph(s, r, cfg.predicates) for s, r in views]
        qa_graphs = []
        for g, ids in zip(graphs, physical, strict=True):
            view = from_scene_graph(g)
            if cfg.views == "related":
                view.identity = {o.id: p for o, p in zip(g.objects, ids, strict=True)}
            qa_graphs.append(view)
        out.append(tuple(qa_graphs))
    return tuple(out)


__all__ = [
    "MultiImageKind",
    "SvgMulti",
    "SvgMultiConfig",
    "SvgMultiRecord",
    "sample_view_set",
    "sample_views",
]
