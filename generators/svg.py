"""``svg``: Synthetic Visual Genome. Procedural images with exact dense scene graphs and QA.

Each candidate samples a scene from the chosen world (``world="shapes"``, the procedural 3D
shapes of ``synthgen.world``, or any registered world such as ``world="sprites"``), renders
it, builds its exact scene graph, checks visibility (oracle filter ``visibility``) and asks
the QA suite's questions. The shapes world keeps its batched path and typed graph
(``scene_graph``); every other world goes through the generic :class:`World` API: its graph
must offer ``to_vg()`` (a :class:`VGImage`), the QA suite asks over that VG view with the
world's instance masks and depth order (``sources.world_view``; a graph whose objects carry
their categories, as the sprites world's, is read directly, without the VG view), and the
record holds the world's own graph (``world_graph``) and ``source`` = the world's name.

With ``source="vg:PATH"`` candidate ``i`` is entry ``i`` of a Visual Genome
``scene_graphs.json`` file instead (no image; kinds that need masks, depth or 3D are skipped
and counted). This is the embedded default job: ``synthgen make svg --n 1e6``.

Model-backed modes (``--set llm.base_url=... llm.model=...``; the API key only from the
environment): ``annotator="mllm"`` with ``images=FOLDER`` asks the MLLM for each image's scene
graph (structured output, validated against the image, see ``annotate.py``) and then the QA
suite; ``paraphrase="llm"`` has the LLM reword the templated questions while the answers stay
the program's (see ``paraphrase.py``).
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import numpy as np
from PIL import Image
from pydantic import Field, field_validator, model_validator

from synthgen.filters.visibility import Visibility
from synthgen.generators.annotate import annotate, list_images
from synthgen.generators.jsonfield import OMIT_NONE_BASES, OMITTED
from synthgen.generators.paraphrase import paraphrase_all
from synthgen.generators.qa import QA, QAConfig, QASuite, conversations
from synthgen.generators.qa.sources import (
    from_scene_graph,
    from_vg,
    id_pixel_counts,
    world_graph_json,
    world_object_ids,
    world_view,
)
from synthgen.media import MediaItem
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
from synthgen.world.base import World
from synthgen.world.choice import (
    WorldSettings,
    world_field,
    world_name,
    world_of,
)
from synthgen.world.graph import PredicateFilter, build_scene_graph, build_scene_graphs
from synthgen.world.render import Rendering
from synthgen.world.scene import sample_rendered_scene, sample_rendered_scenes
from synthgen.world.vg import VGImage, load_vg_file

DEPTH_SCALE_MM = 1000.0
"""Depth media are 16-bit PNGs in millimetres (0 = background / no surface)."""
BATCH_SIZE = 64
"""Procedural candidates per ``generate_batch`` call."""


class SvgConfig(ProgramConfig):
    world: WorldSettings = world_field("sprites")
    qa: QAConfig = Field(default_factory=QAConfig, description="questions per image")
    predicates: PredicateFilter = None
    min_visible_pixels: int = Field(
        100, ge=1, description="visibility filter: every object must show this many pixels"
    )
    min_visible_fraction: float = Field(
        0.25,
        ge=0,
        le=1,
        description="visibility filter (shapes world): and this share of its area",
    )
    depth: bool = Field(False, description="also write the depth map (16-bit PNG, mm)")
    conversations: bool = Field(True, description="add LLaVA-style conversation turns")
    source: str = Field("procedural", description='"procedural" or "vg:PATH" (VG graphs)')
    annotator: Literal["exact", "mllm"] = Field(
        "exact", description="exact: the world's own graphs; mllm: an MLLM annotates `images`"
    )
    images: str | None = Field(None, description="folder of images for annotator=mllm")
    paraphrase: Literal["none", "llm"] = Field("none", description="LLM rewords questions")
    llm: dict[str, Any] = Field(
        default_factory=dict, description="LLM settings: base_url, model, max_concurrency, ..."
    )

    @model_validator(mode="after")
    def _mllm_needs_images(self) -> SvgConfig:
        if self.annotator == "mllm" and not self.images:
            raise ValueError("annotator=mllm needs images=FOLDER (a folder of images)")
        if self.annotator == "mllm" and self.vg_path:
            raise ValueError("annotator=mllm and source=vg:PATH exclude each other")
        if self.depth and not self.shapes_world:
            raise ValueError(
                f"depth=true writes the shapes world's metric depth; world "
                f'{world_name(self.world)!r} has none (drop depth or use world="shapes")'
            )
        return self

    @property
    def shapes_world(self) -> bool:
        """Whether scenes come from the shapes world (its batched path and typed graphs)."""
        return isinstance(self.world, WorldConfig)

    @property
    def needs_llm(self) -> bool:
        return self.annotator == "mllm" or self.paraphrase == "llm"

    @field_validator("source")
    @classmethod
    def _source_form(cls, value: str) -> str:
        if value != "procedural" and not (value.startswith("vg:") and len(value) > 3):
            raise ValueError('must be "procedural" or "vg:PATH"')
        return value

    @property
    def vg_path(self) -> str | None:
        return self.source[3:] if self.source.startswith("vg:") else None


class SvgRecord(*OMIT_NONE_BASES, BaseRecord):  # type: ignore[misc]
    source: str = Field(
        description='"procedural" (the shapes world), another world\'s name ("sprites"), '
        '"vg" or "mllm"'
    )
    scene_graph: SceneGraph | None = Field(
        None,
        description="exact graph (procedural); this and the other graphs, when None, "
        "are left out of the JSON",
        **OMITTED,
    )
    vg_graph: VGImage | None = Field(
        None,
        description="the imported (vg) or MLLM-annotated (mllm) graph, in VG's shape",
        **OMITTED,
    )
    qa: list[QA]
    conversations: list[dict[str, Any]] | None = Field(None, **OMITTED)
    world_graph: dict[str, Any] | None = Field(
        None,
        description="the exact graph of a world other than shapes, as that world builds it "
        "(sprites: VG-shaped, with synsets and the scene type)",
        **OMITTED,
    )

    # Each record has one kind of graph, decided by the config: the others (and
    # conversations turned off) are left out of the JSON rather than written as null, so
    # no column of a dataset is all-null (Arrow / `datasets` would type it `null`), and
    # every record of a dataset has the same keys; they read back as None.
    omit_when_none: ClassVar[tuple[str, ...]] = (
        "scene_graph",
        "vg_graph",
        "conversations",
        "world_graph",
    )


@register_program
class Svg(Program[SvgConfig]):
    name = "svg"
    version = "1"
    description = "Synthetic Visual Genome: procedural images, exact dense scene graphs, QA"
    Config = SvgConfig
    Record = SvgRecord
    media_kinds = ("image",)

    def __init__(self, config: SvgConfig) -> None:
        super().__init__(config)
        # balance answers on this recipe's own world (its graphs, as _from_world asks them)
        self.suite = QASuite(config.qa, calibration_world=config.world)
        self.world: World | None = None if config.shapes_world else world_of(config.world)
        self.visibility = Visibility(config.min_visible_pixels, config.min_visible_fraction)
        self.vg = load_vg_file(config.vg_path) if config.vg_path else None
        self.images = list_images(config.images) if config.annotator == "mllm" else None

    @classmethod
    def warm_up(cls, config: SvgConfig) -> None:
        """The QA balance tables of ``config``'s world, into the per-machine cache (none for
        imported VG graphs or images annotated by a model: their QA is not balanced)."""
        if config.vg_path or config.annotator == "mllm":
            return
        QASuite(config.qa, calibration_world=config.world).warm(multi=False)

    @classmethod
    def default_encoders(cls, config: SvgConfig) -> dict[str, str]:
        """JPEG (q90) for the sprite world's photo-like scenes, as Visual Genome ships its
        images: 0.4 ms and ~21 KiB per 448x336 image against PNG's 1.2 ms and ~60 KiB. Boxes,
        masks and colour names come from the exact in-memory rendering, not from the stored
        bytes. The shapes world's flat colours stay PNG (smaller than JPEG there)."""
        return {} if config.shapes_world else {"image": "jpg"}

    @classmethod
    def candidate_limit(cls, config: SvgConfig) -> int | None:
        if config.annotator == "mllm":
            return len(list_images(config.images or ""))
        # loading validates the whole file: every UserError comes before anything is written
        return len(load_vg_file(config.vg_path)) if config.vg_path else None

    def open_backends(self) -> dict[str, Any]:
        if not self.config.needs_llm:
            return {}
        from synthgen.models import create_chat_backend

        return {"llm": create_chat_backend(self.config.llm)}

    def batch_size(self) -> int:
        """Procedural candidates come in batches: the world's numpy work (placement,
        geometry, shading, mask statistics, relations) is shared by the batch."""
        return 1 if self.vg is not None or self.images is not None else BATCH_SIZE

    def generate_batch(self, ctxs: list[Context[SvgConfig]]) -> list[Sample | Reject | Exception]:
        """Scenes, renderings and graphs of the whole batch at once (each exactly what
        `generate` makes for its context alone: every draw comes from its own ``ctx.rng``,
        in the same order), then visibility, QA and media per context."""
        cfg = self.config
        if (
            self.vg is not None
            or self.images is not None
            or self.world is not None
            or len(ctxs) < 2
            or any(c.config is not cfg for c in ctxs)
        ):
            return super().generate_batch(ctxs)
        states = [ctx.rng.bit_generator.state for ctx in ctxs]
        try:
            with ctxs[0].stage("scene"):
                sampled = sample_rendered_scenes([ctx.rng for ctx in ctxs], cfg.world)
            made = [s for s in sampled if not isinstance(s, SceneSamplingError)]
            with ctxs[0].stage("graph"):
                graphs = iter(
                    build_scene_graphs([s for s, _ in made], [r for _, r in made], cfg.predicates)
                )
        except Exception:
            # a failure the batch cannot pin on one candidate: redo them one at a time from
            # the same generator states, so only the failing candidate fails
            for ctx, state in zip(ctxs, states, strict=True):
                ctx.rng.bit_generator.state = state
            return super().generate_batch(ctxs)
        results: list[Sample | Reject | Exception] = []
        for ctx, item in zip(ctxs, sampled, strict=True):
            if isinstance(item, SceneSamplingError):
                results.append(Reject("scene_sampling", str(item)))
                continue
            try:
                results.append(self._finish(ctx, item[1], next(graphs)))
            except Rejected as rejected:
                results.append(rejected.reject)
            except Exception as exc:
                results.append(exc)
        return results

    def generate(self, ctx: Context[SvgConfig]) -> Sample | Reject:
        if self.vg is not None:
            # what the import clipped or left out of this image (manifest counters)
            ctx.counters.update(self.vg.counts[ctx.index])
            return self._from_vg(ctx, self.vg.image(ctx.index))
        if self.images is not None:
            return self._from_image(ctx)
        if self.world is not None:
            return self._from_world(ctx, self.world)
        cfg = ctx.config
        with ctx.stage("scene"):
            try:
                scene, rendering = sample_rendered_scene(ctx.rng, cfg.world)
            except SceneSamplingError as exc:
                return Reject("scene_sampling", str(exc))
        with ctx.stage("graph"):
            graph = build_scene_graph(scene, rendering, cfg.predicates)
        return self._finish(ctx, rendering, graph)

    def _finish(self, ctx: Context[SvgConfig], rendering: Rendering, graph: SceneGraph) -> Sample:
        """Visibility filter, QA and media of a made scene (shared by both paths)."""
        cfg = ctx.config
        ctx.require(
            self.visibility.check(
                [(o.id, o.visible_pixels, o.visible_fraction) for o in graph.objects]
            )
        )
        with ctx.stage("qa"):
            view = from_scene_graph(graph, rendering.ids, lambda: rendering.depth)
            qas = self._paraphrased(ctx, self.suite.ask(view, ctx.rng, ctx.counters))
        media: dict[str, Any] = {"image": rendering.image}
        if cfg.depth:
            media["depth"] = MediaItem(_depth_png(rendering.depth), encoder="png")
        return Sample(
            {
                "source": "procedural",
                "scene_graph": graph,
                "qa": qas,
                "conversations": _turns(qas, cfg.conversations),
            },
            media,
        )

    def _from_world(self, ctx: Context[SvgConfig], world: World) -> Sample | Reject:
        """A registered world other than shapes, through the generic World API: sample,
        render, graph; visibility from the rendering's id map; QA over the graph's VG view."""
        cfg = ctx.config
        with ctx.stage("scene"):
            try:
                scene = world.sample(ctx.rng, cfg.world)
            except SceneSamplingError as exc:
                return Reject("scene_sampling", str(exc))
            rendering = world.render(scene, cfg.world)
        with ctx.stage("graph"):
            graph = world.graph(scene, rendering, cfg.world)
            # the VG view only for a graph the QA view cannot read directly (sprites' can)
            object_ids, vg = world_object_ids(graph)
        pixels = id_pixel_counts(graph, rendering)
        counts = _pixel_counts(pixels, object_ids)
        ctx.require(self.visibility.check(list(counts.items())))
        graph_json = world_graph_json(graph, vg)
        with ctx.stage("qa"):
            view = world_view(world, scene, rendering, graph, pixels, vg, graph_json)
            qas = self._paraphrased(ctx, self.suite.ask(view, ctx.rng, ctx.counters))
        return Sample(
            {
                "source": world.name,
                "world_graph": graph_json,
                "qa": qas,
                "conversations": _turns(qas, cfg.conversations),
            },
            {"image": rendering.image},
        )

    def _paraphrased(self, ctx: Context[SvgConfig], qas: list[QA]) -> list[QA]:
        if ctx.config.paraphrase != "llm":
            return qas
        with ctx.stage("paraphrase"):
            return paraphrase_all(ctx, ctx.backends["llm"], qas)

    def _from_image(self, ctx: Context[SvgConfig]) -> Sample | Reject:
        """annotator=mllm: the MLLM's validated graph of the user's image, then QA."""
        assert self.images is not None
        with Image.open(self.images[ctx.index]) as opened:
            image = opened.convert("RGB")
        with ctx.stage("annotate"):
            graph = annotate(ctx, ctx.backends["llm"], image)
        if isinstance(graph, Reject):
            return graph
        sample = self._from_vg(ctx, graph, source="mllm")
        sample.media["image"] = image
        return sample

    def _from_vg(self, ctx: Context[SvgConfig], image: VGImage, source: str = "vg") -> Sample:
        with ctx.stage("qa"):
            qas = self._paraphrased(ctx, self.suite.ask(from_vg(image), ctx.rng, ctx.counters))
        return Sample(
            {
                "source": source,
                "vg_graph": image,
                "qa": qas,
                "conversations": _turns(qas, ctx.config.conversations),
            }
        )


def _turns(qas: list[QA], enabled: bool) -> list[dict[str, Any]] | None:
    """The record's LLaVA turns: none (left out) when turned off, [] for an image without
    questions, so each dataset's records have the key or all lack it."""
    if not enabled:
        return None
    return conversations(qas) if qas else []


def _pixel_counts(pixels: np.ndarray, object_ids: list[int]) -> dict[int, int]:
    """Visible pixels of each object, from ``pixels`` (the id map's bincount,
    :func:`~synthgen.generators.qa.sources.id_pixel_counts`)."""
    counts = pixels.tolist()
    return {i: counts[i] if 0 <= i < len(counts) else 0 for i in object_ids}


def _depth_png(depth: np.ndarray) -> Image.Image:
    mm = np.where(np.isfinite(depth), depth * DEPTH_SCALE_MM, 0.0)
    return Image.fromarray(np.clip(mm, 0, 65535).astype(np.uint16))
