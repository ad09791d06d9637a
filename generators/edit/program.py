"""``edit``: MultiEdit-like edit instruction triplets (source image, instruction, target image).

Each procedural candidate samples and renders a scene, plans one edit with its own RNG
(``ops.py``: 14 object edits, background and light, 4 text edits on a sign) or a global style
(``styles.py``), renders the target with the same camera and light (one ``render_batch`` for
the whole batch of candidates; the source render is reused), and verifies it:

* ``edit_fidelity`` (oracle): the target's exact scene graph differs from the source's
  exactly as the edit type says (``filters/edit_fidelity.py``);
* ``edit_preservation`` (oracle): not one pixel differs outside the edit mask, which is
  derived from the renders (``pixels.py``), and scene edits keep the id map identical;
* ``refexp_unique`` (oracle): each referring expression denotes exactly the edited object
  (or anchor) in the source graph;
* ``edit_visible``: at least one pixel inside the mask changed;
* ``style_signature`` for styles with a checkable signature; OCR of the target's sign for
  text edits when ``rapidocr_onnxruntime`` is importable (recorded as ``skipped`` otherwise).

Instructions are drawn from several phrasings per type (``prompts/edit.toml``) around a
referring expression that denotes exactly one object of the source (``refexp.py``).

With ``world="sprites"`` the edits are about real things (13 types: remove, put a cup on
the table, make the man hold an umbrella, replace the apple with an orange, ...; see
``sprites.py``), with the same checks on the sprite graphs and masks from the edited
layers. Each candidate's random stream comes from (program name, seed, index)
(``synthgen.generators.streams``), so no source image is another program's image.

With ``source="images"`` candidate ``i`` is the i-th image of a folder and the target comes
from a model: see ``model_path.py``.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    BeforeValidator,
    Field,
    PlainSerializer,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from synthgen.errors import UserError
from synthgen.filters.edit_fidelity import EditFidelity, ObjectDelta, graph_delta
from synthgen.filters.edit_preservation import EditPreservation
from synthgen.generators.edit import ops, pixels, styles
from synthgen.generators.edit import sign as signs
from synthgen.generators.edit.refexp import RefExp, evaluate
from synthgen.generators.edit.sprites import SPRITE_EDIT_TYPES
from synthgen.generators.jsonfield import JsonObject, OmitNone, loads
from synthgen.generators.streams import own_stream
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
from synthgen.prompts import load, text_sha256
from synthgen.records import BaseRecord, JsonText, StrictModel, Verdict
from synthgen.seeding import canonical_json
from synthgen.world import SceneGraph, SceneSamplingError, get_renderer
from synthgen.world.choice import WorldSettings, world_field, world_name
from synthgen.world.graph import build_scene_graphs
from synthgen.world.scene import sample_rendered_scenes

ALL_TYPES: tuple[str, ...] = tuple(dict.fromkeys(ops.EDIT_TYPES + SPRITE_EDIT_TYPES))
"""Edit types of either world."""
BATCH_SIZE = 32
"""Procedural candidates per ``generate_batch`` call."""
MAX_INSTRUCTION_WORDS = 50


class EditConfig(ProgramConfig):
    """What to edit and how (procedural world, or a folder of images with models)."""

    world: WorldSettings = world_field("sprites")
    types: tuple[str, ...] = Field(
        ALL_TYPES,
        description=f"edit types to draw from (each world uses its own): shapes world "
        f"{ops.EDIT_TYPES}, sprite world {SPRITE_EDIT_TYPES}",
    )
    styles: tuple[str, ...] = Field(
        tuple(styles.STYLES), description=f"global styles to draw from: {tuple(styles.STYLES)}"
    )
    style_fraction: float = Field(
        0.2, ge=0.0, le=1.0, description="share of candidates that get a global style"
    )
    min_visible_pixels: int = Field(
        40, ge=1, description="every object of the target must show this many pixels"
    )
    min_thing_pixels: int = Field(
        256,
        ge=1,
        description="sprite world: the edited thing shows this many pixels in every image it "
        "is in (256: a 16x16 patch, about the least at which its art reads as what it is)",
    )
    graphs: bool = Field(False, description="also store the full source and target graphs")
    source: Literal["procedural", "images"] = Field(
        "procedural", description="procedural world, or a folder of images (model-backed)"
    )
    images: str | None = Field(None, description="folder of images for source=images")
    editor: Literal["instruct", "inpaint"] = Field(
        "instruct", description="source=images: InstructPix2Pix or inpainting of the bbox"
    )
    llm: dict[str, Any] = Field(default_factory=dict, description="MLLM settings (base_url, model)")
    diffusion: dict[str, Any] = Field(
        default_factory=dict, description="diffusers settings (model, num_inference_steps, ...)"
    )
    clip_model: str | None = Field(None, description="CLIP checkpoint for the direction check")
    clip_direction_min: float = Field(
        0.2, ge=-1.0, le=1.0, description="least cosine of image vs caption edit directions"
    )
    clip_image_min: float = Field(
        0.75, ge=-1.0, le=1.0, description="least source-target image cosine (preservation)"
    )
    vqa: bool = Field(True, description="source=images: ask the MLLM about the edited attribute")

    @field_validator("types")
    @classmethod
    def _known_types(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = sorted(set(value) - set(ALL_TYPES))
        if unknown:
            raise ValueError(f"unknown edit types {unknown}; choose from {list(ALL_TYPES)}")
        return value

    @field_validator("styles")
    @classmethod
    def _known_styles(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = sorted(set(value) - set(styles.STYLES))
        if unknown:
            raise ValueError(f"unknown styles {unknown}; choose from {list(styles.STYLES)}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> EditConfig:
        if not self.types and not self.styles:
            raise ValueError("types and styles are both empty: give at least one of them")
        if not self.types and self.style_fraction < 1.0 and self.source == "procedural":
            raise ValueError("types is empty: set style_fraction=1.0 or give some types")
        if not self.styles and self.style_fraction > 0.0:
            raise ValueError("styles is empty: set style_fraction=0.0 or give some styles")
        if self.source == "images":
            missing = [k for k in ("images", "clip_model") if not getattr(self, k)] + [
                k for k in ("llm", "diffusion") if not getattr(self, k)
            ]
            if missing:
                raise ValueError(f"source=images needs {', '.join(missing)}")
        return self

    @property
    def needs_llm(self) -> bool:
        return self.source == "images"

    @property
    def cohort_size(self) -> int:
        """Candidates whose diffusers calls share one (see synthgen.models.cohort)."""
        if self.source != "images":
            return 1
        from synthgen.models.diffusion import cohort_size_of

        return cohort_size_of(self.diffusion)


class Preservation(StrictModel):
    """Pixel statistics of the edit (max over channels of the absolute difference)."""

    mask_pixels: int
    changed_inside: int
    changed_outside: int
    mean_abs_diff_outside: float
    max_abs_diff_outside: int


def _refexps_text(value: dict[str, RefExp]) -> str:
    return canonical_json({role: ref.model_dump(mode="json") for role, ref in value.items()})


RefExps = Annotated[
    dict[str, RefExp],
    BeforeValidator(loads),
    PlainSerializer(_refexps_text, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "contentMediaType": "application/json",
            "description": "role -> expression as canonical JSON text",
        }
    ),
]
"""Role -> expression in memory; canonical JSON text on disk. An expression nests to any
depth (a relation's anchor is an expression) and names only the attributes it uses, so as
JSON objects its keys would differ from record to record, which Arrow / ``datasets`` cannot
type across shards."""


DeltaList = JsonText(
    list[ObjectDelta], "the changed objects (ObjectDelta items) as canonical JSON text"
)
"""A list in memory, its JSON text on disk: a style edit changes no object, and an empty list
in every record of a first shard types the column null, which a later shard's items cannot
be read into."""


class EditRecord(OmitNone, BaseRecord):
    """One triplet; media ``source``, ``target`` and ``mask`` (L, 255 = may change).

    ``params`` (its keys and their types depend on the edit type) is written as canonical
    JSON text; the graphs are left out of the JSON unless ``graphs=true``. The phrase and the
    signs are never null ("" and :data:`~synthgen.generators.edit.sign.NO_SIGN` for none):
    a field null in a whole shard cannot be loaded together with a shard that sets it.
    """

    source: str = Field(description='"procedural" or "images"')
    category: str = Field(description="object, scene, text, style (procedural) or model")
    edit_type: str = Field(description="edit type, or the style's name")
    instruction: str
    referring_expression: str = Field(
        "", description='the edited object\'s phrase ("" when the edit names no object)'
    )
    refexps: RefExps = Field(
        default_factory=dict,
        description="structured expressions used (target, anchor), as canonical JSON text",
    )
    params: JsonObject = Field(
        default_factory=dict,
        description="requested values (keys per edit type), as canonical JSON text",
    )
    delta: DeltaList = Field(
        default_factory=list,
        description="scene-graph objects before/after (changed only), as canonical JSON text",
    )
    sign_before: signs.Sign = Field(
        signs.NO_SIGN, description="the sign as drawn before a text edit (empty text: none)"
    )
    sign_after: signs.Sign = Field(
        signs.NO_SIGN, description="the sign as drawn after a text edit (empty text: none)"
    )
    preservation: Preservation | None = None
    fidelity: str = Field(description='"passed" (oracle) or "model-checked"')
    ocr: Literal["passed", "skipped", "not_applicable"] = "not_applicable"
    source_graph: SceneGraph | None = None
    target_graph: SceneGraph | None = None

    omit_when_none = ("source_graph", "target_graph")

    @field_validator("referring_expression", mode="before")
    @classmethod
    def _no_phrase(cls, value: str | None) -> str:
        # a string in every record, never null: a shard whose edits name no object would
        # type the column null and a later shard's phrases could not be read into it
        return "" if value is None else value

    @field_validator("sign_before", "sign_after", mode="before")
    @classmethod
    def _no_sign(cls, value: object) -> object:
        return signs.NO_SIGN if value is None else value


def phrasings(kind: str, name: str) -> list[str]:
    """The instruction phrasings of an edit type (``kind='types'``) or style (``'styles'``)."""
    return list(load("edit")[kind][name]["phrasings"])


@cache
def _phrasings_with_hash(kind: str, name: str) -> tuple[tuple[str, ...], str]:
    """The phrasings of a type and the hash recorded as the prompt used (once per process)."""
    options = phrasings(kind, name)
    return tuple(options), text_sha256("\n".join(options))


@register_program
class Edit(Program[EditConfig]):
    """The ``edit`` program (see module docstring); procedural candidates run in batches."""

    name = "edit"
    version = "1"
    description = "Edit triplets: source image, instruction, target image, mask, exact checks"
    Config = EditConfig
    Record = EditRecord
    media_kinds = ("image",)
    worlds = ("shapes", "sprites")

    @classmethod
    def preflight(cls, config: EditConfig) -> None:
        """llm.* and its extra (base class); source=images also needs torch, diffusers and
        transformers (the editing pipeline, CLIP), imported only when a worker opens them."""
        super().preflight(config)
        world = world_name(config.world)
        own = SPRITE_EDIT_TYPES if world == "sprites" else ops.EDIT_TYPES
        procedural = config.source == "procedural" and config.style_fraction < 1.0
        if procedural and not any(t in own for t in config.types):
            raise UserError(
                f"edit: types {list(config.types)} has no edit type of the {world} world; "
                f"choose from {list(own)} or set style_fraction=1.0"
            )
        if config.source == "images":
            from synthgen.models.config import require_diffusion

            require_diffusion("edit source=images")

    def __init__(self, config: EditConfig) -> None:
        super().__init__(config)
        self.fidelity = EditFidelity(config.min_visible_pixels)
        self.preservation = EditPreservation(0)
        own = SPRITE_EDIT_TYPES if world_name(config.world) == "sprites" else ops.EDIT_TYPES
        self.types = tuple(t for t in config.types if t in own)
        self.sprites: Any = None
        self.renderer: Any = None
        if world_name(config.world) == "sprites":
            if config.source == "procedural":  # source=images edits the given images
                from synthgen.generators.edit.sprites import SpriteEdits

                self.sprites = SpriteEdits(self)
        else:
            self.renderer = get_renderer(config.world.renderer, shadows=config.world.shadows)
        self.ocr = signs.ocr_available()
        self.images = None
        if config.source == "images":
            from synthgen.generators.annotate import list_images

            self.images = list_images(config.images or "")

    @classmethod
    def candidate_limit(cls, config: EditConfig) -> int | None:
        if config.source == "images":
            from synthgen.generators.annotate import list_images

            return len(list_images(config.images or ""))
        return None

    def open_backends(self) -> dict[str, Any]:
        if self.config.source != "images":
            return {}
        from synthgen.generators.edit.model_path import open_model_backends

        return open_model_backends(self.config)

    def batch_size(self) -> int:
        return 1 if self.images is not None or self.sprites is not None else BATCH_SIZE

    # -- procedural ------------------------------------------------------------------------

    def generate(self, ctx: Context[EditConfig]) -> Sample | Reject:
        own_stream(self.name, ctx)
        if self.sprites is not None:  # (None with source=images)
            return self.sprites.generate(ctx)
        if self.images is not None:
            from synthgen.generators.edit.model_path import generate_from_image

            return generate_from_image(ctx, self.images[ctx.index])
        out = self._make([ctx])[0]
        if isinstance(out, Exception):
            raise out
        return out

    def generate_batch(self, ctxs: list[Context[EditConfig]]) -> list[Sample | Reject | Exception]:
        if self.images is not None or self.sprites is not None:
            return super().generate_batch(ctxs)
        if any(c.config is not self.config for c in ctxs):
            return super().generate_batch(ctxs)
        for ctx in ctxs:
            own_stream(self.name, ctx)
        states = [ctx.rng.bit_generator.state for ctx in ctxs]
        try:
            return self._make(ctxs)
        except Exception:
            # a failure the batch cannot pin on one candidate: redo them one at a time
            for ctx, state in zip(ctxs, states, strict=True):
                ctx.rng.bit_generator.state = state
            return super().generate_batch(ctxs)

    def _make(self, ctxs: list[Context[EditConfig]]) -> list[Sample | Reject | Exception]:
        cfg = self.config
        with ctxs[0].stage("scene"):
            sampled = sample_rendered_scenes([c.rng for c in ctxs], cfg.world, self.renderer)
            # the style draw comes first in a candidate's plan; a styled candidate needs no
            # source graph (no expression, no fidelity check) unless graphs are stored
            styled = [
                None if isinstance(item, SceneSamplingError) else self._draw_style(ctx)
                for ctx, item in zip(ctxs, sampled, strict=True)
            ]
            need = [
                i
                for i, item in enumerate(sampled)
                if not isinstance(item, SceneSamplingError) and (styled[i] is None or cfg.graphs)
            ]
            made = [sampled[i] for i in need]
            built = build_scene_graphs([s for s, _ in made], [r for _, r in made])
            graphs = dict(zip(need, built, strict=True))
        results: list[Sample | Reject | Exception | None] = [None] * len(ctxs)
        planned: list[tuple[int, ops.Source, ops.Plan | str]] = []
        with ctxs[0].stage("plan"):
            for i, (ctx, item) in enumerate(zip(ctxs, sampled, strict=True)):
                if isinstance(item, SceneSamplingError):
                    results[i] = Reject("scene_sampling", str(item))
                    continue
                src = ops.Source(item[0], item[1], graphs.get(i), cfg.world)
                try:
                    plan = styled[i] or self._plan_edit(ctx, src)
                except Exception as exc:
                    results[i] = exc
                    continue
                if plan is None:
                    results[i] = Reject("no_applicable_edit", "no edit type fits this scene")
                else:
                    planned.append((i, src, plan))
        to_render = [(i, p.target) for i, _, p in planned if isinstance(p, ops.Plan) and p.target]
        with ctxs[0].stage("render"):
            renders = self.renderer.render_batch([t for _, t in to_render])
            tgraphs = build_scene_graphs([t for _, t in to_render], renders)
        rendered = {i: (t, r, g) for (i, t), r, g in zip(to_render, renders, tgraphs, strict=True)}
        for i, src, plan in planned:
            ctx = ctxs[i]
            try:
                with ctx.stage("check"):
                    results[i] = self._finish(ctx, src, plan, rendered.get(i))
            except Rejected as rejected:
                results[i] = rejected.reject
            except Exception as exc:
                results[i] = exc
        return results  # type: ignore[return-value]

    def _draw_style(self, ctx: Context[EditConfig]) -> str | None:
        """The first draws of a candidate's plan: a style name, or None for an edit type."""
        cfg = self.config
        rng = ctx.rng
        if cfg.styles and (not self.types or float(rng.random()) < cfg.style_fraction):
            return cfg.styles[int(rng.random() * len(cfg.styles))]
        return None

    def _plan_edit(self, ctx: Context[EditConfig], src: ops.Source) -> ops.Plan | None:
        """A plan of the first applicable edit type in a drawn order."""
        rng = ctx.rng
        for j in rng.permutation(len(self.types)).tolist():
            plan = ops.PLANNERS[self.types[j]](rng, src)
            if plan is not None:
                return plan
        return None

    def _instruction(self, ctx: Context[EditConfig], kind: str, name: str, slots: dict) -> str:
        options, sha = _phrasings_with_hash(kind, name)
        ctx.used_prompt(f"edit/{kind}.{name}", sha)
        text = options[int(ctx.rng.random() * len(options))].format(**slots)
        if len(text.split()) > MAX_INSTRUCTION_WORDS:
            raise Rejected(Reject("instruction_too_long", text))
        return text

    def _finish(
        self,
        ctx: Context[EditConfig],
        src: ops.Source,
        plan: ops.Plan | str,
        rendered: tuple[Any, Any, SceneGraph] | None,
    ) -> Sample:
        cfg = self.config
        source_img = src.rendering.image
        data: dict[str, Any] = {"source": "procedural"}
        if isinstance(plan, str):
            target_img = styles.apply_style(plan, source_img)
            mask = np.ones((source_img.height, source_img.width), dtype=bool)
            stats = pixels.compare(source_img, target_img, mask)
            ctx.require(
                Verdict(
                    filter="style_signature",
                    kind="oracle",
                    passed=styles.signature_holds_images(plan, source_img, target_img),
                    detail=plan,
                )
            )
            data.update(
                category="style",
                edit_type=plan,
                instruction=self._instruction(ctx, "styles", plan, {}),
            )
            target_graph = None
        elif plan.category == "text":
            assert plan.sign_before is not None and plan.sign_after is not None
            target_img = signs.draw_sign(source_img, plan.sign_after)
            source_img = signs.draw_sign(source_img, plan.sign_before)
            mask = signs.box_mask(plan.sign_before, source_img.height, source_img.width)
            stats = pixels.compare(source_img, target_img, mask)
            ctx.require(self._preserved(stats))
            data["ocr"] = self._ocr(ctx, target_img, plan.sign_after)
            data.update(sign_before=plan.sign_before, sign_after=plan.sign_after)
            target_graph = src.graph
        else:
            assert rendered is not None and plan.expected is not None
            tscene, trender, target_graph = rendered
            target_img = trender.image
            before, after = (src.scene, src.rendering), (tscene, trender)
            shadows = cfg.world.shadows
            if plan.edit_type == "light":
                mask = pixels.light_edit_mask(before, after, shadows)
            elif plan.edit_type == "background":
                mask = pixels.background_edit_mask(src.scene, src.rendering)
            else:
                mask = pixels.object_edit_mask(
                    before,
                    after,
                    plan.changed_before,
                    plan.changed_after,
                    plan.shadows_change,
                    shadows,
                )
            if plan.category == "scene" and not np.array_equal(src.rendering.ids, trender.ids):
                ctx.require(
                    self.preservation.verdict(False, detail="instance map changed (scene edit)")
                )
            stats = pixels.compare(source_img, target_img, mask)
            ctx.require(self._preserved(stats))
            ctx.require(self.fidelity.check((src.graph, target_graph, plan.expected)))
            if plan.refexps:
                ctx.require(_referents_verdict(src, plan))
            data["delta"] = graph_delta(src.graph, target_graph, plan.expected.id_map)
        ctx.require(pixels.visible_verdict(stats))
        if not isinstance(plan, str):
            data.update(
                category=plan.category,
                edit_type=plan.edit_type,
                instruction=self._instruction(ctx, "types", plan.edit_type, plan.slots),
                referring_expression=plan.slots.get("target") or plan.slots.get("anchor"),
                refexps=plan.refexps,
                params=plan.params,
            )
        data.update(preservation=stats, fidelity="passed")
        if cfg.graphs:
            data.update(source_graph=src.graph, target_graph=target_graph)
        media = {
            "source": source_img,
            "target": target_img,
            "mask": MediaItem(pixels.mask_image(mask), encoder="png"),
        }
        return Sample(data, media)

    def _preserved(self, stats: dict[str, Any]) -> Verdict:
        """The preservation verdict from the pixel statistics (tolerance 0, so the pixels
        changed beyond it are all the changed pixels outside the mask)."""
        assert self.preservation.max_abs_diff == 0
        return self.preservation.check_stats(
            int(stats["max_abs_diff_outside"]), int(stats["changed_outside"])
        )

    def _ocr(self, ctx: Context[EditConfig], image: Any, sign: signs.Sign) -> str:
        if not self.ocr:
            ctx.counters["edit.ocr_skipped"] += 1
            return "skipped"
        read = signs.ocr_text(image, sign)
        passed = read == sign.text
        ctx.require(
            Verdict(
                filter="ocr",
                kind="oracle",
                passed=passed,
                score=1.0 if passed else 0.0,
                threshold=1.0,
                score_type="ocr_exact_match",
                model="rapidocr-onnxruntime",
                detail=None if passed else f"read {read!r}",
            )
        )
        return "passed"


def _referents_verdict(src: ops.Source, plan: ops.Plan) -> Verdict:
    """``refexp_unique``: every expression of the instruction denotes, in the source graph,
    exactly the object the edit is about (re-evaluated here, not trusted from the finders)."""
    wrong = {
        role: hits
        for role, ref in plan.refexps.items()
        if (hits := evaluate(ref, src.index)) != [plan.referents[role]]
    }
    return Verdict(
        filter="refexp_unique",
        kind="oracle",
        passed=not wrong,
        detail="; ".join(f"{role} denotes {hits}" for role, hits in wrong.items()) or None,
    )
