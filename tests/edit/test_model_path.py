"""The model-backed edit path end to end: loopback MLLM plans the edit, a tiny random
InstructPix2Pix makes the target, a tiny random CLIP checks the direction, the MLLM answers
the VQA check. With random models the CLIP thresholds must be lowered to pass; the defaults
reject with the right reason."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

import synthgen
from synthgen.generators.edit.model_path import direction_cosine
from synthgen.records import media_of
from tests.models import tiny
from tests.models.batch_spy import record_call_sizes
from tests.models.fake_llm_server import FakeLLMServer, last_user_text
from tests.models.llm_fixtures import fixture_offline, fixture_server  # noqa: F401

PLAN = {
    "edit_type": "recolor",
    "target": "the square in the middle",
    "instruction": "Make the square in the middle blue.",
    "source_caption": "a red square on a white background",
    "target_caption": "a blue square on a white background",
    "question": "What color is the square?",
    "answer": "blue",
    "bbox": [8, 8, 16, 16],
}


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    pytest.importorskip("diffusers")
    return {
        "pix2pix": tiny.checkpoint("sd-pix2pix", tmp_path_factory),
        "clip": tiny.checkpoint("clip", tmp_path_factory),
    }


def _reply(vqa_answer: str) -> Any:
    def reply(body: dict[str, Any]) -> tuple[str, str]:
        if "editing instruction" in last_user_text(body):
            return json.dumps(PLAN), "stop"
        return vqa_answer, "stop"

    return reply


def _config(server: FakeLLMServer, tmp_path: Path, models: dict[str, Path], **extra: Any) -> dict:
    images = tmp_path / "imgs"
    images.mkdir(exist_ok=True)
    for i, color in enumerate(("red", "green", "yellow")):
        tiny.shape_image(color, size=32).save(images / f"im{i}.png")
    return {
        "source": "images",
        "images": str(images),
        "llm": {
            "base_url": server.base_url,
            "model": "tiny",
            "cache_dir": str(tmp_path / "llm-cache"),
            "backoff_base_s": 0.01,
            "max_retries": 1,
        },
        "diffusion": {"model": str(models["pix2pix"]), "num_inference_steps": 2, "batch_size": 1},
        "clip_model": str(models["clip"]),
        **extra,
    }


def test_images_to_edit_triplets_end_to_end(
    server: FakeLLMServer, tmp_path: Path, models: dict[str, Path]
) -> None:
    server.state.reply = _reply("Blue.")
    cfg = _config(server, tmp_path, models, clip_direction_min=-1.0, clip_image_min=-1.0)
    out = tmp_path / "ds"
    manifest = synthgen.make("edit", n=3, out=out, workers=1, config=cfg)
    assert manifest.totals.accepted == 3
    records = [json.loads(x) for x in (out / "data/shard-00000.jsonl").read_text().splitlines()]
    for r in records:
        assert r["source"] == "images" and r["category"] == "model"
        assert r["instruction"] == PLAN["instruction"] and r["edit_type"] == "recolor"
        assert r["referring_expression"] == PLAN["target"]
        assert set(media_of(r)) == {"source", "target", "mask"}
        assert media_of(r)["target"]["width"] == 32
        verdicts = {v["filter"]: v for v in r["lineage"]["verdicts"]}
        assert {"clip_direction", "clip_image_similarity", "vqa_agreement"} <= set(verdicts)
        assert verdicts["clip_direction"]["threshold"] == -1.0
        roles = {m.get("role") for m in r["lineage"]["models"]}
        assert {"planner", "editor", "clip"} <= roles
    src = Image.open(out / media_of(records[0])["source"]["path"])
    assert src.tobytes() == tiny.shape_image("red", size=32).convert("RGB").tobytes()
    body = server.requests[0].body
    assert body["response_format"]["type"] == "json_schema"
    # rerun with the same cache: no new requests, same bytes (per-sample diffusion seeds)
    hits = server.chat_hits
    again = tmp_path / "again"
    synthgen.make("edit", n=3, out=again, workers=1, config=cfg)
    assert server.chat_hits == hits
    from tests.helpers import dataset_bytes

    assert dataset_bytes(again) == dataset_bytes(out)


def test_default_thresholds_and_vqa_reject_with_their_reasons(
    server: FakeLLMServer, tmp_path: Path, models: dict[str, Path]
) -> None:
    """Scores from a permissive run decide, for the defaults, which candidates must be
    rejected and with which reason (first failing check: similarity, then direction)."""
    from synthgen.engine import build_job
    from synthgen.produce import load_program, produce

    server.state.reply = _reply("blue")
    cfg = _config(server, tmp_path, models)
    loose = {**cfg, "clip_direction_min": -1.0, "clip_image_min": -1.0}
    job = build_job("edit", 3, str(tmp_path / "u1"), seed=0, config=loose)
    program = load_program(job)
    backends = program.open_backends()
    scores = []
    for i in range(3):
        out = produce(job, i, program=program, backends=backends)
        verdicts = {v.filter: v.score for v in out.record.lineage.verdicts}
        scores.append((verdicts["clip_image_similarity"], verdicts["clip_direction"]))
    job = build_job("edit", 3, str(tmp_path / "u2"), seed=0, config=cfg)
    program = load_program(job)
    rejected = 0
    for i, (similarity, direction) in enumerate(scores):
        out = produce(job, i, program=program, backends=backends)
        if similarity < 0.75:
            want = "clip_image_similarity"
        elif direction < 0.2:
            want = "clip_direction"
        else:
            want = None
        got = out.reject.reason if out.reject is not None else None
        assert got == want, (i, similarity, direction, got)
        rejected += got is not None
    assert rejected >= 1  # random tiny CLIP: the defaults reject
    # the MLLM disagreeing with the planned answer rejects with vqa_agreement
    server.state.reply = _reply("red")
    job = build_job(
        "edit",
        3,
        str(tmp_path / "u3"),
        seed=0,
        config={**loose, "llm": {**cfg["llm"], "cache_dir": str(tmp_path / "c2")}},
    )
    program = load_program(job)
    backends = program.open_backends()
    out = produce(job, 0, program=program, backends=backends)
    assert out.reject is not None and out.reject.reason == "vqa_agreement"


def test_direction_cosine() -> None:
    import numpy as np

    imgs = np.array([[1.0, 0.0, 0.0], [1.0, 1.0, 0.0]])
    assert direction_cosine(imgs, np.array([[0.0, 0.0, 0.0], [0.0, 2.0, 0.0]])) == 1.0
    assert direction_cosine(imgs, np.array([[0.0, 2.0, 0.0], [0.0, 0.0, 0.0]])) == -1.0
    assert direction_cosine(imgs, np.array([[0.0, 0.0, 1.0], [0.0, 0.0, 1.0]])) == 0.0


def test_inpaint_editor_masks_the_planned_box_and_records_preservation(
    server: FakeLLMServer, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """editor=inpaint: the mask is the MLLM's box, and the recorded mean/max differences
    outside it are those of the saved images (recomputed here with numpy)."""
    import numpy as np

    pytest.importorskip("diffusers")
    models = {
        "pix2pix": tiny.checkpoint("sd-inpaint", tmp_path_factory),  # the editor slot
        "clip": tiny.checkpoint("clip", tmp_path_factory),
    }
    server.state.reply = _reply("blue")
    cfg = _config(
        server, tmp_path, models, editor="inpaint", clip_direction_min=-1.0, clip_image_min=-1.0
    )
    out = tmp_path / "ds"
    assert synthgen.make("edit", n=2, out=out, workers=1, config=cfg).totals.accepted == 2
    x, y, w, h = PLAN["bbox"]
    for line in (out / "data/shard-00000.jsonl").read_text().splitlines():
        r = json.loads(line)
        assert json.loads(r["params"])["editor"] == "inpaint"
        mask = np.asarray(Image.open(out / media_of(r)["mask"]["path"])) > 0
        box = np.zeros_like(mask)
        box[y : y + h, x : x + w] = True
        assert np.array_equal(mask, box)
        src, tgt = (
            np.asarray(Image.open(out / media_of(r)[k]["path"]).convert("RGB"), dtype=np.int16)
            for k in ("source", "target")
        )
        diff = np.abs(src - tgt).max(axis=2)[~box]
        stats = r["preservation"]
        assert stats["max_abs_diff_outside"] == int(diff.max())
        assert stats["mean_abs_diff_outside"] == pytest.approx(float(diff.mean()), abs=1e-5)
        assert stats["changed_outside"] == int(np.count_nonzero(diff))
        assert stats["mask_pixels"] == w * h


def test_cohorts_batch_instruct_edits_and_keep_bytes_at_any_concurrency(
    server: FakeLLMServer, tmp_path: Path, models: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """#17: InstructPix2Pix and CLIP calls of concurrent candidates share calls (cohorts of
    diffusion.batch_size = 2 candidates); llm.max_concurrency 1 and 64 write the same bytes."""
    from tests.helpers import dataset_bytes

    sizes = record_call_sizes(monkeypatch)
    server.state.reply = _reply("Blue.")
    runs = {}
    for concurrency in (1, 64):
        cfg = _config(server, tmp_path, models, clip_direction_min=-1.0, clip_image_min=-1.0)
        cfg["diffusion"]["batch_size"] = 2
        cfg["llm"]["max_concurrency"] = concurrency
        cfg["llm"]["cache_dir"] = str(tmp_path / f"cache{concurrency}")
        sizes.clear()
        out = tmp_path / f"c{concurrency}"
        assert synthgen.make("edit", n=3, out=out, workers=1, config=cfg).totals.accepted == 3
        runs[concurrency] = (dataset_bytes(out), sorted(sizes))
    assert runs[1][0] == runs[64][0]
    assert runs[1][1] == runs[64][1]
    calls = runs[1][1]
    # three images, cohorts {0, 1} and {2, 3} (no fourth image: 3 fails before its edit),
    # so the edits run as 2 + 1 samples, and each
    # cohort's CLIP embeddings (2 images / 2 captions per candidate) in one list
    assert sorted(n for what, n in calls if what == "instruct_edit") == [1, 2]
    assert sorted(n for what, n in calls if what == "clip.images") == [2, 4]
    assert sorted(n for what, n in calls if what == "clip.texts") == [2, 4]
