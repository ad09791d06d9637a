"""``imgdiff``: Img-Diff-like image-difference pairs with verified boxes, captions and A/B QA.

Procedural mode (default): a base scene from the world, a variant with 1-3 changes by
default (``changes``: a number 1-3 or ``[min, max]``; with more than one possible, every
pair asks "how many differences") of the kinds replace / remove / add / recolor / material /
move / resize (``changes.py``), both rendered with the same stage, camera and light. Ground
truth comes from the id maps; ``diff_area`` checks it against the pixels
(``procedural.py``). Each change's ``box`` is the object's; its ground shadow's pixels lie in
``shadow_box``. The record holds ``image_0`` (A, base) and ``image_1`` (B, variant), so the
llava / sharegpt / parquet exporters write two-image conversations.

``world="sprites"``: scenes of real things, changes replace (same hypernym) / remove / add /
attach / move / resize / recolor on leaf things (``sprites.py``), captions with the things'
names. Each candidate's random stream comes from (program name, seed, index)
(``synthgen.generators.streams``), so no image is another program's image of that index.

Model mode (``mode="model"``, ``model.py``): an LLM swaps an object noun in a caption, a
diffusers pipeline renders the base and inpaints the variant inside the object's region,
``clip_pair_band`` keeps similar-but-not-identical pairs, ``diff_area`` checks the edit stayed in
its region, the MLLM writes the difference caption from both images, ``vqa_agreement`` asks
the A/B question. Same record schema.

Speed: procedural candidates come in batches (``generate_batch``): the bases of a batch are
sampled and rendered by the world's batch path, the variants rendered with one
``render_batch``; each result equals what ``generate`` gives for its context alone.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from synthgen.errors import UserError
from synthgen.filters.diff_area import DiffArea
from synthgen.filters.visibility import Visibility
from synthgen.generators.imgdiff.changes import CHANGE_KINDS, VariantSpec, sample_variant
from synthgen.generators.imgdiff.procedural import finish
from synthgen.generators.imgdiff.schema import ImgDiffRecord
from synthgen.generators.imgdiff.sprites import SPRITE_KINDS
from synthgen.generators.streams import own_stream
from synthgen.program import (
    Context,
    Program,
    ProgramConfig,
    Reject,
    Rejected,
    Sample,
    register_program,
)
from synthgen.world import SceneSamplingError
from synthgen.world.choice import WorldSettings, world_field, world_name
from synthgen.world.graph import PredicateFilter
from synthgen.world.render import get_renderer
from synthgen.world.scene import sample_rendered_scenes

ALL_KINDS: tuple[str, ...] = tuple(dict.fromkeys(CHANGE_KINDS + SPRITE_KINDS))
"""Change kinds of either world (each world uses those it has)."""
BATCH_SIZE = 64
"""Procedural candidates per ``generate_batch`` call."""


class ImgDiffConfig(ProgramConfig):
    mode: Literal["procedural", "model"] = Field(
        "procedural", description="procedural world, or model-backed imagery (llm, diffusion)"
    )
    world: WorldSettings = world_field("sprites")
    changes: tuple[int, int] = Field(
        (1, 3),
        description="differences per pair: a number 1-3 or [fewest, most] (with most > 1 a "
        "'how many differences' question is asked)",
    )
    kinds: tuple[str, ...] = Field(
        ALL_KINDS,
        description=f"change kinds: shapes world {CHANGE_KINDS}, sprite world {SPRITE_KINDS}",
    )
    change_tries: int = Field(20, ge=1, description="attempts to place each change")
    min_move: float = Field(1.0, gt=0, description="move: least ground distance, world units")
    diff_threshold: int = Field(
        16, ge=0, le=254, description="diff_area: a pixel differs if a channel moves more"
    )
    min_area_fraction: float = Field(
        1 / 400, ge=0, le=1, description="diff_area: least changed pixels / image (Img-Diff)"
    )
    min_iou: float = Field(0.5, ge=0, le=1, description="diff_area: pixel box vs truth IoU")
    min_visible_fraction: float = Field(
        0.5, ge=0, le=1, description="diff_area: changed objects show this much of themselves"
    )
    scene_graphs: bool = Field(False, description="also write both exact scene graphs")
    predicates: PredicateFilter = None
    model: dict[str, Any] = Field(
        default_factory=dict, description="mode=model settings (see generators/imgdiff/model.py)"
    )
    llm: dict[str, Any] = Field(default_factory=dict, description="LLM/MLLM settings (mode=model)")
    diffusion: dict[str, Any] = Field(
        default_factory=dict, description="mode=model: text-to-image checkpoint settings"
    )
    inpaint: dict[str, Any] = Field(
        default_factory=dict,
        description="mode=model: inpainting checkpoint settings (default: the diffusion one)",
    )

    @model_validator(mode="before")
    @classmethod
    def _model_mode_default(cls, data: Any) -> Any:
        """mode=model makes one change per pair: there the default is 1, not [1, 3]."""
        if isinstance(data, dict) and data.get("mode") == "model" and "changes" not in data:
            return {**data, "changes": 1}
        return data

    @field_validator("changes", mode="before")
    @classmethod
    def _one_number(cls, value: Any) -> Any:
        return (value, value) if isinstance(value, int) else value

    @field_validator("changes")
    @classmethod
    def _changes_range(cls, value: tuple[int, int]) -> tuple[int, int]:
        lo, hi = value
        if not 1 <= lo <= hi <= 3:
            raise ValueError("changes must be 1-3 or [fewest, most] with 1 <= fewest <= most <= 3")
        return value

    @field_validator("kinds")
    @classmethod
    def _known_kinds(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [k for k in value if k not in ALL_KINDS]
        if unknown or not value:
            raise ValueError(f"unknown or no change kinds {unknown}; choose from {ALL_KINDS}")
        return tuple(dict.fromkeys(value))

    @model_validator(mode="after")
    def _model_settings(self) -> ImgDiffConfig:
        if self.mode == "model":
            from synthgen.generators.imgdiff.model import check_settings

            check_settings(self)
        return self

    @property
    def needs_llm(self) -> bool:
        return self.mode == "model"

    @property
    def cohort_size(self) -> int:
        """Candidates whose diffusers calls share one (see synthgen.models.cohort)."""
        if self.mode != "model":
            return 1
        from synthgen.models.diffusion import cohort_size_of

        return cohort_size_of(self.diffusion, self.inpaint)


@register_program
class ImgDiff(Program[ImgDiffConfig]):
    name = "imgdiff"
    version = "1"
    description = "image-difference pairs: verified change boxes, captions, A/B questions"
    Config = ImgDiffConfig
    Record = ImgDiffRecord
    media_kinds = ("image",)
    worlds = ("shapes", "sprites")

    @classmethod
    def preflight(cls, config: ImgDiffConfig) -> None:
        """llm.* and its extra (base class); mode=model also needs torch, diffusers and
        transformers (diffusion pipelines, CLIP), imported only when a worker opens them."""
        super().preflight(config)
        world = world_name(config.world)
        own = SPRITE_KINDS if world == "sprites" else CHANGE_KINDS
        if config.mode == "procedural" and not any(k in own for k in config.kinds):
            raise UserError(
                f"imgdiff: kinds {list(config.kinds)} has no change kind of the {world} world; "
                f"choose from {list(own)}"
            )
        if config.mode == "model":
            from synthgen.models.config import require_diffusion

            require_diffusion("imgdiff mode=model")

    def __init__(self, config: ImgDiffConfig) -> None:
        super().__init__(config)
        self.spec = VariantSpec(
            world=config.world,
            kinds=tuple(k for k in config.kinds if k in CHANGE_KINDS),
            changes=config.changes,
            tries=config.change_tries,
            min_move=config.min_move,
        )
        self.visibility = Visibility(config.world.min_visible_pixels)
        self.diff_area = DiffArea(
            threshold=config.diff_threshold,
            min_area_fraction=config.min_area_fraction,
            min_iou=config.min_iou,
            min_visible_fraction=config.min_visible_fraction,
        )
        shapes = world_name(config.world) == "shapes"
        self.renderer = (
            get_renderer(config.world.renderer, shadows=config.world.shadows) if shapes else None
        )
        self._model: Any = None
        self._sprites: Any = None
        if config.mode != "model" and world_name(config.world) == "sprites":
            from synthgen.generators.imgdiff.sprites import SpriteDiff

            self._sprites = SpriteDiff(config, self.diff_area)
        if config.mode == "model":
            from synthgen.generators.imgdiff.model import ModelPath

            self._model = ModelPath(config, self.diff_area)

    def open_backends(self) -> dict[str, Any]:
        return self._model.open_backends() if self._model is not None else {}

    def batch_size(self) -> int:
        return 1 if self._model is not None or self._sprites is not None else BATCH_SIZE

    def generate(self, ctx: Context[ImgDiffConfig]) -> Sample | Reject:
        if self._model is not None:
            own_stream(self.name, ctx)
            return self._model.generate(ctx)
        if self._sprites is not None:
            own_stream(self.name, ctx)
            return self._sprites.generate(ctx)
        result = self.generate_batch([ctx])[0]
        if isinstance(result, Exception):
            raise result
        return result

    def generate_batch(
        self, ctxs: list[Context[ImgDiffConfig]]
    ) -> list[Sample | Reject | Exception]:
        """Bases of the whole batch, then each variant from its own ``ctx.rng``, then one
        ``render_batch`` of the variants; per-context draws keep their order, so each result
        is what the batch of one gives."""
        if self._model is not None or self._sprites is not None:
            return super().generate_batch(ctxs)
        for ctx in ctxs:
            own_stream(self.name, ctx)
        cfg = self.config
        results: list[Sample | Reject | Exception | None] = [None] * len(ctxs)
        with ctxs[0].stage("scene"):
            bases = sample_rendered_scenes([c.rng for c in ctxs], cfg.world, self.renderer)
        todo = []
        with ctxs[0].stage("variant"):
            for i, (ctx, base) in enumerate(zip(ctxs, bases, strict=True)):
                if isinstance(base, SceneSamplingError):
                    results[i] = Reject("scene_sampling", str(base))
                    continue
                variant = sample_variant(ctx.rng, base[0], self.spec)
                if variant is None:
                    results[i] = Reject(
                        "no_change", f"no valid, separate change found in {cfg.change_tries} tries"
                    )
                    continue
                todo.append((i, base, variant, variant.scene(base[0])))
        with ctxs[0].stage("render"):
            rendered = self.renderer.render_batch([t[3] for t in todo])
        for (i, (scene_a, ren_a), variant, scene_b), ren_b in zip(todo, rendered, strict=True):
            try:
                results[i] = finish(
                    ctxs[i],
                    (scene_a, ren_a, scene_b, ren_b),
                    variant,
                    self.visibility,
                    self.diff_area,
                )
            except Rejected as rejected:
                results[i] = rejected.reject
            except Exception as exc:
                results[i] = exc
        return results  # type: ignore[return-value]
