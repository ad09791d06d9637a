"""Per-record overhead of the model-backed filters with tiny random CLIP/CLAP checkpoints.

The tiny models (~60k parameters, 32x32 images, 1 s clips at 16 kHz) make the model's own
compute negligible, so the figures are the filters' fixed costs: preprocessing (PIL image
processor, mel spectrograms, resampling), tokenisation, tensor plumbing and verdict building,
per record, at batch 1 and batch 16. Real checkpoints add their forward pass on top.

    python bench/filters.py              # 64 records per setting, best of 3
    python bench/filters.py --records 256 --repeats 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.models.tiny

from synthgen.filters.clap_relative import ClapRelative
from synthgen.filters.clip_pair_band import ClipPairBand
from synthgen.filters.clip_score import ClipScore
from synthgen.models.scorers import ClapScorer, ClipScorer
from tests.models import tiny


def per_record_ms(
    check_batch: Callable[[Sequence[Any]], list[Any]],
    candidates: Sequence[Any],
    batch: int,
    repeats: int,
) -> tuple[float, float]:
    """(best, median) milliseconds per record over ``repeats`` passes of all candidates."""
    check_batch(candidates[:batch])  # warm-up: first-call allocations, lazy imports
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        for i in range(0, len(candidates), batch):
            check_batch(candidates[i : i + batch])
        runs.append((time.perf_counter() - start) * 1000 / len(candidates))
    return min(runs), statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    import torch
    import transformers

    n = args.records
    with tempfile.TemporaryDirectory() as tmp:
        clip = ClipScorer(str(tiny.build_clip(Path(tmp) / "clip")), batch_size=64)
        clap = ClapScorer(str(tiny.build_clap(Path(tmp) / "clap")), batch_size=64)
        images = [tiny.noise_image(i, size=64) for i in range(n)]
        edited = [tiny.noise_image(i + n, size=64) for i in range(n)]
        texts = [tiny.CORPUS[i % len(tiny.CORPUS)] for i in range(n)]
        audios = [tiny.noise_audio(i, seconds=1.0, sample_rate=48_000) for i in range(n)]
        cases = {
            "clip_score": (ClipScore(clip).check_batch, list(zip(images, texts, strict=True))),
            "clip_pair_band": (
                ClipPairBand(clip).check_batch,
                list(zip(images, edited, strict=True)),
            ),
            "clap_relative": (
                ClapRelative(clap).check_batch,
                [(a, t, "Dog, Bark") for a, t in zip(audios, texts, strict=True)],
            ),
        }
        print(
            f"torch {torch.__version__} ({torch.get_num_threads()} threads), "
            f"transformers {transformers.__version__}, device {clip.device}; "
            f"{n} records, best/median of {args.repeats}"
        )
        print("inputs: 64x64 RGB images; 1 s mono clips at 48 kHz (resampled to 16 kHz)")
        print(f"{'filter':16s} {'batch':>5s} {'best ms/rec':>12s} {'median ms/rec':>14s}")
        for name, (check_batch, candidates) in cases.items():
            for batch in (1, 16):
                best, median = per_record_ms(check_batch, candidates, batch, args.repeats)
                print(f"{name:16s} {batch:5d} {best:12.2f} {median:14.2f}")


if __name__ == "__main__":
    main()
