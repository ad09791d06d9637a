"""Cohorts on the real tiny models: diffusers (text-to-image, InstructPix2Pix, inpainting),
the CLIP filter and the CLAP filter, called by candidates in threads under the engine's
scheduler. Whatever the width and the (unseeded) timing, every candidate gets the same
output, the calls are batched (fewer pipeline / forward calls than items), and the outputs
are those of one direct call with the cohort's items in index order."""

from __future__ import annotations

import random
import time
from typing import Any

import numpy as np
import pytest

from synthgen import inflight
from synthgen.models import cohort
from tests.models import tiny

pytest.importorskip("diffusers")
pytest.importorskip("transformers")

SIZE = 3
N = 5
PROMPTS = ["a red square", "a cat on a sofa", "make it blue", "a dog", "a green circle"]


@pytest.fixture(scope="module")
def backends(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from synthgen.models.diffusion import DiffusionBackend
    from synthgen.models.scorers import ClapScorer, ClipScorer

    def sd(kind: str) -> Any:
        path = tiny.checkpoint(f"sd-{kind}", tmp_path_factory)
        return DiffusionBackend(
            {"model": str(path), "num_inference_steps": 2, "batch_size": SIZE, "device": "cpu"}
        )

    return {
        "txt2img": sd("txt2img"),
        "pix2pix": sd("pix2pix"),
        "inpaint": sd("inpaint"),
        "clip": ClipScorer(str(tiny.checkpoint("clip", tmp_path_factory)), device="cpu"),
        "clap": ClapScorer(str(tiny.checkpoint("clap", tmp_path_factory)), device="cpu"),
    }


def candidate(b: dict[str, Any], i: int, jitter: random.Random) -> dict[str, Any]:
    """One candidate's model calls, like imgdiff's and edit's model paths and audiocaps'
    CLAP check (the filters themselves, not the scorers, for CLIP and CLAP)."""
    from synthgen.filters.clap_relative import ClapRelative
    from synthgen.filters.clip_pair_band import ClipPairBand
    from synthgen.filters.clip_score import ClipScore

    seed = 1000 + i
    time.sleep(jitter.random() * 0.01)
    base = b["txt2img"].text_to_image([PROMPTS[i]], [seed])[0]
    time.sleep(jitter.random() * 0.01)
    edited = b["pix2pix"].instruct_edit([base], [PROMPTS[(i + 1) % N]], [seed + 1])[0]
    painted = b["inpaint"].inpaint([base], [tiny.center_mask()], [PROMPTS[i]], [seed + 2])[0]
    clip_score = ClipScore(b["clip"], threshold=-1.0).check((base, PROMPTS[i]))
    band = ClipPairBand(b["clip"], -1.0, 1.0).check((base, edited))
    time.sleep(jitter.random() * 0.01)
    clap = ClapRelative(b["clap"]).check((tiny.noise_audio(i), PROMPTS[i], "Noise"))
    return {
        "images": [np.asarray(im).tobytes() for im in (base, edited, painted)],
        "verdicts": [v.model_dump_json() for v in (clip_score, band, clap)],
    }


def run(b: dict[str, Any], width: int) -> list[dict[str, Any]]:
    jitter = random.Random()  # unseeded: the timing differs run to run
    cohorts = cohort.Cohorts(0, N, SIZE)
    make = cohorts.wrap(lambda i: candidate(b, i, jitter))
    out = list(inflight.in_index_order(make, 0, N, width, lambda r: True, floor=cohorts.floor))
    cohorts.close()
    return out


def test_same_outputs_at_any_width_and_fewer_calls_than_items(backends: dict[str, Any]) -> None:
    pipe = backends["txt2img"]
    clip, clap = backends["clip"], backends["clap"]
    before = (pipe.pipeline_calls, pipe.samples, clip.forward_calls, clap.forward_calls)
    first = run(backends, width=1)
    calls = (
        pipe.pipeline_calls - before[0],
        pipe.samples - before[1],
        clip.forward_calls - before[2],
        clap.forward_calls - before[3],
    )
    # 5 candidates in cohorts {0, 1, 2} and {3, 4}: two text-to-image calls for 5 samples;
    # CLIP: 3 rounds (score image, score text, pair) x 2 cohorts = 6 forward passes for 20
    # items; CLAP: audio and texts per cohort
    assert calls == (2, 5, 6, 4)
    for width in (2, 8):
        assert run(backends, width) == first


def test_outputs_are_those_of_the_cohorts_direct_calls(backends: dict[str, Any]) -> None:
    """The batched text-to-image outputs equal one direct call with each cohort's prompts:
    the grouping really is the cohort."""
    got = [r["images"][0] for r in run(backends, width=8)]
    pipe = backends["txt2img"]
    direct = []
    for members in (range(0, 3), range(3, 5)):
        images = pipe.text_to_image([PROMPTS[i] for i in members], [1000 + i for i in members])
        direct += [np.asarray(im).tobytes() for im in images]
    assert got == direct


def test_a_call_outside_a_cohort_runs_alone(backends: dict[str, Any]) -> None:
    pipe = backends["txt2img"]
    calls = pipe.pipeline_calls
    pipe.text_to_image(["a red square"], [7])
    assert pipe.pipeline_calls == calls + 1


def test_cohort_size_comes_from_batch_size(backends: dict[str, Any]) -> None:
    assert cohort.cohort_size(backends) == SIZE
    from synthgen.models.scorers import ClipScorer

    clip = backends["clip"]
    assert ClipScorer(clip.model_path, device="cpu", cohort_size=6).cohort_size == 6
