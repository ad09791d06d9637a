"""ClipScorer and ClapScorer on tiny random checkpoints, and the lazy-import rule."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from synthgen.errors import UserError
from synthgen.media import Audio
from tests.models import tiny


@pytest.fixture(scope="session")
def clip_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("transformers")
    return tiny.checkpoint("clip", tmp_path_factory)


@pytest.fixture(scope="session")
def clap_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("transformers")
    return tiny.checkpoint("clap", tmp_path_factory)


@pytest.fixture(scope="session")
def clip(clip_dir: Path) -> Any:
    from synthgen.models.scorers import ClipScorer

    return ClipScorer(str(clip_dir))


@pytest.fixture(scope="session")
def clap(clap_dir: Path) -> Any:
    from synthgen.models.scorers import ClapScorer

    return ClapScorer(str(clap_dir))


IMAGES = [
    tiny.shape_image("red"),
    tiny.shape_image("blue", shape="circle"),
    tiny.noise_image(1),
    tiny.noise_image(2, size=48),  # another size: the processor resizes/crops
]
TEXTS = ["a red square", "a blue circle", "a photo of a cat", "a dog barks in the distance"]


# -- CLIP ---------------------------------------------------------------------------------------


def test_clip_image_text_is_a_cosine_per_pair(clip: Any) -> None:
    scores = clip.image_text(IMAGES, TEXTS)
    assert scores.shape == (4,)
    assert np.all(scores >= -1) and np.all(scores <= 1)
    # a cosine of unit embeddings, pair by pair
    expected = np.einsum("nd,nd->n", clip.embed_images(IMAGES), clip.embed_texts(TEXTS))
    np.testing.assert_allclose(scores, expected, atol=1e-6)
    assert np.allclose(np.linalg.norm(clip.embed_texts(TEXTS), axis=1), 1.0, atol=1e-5)


def test_clip_image_image(clip: Any) -> None:
    same = clip.image_image(IMAGES, [im.copy() for im in IMAGES])
    assert same.shape == (4,)
    np.testing.assert_allclose(same, 1.0, atol=1e-5)
    other = clip.image_image(IMAGES, IMAGES[::-1])
    assert np.all(other >= -1) and np.all(other <= 1)
    assert other[0] < 0.99999  # two different images are not identical to the model
    # symmetric
    np.testing.assert_allclose(other, other[::-1], atol=1e-6)


def test_clip_scores_are_deterministic_and_batch_independent(clip_dir: Path, clip: Any) -> None:
    from synthgen.models.scorers import ClipScorer

    first = clip.image_text(IMAGES, TEXTS)
    again = clip.image_text(IMAGES, TEXTS)
    assert np.array_equal(first, again)
    one_by_one = ClipScorer(str(clip_dir), batch_size=1).image_text(IMAGES, TEXTS)
    np.testing.assert_allclose(first, one_by_one, atol=1e-5)
    alone = clip.image_text(IMAGES[2:3], TEXTS[2:3])
    np.testing.assert_allclose(alone, first[2:3], atol=1e-5)


def test_clip_edge_cases(clip: Any) -> None:
    assert clip.image_text([], []).shape == (0,)
    with pytest.raises(ValueError, match="differ in length"):
        clip.image_text(IMAGES[:2], TEXTS[:1])
    rgba = IMAGES[0].convert("RGBA")
    np.testing.assert_allclose(
        clip.image_text([rgba], TEXTS[:1]), clip.image_text(IMAGES[:1], TEXTS[:1]), atol=1e-6
    )
    long_text = " ".join(["a photo of a cat"] * 40)  # > 77 tokens: truncated, not an error
    assert clip.image_text(IMAGES[:1], [long_text]).shape == (1,)


def test_clip_uses_the_pil_image_processor(clip: Any) -> None:
    """transformers 5 defaults to the torchvision backend; the scorer must pick PIL."""
    import transformers

    if int(transformers.__version__.split(".")[0]) >= 5:
        assert type(clip.image_processor).__name__.endswith("Pil")
    assert "torchvision" not in sys.modules


# -- CLAP ---------------------------------------------------------------------------------------


def test_clap_audio_text_at_16k_and_48k(clap: Any) -> None:
    assert clap.sampling_rate == tiny.CLAP_SAMPLING_RATE
    a16 = tiny.tone(440, seconds=1.0, sample_rate=16_000)
    a48 = tiny.tone(440, seconds=1.0, sample_rate=48_000)
    scores = clap.audio_text([a16, a48], ["a dog barks", "a dog barks"])
    assert scores.shape == (2,)
    assert np.all(scores >= -1) and np.all(scores <= 1)
    # the 48 kHz tone is resampled to the extractor's 16 kHz: about the same clip
    assert abs(scores[0] - scores[1]) < 5e-3


def test_clap_scores_are_deterministic_and_batch_independent(clap: Any) -> None:
    clips = [tiny.tone(440), tiny.noise_audio(3, seconds=2.5), tiny.tone(880, seconds=0.3)]
    texts = ["a tone", "rain falls on a tin roof", "birds sing"]
    first = clap.audio_text(clips, texts)
    assert np.array_equal(first, clap.audio_text(clips, texts))
    # the 2.5 s clip is longer than the 1 s window: its crop is seeded, alone or in a batch
    alone = clap.audio_text(clips[1:2], texts[1:2])
    np.testing.assert_allclose(alone, first[1:2], atol=1e-5)


def test_clap_leaves_the_global_numpy_rng_alone(clap: Any) -> None:
    np.random.seed(123)
    expected = np.random.random(3)
    np.random.seed(123)
    clap.audio_text([tiny.noise_audio(4, seconds=2.0)], ["x"])
    assert np.array_equal(np.random.random(3), expected)


def test_clap_stereo_is_mixed_down(clap: Any) -> None:
    mono = tiny.tone(440)
    stereo = Audio(np.stack([mono.samples, mono.samples], axis=1), mono.sample_rate)
    np.testing.assert_allclose(
        clap.audio_text([stereo], ["x"]), clap.audio_text([mono], ["x"]), atol=1e-6
    )


def test_clap_audio_texts_scores_each_audio_against_k_texts(clap: Any) -> None:
    clips = [tiny.tone(440), tiny.noise_audio(5)]
    texts = [["a tone", "music"], ["rain", "a man speaks"]]
    matrix = clap.audio_texts(clips, texts)
    assert matrix.shape == (2, 2)
    for j in range(2):
        column = clap.audio_text(clips, [t[j] for t in texts])
        np.testing.assert_allclose(matrix[:, j], column, atol=1e-6)
    with pytest.raises(ValueError, match="same number of texts"):
        clap.audio_texts(clips, [["a"], ["b", "c"]])


def test_resample() -> None:
    from synthgen.models.scorers import resample

    x = tiny.tone(440, sample_rate=48_000).samples.astype(np.float64)
    y = resample(x, 48_000, 16_000)
    assert y.shape == (16_000,)
    ref = tiny.tone(440, sample_rate=16_000).samples
    assert np.abs(y[100:-100] - ref[100:-100]).max() < 1e-2
    assert resample(x, 48_000, 48_000) is x


# -- provenance and errors ----------------------------------------------------------------------


def test_model_refs(clip: Any, clap: Any, clip_dir: Path) -> None:
    model_id, revision = clip.model_ref()
    assert model_id == str(clip_dir)
    assert revision is not None and len(revision) == 12
    assert clap.model_ref()[1] != revision


def test_model_ref_of_hub_cache_snapshots_and_ids(tmp_path: Path) -> None:
    from synthgen.models.torch_utils import model_label, model_ref

    snap = tmp_path / "models--org--name" / "snapshots" / ("a" * 40)
    snap.mkdir(parents=True)
    assert model_ref(str(snap)) == ("org/name", "a" * 40)
    assert model_ref("org/not-cached", "b" * 40) == ("org/not-cached", "b" * 40)
    assert model_ref("org/not-cached") == ("org/not-cached", None)
    assert model_label(("m", "r")) == "m@r" and model_label(("m", None)) == "m"


def test_offline_rule_and_dtype_resolution(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from synthgen.models import torch_utils

    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    assert torch_utils.pretrained_kwargs("org/model", "main") == {
        "local_files_only": False,
        "revision": "main",
    }
    assert torch_utils.pretrained_kwargs(tmp_path, "main") == {"local_files_only": True}
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert torch_utils.pretrained_kwargs("org/model")["local_files_only"] is True
    assert torch_utils.resolve_device("cpu") == "cpu"
    torch = pytest.importorskip("torch")
    assert torch_utils.resolve_dtype("auto", "cpu") == torch.float32
    assert torch_utils.resolve_dtype("auto", "cuda:0") == torch.float16
    assert torch_utils.resolve_dtype("bfloat16", "cpu") == torch.bfloat16
    with pytest.raises(UserError, match="dtype"):
        torch_utils.resolve_dtype("Tensor", "cpu")


def test_missing_model_is_a_user_error(tmp_path: Path) -> None:
    pytest.importorskip("transformers")
    from synthgen.models.scorers import ClapScorer, ClipScorer

    with pytest.raises(UserError, match="cannot load"):
        ClipScorer(str(tmp_path))
    with pytest.raises(UserError, match="cannot load"):
        ClapScorer(str(tmp_path / "absent"))


def test_missing_torch_gives_the_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    from synthgen.models.diffusion import DiffusionBackend
    from synthgen.models.scorers import ClapScorer, ClipScorer

    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now raises ImportError
    with pytest.raises(UserError, match=r"pip install 'synthgen\[hf\]'"):
        ClipScorer("some/model")
    with pytest.raises(UserError, match=r"pip install 'synthgen\[hf\]'"):
        ClapScorer("some/model")
    with pytest.raises(UserError, match=r"pip install 'synthgen\[diffusion\]'"):
        DiffusionBackend("some/model")


def test_importing_the_backends_and_filters_does_not_import_torch() -> None:
    code = (
        "import sys\n"
        "import synthgen.models.diffusion, synthgen.models.scorers, synthgen.models.torch_utils\n"
        "import synthgen.filters.clip_score, synthgen.filters.clip_pair_band\n"
        "import synthgen.filters.clap_relative\n"
        "heavy = sorted(m for m in ('torch', 'transformers', 'diffusers', 'scipy')\n"
        "               if m in sys.modules)\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == ""
