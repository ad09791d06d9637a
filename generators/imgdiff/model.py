"""imgdiff's model-backed path (``mode="model"``): Img-Diff's recipe on real imagery.

Per candidate (every seed derived from (seed, index), so a record replays):

1. a source caption (``model.captions``, default: the phrasebook's list) is drawn;
2. the LLM swaps one object noun for another (structured output :class:`Swap`); the
   ``swap_check`` oracle makes sure the noun is in the caption, the new one differs, and the
   edited caption names the new object instead of the old one;
3. diffusers renders the base image from the caption (``text_to_image``, its own seed);
4. the object's region: square windows on a grid (``model.region_grid`` per axis, at each
   ``model.region_scales`` of the short side) are scored with CLIP against "a photo of a(n)
   {object}"; the best window is the region, kept if its score reaches ``object_min_score``
   (verdict ``object_region``; Img-Diff asks its matcher for > 0.35 with BLIP);
5. the variant: ``inpaint`` (the ``inpaint`` checkpoint, default the ``diffusion`` one, which
   then must be able to inpaint) repaints that window from the edited caption (another seed) and is
   pasted into the base inside the window only, so nothing outside the region can differ;
6. ``clip_pair_band`` keeps pairs whose CLIP image-image cosine lies in ``clip_band``
   (Img-Diff: 0.90-0.98); ``diff_area`` checks the pixel difference fills the region
   (IoU >= ``min_iou``, at least 1/400 of the image);
7. the MLLM writes the difference caption seeing both images and the box (structured
   :class:`DiffCaption`, must name the old or the new object: verdict ``diff_caption``);
8. ``vqa_agreement`` asks the MLLM the record's A/B question ("which image contains X?").

The record has the procedural path's schema: one ``replace`` change whose objects carry only
a noun, the region as box in both images, the MLLM caption first among the captions, the
source and edited captions as ``prompts``. Backends are built once per worker
(``open_backends``); torch, diffusers and transformers are imported only then.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from synthgen.config import validate_model
from synthgen.filter import Filter
from synthgen.filters.diff_area import DiffArea, DiffCandidate, ExpectedChange
from synthgen.generators.imgdiff.describe import (
    PROMPT_NAME,
    article,
    change_captions,
    phrasebook,
)
from synthgen.generators.imgdiff.qa import box_text, conversations, make_qa
from synthgen.generators.imgdiff.schema import Box, ChangeRecord, ObjectState
from synthgen.models.messages import ChatRequest, request_seed
from synthgen.program import Context, Sample
from synthgen.prompts import text_sha256
from synthgen.records import Verdict

SWAP_STAGE = "imgdiff.swap"
DESCRIBE_STAGE = "imgdiff.describe"
VQA_STAGE = "imgdiff.vqa"


class ModelSettings(BaseModel):
    """``--set model.FIELD=VALUE`` (with ``llm.*`` and ``diffusion.*`` beside it)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    clip_model: str = Field(description="CLIP checkpoint (local dir or hub id)")
    clip_device: str = Field("cpu", description="device of the CLIP scorer")
    clip_band: tuple[float, float] = Field(
        (0.90, 0.98), description="clip_pair_band: keep pairs with lo <= cosine <= hi"
    )
    object_min_score: float = Field(
        0.2, ge=-1, le=1, description="CLIP image-text score the object's region must reach"
    )
    region_grid: int = Field(3, ge=1, le=8, description="window positions per axis")
    region_scales: tuple[float, ...] = Field(
        (0.5, 0.35), description="window sides as fractions of the image's short side"
    )
    captions: tuple[str, ...] | None = Field(
        None, description="source captions (default: prompts/imgdiff.toml [model])"
    )
    vqa: bool = Field(True, description="check the A/B question with vqa_agreement")

    @field_validator("region_scales")
    @classmethod
    def _scales(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if not value or not all(0.05 <= s <= 1 for s in value):
            raise ValueError("region_scales must be fractions in [0.05, 1]")
        return value

    @field_validator("clip_band")
    @classmethod
    def _band(cls, value: tuple[float, float]) -> tuple[float, float]:
        if not -1 <= value[0] <= value[1] <= 1:
            raise ValueError("clip_band must be [lo, hi] with -1 <= lo <= hi <= 1")
        return value


def load_model_settings(data: dict[str, Any]) -> ModelSettings:
    return validate_model(  # type: ignore[return-value]
        ModelSettings, dict(data), where="model setting", fix="set it with --set model.FIELD=VALUE"
    )


def check_settings(cfg: Any) -> None:
    """Validate mode=model's settings when the config is built (one-line user errors)."""
    from synthgen.models import load_llm_settings
    from synthgen.models.diffusion import load_diffusion_settings

    if cfg.changes != (1, 1):
        raise ValueError("mode=model makes one change per pair: set changes=1")
    load_model_settings(cfg.model)
    load_llm_settings(cfg.llm)
    load_diffusion_settings(cfg.diffusion)
    if cfg.inpaint:
        load_diffusion_settings(cfg.inpaint)


class Swap(BaseModel):
    """The LLM's structured answer: which noun to swap, for what, and the new caption."""

    model_config = ConfigDict(extra="forbid")

    object: str = Field(min_length=1, max_length=40)
    replacement: str = Field(min_length=1, max_length=40)
    caption: str = Field(min_length=3, max_length=400)


class DiffCaption(BaseModel):
    model_config = ConfigDict(extra="forbid")

    caption: str = Field(min_length=3, max_length=400)


def _has_word(text: str, word: str) -> bool:
    return re.search(rf"\b{re.escape(word.lower())}\b", text.lower()) is not None


class SwapCheck(Filter):
    """Oracle: the swapped noun is in the source caption, the new one differs, and the edited
    caption names the new object and no longer the old one. Not registered (program's own)."""

    name = "swap_check"
    kind = "oracle"

    def check(self, candidate: tuple[str, Swap]) -> Verdict:
        caption, swap = candidate
        problems = []
        if not _has_word(caption, swap.object):
            problems.append(f"{swap.object!r} is not in the caption")
        if swap.object.strip().lower() == swap.replacement.strip().lower():
            problems.append("replacement equals the object")
        if not _has_word(swap.caption, swap.replacement):
            problems.append(f"edited caption lacks {swap.replacement!r}")
        if _has_word(swap.caption, swap.object) and not _has_word(swap.replacement, swap.object):
            problems.append(f"edited caption still names {swap.object!r}")
        return self.verdict(
            not problems,
            score=float(len(problems)),
            threshold=0.0,
            score_type="swap_errors",
            detail="; ".join(problems) or None,
        )


def proposals(width: int, height: int, grid: int, scales: tuple[float, ...]) -> list[Box]:
    """Square windows (x, y, w, h) on a grid, for each scale of the short side."""
    out = []
    for s in scales:
        side = max(2, round(s * min(width, height)))
        for j in range(grid):
            for i in range(grid):
                x = round(i * (width - side) / (grid - 1)) if grid > 1 else (width - side) // 2
                y = round(j * (height - side) / (grid - 1)) if grid > 1 else (height - side) // 2
                out.append((x, y, side, side))
    return list(dict.fromkeys(out))


class ModelPath:
    """The model-backed generator (module docstring); called by the imgdiff program."""

    def __init__(self, config: Any, diff_area: DiffArea) -> None:
        self.config = config
        self.settings = load_model_settings(config.model)
        book = phrasebook()["model"]
        self.book = book
        self.captions = self.settings.captions or tuple(book["source_captions"])
        self.swap_check = SwapCheck()
        self.diff_area = diff_area

    def open_backends(self) -> dict[str, Any]:
        from synthgen.models import create_chat_backend
        from synthgen.models.diffusion import DiffusionBackend
        from synthgen.models.scorers import ClipScorer

        s = self.settings
        base = DiffusionBackend(self.config.diffusion)
        return {
            "llm": create_chat_backend(self.config.llm),
            "diffusion": base,
            "inpaint": DiffusionBackend(self.config.inpaint) if self.config.inpaint else base,
            "clip": ClipScorer(s.clip_model, device=s.clip_device),
        }

    def _prompt(self, ctx: Context[Any], name: str) -> str:
        text = self.book[name]
        ctx.used_prompt(f"{PROMPT_NAME}.{name}", text_sha256(text))
        return text

    def generate(self, ctx: Context[Any]) -> Sample:
        from PIL import Image

        from synthgen.filters.clip_pair_band import ClipPairBand
        from synthgen.filters.vqa_agreement import VqaAgreement, VQAQuestion

        llm, diffusion, clip = (ctx.backends[k] for k in ("llm", "diffusion", "clip"))
        inpainter = ctx.backends["inpaint"]
        s = self.settings
        source = self.captions[int(ctx.rng.random() * len(self.captions))]
        with ctx.stage("swap"):
            reply = llm.chat_sync(
                ChatRequest.user(
                    self._prompt(ctx, "swap_user").format(caption=source),
                    system=self._prompt(ctx, "swap_system"),
                    seed=request_seed(ctx.seed, ctx.index, 0),
                    response_model=Swap,
                    stage=SWAP_STAGE,
                )
            )
            reply.note_model(ctx)
            swap: Swap = reply.parsed  # type: ignore[assignment]
            ctx.require(self.swap_check.check((source, swap)))
        with ctx.stage("base"):
            base = diffusion.text_to_image([source], [request_seed(ctx.seed, ctx.index, 1)])[0]
            diffusion.note_model(ctx)
        with ctx.stage("region"):
            windows = proposals(base.width, base.height, s.region_grid, s.region_scales)
            crops = [base.crop((x, y, x + w, y + h)) for x, y, w, h in windows]
            scores = clip.image_text(crops, [f"a photo of {article(swap.object)}"] * len(crops))
            best = int(np.argmax(scores))
            clip.note_model(ctx, role="clip")
            score = round(float(scores[best]), 6)
            ctx.require(
                Verdict(
                    filter="object_region",
                    kind="clip",
                    passed=score >= s.object_min_score,
                    score=score,
                    threshold=s.object_min_score,
                    score_type="clip_image_text_cosine",
                    model=clip.model_ref()[0],
                    detail=f"best of {len(windows)} windows for {swap.object!r}",
                )
            )
            region = windows[best]
        with ctx.stage("inpaint"):
            x, y, w, h = region
            mask = Image.new("L", base.size, 0)
            mask.paste(255, (x, y, x + w, y + h))
            inpainter.note_model(ctx, role="inpaint")
            painted = inpainter.inpaint(
                [base], [mask], [swap.caption], [request_seed(ctx.seed, ctx.index, 2)]
            )[0]
            if painted.size != base.size:
                painted = painted.resize(base.size)
            variant = Image.composite(painted.convert("RGB"), base, mask)
        with ctx.stage("checks"):
            band = ClipPairBand(clip, *s.clip_band)
            ctx.require(band.check((base, variant)))
            label = f"change 0 (replace {swap.object} -> {swap.replacement})"
            ctx.require(
                self.diff_area.check(
                    DiffCandidate(
                        np.asarray(base), np.asarray(variant), [ExpectedChange(region, label)]
                    )
                )
            )
        with ctx.stage("describe"):
            reply = llm.chat_sync(
                ChatRequest.user(
                    self._prompt(ctx, "describe_user").format(
                        box=box_text(region), before=swap.object, after=swap.replacement
                    ),
                    images=[base, variant],
                    seed=request_seed(ctx.seed, ctx.index, 3),
                    response_model=DiffCaption,
                    stage=DESCRIBE_STAGE,
                )
            )
            written: str = reply.parsed.caption  # type: ignore[union-attr]
            named = _has_word(written, swap.object) or _has_word(written, swap.replacement)
            ctx.require(
                Verdict(
                    filter="diff_caption",
                    kind="oracle",
                    passed=named,
                    score=float(named),
                    threshold=1.0,
                    score_type="names_changed_object",
                    detail=None
                    if named
                    else f"caption names neither {swap.object!r} nor {swap.replacement!r}",
                )
            )
        slots = {
            "the_a": f"the {swap.object}",
            "the_b": f"the {swap.replacement}",
            "a_full": article(swap.object),
            "b_full": article(swap.replacement),
        }
        change = ChangeRecord(
            kind="replace",
            before=ObjectState(name=swap.object),
            after=ObjectState(name=swap.replacement),
            box_a=region,
            box_b=region,
            box=region,
            region_caption_before=slots["a_full"],
            region_caption_after=slots["b_full"],
            captions=change_captions("replace", slots),
        )
        captions = [written, *change.captions]
        image = int(ctx.rng.random() * 2)
        which = (0, slots["a_full"] if image == 0 else slots["b_full"], image)
        qas = make_qa([change], captions, which, ask_count=False)
        if s.vqa:
            ab = next(q for q in qas if q.kind == "which_image")
            with ctx.stage("vqa"):
                ctx.require(
                    VqaAgreement(llm, mode="choice", stage=VQA_STAGE).check(
                        VQAQuestion(
                            images=(base, variant),
                            question=ab.question,
                            answer=ab.answer,
                            choices=tuple(ab.choices or ()),
                            seed=request_seed(ctx.seed, ctx.index, 4),
                        )
                    )
                )
        return Sample(
            {
                "source": "model",
                "width": base.width,
                "height": base.height,
                "changes": [change],
                "boxes": [region],
                "union_box": region,
                "captions": captions,
                "qa": qas,
                "conversations": conversations(qas),
                "prompts": [source, swap.caption],
            },
            {"image_0": base, "image_1": variant},
        )
