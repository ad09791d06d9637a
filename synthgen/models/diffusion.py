"""Image generation and editing with diffusers pipelines (DESIGN.md section 7).

One :class:`DiffusionBackend` holds one checkpoint and offers four capabilities, each taking a
batch (lists of equal length) and returning a list of PIL images in the same order:

* :meth:`~DiffusionBackend.text_to_image` (prompt -> image)
* :meth:`~DiffusionBackend.image_to_image` (image + prompt -> image, SDEdit-style ``strength``)
* :meth:`~DiffusionBackend.inpaint` (image + mask + prompt -> image; white mask = repaint)
* :meth:`~DiffusionBackend.instruct_edit` (image + instruction -> image, InstructPix2Pix)

Reproducibility contract: every sample has its own seed (use
:func:`synthgen.seeding.sample_seed`) and its own CPU ``torch.Generator``; the pipeline gets
``generator=[g1, g2, ...]``. A sample's random draws (initial noise, VAE sampling, ancestral
scheduler noise) therefore depend on its own seed only, not on the batch it shares, nor on
``batch_size``, nor on the GPU (CPU generators, as diffusers recommends). Inputs are grouped
by image size before batching, because diffusers resizes a batch to its first image's size.

What remains batch-dependent is float rounding: batched kernels (oneDNN convolutions on CPU,
cuBLAS/cuDNN on GPU) may pick other algorithms for another batch size, which moves outputs by
~1e-6 and, after 8-bit quantisation, can flip a pixel by one level (measured on CPU with the
tiny test pipelines: 1 of 6 text-to-image and 2 of 6 inpainting samples differ by one level
between a batch of 6 and batches of 1). So batches across candidates are formed by
:mod:`synthgen.models.cohort`, deterministically: the engine runs ``batch_size`` consecutive
candidates as one cohort (:attr:`DiffusionBackend.cohort_size`) and their calls of the same
round share a pipeline call, whatever the thread timing or ``llm.max_concurrency``. A call
made outside a cohort (a plain ``produce``, a replay) runs alone, so its floats can differ from
the dataset's by that rounding; ``batch_size=1`` makes every call run alone.

torch and diffusers are imported when a backend is built, never at module import; a missing
install is a one-line :class:`~synthgen.errors.UserError` with the install hint.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from synthgen.config import validate_model
from synthgen.errors import UserError
from synthgen.models import cohort, torch_utils

if TYPE_CHECKING:
    from PIL import Image

Task = Literal["text_to_image", "image_to_image", "inpaint", "instruct_edit"]

PER_SAMPLE_PARAMS = ("negative_prompt", "prompt_2", "negative_prompt_2")
"""Pipeline arguments that may be given per sample (a list as long as the batch)."""

_RESERVED = ("prompt", "image", "mask_image", "generator", "num_images_per_prompt", "output_type")
"""Pipeline arguments the backend sets itself (inputs come positionally, outputs are PIL)."""

_AUTO_PIPELINES = {
    "text_to_image": "AutoPipelineForText2Image",
    "image_to_image": "AutoPipelineForImage2Image",
    "inpaint": "AutoPipelineForInpainting",
}


class DiffusionSettings(BaseModel):
    """How to load and drive one diffusers checkpoint (``--set diffusion.FIELD=VALUE``).

    ``pipeline="auto"`` loads the class named in the checkpoint's ``model_index.json``
    (``DiffusionPipeline.from_pretrained``); naming a diffusers class (e.g.
    ``"StableDiffusionXLPipeline"``) forces it. The task methods derive their pipeline from
    the loaded one with ``AutoPipelineFor*.from_pipe`` (shared weights, no reload), except
    :meth:`DiffusionBackend.instruct_edit`, which needs an InstructPix2Pix checkpoint.
    ``height``/``width`` apply to text-to-image and inpainting; None means the model's default
    for text-to-image and the input image's size for inpainting.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str = Field(description="local directory or hub id")
    revision: str | None = Field(default=None, description="hub revision (branch, tag, commit)")
    pipeline: str = Field(default="auto", description="'auto' or a diffusers pipeline class")
    device: str = Field(default="auto", description="'auto' = cuda if available, else cpu")
    dtype: Literal["auto", "float32", "float16", "bfloat16"] = "auto"
    num_inference_steps: int = Field(default=30, ge=1, le=1000)
    guidance_scale: float = Field(default=7.5, ge=0)
    image_guidance_scale: float = Field(default=1.5, ge=0, description="InstructPix2Pix only")
    strength: float = Field(default=0.75, gt=0, le=1, description="image_to_image default")
    height: int | None = Field(default=None, ge=8)
    width: int | None = Field(default=None, ge=8)
    batch_size: int = Field(
        default=4,
        ge=1,
        le=1024,
        description="samples per pipeline call; also the candidates per cohort whose calls "
        "share one (synthgen.models.cohort): part of the dataset's identity",
    )

    @field_validator("pipeline")
    @classmethod
    def _pipeline_name(cls, value: str) -> str:
        if value != "auto" and not (value.isidentifier() and value.endswith("Pipeline")):
            raise ValueError("must be 'auto' or a diffusers class name ending in 'Pipeline'")
        return value


