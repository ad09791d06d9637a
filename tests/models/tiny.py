"""Tiny random models built from configs, offline, for tests and benchmarks.

Every builder writes a checkpoint with ``save_pretrained`` into a folder, so the code under test
loads it through the real ``from_pretrained(local_dir)`` path. Weights are random (seeded), so
outputs mean nothing, but every code path is the real one: tokenizers, processors, forward,
CFG, scheduler loop, VAE decode. Nothing binary is committed; nothing touches the hub.

Derived from ``shared/recipes/tiny_models`` (tiny_tokenizers.py, tiny_clip.py,
tiny_diffusion.py); the CLAP builder is new. Import this module only where torch is installed.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from pathlib import Path
from typing import Any, Literal

import numpy as np

from synthgen.media import Audio

CORPUS = [
    "a photo of a cat",
    "a photo of a dog",
    "a red square on a white background",
    "a blue circle on a black background",
    "a green triangle next to a yellow star",
    "an orange car parked on the street",
    "make the sky purple",
    "turn the cat into a tiger",
    "a dog barks in the distance",
    "rain falls on a tin roof",
    "a man speaks while music plays",
    "birds sing in the morning",
]

SdKind = Literal["txt2img", "pix2pix", "inpaint"]
SD_IN_CHANNELS: dict[str, int] = {"txt2img": 4, "pix2pix": 8, "inpaint": 9}


# -- tokenizers ---------------------------------------------------------------------------------


def _bytes_to_unicode() -> dict[int, str]:
    """GPT-2/CLIP reversible byte -> printable unicode map (same as upstream)."""
    bs = (
        list(range(ord("!"), ord("~") + 1))
        + list(range(ord("¡"), ord("¬") + 1))
        + list(range(ord("®"), ord("ÿ") + 1))
    )
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, (chr(c) for c in cs), strict=True))


def _learn_merges(words: list[list[str]], num_merges: int) -> list[tuple[str, str]]:
    vocab = Counter(tuple(w) for w in words)
    merges: list[tuple[str, str]] = []
    for _ in range(num_merges):
        pairs: Counter[tuple[str, str]] = Counter()
        for word, freq in vocab.items():
            for a, b in itertools.pairwise(word):
                pairs[(a, b)] += freq
        if not pairs:
            break
        best = min(pairs.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        merges.append(best)
        new_vocab: Counter[tuple[str, ...]] = Counter()
        for word, freq in vocab.items():
            out, i = [], 0
            while i < len(word):
                if i < len(word) - 1 and (word[i], word[i + 1]) == best:
                    out.append(word[i] + word[i + 1])
                    i += 2
                else:
                    out.append(word[i])
                    i += 1
            new_vocab[tuple(out)] += freq
        vocab = new_vocab
    return merges


def write_clip_bpe_files(folder: Path, num_merges: int = 64) -> None:
    """``vocab.json`` + ``merges.txt`` in the openai/clip-* format (bytes + learned merges)."""
    b2u = _bytes_to_unicode()
    symbols = list(b2u.values())
    vocab_list = symbols + [s + "</w>" for s in symbols]
    words = []
    for line in CORPUS:
        for w in line.split():
            chars = [b2u[b] for b in w.encode("utf-8")]
            chars[-1] += "</w>"
            words.append(chars)
    merges = _learn_merges(words, num_merges)
    for a, b in merges:
        if a + b not in vocab_list:
            vocab_list.append(a + b)
    vocab_list += ["<|startoftext|>", "<|endoftext|>"]
    folder.mkdir(parents=True, exist_ok=True)
    vocab = {tok: i for i, tok in enumerate(vocab_list)}
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    merges_text = "#version: 0.2\n" + "\n".join(f"{a} {b}" for a, b in merges) + "\n"
    (folder / "merges.txt").write_text(merges_text, encoding="utf-8")


def clip_tokenizer(folder: Path) -> Any:
    from transformers import CLIPTokenizer

    write_clip_bpe_files(folder)
    return CLIPTokenizer.from_pretrained(str(folder), model_max_length=77)


def roberta_tokenizer(folder: Path, vocab_size: int = 300) -> Any:
    """A byte-level BPE (GPT-2 format) trained on CORPUS, loaded as RobertaTokenizer (CLAP's)."""
    from tokenizers import ByteLevelBPETokenizer
    from transformers import RobertaTokenizer

    folder.mkdir(parents=True, exist_ok=True)
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(
        CORPUS * 4,
        vocab_size=vocab_size,
        min_frequency=1,
        special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"],  # roberta's ids 0..4
        show_progress=False,
    )
    bpe.save_model(str(folder))
    return RobertaTokenizer.from_pretrained(str(folder), model_max_length=64)


LLM_CHAT_TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}<|end|>{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>{% endif %}"
)


