"""The model-backed edit path (``source="images"``): real images, model-made targets.

For candidate ``i`` (the i-th image of the folder):

1. the MLLM sees the image and plans one edit as structured output (:class:`EditPlan`: edit
   type, a unique description of the target, a short instruction, captions of the image
   before and after, a question about the edited attribute with its answer after the edit,
   and the box of the edited region);
2. diffusers makes the target with a per-sample generator (``sample_seed(seed, index)``):
   ``editor="instruct"`` runs InstructPix2Pix on the instruction (mask = the whole image:
   such models give no region), ``editor="inpaint"`` repaints the planned box from the
   after-caption (mask = the box);
3. checks: ``clip_direction`` -- the cosine between the image-space edit direction
   ``E(target) - E(source)`` and the text-space direction ``E(after) - E(before)`` must reach
   ``clip_direction_min`` (InstructPix2Pix's directional CLIP filter, 0.2 by default);
   ``clip_image_similarity`` -- the source-target image cosine must reach
   ``clip_image_min`` (the edit kept the image); ``vqa_agreement`` -- the MLLM, asked the
   planned question about the *target*, gives the planned answer.

Thresholds are configurable because scores of different CLIP models are not comparable.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from pydantic import BaseModel, ConfigDict, Field

from synthgen.filters.edit_preservation import abs_diff
from synthgen.filters.vqa_agreement import VqaAgreement, VQAQuestion
from synthgen.generators.edit import pixels
from synthgen.media import MediaItem
from synthgen.program import Context, Reject, Sample
from synthgen.prompts import load, text_sha256
from synthgen.records import Verdict
from synthgen.seeding import sample_seed

MODEL_EDIT_TYPES = (
    "recolor",
    "shape",
    "material",
    "resize",
    "move",
    "remove",
    "add",
    "replace",
    "background",
    "light",
    "text",
    "style",
)
MAX_WORDS = 50


class EditPlan(BaseModel):
    """What the MLLM must answer (its JSON Schema goes to the server)."""

    model_config = ConfigDict(extra="forbid")

    edit_type: str = Field(description=f"one of {list(MODEL_EDIT_TYPES)}")
    target: str = Field(min_length=1, description="unique description of the edited object")
    instruction: str = Field(min_length=3, max_length=400)
    source_caption: str = Field(min_length=1, max_length=400)
    target_caption: str = Field(min_length=1, max_length=400)
    question: str = Field(min_length=3, max_length=300)
    answer: str = Field(min_length=1, max_length=60)
    bbox: list[int] = Field(min_length=4, max_length=4, description="x, y, width, height")


def open_model_backends(config: Any) -> dict[str, Any]:
    """The MLLM client, diffusers backend and CLIP scorer of ``config`` (heavy imports here)."""
    from synthgen.models import create_chat_backend
    from synthgen.models.diffusion import DiffusionBackend
    from synthgen.models.scorers import ClipScorer

    return {
        "llm": create_chat_backend(config.llm),
        "diffusion": DiffusionBackend(config.diffusion),
        "clip": ClipScorer(config.clip_model),
    }


def plan_problems(plan: EditPlan, width: int, height: int) -> list[str]:
    """Why an MLLM plan is unusable for a width x height image (empty: it is usable)."""
    out = []
    if plan.edit_type not in MODEL_EDIT_TYPES:
        out.append(f"edit_type {plan.edit_type!r} is not one of {list(MODEL_EDIT_TYPES)}")
    if len(plan.instruction.split()) > MAX_WORDS:
        out.append(f"instruction has more than {MAX_WORDS} words")
    x, y, w, h = plan.bbox
    if w <= 0 or h <= 0 or x < 0 or y < 0 or x + w > width or y + h > height:
        out.append(f"bbox {plan.bbox} is not inside the {width}x{height} image")
    if plan.source_caption.strip() == plan.target_caption.strip():
        out.append("the captions before and after are the same")
    return out


def direction_cosine(images: np.ndarray, texts: np.ndarray) -> float:
    """Cosine of (image_1 - image_0) and (text_1 - text_0); 0 when a direction vanishes."""
    di = images[1].astype(np.float64) - images[0]
    dt = texts[1].astype(np.float64) - texts[0]
    norm = float(np.linalg.norm(di) * np.linalg.norm(dt))
    return round(float(di @ dt) / norm, 6) if norm > 0 else 0.0


def _verdict(name: str, score: float, threshold: float, score_type: str, model: str) -> Verdict:
    passed = score >= threshold
    return Verdict(
        filter=name,
        kind="clip",
        passed=passed,
        score=score,
        threshold=threshold,
        score_type=score_type,
        model=model,
        detail=None if passed else f"{score:.4f} < {threshold:g}",
    )


def generate_from_image(ctx: Context[Any], path: Path) -> Sample | Reject:
    """One triplet from the image at ``path`` (steps 1-3 of the module docstring), or the
    reject of the first check that fails."""
    from synthgen.models import ChatRequest, request_seed
    from synthgen.models.torch_utils import model_label

    cfg = ctx.config
    llm, diffusion, clip = (ctx.backends[k] for k in ("llm", "diffusion", "clip"))
    with Image.open(path) as opened:
        image = opened.convert("RGB")
    template = load("edit")["plan"]["prompt"]
    ctx.used_prompt("edit/plan", text_sha256(template))
    prompt = template.format(
        width=image.width, height=image.height, types=", ".join(MODEL_EDIT_TYPES)
    )
    with ctx.stage("plan"):
        reply = llm.chat_sync(
            ChatRequest.user(
                prompt,
                images=[image],
                response_model=EditPlan,
                seed=request_seed(ctx.seed, ctx.index),
                stage="edit.plan",
            )
        )
    reply.note_model(ctx, role="planner")
    plan = reply.parsed
    assert isinstance(plan, EditPlan)
    found = plan_problems(plan, image.width, image.height)
    if found:
        return Reject("mllm_plan_invalid", "; ".join(found[:3]))
    seed = sample_seed(ctx.seed, ctx.index)
    mask = np.ones((image.height, image.width), dtype=bool)
    with ctx.stage("diffusion"):
        if cfg.editor == "instruct":
            target = diffusion.instruct_edit([image], [plan.instruction], [seed])[0]
        else:
            x, y, w, h = plan.bbox
            mask = np.zeros_like(mask)
            mask[y : y + h, x : x + w] = True
            target = diffusion.inpaint(
                [image], [pixels.mask_image(mask)], [plan.target_caption], [seed]
            )[0]
    diffusion.note_model(ctx, role="editor")
    target = target.convert("RGB")
    if target.size != image.size:
        target = target.resize(image.size, Image.Resampling.BICUBIC)
    with ctx.stage("clip"):
        embedded = clip.embed_images([image, target])
        texts = clip.embed_texts([plan.source_caption, plan.target_caption])
    clip.note_model(ctx, role="clip")
    label = model_label(clip.model_ref())
    similarity = round(float(np.clip(embedded[0] @ embedded[1], -1.0, 1.0)), 6)
    ctx.require(
        _verdict(
            "clip_image_similarity",
            similarity,
            cfg.clip_image_min,
            "clip_image_image_cosine",
            label,
        )
    )
    ctx.require(
        _verdict(
            "clip_direction",
            direction_cosine(embedded, texts),
            cfg.clip_direction_min,
            "clip_directional_cosine",
            label,
        )
    )
    if cfg.vqa:
        with ctx.stage("vqa"):
            question = VQAQuestion(
                images=(target,),
                question=plan.question,
                answer=plan.answer,
                seed=request_seed(ctx.seed, ctx.index, 1),
            )
            ctx.require(VqaAgreement(llm, mode="exact", stage="edit.vqa").check(question))
    diff = abs_diff(np.asarray(image), np.asarray(target))
    return Sample(
        {
            "source": "images",
            "category": "model",
            "edit_type": plan.edit_type,
            "instruction": plan.instruction,
            "referring_expression": plan.target,
            "params": {
                "editor": cfg.editor,
                "source_caption": plan.source_caption,
                "target_caption": plan.target_caption,
                "question": plan.question,
                "answer": plan.answer,
                "bbox": plan.bbox,
                "image": path.name,
            },
            "preservation": pixels.diff_stats(diff, mask),
            "fidelity": "model-checked",
        },
        {
            "source": image,
            "target": target,
            "mask": MediaItem(pixels.mask_image(mask), encoder="png"),
        },
    )