def load_diffusion_settings(
    data: Mapping[str, Any] | DiffusionSettings | None = None,
) -> DiffusionSettings:
    """Validate user values into settings; any problem is a one-line UserError."""
    if isinstance(data, DiffusionSettings):
        return data
    return validate_model(  # type: ignore[return-value]
        DiffusionSettings,
        dict(data or {}),
        where="diffusion setting",
        fix="set it with --set diffusion.FIELD=VALUE",
    )


def cohort_size_of(*tables: Mapping[str, Any]) -> int:
    """The cohort size the backends built from these config tables will ask for (the largest
    ``batch_size``; empty tables are skipped), known from the config alone: the engine needs
    it to cut a shard into parts on cohort boundaries without loading any model."""
    sizes = [load_diffusion_settings(t).batch_size for t in tables if t]
    return max(sizes, default=1)


class DiffusionBackend:
    """A loaded diffusers checkpoint; see the module docstring for the contract."""

    def __init__(self, settings: DiffusionSettings | Mapping[str, Any] | str) -> None:
        if isinstance(settings, str):
            settings = {"model": settings}
        self.settings = load_diffusion_settings(settings)
        s = self.settings
        self._torch = torch_utils.require(
            "torch", "the diffusion backend", torch_utils.DIFFUSION_HINT
        )
        self._diffusers = torch_utils.require(
            "diffusers", "the diffusion backend", torch_utils.DIFFUSION_HINT
        )
        self.device = torch_utils.resolve_device(s.device)
        self.dtype = torch_utils.resolve_dtype(s.dtype, self.device)
        self._ref = torch_utils.model_ref(s.model, s.revision)
        self._base = self._load()
        self._pipes: dict[str, Any] = {}
        self._call_lock = threading.Lock()
        self.pipeline_calls = 0
        """Pipeline calls made so far (tests and benches read it)."""
        self.samples = 0
        """Samples those calls made."""

    @property
    def cohort_size(self) -> int:
        """Candidates whose calls share pipeline calls (see :mod:`synthgen.models.cohort`)."""
        return self.settings.batch_size

    # -- provenance -------------------------------------------------------------------------

    def model_ref(self) -> tuple[str, str | None]:
        """``(model id, revision)``; a local directory's revision hashes its config files."""
        return self._ref

    def note_model(self, ctx: Any, role: str = "diffusion") -> None:
        """Add this checkpoint to a program context's lineage."""
        ctx.used_model(self._ref[0], self._ref[1], role=role)

    @property
    def pipeline_class(self) -> str:
        """Class name of the loaded pipeline (e.g. ``StableDiffusionInpaintPipeline``)."""
        return type(self._base).__name__

    # -- capabilities -----------------------------------------------------------------------

    def text_to_image(
        self, prompts: Sequence[str], seeds: Sequence[int], **params: Any
    ) -> list[Image.Image]:
        """One image per prompt, ``height`` x ``width`` (settings, overridable in ``params``)."""
        n = torch_utils.same_length("batch", prompts=prompts, seeds=seeds)
        call = self._common(params, sized=True)
        return self._run("text_to_image", n, seeds, {"prompt": list(prompts)}, call)

    def image_to_image(
        self,
        images: Sequence[Image.Image],
        prompts: Sequence[str],
        seeds: Sequence[int],
        strength: float | None = None,
        **params: Any,
    ) -> list[Image.Image]:
        """Re-noise each image to ``strength`` and denoise towards its prompt (same size out)."""
        n = torch_utils.same_length("batch", images=images, prompts=prompts, seeds=seeds)
        call = self._common(params, sized=False)
        call["strength"] = self.settings.strength if strength is None else strength
        per = {"image": [_rgb(im) for im in images], "prompt": list(prompts)}
        return self._run("image_to_image", n, seeds, per, call)

    def inpaint(
        self,
        images: Sequence[Image.Image],
        masks: Sequence[Image.Image],
        prompts: Sequence[str],
        seeds: Sequence[int],
        **params: Any,
    ) -> list[Image.Image]:
        """Repaint the white area of each mask from its prompt; output has the input's size
        unless ``height``/``width`` are set."""
        n = torch_utils.same_length(
            "batch", images=images, masks=masks, prompts=prompts, seeds=seeds
        )
        call = self._common(params, sized=True)
        per = {
            "image": [_rgb(im) for im in images],
            "mask_image": [m.convert("L") for m in masks],
            "prompt": list(prompts),
        }
        return self._run("inpaint", n, seeds, per, call, size_from_image=True)

    def instruct_edit(
        self,
        images: Sequence[Image.Image],
        instructions: Sequence[str],
        seeds: Sequence[int],
        image_guidance_scale: float | None = None,
        **params: Any,
    ) -> list[Image.Image]:
        """Apply an edit instruction to each image (InstructPix2Pix checkpoints only)."""
        n = torch_utils.same_length("batch", images=images, instructions=instructions, seeds=seeds)
        call = self._common(params, sized=False)
        call["image_guidance_scale"] = (
            self.settings.image_guidance_scale
            if image_guidance_scale is None
            else image_guidance_scale
        )
        per = {"image": [_rgb(im) for im in images], "prompt": list(instructions)}
        return self._run("instruct_edit", n, seeds, per, call)

    # -- internals --------------------------------------------------------------------------

    def _load(self) -> Any:
        s = self.settings
        d = self._diffusers
        if s.pipeline == "auto":
            cls = d.DiffusionPipeline
        else:
            cls = getattr(d, s.pipeline, None)
            if cls is None or not (isinstance(cls, type) and issubclass(cls, d.DiffusionPipeline)):
                raise UserError(
                    f"diffusion setting 'pipeline': diffusers has no pipeline class {s.pipeline!r}"
                )
        # diffusers >= 0.42 renamed torch_dtype to dtype (the old name warns)
        new_name = hasattr(getattr(d.utils, "deprecation_utils", None), "_resolve_dtype")
        dtype_kw = {"dtype" if new_name else "torch_dtype": self.dtype}
        try:
            pipe = cls.from_pretrained(
                s.model, **dtype_kw, **torch_utils.pretrained_kwargs(s.model, s.revision)
            )
        except OSError as exc:
            where = "local directory" if Path(s.model).is_dir() else "model"
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise UserError(
                f"diffusion setting 'model': cannot load {where} {s.model!r}: {first}"
            ) from None
        pipe = pipe.to(self.device)
        pipe.set_progress_bar_config(disable=True)
        return pipe

    def _pipe_for(self, task: Task) -> Any:
        if task in self._pipes:
            return self._pipes[task]
        base, name = self._base, self.pipeline_class
        model = self.settings.model
        is_pix2pix = "InstructPix2Pix" in name
        if task == "instruct_edit":
            if not is_pix2pix:
                raise UserError(
                    f"instruct_edit needs an InstructPix2Pix checkpoint; {model!r} loads {name}"
                )
            pipe = base
        else:
            unet = getattr(base, "unet", None)
            in_channels = getattr(getattr(unet, "config", None), "in_channels", None)
            if is_pix2pix or (in_channels == 9 and task != "inpaint"):
                raise UserError(
                    f"{task} cannot run on {model!r} ({name}, UNet with {in_channels} input "
                    "channels): use a base text-to-image checkpoint"
                )
            auto = getattr(self._diffusers, _AUTO_PIPELINES[task])
            try:
                pipe = auto.from_pipe(base)
            except ValueError as exc:
                raise UserError(f"{task} is not supported by {model!r} ({name}): {exc}") from None
            pipe.set_progress_bar_config(disable=True)
        self._pipes[task] = pipe
        return pipe

    def _common(self, params: dict[str, Any], sized: bool) -> dict[str, Any]:
        s = self.settings
        call: dict[str, Any] = {
            "num_inference_steps": s.num_inference_steps,
            "guidance_scale": s.guidance_scale,
        }
        if sized:
            if s.height is not None:
                call["height"] = s.height
            if s.width is not None:
                call["width"] = s.width
        for reserved in _RESERVED:
            if reserved in params:
                raise TypeError(f"{reserved!r} is set by the backend; pass it positionally")
        call.update(params)
        return call

    def _generators(self, seeds: Sequence[int]) -> list[Any]:
        return [self._torch.Generator("cpu").manual_seed(seed) for seed in _checked(seeds)]

    def _run(
        self,
        task: Task,
        n: int,
        seeds: Sequence[int],
        per_sample: dict[str, list[Any]],
        call: dict[str, Any],
        size_from_image: bool = False,
    ) -> list[Image.Image]:
        """Run one caller's samples; inside a cohort they join the other members' samples of
        the same round and call parameters (:func:`synthgen.models.cohort.batched`)."""
        per_sample = dict(per_sample)
        for key in PER_SAMPLE_PARAMS:
            value = call.get(key)
            if isinstance(value, (list, tuple)):
                if len(value) != n:
                    raise ValueError(f"{key} has {len(value)} items for a batch of {n}")
                per_sample[key] = list(value)
                del call[key]
        key = ("diffusion", id(self), task, size_from_image, tuple(sorted(per_sample)))
        key += (repr(sorted(call.items())),)
        payload = (n, _checked(seeds), per_sample)

        def run_group(payloads: list[Any]) -> list[list[Image.Image]]:
            total = sum(p[0] for p in payloads)
            merged = {k: [v for p in payloads for v in p[2][k]] for k in per_sample}
            all_seeds = [s for p in payloads for s in p[1]]
            with self._call_lock:
                images = self._run_locked(
                    task, total, all_seeds, merged, dict(call), size_from_image
                )
            out, at = [], 0
            for p in payloads:
                out.append(images[at : at + p[0]])
                at += p[0]
            return out

        return cohort.batched(key, payload, run_group)

    def _run_locked(
        self,
        task: Task,
        n: int,
        seeds: Sequence[int],
        per_sample: dict[str, list[Any]],
        call: dict[str, Any],
        size_from_image: bool,
    ) -> list[Image.Image]:
        """Group samples by input size, call the pipeline chunk by chunk, keep the order.
        The caller holds ``_call_lock`` (a pipeline's scheduler holds per-call state)."""
        pipe = self._pipe_for(task)
        images = per_sample.get("image")
        size_of: Callable[[int], Any] = (lambda i: images[i].size) if images else (lambda i: None)
        groups: dict[Any, list[int]] = {}
        for i in range(n):
            groups.setdefault(size_of(i), []).append(i)
        results: list[Any] = [None] * n
        bs = self.settings.batch_size
        for size, members in groups.items():
            for start in range(0, len(members), bs):
                chunk = members[start : start + bs]
                kwargs = dict(call)
                if size_from_image and size is not None:
                    kwargs.setdefault("width", size[0])
                    kwargs.setdefault("height", size[1])
                for key, values in per_sample.items():
                    kwargs[key] = [values[i] for i in chunk]
                out = pipe(
                    **kwargs,
                    generator=self._generators([seeds[i] for i in chunk]),
                    num_images_per_prompt=1,
                    output_type="pil",
                )
                self.pipeline_calls += 1
                self.samples += len(chunk)
                for i, image in zip(chunk, out.images, strict=True):
                    results[i] = image
        return results


def _checked(seeds: Sequence[int]) -> list[int]:
    """The seeds as ints; ValueError for one outside a CPU generator's range."""
    out = [int(seed) for seed in seeds]
    for seed in out:
        if not 0 <= seed < 2**64:
            raise ValueError(f"seed {seed} is outside [0, 2**64)")
    return out


def _rgb(image: Image.Image) -> Image.Image:
    return image if image.mode == "RGB" else image.convert("RGB")
