"""Embedding scorers: CLIP (image-text, image-image) and CLAP (audio-text) with transformers.

A scorer turns pairs into cosine similarities, one float per pair, as a numpy array. These
are the raw scores the model-backed filters threshold (DESIGN.md section 6): the usual "CLIP
score" of LAION/DataComp is exactly this cosine (no x100, no clamp at 0). Scores of different
models are not comparable, so every scorer reports :meth:`model_ref` for the verdicts.

Why these choices:

* No torchvision, open_clip or timm (see DESIGN.md, machines): images go through the PIL
  backend of the CLIP image processor, which also keeps scores identical across machines with
  and without torchvision.
* Deterministic: texts are padded per batch but the models pool at the eos token / with
  attention masks, and audio features are computed clip by clip (the CLAP feature extractor
  draws random crops from numpy's global RNG; it runs here under a fixed seed, with the
  caller's RNG state restored afterwards). Batched float kernels still move an embedding by
  ~1e-7 (measured on CPU with the tiny models: neither CLIP nor CLAP is bit-identical between
  a batch and single items, even at a fixed batch shape), so verdicts round scores to 6
  decimals, and batches across candidates are formed deterministically by
  :mod:`synthgen.models.cohort`: inside a cohort, the embedding calls of the members' round
  are run as one list, ``batch_size`` items per forward pass, in member order. A scorer with
  ``cohort_size`` > 1 asks the engine for cohorts of that many candidates even when no
  diffusers backend does.
* torch and transformers are imported when a scorer is built, never at module import.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from math import gcd
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from synthgen.errors import UserError
from synthgen.media import Audio
from synthgen.models import cohort, torch_utils

if TYPE_CHECKING:
    from PIL import Image

FEATURE_SEED = 0
"""numpy seed under which the CLAP feature extractor runs (its crops of long clips are random)."""


class ImageTextScorer(Protocol):
    """What the CLIP filters need; :class:`ClipScorer` is the implementation."""

    def model_ref(self) -> tuple[str, str | None]: ...

    def image_text(self, images: Sequence[Image.Image], texts: Sequence[str]) -> np.ndarray: ...

    def image_image(
        self, images_a: Sequence[Image.Image], images_b: Sequence[Image.Image]
    ) -> np.ndarray: ...


class AudioTextScorer(Protocol):
    """What the CLAP filters need; :class:`ClapScorer` is the implementation."""

    def model_ref(self) -> tuple[str, str | None]: ...

    def audio_text(self, audios: Sequence[Audio], texts: Sequence[str]) -> np.ndarray: ...

    def audio_texts(
        self, audios: Sequence[Audio], texts: Sequence[Sequence[str]]
    ) -> np.ndarray: ...


class _TorchScorer:
    """Shared loading, batching and provenance of the transformers scorers."""

    what = "scorer"

    def __init__(
        self,
        model_path: str,
        device: str,
        batch_size: int,
        revision: str | None,
        cohort_size: int = 1,
    ) -> None:
        if batch_size < 1:
            raise UserError(f"{self.what}: batch_size must be >= 1 (got {batch_size})")
        if cohort_size < 1:
            raise UserError(f"{self.what}: cohort_size must be >= 1 (got {cohort_size})")
        self.model_path = str(model_path)
        self.batch_size = batch_size
        self.cohort_size = cohort_size
        """Candidates per cohort this scorer asks the engine for (1: none of its own)."""
        self.forward_calls = 0
        """Forward passes made so far (tests and benches read it)."""
        self._torch = torch_utils.require("torch", f"the {self.what}")
        self._transformers = torch_utils.require("transformers", f"the {self.what}")
        self.device = torch_utils.resolve_device(device)
        self._kwargs = torch_utils.pretrained_kwargs(self.model_path, revision)
        self._ref = torch_utils.model_ref(self.model_path, revision)
        self._call_lock = threading.RLock()
        """One forward pass at a time (lazy loading included): the engine may run several
        candidates in threads (``synthgen.inflight``)."""

    def model_ref(self) -> tuple[str, str | None]:
        """``(model id, revision)``; a local directory's revision hashes its config files."""
        return self._ref

    def note_model(self, ctx: Any, role: str | None = None) -> None:
        """Add this model to a program context's lineage."""
        ctx.used_model(self._ref[0], self._ref[1], role=role or self.what)

    def _load(self, cls_name: str) -> Any:
        cls = getattr(self._transformers, cls_name)
        try:
            model = cls.from_pretrained(self.model_path, **self._kwargs)
        except OSError as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise UserError(f"{self.what}: cannot load {self.model_path!r}: {first}") from None
        return model.to(self.device).eval()

    def _embed(self, items: Sequence[Any], kind: str) -> np.ndarray:
        """L2-normalised float32 embeddings of ``items`` by the encoder ``_encode_<kind>``;
        inside a cohort, one list with the other members' items of the round."""

        def run_group(payloads: list[list[Any]]) -> list[np.ndarray]:
            merged = self._embed_now([x for p in payloads for x in p], kind)
            out, at = [], 0
            for p in payloads:
                out.append(merged[at : at + len(p)])
                at += len(p)
            return out

        return cohort.batched(("embed", id(self), kind), list(items), run_group)

    def _embed_now(self, items: Sequence[Any], kind: str) -> np.ndarray:
        """``batch_size`` items per forward pass, one pass at a time."""
        encode = getattr(self, f"_encode_{kind}")
        chunks = []
        with self._call_lock, self._torch.inference_mode():
            for start in range(0, len(items), self.batch_size):
                out = encode(items[start : start + self.batch_size])
                self.forward_calls += 1
                feats = out if isinstance(out, self._torch.Tensor) else out.pooler_output
                feats = self._torch.nn.functional.normalize(feats.float(), dim=-1)
                chunks.append(feats.cpu().numpy())
        return np.concatenate(chunks) if chunks else np.zeros((0, 0), np.float32)

    def _text_inputs(self, texts: Sequence[str], max_length: int) -> Any:
        enc = self.tokenizer(
            list(texts), padding=True, truncation=True, max_length=max_length, return_tensors="pt"
        )
        return {
            k: v.to(self.device) for k, v in enc.items() if k in ("input_ids", "attention_mask")
        }