def build_llm(out_dir: Path, vocab_size: int = 512) -> Path:
    """A tiny random Llama (~0.3M params) with a byte-level BPE and a chat template.

    vLLM loads the folder too (``LLM(model=out_dir)`` or ``vllm serve``): its CPU attention
    kernels need head_dim 32/64/128, hence head_dim=32.
    """
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    specials = ["<unk>", "<s>", "</s>", "<pad>", "<|user|>", "<|assistant|>", "<|system|>"]
    specials.append("<|end|>")
    bpe = Tokenizer(models.BPE(unk_token="<unk>"))
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=specials,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    bpe.train_from_iterator(CORPUS * 4, trainer=trainer)
    tok = PreTrainedTokenizerFast(
        tokenizer_object=bpe,
        unk_token="<unk>",
        bos_token="<s>",
        eos_token="</s>",
        pad_token="<pad>",
        additional_special_tokens=specials[4:],
        model_input_names=["input_ids", "attention_mask"],
    )
    tok.chat_template = LLM_CHAT_TEMPLATE
    tok.padding_side = "left"
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(tok),
        hidden_size=128,
        intermediate_size=256,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        head_dim=32,
        max_position_embeddings=512,
        bos_token_id=tok.bos_token_id,
        eos_token_id=tok.eos_token_id,
        pad_token_id=tok.pad_token_id,
        tie_word_embeddings=True,
    )
    model = LlamaForCausalLM(config).eval()
    model.generation_config.pad_token_id = tok.pad_token_id
    model.save_pretrained(out_dir)
    tok.save_pretrained(out_dir)
    return out_dir


def _scratch(out_dir: Path) -> Path:
    """A sibling folder for tokenizer source files, so they stay out of the checkpoint."""
    return out_dir.with_name(out_dir.name + ".tok")


# -- CLIP ---------------------------------------------------------------------------------------


def clip_image_processor(size: int = 32) -> Any:
    """PIL-backed CLIP image processor (transformers 5: CLIPImageProcessorPil; 4: the only one)."""
    kwargs = {"size": {"shortest_edge": size}, "crop_size": {"height": size, "width": size}}
    try:
        from transformers import CLIPImageProcessorPil

        return CLIPImageProcessorPil(**kwargs)
    except ImportError:
        from transformers import CLIPImageProcessor

        return CLIPImageProcessor(**kwargs)


def build_clip(out_dir: Path) -> Path:
    """CLIPModel (~60k params, 32x32 images) + CLIPProcessor saved into ``out_dir``."""
    import torch
    from transformers import CLIPConfig, CLIPModel, CLIPProcessor

    torch.manual_seed(0)
    tok = clip_tokenizer(_scratch(out_dir))
    config = CLIPConfig(
        text_config={
            "vocab_size": len(tok),
            "bos_token_id": tok.bos_token_id,
            "eos_token_id": tok.eos_token_id,  # CLIP pools the text at the eos token
            "pad_token_id": tok.pad_token_id,
            "hidden_size": 32,
            "intermediate_size": 64,
            "num_hidden_layers": 2,
            "num_attention_heads": 4,
            "max_position_embeddings": 77,
        },
        vision_config={
            "image_size": 32,
            "patch_size": 8,
            "hidden_size": 32,
            "intermediate_size": 64,
            "num_hidden_layers": 2,
            "num_attention_heads": 4,
        },
        projection_dim=16,
    )
    CLIPModel(config).eval().save_pretrained(out_dir)
    CLIPProcessor(image_processor=clip_image_processor(32), tokenizer=tok).save_pretrained(out_dir)
    return out_dir


