"""Local-model calls batched across candidates (#17): items/s at batch_size 1 vs 8.

Each of ``--n`` candidates makes ONE single-item call (as imgdiff's and edit's model paths
and audiocaps' CLAP check do) from its own thread under the engine's scheduler
(``inflight.in_index_order``, width 16). With ``batch_size`` B > 1 the candidates run in
cohorts of B (:mod:`synthgen.models.cohort`), so their calls share one pipeline / forward
call; with B = 1 each call runs alone. Backends: the tiny random test checkpoints (built
into a temporary folder, offline) on CPU: text-to-image, InstructPix2Pix, inpainting
(``--steps`` denoising steps, 32x32), CLIP image and text embeddings, CLAP audio embeddings.

Printed per backend and B: wall items/s, CPU ms per item (``time.process_time``: this
process, all threads), calls made, and the speed-up of B = 8 over B = 1. On a shared, loaded
machine wall figures are inflated; CPU per item is the steadier figure. Tiny models on CPU
say little about a GPU, where a batch of 8 costs about what one item costs.

usage: HF_HUB_OFFLINE=1 python bench/batching.py [--n 32] [--steps 4] [--sizes 1 8]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from synthgen import inflight
from synthgen.models import cohort
from tests.models import tiny

WIDTH = 16


def backends(root: Path, batch: int, steps: int) -> dict[str, tuple[Any, Callable[..., Any]]]:
    """name -> (backend, one candidate's call of index i)."""
    from synthgen.models.diffusion import DiffusionBackend
    from synthgen.models.scorers import ClapScorer, ClipScorer

    def sd(kind: str) -> Any:
        path = root / f"sd-{kind}"
        if not path.exists():
            tiny.BUILDERS[f"sd-{kind}"](path)
        return DiffusionBackend(
            {"model": str(path), "num_inference_steps": steps, "batch_size": batch, "device": "cpu"}
        )

    for kind in ("clip", "clap"):
        if not (root / kind).exists():
            tiny.BUILDERS[kind](root / kind)
    t2i, pix, inp = sd("txt2img"), sd("pix2pix"), sd("inpaint")
    clip = ClipScorer(str(root / "clip"), device="cpu", batch_size=batch, cohort_size=batch)
    clap = ClapScorer(str(root / "clap"), device="cpu", batch_size=batch, cohort_size=batch)
    image, mask = tiny.shape_image("red"), tiny.center_mask()
    return {
        "text_to_image": (t2i, lambda i: t2i.text_to_image([f"a photo {i}"], [i])),
        "instruct_edit": (pix, lambda i: pix.instruct_edit([image], [f"make it {i}"], [i])),
        "inpaint": (inp, lambda i: inp.inpaint([image], [mask], [f"a dog {i}"], [i])),
        "clip_images": (clip, lambda i: clip.embed_images([tiny.noise_image(i)])),
        "clip_texts": (clip, lambda i: clip.embed_texts([f"a photo of thing {i}"])),
        "clap_audio": (clap, lambda i: clap.embed_audio([tiny.noise_audio(i)])),
    }


def calls_of(backend: Any) -> int:
    return int(getattr(backend, "pipeline_calls", 0) or getattr(backend, "forward_calls", 0))


def measure(backend: Any, call: Callable[[int], Any], n: int, size: int) -> tuple[float, ...]:
    cohorts = cohort.Cohorts(0, n, size)
    make = cohorts.wrap(call) if size > 1 else call
    call(n)  # warm-up outside the timing (lazy pipeline construction, first-call caches)
    calls = calls_of(backend)
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in inflight.in_index_order(make, 0, n, WIDTH, lambda r: True, floor=cohorts.floor):
        pass
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    cohorts.close()
    return n / wall, 1000 * cpu / n, calls_of(backend) - calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=32, help="candidates per measurement")
    parser.add_argument("--steps", type=int, default=4, help="denoising steps")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 8], help="batch sizes")
    args = parser.parse_args()
    rows: dict[str, dict[int, tuple[float, ...]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for size in args.sizes:
            for name, (backend, call) in backends(root, size, args.steps).items():
                rows.setdefault(name, {})[size] = measure(backend, call, args.n, size)
    lo, hi = min(args.sizes), max(args.sizes)
    print(f"{args.n} candidates, one item each, width {WIDTH}, CPU, {args.steps} steps")
    print(f"{'backend':<14} {'B':>3} {'items/s':>9} {'CPU ms/item':>12} {'calls':>6}")
    for name, by_size in rows.items():
        for size, (rate, cpu, calls) in sorted(by_size.items()):
            print(f"{name:<14} {size:>3} {rate:>9.1f} {cpu:>12.1f} {calls:>6}")
        gain = by_size[hi][0] / by_size[lo][0]
        print(f"{'':<14} B={hi} vs B={lo}: x{gain:.2f} items/s, "
              f"x{by_size[lo][1] / by_size[hi][1]:.2f} CPU per item")  # fmt: skip


if __name__ == "__main__":
    main()
