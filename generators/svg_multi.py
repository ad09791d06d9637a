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

Every image passes the visibility filter, and the record carries ``image_0`` ...
``image_{k-1}``, their scene graphs in the same order, the QA, and LLaVA conversations whose
first turn holds one ``<image>`` token per image. Pure function of (config, seed, index).
"""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import Any, Literal

import numpy as np
from pydantic import Field, field_validator, model_validator

from synthgen.filters.visibility import Visibility
from synthgen.generators.jsonfield import OmitNone
from synthgen.generators.qa import QA, QAConfig, QASuite, conversations, question_kinds
from synthgen.generators.qa.base import MultiImageKind
from synthgen.generators.qa.graph import QAGraph
from synthgen.generators.qa.programs import pick
from synthgen.generators.qa.sources import from_scene_graph
from synthgen.program import Context, Program, ProgramConfig, Reject, Sample, register_program
from synthgen.records import BaseRecord
from synthgen.world import SceneGraph, SceneSamplingError
from synthgen.world.choice import WorldSettings, world_field
from synthgen.world.graph import PredicateFilter, build_scene_graph
from synthgen.world.render import Rendering, get_renderer
from synthgen.world.scene import Scene, light_from_uniforms, sample_rendered_scene
from synthgen.world.stage import make_stage

VIEWS_NOTE = (
    "The images show one scene from different viewpoints, some objects removed or changed. "
)
"""Opens every question of a ``views="related"`` record: the images are of one scene."""
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
    scene_graphs: list[SceneGraph] = Field(description="exact graph of image_i, in order")
    physical_ids: list[list[int]] = Field(
        description="per image, per graph object (in order): the physical object it shows "
        "(related views of one scene share them; independent scenes never do)"
    )
    qa: list[QA]
    conversations: list[dict[str, Any]] | None = Field(
        None, description="LLaVA turns; left out of the JSON when turned off"
    )

    omit_when_none = ("conversations",)


@register_program
class SvgMulti(Program[SvgMultiConfig]):
    name = "svg_multi"
    version = "1"
    description = "2-4 procedural images per record, exact scene graphs, multi-image QA"
    Config = SvgMultiConfig
    Record = SvgMultiRecord
    media_kinds = ("image",)
    worlds = ("shapes",)  # its related views (recolour, material, camera) are shapes-only

    def __init__(self, config: SvgMultiConfig) -> None:
        super().__init__(config)
        self.suite = QASuite(
            config.qa,
            calibration_sets=functools.partial(calibration_sets, config),
            calibration_key=f"svg_multi:{config.model_dump_json()}",
            calibration_world=config.world,
        )
        self.visibility = Visibility(config.min_visible_pixels)

    def generate(self, ctx: Context[SvgMultiConfig]) -> Sample | Reject:
        cfg = ctx.config
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
            qas = self.suite.ask_many(qa_graphs, ctx.rng, ctx.counters)
            if cfg.views == "related":
                qas = [q.model_copy(update={"question": VIEWS_NOTE + q.question}) for q in qas]
        media = {f"image_{i}": r.image for i, (_, r) in enumerate(views)}
        turns = None  # turned off: left out of the JSON; [] for a record without questions
        if cfg.conversations:
            turns = conversations(qas, image_tokens=len(views)) if qas else []
        record = {
            "views": cfg.views,
            "scene_graphs": graphs,
            "physical_ids": physical,
            "qa": qas,
            "conversations": turns,
        }
        return Sample(record, media)


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