# -- CLAP ---------------------------------------------------------------------------------------


CLAP_SAMPLING_RATE = 16_000


def build_clap(out_dir: Path) -> Path:
    """ClapModel (~50k params) + ClapProcessor (RobertaTokenizer + ClapFeatureExtractor).

    The feature extractor runs at 16 kHz with 1 s windows, 16 mel bins and hop 160 (101
    frames); the HTSAT audio tower uses ``spec_size=64`` (freq_ratio 4, so the 101 frames are
    interpolated to 256 and folded into a 64x64 "image"), 4x4 patches, window 4, two stages.
    ``truncation="rand_trunc"`` is the unfused layout (one mel channel).
    """
    import torch
    from transformers import ClapConfig, ClapFeatureExtractor, ClapModel, ClapProcessor

    torch.manual_seed(0)
    tok = roberta_tokenizer(_scratch(out_dir))
    extractor = ClapFeatureExtractor(
        feature_size=16,
        sampling_rate=CLAP_SAMPLING_RATE,
        hop_length=160,
        max_length_s=1,
        fft_window_size=400,
        frequency_max=8000,
        truncation="rand_trunc",
        padding="repeatpad",
    )
    config = ClapConfig(
        text_config={
            "vocab_size": len(tok),
            "hidden_size": 32,
            "num_hidden_layers": 2,
            "num_attention_heads": 4,
            "intermediate_size": 64,
            "max_position_embeddings": 72,  # roberta positions start at pad_id + 1
            "projection_dim": 16,
            "pad_token_id": tok.pad_token_id,
            "bos_token_id": tok.bos_token_id,
            "eos_token_id": tok.eos_token_id,
        },
        audio_config={
            "num_mel_bins": 16,
            "spec_size": 64,
            "window_size": 4,
            "patch_size": 4,
            "patch_stride": (4, 4),
            "patch_embeds_hidden_size": 16,
            "hidden_size": 32,  # = patch_embeds_hidden_size * 2 ** (len(depths) - 1)
            "depths": [1, 1],
            "num_attention_heads": [2, 4],
            "projection_dim": 16,
            "num_classes": 4,
        },
        projection_dim=16,
    )
    ClapModel(config).eval().save_pretrained(out_dir)
    ClapProcessor(feature_extractor=extractor, tokenizer=tok).save_pretrained(out_dir)
    return out_dir


# -- Stable Diffusion ---------------------------------------------------------------------------