class ClipScorer(_TorchScorer):
    """CLIP cosine similarities: ``image_text`` per (image, text) pair, ``image_image`` per
    (image, image) pair. Values lie in [-1, 1]; LAION's filter keeps image-text >= 0.28 with
    ViT-B/32, Img-Diff keeps image-image pairs in [0.90, 0.98]."""

    what = "CLIP scorer"

    def __init__(
        self,
        model_path: str,
        device: str = "auto",
        batch_size: int = 32,
        revision: str | None = None,
        cohort_size: int = 1,
    ) -> None:
        super().__init__(model_path, device, batch_size, revision, cohort_size)
        t = self._transformers
        self.model = self._load("CLIPModel")
        self.tokenizer = t.AutoTokenizer.from_pretrained(self.model_path, **self._kwargs)
        self.image_processor = _pil_image_processor(t, self.model_path, self._kwargs)
        text_cfg = self.model.config.text_config
        self._max_text = min(int(self.tokenizer.model_max_length), text_cfg.max_position_embeddings)

    def embed_images(self, images: Sequence[Image.Image]) -> np.ndarray:
        """(n, d) unit-norm image embeddings."""
        return self._embed(images, "images")

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        """(n, d) unit-norm text embeddings (texts truncated to the model's context)."""
        return self._embed(texts, "texts")

    def _encode_images(self, chunk: Sequence[Image.Image]) -> Any:
        pixels = self.image_processor(
            images=[im.convert("RGB") for im in chunk], return_tensors="pt"
        )["pixel_values"]
        return self.model.get_image_features(pixel_values=pixels.to(self.device))

    def _encode_texts(self, chunk: Sequence[str]) -> Any:
        return self.model.get_text_features(**self._text_inputs(chunk, self._max_text))

    def image_text(self, images: Sequence[Image.Image], texts: Sequence[str]) -> np.ndarray:
        """Cosine of each (image, text) pair, shape (n,)."""
        torch_utils.same_length("scorer", images=images, texts=texts)
        return _rowwise_cosine(self.embed_images(images), self.embed_texts(texts))

    def image_image(
        self, images_a: Sequence[Image.Image], images_b: Sequence[Image.Image]
    ) -> np.ndarray:
        """Cosine of each (image_a, image_b) pair, shape (n,)."""
        n = torch_utils.same_length("scorer", images_a=images_a, images_b=images_b)
        both = self.embed_images([*images_a, *images_b])
        return _rowwise_cosine(both[:n], both[n:])


