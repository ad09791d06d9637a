"""DiffusionBackend on tiny random Stable Diffusion checkpoints (txt2img, pix2pix, inpaint)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from synthgen.errors import UserError
from tests.models import tiny

STEPS = 2


@pytest.fixture(scope="session")
def sd_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    pytest.importorskip("torch")
    pytest.importorskip("diffusers")
    return {k: tiny.checkpoint(f"sd-{k}", tmp_path_factory) for k in tiny.SD_IN_CHANNELS}


def make_backend(path: Path, **overrides: Any) -> Any:
    from synthgen.models.diffusion import DiffusionBackend

    settings = {"model": str(path), "num_inference_steps": STEPS, "batch_size": 4}
    settings.update(overrides)
    return DiffusionBackend(settings)


@pytest.fixture(scope="session")
def backends(sd_dirs: dict[str, Path]) -> dict[str, Any]:
    return {k: make_backend(p) for k, p in sd_dirs.items()}


SOURCES = [
    tiny.shape_image("red"),
    tiny.shape_image("blue", shape="circle"),
    tiny.noise_image(0),
]
PROMPTS = ["a red square", "make the sky purple", "a photo of a dog"]
MASK = tiny.center_mask()

Run = Callable[[dict[str, Any], list[int], list[int]], list[Any]]


def _t2i(b: dict[str, Any], idx: list[int], seeds: list[int]) -> list[Any]:
    return b["txt2img"].text_to_image([PROMPTS[i] for i in idx], seeds, height=32, width=32)


def _i2i(b: dict[str, Any], idx: list[int], seeds: list[int]) -> list[Any]:
    return b["txt2img"].image_to_image(
        [SOURCES[i] for i in idx], [PROMPTS[i] for i in idx], seeds, strength=0.8
    )


def _inpaint(b: dict[str, Any], idx: list[int], seeds: list[int]) -> list[Any]:
    return b["inpaint"].inpaint(
        [SOURCES[i] for i in idx], [MASK] * len(idx), [PROMPTS[i] for i in idx], seeds
    )


def _instruct(b: dict[str, Any], idx: list[int], seeds: list[int]) -> list[Any]:
    return b["pix2pix"].instruct_edit(
        [SOURCES[i] for i in idx], [PROMPTS[i] for i in idx], seeds, image_guidance_scale=1.5
    )


TASKS: dict[str, Run] = {
    "text_to_image": _t2i,
    "image_to_image": _i2i,
    "inpaint": _inpaint,
    "instruct_edit": _instruct,
}


def px(image: Any) -> np.ndarray:
    return np.asarray(image, dtype=np.int16)


@pytest.mark.parametrize("task", list(TASKS))
def test_returns_rgb_images_of_the_requested_size(backends: dict[str, Any], task: str) -> None:
    images = TASKS[task](backends, [0, 1], [1, 2])
    assert len(images) == 2
    for im in images:
        assert im.size == (32, 32)
        assert im.mode == "RGB"


def test_text_to_image_honours_height_and_width(sd_dirs: dict[str, Path]) -> None:
    backend = make_backend(sd_dirs["txt2img"], height=48, width=32)
    (im,) = backend.text_to_image(["a cat"], [3])
    assert im.size == (32, 48)
    (im,) = backend.text_to_image(["a cat"], [3], height=16, width=24)  # per-call override
    assert im.size == (24, 16)


def test_edits_keep_each_input_size_in_a_mixed_batch(backends: dict[str, Any]) -> None:
    """Inputs of different sizes are batched per size, so each output keeps its own size
    (diffusers alone would resize the batch to its first image), and inpainting defaults to
    the input size rather than the model's 32x32."""
    wide = tiny.noise_image(5, size=48).crop((0, 0, 48, 32))
    mixed = [SOURCES[0], wide, SOURCES[1]]
    out = backends["txt2img"].image_to_image(mixed, PROMPTS, [1, 2, 3])
    assert [im.size for im in out] == [(32, 32), (48, 32), (32, 32)]
    out = backends["inpaint"].inpaint(
        mixed, [MASK.resize(im.size) for im in mixed], PROMPTS, [1, 2, 3]
    )
    assert [im.size for im in out] == [(32, 32), (48, 32), (32, 32)]
    (alone,) = backends["txt2img"].image_to_image([wide], [PROMPTS[1]], [2])
    assert (
        np.abs(
            px(alone) - px(backends["txt2img"].image_to_image(mixed, PROMPTS, [1, 2, 3])[1])
        ).max()
        <= 1
    )


@pytest.mark.parametrize("task", list(TASKS))
def test_same_seed_same_pixels_other_seed_other_pixels(backends: dict[str, Any], task: str) -> None:
    a = TASKS[task](backends, [1], [11])[0]
    b = TASKS[task](backends, [1], [11])[0]
    c = TASKS[task](backends, [1], [12])[0]
    assert np.array_equal(px(a), px(b))
    assert not np.array_equal(px(a), px(c))