def build_sd(out_dir: Path, kind: SdKind = "txt2img") -> Path:
    """A tiny Stable Diffusion pipeline (32x32 images, UNet ~110k params) of the given kind.

    ``txt2img`` (UNet in_channels 4) also serves image-to-image; ``pix2pix`` (8) is
    InstructPix2Pix; ``inpaint`` (9) is the dedicated inpainting layout.
    """
    import torch
    from diffusers import (
        AutoencoderKL,
        DDIMScheduler,
        StableDiffusionInpaintPipeline,
        StableDiffusionInstructPix2PixPipeline,
        StableDiffusionPipeline,
        UNet2DConditionModel,
    )
    from transformers import CLIPTextConfig, CLIPTextModel

    torch.manual_seed(0)
    tok = clip_tokenizer(_scratch(out_dir))
    text_encoder = CLIPTextModel(
        CLIPTextConfig(
            vocab_size=len(tok),
            bos_token_id=tok.bos_token_id,
            eos_token_id=tok.eos_token_id,
            pad_token_id=tok.pad_token_id,
            hidden_size=32,
            intermediate_size=64,
            num_attention_heads=4,
            num_hidden_layers=2,
            max_position_embeddings=77,
        )
    )
    unet = UNet2DConditionModel(
        sample_size=16,  # latents of 32x32 images with the 2-level VAE below
        in_channels=SD_IN_CHANNELS[kind],
        out_channels=4,
        block_out_channels=(8, 16),
        layers_per_block=1,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=32,
        attention_head_dim=4,
        norm_num_groups=4,
    )
    vae = AutoencoderKL(
        in_channels=3,
        out_channels=3,
        block_out_channels=(8, 16),  # vae_scale_factor 2
        down_block_types=("DownEncoderBlock2D", "DownEncoderBlock2D"),
        up_block_types=("UpDecoderBlock2D", "UpDecoderBlock2D"),
        latent_channels=4,
        norm_num_groups=4,
        sample_size=32,
    )
    scheduler = DDIMScheduler(
        beta_start=0.00085,
        beta_end=0.012,
        beta_schedule="scaled_linear",
        clip_sample=False,
        set_alpha_to_one=False,
        steps_offset=1,
    )
    cls = {
        "txt2img": StableDiffusionPipeline,
        "pix2pix": StableDiffusionInstructPix2PixPipeline,
        "inpaint": StableDiffusionInpaintPipeline,
    }[kind]
    pipe = cls(
        unet=unet,
        vae=vae,
        text_encoder=text_encoder,
        tokenizer=tok,
        scheduler=scheduler,
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )
    pipe.save_pretrained(out_dir)
    return out_dir


# -- inputs -------------------------------------------------------------------------------------


def shape_image(color: str = "red", size: int = 32, shape: str = "square") -> Any:
    """A white image with one coloured shape (deterministic)."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (size, size), "white")
    box = [size // 5, size // 5, size - size // 5, size - size // 5]
    draw = ImageDraw.Draw(img)
    if shape == "circle":
        draw.ellipse(box, fill=color)
    else:
        draw.rectangle(box, fill=color)
    return img


def noise_image(seed: int, size: int = 32) -> Any:
    from PIL import Image

    pixels = np.random.default_rng(seed).integers(0, 256, (size, size, 3), dtype=np.uint8)
    return Image.fromarray(pixels, "RGB")


def center_mask(size: int = 32) -> Any:
    from PIL import Image, ImageDraw

    mask = Image.new("L", (size, size), 0)
    ImageDraw.Draw(mask).rectangle([size // 4, size // 4, 3 * size // 4, 3 * size // 4], fill=255)
    return mask


def tone(freq: float = 440.0, seconds: float = 1.0, sample_rate: int = 16_000) -> Audio:
    """A mono sine tone at 0.5 amplitude."""
    t = np.arange(int(seconds * sample_rate)) / sample_rate
    return Audio((0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32), sample_rate)


def noise_audio(seed: int, seconds: float = 1.0, sample_rate: int = 16_000) -> Audio:
    rng = np.random.default_rng(seed)
    samples = rng.uniform(-0.5, 0.5, int(seconds * sample_rate)).astype(np.float32)
    return Audio(samples, sample_rate)


# -- session cache ------------------------------------------------------------------------------

BUILDERS: dict[str, Any] = {
    "clip": build_clip,
    "clap": build_clap,
    "llm": build_llm,
    "sd-txt2img": lambda out: build_sd(out, "txt2img"),
    "sd-pix2pix": lambda out: build_sd(out, "pix2pix"),
    "sd-inpaint": lambda out: build_sd(out, "inpaint"),
}
_BUILT: dict[str, Path] = {}


def checkpoint(kind: str, tmp_path_factory: Any) -> Path:
    """The tiny checkpoint ``kind`` (a key of BUILDERS), built once per test session.

    Call it from session-scoped fixtures with pytest's ``tmp_path_factory``; test modules that
    need the same model share one build.
    """
    if kind not in _BUILT:
        root = tmp_path_factory.mktemp(f"tiny-{kind}")
        _BUILT[kind] = BUILDERS[kind](root / kind)
    return _BUILT[kind]