class ClapScorer(_TorchScorer):
    """CLAP audio-text cosine similarities (AudioSetCaps' relative caption check).

    Audio of any rate and channel count is mixed down to mono and resampled to the feature
    extractor's rate (48 kHz for the LAION checkpoints); clips longer than its window are
    cropped/fused by the extractor itself, under a fixed numpy seed (see module docstring).
    """

    what = "CLAP scorer"

    def __init__(
        self,
        model_path: str,
        device: str = "auto",
        batch_size: int = 16,
        revision: str | None = None,
        cohort_size: int = 1,
    ) -> None:
        super().__init__(model_path, device, batch_size, revision, cohort_size)
        t = self._transformers
        self.model = self._load("ClapModel")
        self.tokenizer = t.AutoTokenizer.from_pretrained(self.model_path, **self._kwargs)
        self.feature_extractor = t.AutoFeatureExtractor.from_pretrained(
            self.model_path, **self._kwargs
        )
        self.sampling_rate = int(self.feature_extractor.sampling_rate)
        text_cfg = self.model.config.text_config
        pad = text_cfg.pad_token_id if text_cfg.pad_token_id is not None else 0
        # roberta-style positions start at pad_token_id + 1
        self._max_text = min(
            int(self.tokenizer.model_max_length), text_cfg.max_position_embeddings - pad - 1
        )

    def prepare(self, audio: Audio) -> np.ndarray:
        """Mono float64 samples at the extractor's sampling rate."""
        samples = np.asarray(audio.samples, dtype=np.float64)
        if samples.ndim == 2:
            samples = samples.mean(axis=1)
        return resample(samples, int(audio.sample_rate), self.sampling_rate)

    def _features(self, audio: Audio) -> tuple[Any, Any]:
        state = np.random.get_state()
        try:
            np.random.seed(FEATURE_SEED)
            feats = self.feature_extractor(
                [self.prepare(audio)], sampling_rate=self.sampling_rate, return_tensors="pt"
            )
        finally:
            np.random.set_state(state)
        return feats["input_features"], feats.get("is_longer")

    def embed_audio(self, audios: Sequence[Audio]) -> np.ndarray:
        """(n, d) unit-norm audio embeddings."""
        return self._embed(audios, "audio")

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        """(n, d) unit-norm text embeddings."""
        return self._embed(texts, "texts")

    def _encode_audio(self, chunk: Sequence[Audio]) -> Any:
        torch = self._torch
        parts = [self._features(a) for a in chunk]
        kwargs: dict[str, Any] = {
            "input_features": torch.cat([p[0] for p in parts]).to(self.device)
        }
        if all(p[1] is not None for p in parts):
            kwargs["is_longer"] = torch.cat([p[1] for p in parts]).to(self.device)
        return self.model.get_audio_features(**kwargs)

    def _encode_texts(self, chunk: Sequence[str]) -> Any:
        return self.model.get_text_features(**self._text_inputs(chunk, self._max_text))

    def audio_text(self, audios: Sequence[Audio], texts: Sequence[str]) -> np.ndarray:
        """Cosine of each (audio, text) pair, shape (n,)."""
        torch_utils.same_length("scorer", audios=audios, texts=texts)
        return _rowwise_cosine(self.embed_audio(audios), self.embed_texts(texts))

    def audio_texts(self, audios: Sequence[Audio], texts: Sequence[Sequence[str]]) -> np.ndarray:
        """Cosine of each audio with each of its k texts, shape (n, k); each audio is embedded
        once (the relative caption-vs-label check scores two texts per clip)."""
        n = torch_utils.same_length("scorer", audios=audios, texts=texts)
        k = {len(t) for t in texts}
        if len(k) > 1:
            raise ValueError(f"every audio needs the same number of texts (got {sorted(k)})")
        width = k.pop() if k else 0
        audio = self.embed_audio(audios)
        text = self.embed_texts([t for group in texts for t in group])
        if n == 0 or width == 0:
            return np.zeros((n, width), np.float64)
        text = text.reshape(n, width, -1).astype(np.float64)
        return np.clip(np.einsum("nd,nkd->nk", audio.astype(np.float64), text), -1.0, 1.0)


def resample(samples: np.ndarray, rate: int, target: int) -> np.ndarray:
    """Resample 1-D ``samples`` from ``rate`` to ``target`` Hz (polyphase when scipy is
    installed, else linear interpolation)."""
    if rate == target or samples.size == 0:
        return samples
    try:
        from scipy.signal import resample_poly
    except ImportError:
        n_out = max(1, round(samples.size * target / rate))
        t_out = np.arange(n_out) * (rate / target)
        return np.interp(t_out, np.arange(samples.size), samples)
    g = gcd(rate, target)
    return resample_poly(samples, target // g, rate // g)


def _pil_image_processor(transformers: Any, path: str, kwargs: dict[str, Any]) -> Any:
    """The checkpoint's image processor, PIL backend (transformers 5 defaults to torchvision)."""
    major = int(str(transformers.__version__).split(".")[0])
    extra = {"backend": "pil"} if major >= 5 else {}
    return transformers.AutoImageProcessor.from_pretrained(path, **kwargs, **extra)


def _rowwise_cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if a.shape[0] == 0:
        return np.zeros(0, np.float64)
    dots = np.einsum("nd,nd->n", a.astype(np.float64), b.astype(np.float64))
    return np.clip(dots, -1.0, 1.0)