@pytest.mark.parametrize("task", list(TASKS))
def test_a_sample_does_not_depend_on_its_batch(backends: dict[str, Any], task: str) -> None:
    """Sample 1 alone and in the middle of a batch of 3 (other prompts and seeds around it):
    the same noise (one generator per sample), so the same image up to float rounding of the
    batched kernels (at most one 8-bit level on a few pixels; see the module docstring). A
    shared or misassigned generator would give a different image altogether."""
    alone = px(TASKS[task](backends, [1], [7])[0])
    batch = TASKS[task](backends, [0, 1, 2], [1, 7, 2])
    inside = px(batch[1])
    assert np.abs(alone - inside).max() <= 1
    assert (alone == inside).mean() >= 0.99
    assert not np.array_equal(px(batch[0]), inside)


def test_batch_size_one_is_byte_exact_across_batch_compositions(sd_dirs: dict[str, Path]) -> None:
    backend = make_backend(sd_dirs["txt2img"], batch_size=1, height=32, width=32)
    (alone,) = backend.text_to_image([PROMPTS[1]], [7])
    batch = backend.text_to_image(PROMPTS, [1, 7, 2])
    assert np.array_equal(px(alone), px(batch[1]))


def test_per_sample_negative_prompts(backends: dict[str, Any]) -> None:
    t2i = backends["txt2img"]
    out = t2i.text_to_image(
        PROMPTS[:2], [4, 4], negative_prompt=["blurry", "dark"], height=32, width=32
    )
    (same,) = t2i.text_to_image(PROMPTS[1:2], [4], negative_prompt=["dark"], height=32, width=32)
    assert np.abs(px(out[1]) - px(same)).max() <= 1
    with pytest.raises(ValueError, match="negative_prompt"):
        t2i.text_to_image(PROMPTS[:2], [4, 4], negative_prompt=["only one"])


def test_inpaint_also_runs_on_a_base_checkpoint(backends: dict[str, Any]) -> None:
    """A 4-channel text-to-image UNet inpaints through diffusers' latent-blending path."""
    (im,) = backends["txt2img"].inpaint(SOURCES[:1], [MASK], PROMPTS[:1], [3])
    assert im.size == (32, 32)


def test_capability_mismatches_are_user_errors(backends: dict[str, Any]) -> None:
    with pytest.raises(UserError, match="InstructPix2Pix"):
        backends["txt2img"].instruct_edit(SOURCES[:1], ["make it red"], [1])
    with pytest.raises(UserError, match="text_to_image"):
        backends["pix2pix"].text_to_image(["a cat"], [1])
    with pytest.raises(UserError, match="image_to_image"):
        backends["inpaint"].image_to_image(SOURCES[:1], ["a cat"], [1])


def test_bad_inputs(backends: dict[str, Any]) -> None:
    t2i = backends["txt2img"]
    with pytest.raises(ValueError, match="differ in length"):
        t2i.text_to_image(["a", "b"], [1])
    with pytest.raises(ValueError, match="seed"):
        t2i.text_to_image(["a"], [-1])
    with pytest.raises(TypeError, match="generator"):
        t2i.text_to_image(["a"], [1], generator=None)
    assert t2i.text_to_image([], []) == []


def test_settings_and_loading_errors(tmp_path: Path) -> None:
    from synthgen.models.diffusion import DiffusionBackend, load_diffusion_settings

    with pytest.raises(UserError, match="num_inference_step"):
        load_diffusion_settings({"model": "x", "num_inference_step": 2})
    with pytest.raises(UserError, match="pipeline"):
        load_diffusion_settings({"model": "x", "pipeline": "not a class"})
    pytest.importorskip("diffusers")
    with pytest.raises(UserError, match="cannot load"):
        DiffusionBackend({"model": str(tmp_path)})
    with pytest.raises(UserError, match="NoSuchPipeline"):
        DiffusionBackend({"model": str(tmp_path), "pipeline": "NoSuchPipeline"})


def test_settings_resolve_device_and_dtype(backends: dict[str, Any]) -> None:
    import torch

    b = backends["txt2img"]
    assert b.device == ("cuda" if torch.cuda.is_available() else "cpu")
    assert b.dtype == (torch.float16 if b.device == "cuda" else torch.float32)
    assert b.pipeline_class == "StableDiffusionPipeline"


def test_model_ref_hashes_the_config_files(
    backends: dict[str, Any], sd_dirs: dict[str, Path]
) -> None:
    ref = backends["txt2img"].model_ref()
    assert ref[0] == str(sd_dirs["txt2img"])
    assert ref[1] is not None and len(ref[1]) == 12
    assert make_backend(sd_dirs["txt2img"]).model_ref() == ref  # stable
    assert backends["inpaint"].model_ref()[1] != ref[1]  # other UNet config, other revision

    class Ctx:
        def __init__(self) -> None:
            self.models: list[tuple[str, str | None, str | None]] = []

        def used_model(self, model_id: str, revision: str | None, role: str | None) -> None:
            self.models.append((model_id, revision, role))

    ctx = Ctx()
    backends["txt2img"].note_model(ctx)
    assert ctx.models == [(ref[0], ref[1], "diffusion")]
