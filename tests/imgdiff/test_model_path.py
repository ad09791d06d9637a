"""imgdiff mode=model end to end: tiny random SD inpainting + tiny CLIP + the loopback fake
OpenAI server (swap, difference caption, VQA). Same record schema as the procedural path."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

import synthgen
from synthgen.engine import build_job
from synthgen.generators.imgdiff import ImgDiffRecord
from synthgen.generators.imgdiff.model import proposals
from synthgen.produce import load_program, produce
from synthgen.records import media_of
from tests.helpers import dataset_bytes, run_cli
from tests.models.batch_spy import record_call_sizes
from tests.models.fake_llm_server import FakeLLMServer, last_user_text
from tests.models.llm_fixtures import fixture_offline, fixture_server  # noqa: F401

pytest.importorskip("diffusers")
pytest.importorskip("transformers")
from tests.models import tiny

SWAPS = {"apple": "pear", "cat": "fox", "bicycle": "scooter", "dog": "goat"}
CAPTIONS = ["a red apple on a wooden table", "a cat sitting on a sofa", "a dog on the grass"]
WIDE = {"clip_band": [-1.0, 1.0], "object_min_score": -1.0}


class Fake:
    """Scripted replies; ``vqa_wrong`` makes the VQA answers disagree."""

    def __init__(self) -> None:
        self.vqa_wrong = False
        self.bad_swap = False

    def __call__(self, body: dict[str, Any]) -> tuple[str, str]:
        text = last_user_text(body)
        if "Caption:" in text:
            caption = text.split("Caption:", 1)[1].strip()
            noun = next(n for n in SWAPS if re.search(rf"\b{n}\b", caption))
            new = SWAPS[noun]
            edited = re.sub(rf"\b{noun}\b", new, caption)
            if self.bad_swap:
                return json.dumps(
                    {"object": "piano", "replacement": new, "caption": edited}
                ), "stop"
            return json.dumps({"object": noun, "replacement": new, "caption": edited}), "stop"
        if "describes the difference" in text:
            before, after = re.search(r"where the (\w+) of .* by a (\w+)\.", text, re.S).groups()
            return json.dumps({"caption": f"The {before} became a {after}."}), "stop"
        if "Which image contains" in text:
            thing = re.search(r"contains an? (\w+)\?", text).group(1)
            second = thing in SWAPS.values()
            if self.vqa_wrong:
                second = not second
            return ("B" if second else "A"), "stop"
        return "?", "stop"


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return {
        "clip": tiny.checkpoint("clip", tmp_path_factory),
        "sd": tiny.checkpoint("sd-txt2img", tmp_path_factory),
        "inpaint": tiny.checkpoint("sd-inpaint", tmp_path_factory),
    }


def _config(server: FakeLLMServer, tmp_path: Path, models: dict[str, Path], **model: Any) -> dict:
    return {
        "mode": "model",
        "model": {"clip_model": str(models["clip"]), "captions": CAPTIONS, **model},
        "llm": {
            "base_url": server.base_url,
            "model": "tiny",
            "cache_dir": str(tmp_path / "llm-cache"),
            "backoff_base_s": 0.01,
            "max_retries": 1,
            "timeout_s": 10.0,
        },
        "diffusion": {"model": str(models["sd"]), "num_inference_steps": 2, "device": "cpu"},
        "inpaint": {"model": str(models["inpaint"]), "num_inference_steps": 2, "device": "cpu"},
    }


def test_model_path_end_to_end_writes_the_procedural_schema(
    server: FakeLLMServer, tmp_path: Path, models: dict[str, Path]
) -> None:
    fake = Fake()
    server.state.reply = fake
    root = tmp_path / "ds"
    config = _config(server, tmp_path, models, **WIDE)
    manifest = synthgen.make("imgdiff", n=3, out=root, seed=1, workers=1, config=config)
    assert manifest.totals.accepted == 3
    plain = json.loads(next(synthgen.generate("imgdiff", n=1)).model_dump_json())
    lines = (root / "data" / "shard-00000.jsonl").read_text().splitlines()
    for line in lines:
        rec = json.loads(line)
        ImgDiffRecord.model_validate(rec)
        # one record schema for both paths; the model path's own field (None, so left out of
        # the procedural JSON) comes on top
        assert set(rec) - set(plain) == {"prompts"} and set(plain) <= set(rec)
        assert rec["source"] == "model" and len(rec["changes"]) == 1
        ch = rec["changes"][0]
        source, edited = rec["prompts"]
        assert SWAPS[ch["before"]["name"]] == ch["after"]["name"]
        assert ch["before"]["name"] in source and ch["after"]["name"] in edited
        roles = {m.get("role") for m in rec["lineage"]["models"]}
        assert {"llm", "diffusion", "inpaint", "clip"} <= roles
        verdicts = {v["filter"]: v for v in rec["lineage"]["verdicts"]}
        assert set(verdicts) >= {
            "swap_check",
            "object_region",
            "clip_pair_band",
            "diff_area",
            "diff_caption",
            "vqa_agreement",
        }
        assert all(v["passed"] for v in verdicts.values())
        # the edit stays in its region: outside the box both images are identical
        a = np.asarray(Image.open(root / media_of(rec)["image_0"]["path"]))
        b = np.asarray(Image.open(root / media_of(rec)["image_1"]["path"]))
        x, y, w, h = ch["box"]
        outside = np.ones(a.shape[:2], dtype=bool)
        outside[y : y + h, x : x + w] = False
        assert (a[outside] == b[outside]).all() and (a[~outside] != b[~outside]).any()
        assert rec["captions"][0] == f"The {ch['before']['name']} became a {ch['after']['name']}."
        kinds = [q["kind"] for q in rec["qa"]]
        assert kinds == ["what_changed", "where", "which_image"]
        assert rec["conversations"][0]["value"].startswith("<image>\n<image>\n")
    body = server.requests[0].body
    assert body["response_format"]["type"] == "json_schema"
    # llava export of model records: two images each
    out = tmp_path / "llava.json"
    from synthgen.export import export_dataset

    assert export_dataset(root, "llava", out) == 3
    assert all(len(item["image"]) == 2 for item in json.loads(out.read_text()))


def _first_outcome(config: dict[str, Any], server: FakeLLMServer, indices: int = 1) -> list[Any]:
    job = build_job("imgdiff", 1, "unused", seed=2, config=config)
    program = load_program(job)
    backends = program.open_backends()
    try:
        return [produce(job, i, program=program, backends=backends) for i in range(indices)]
    finally:
        backends["llm"].close()


def test_default_band_rejects_with_the_band_reason(
    server: FakeLLMServer, tmp_path: Path, models: dict[str, Path]
) -> None:
    """The same pairs judged by the wide band (which records each score) and by Img-Diff's
    default [0.90, 0.98]: the default's outcome must follow the recorded score."""
    server.state.reply = Fake()
    wide = _first_outcome(_config(server, tmp_path, models, **WIDE), server, indices=2)
    config = _config(server, tmp_path, models, object_min_score=-1.0)
    judged = _first_outcome(config, server, indices=2)
    rejected = 0
    for kept, out in zip(wide, judged, strict=True):
        verdict = next(v for v in kept.record.lineage.verdicts if v.filter == "clip_pair_band")
        score = verdict.score
        if 0.90 <= score <= 0.98:
            assert out.record is not None
            continue
        rejected += 1
        side = "too similar" if score > 0.98 else "too different"
        assert out.reject is not None and out.reject.reason == "clip_pair_band"
        assert out.reject.detail == f"band [0.9, 0.98]: {side}"
    assert rejected  # the tiny random CLIP scores these pairs outside Img-Diff's band


def test_wrong_vqa_answer_and_bad_swap_are_rejected(
    server: FakeLLMServer, tmp_path: Path, models: dict[str, Path]
) -> None:
    fake = Fake()
    fake.vqa_wrong = True
    server.state.reply = fake
    (out,) = _first_outcome(_config(server, tmp_path, models, **WIDE), server)
    assert out.reject is not None and out.reject.reason == "vqa_agreement"
    fake.vqa_wrong, fake.bad_swap = False, True
    (out,) = _first_outcome(_config(server, tmp_path / "other", models, **WIDE), server)
    assert out.reject is not None and out.reject.reason == "swap_check"
    assert "'piano' is not in the caption" in out.reject.detail


def test_model_mode_settings_are_user_errors(tmp_path: Path) -> None:
    result = run_cli(
        "make", "imgdiff", "--n", "1", "--out", str(tmp_path / "x"), "--set", 'mode="model"'
    )
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "clip_model" in result.stderr or "model" in result.stderr


def _sets(config: dict[str, Any], prefix: str = "") -> list[str]:
    """``--set`` arguments for a nested config (TOML values: JSON scalars and lists)."""
    out = []
    for key, value in config.items():
        if isinstance(value, dict):
            out += _sets(value, f"{prefix}{key}.")
        else:
            out += ["--set", f"{prefix}{key}={json.dumps(value)}"]
    return out


def test_model_path_same_bytes_with_one_and_two_workers(
    server: FakeLLMServer, tmp_path: Path, models: dict[str, Path]
) -> None:
    """Per-sample seeds, not worker state, decide every image and reply: two workers (each
    loading its own models; the LLM cache emptied between runs, so both ask the server)
    write the bytes one worker writes. Fresh CLI processes: forking this test process, which
    has run torch, can hang."""
    server.state.reply = Fake()
    config = _config(server, tmp_path, models, **WIDE)
    runs = {}
    for workers in (1, 2):
        shutil.rmtree(tmp_path / "llm-cache", ignore_errors=True)
        asked = len(server.requests)
        root = tmp_path / f"w{workers}"
        args = ["--n", "4", "--seed", "5", "--workers", str(workers), "--shard-size", "2"]
        result = run_cli("make", "imgdiff", "--out", str(root), *args, *_sets(config))
        assert result.returncode == 0, result.stderr
        assert len(server.requests) > asked  # replies came from the server, not a cache
        runs[workers] = dataset_bytes(root)
    assert runs[1] == runs[2]
    assert sum(1 for name in runs[1] if name.endswith(".png")) == 8


def test_cohorts_batch_candidates_and_keep_bytes_at_any_concurrency(
    server: FakeLLMServer, tmp_path: Path, models: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """#17: the diffusers and CLIP calls of concurrent candidates share pipeline / forward
    calls (cohorts of diffusion.batch_size candidates), and the grouping is the job's, not the
    threads': llm.max_concurrency 1 and 64 write the same bytes."""
    sizes = record_call_sizes(monkeypatch)
    server.state.reply = Fake()
    runs = {}
    for concurrency in (1, 64):
        shutil.rmtree(tmp_path / "llm-cache", ignore_errors=True)
        config = _config(server, tmp_path, models, **WIDE)
        config["llm"]["max_concurrency"] = concurrency
        for table in ("diffusion", "inpaint"):
            config[table]["batch_size"] = 3
        sizes.clear()
        root = tmp_path / f"c{concurrency}"
        manifest = synthgen.make("imgdiff", n=5, out=root, seed=3, workers=1, config=config)
        assert manifest.totals.accepted == 5
        runs[concurrency] = (dataset_bytes(root), sorted(sizes))
    assert runs[1][0] == runs[64][0]
    assert runs[1][1] == runs[64][1]  # the same calls with the same sizes
    calls = runs[1][1]
    # 5 records from cohorts of 3: candidates 0-2 and 3-5 (the sixth runs because the fifth's
    # cohort waits for it), so text_to_image and inpaint each run as two calls of 3 samples
    assert [n for task, n in calls if task == "text_to_image"] == [3, 3]
    assert [n for task, n in calls if task == "inpaint"] == [3, 3]
    # the region windows of a cohort's members are scored in one list
    assert max(n for task, n in calls if task == "clip.images") > len(
        proposals(32, 32, 3, (0.5, 0.35))
    )
    # replay rebuilds a record with its cohort: the same bytes as the dataset's
    from synthgen.replay import replay

    lines = (tmp_path / "c1" / "data" / "shard-00000.jsonl").read_text().splitlines()
    for line in (lines[1], lines[4]):
        result = replay(tmp_path / "c1", json.loads(line)["id"])
        assert result.identical, result.differences


def test_a_lone_shard_made_in_parts_keeps_whole_cohorts_and_the_bytes(
    server: FakeLLMServer, tmp_path: Path, models: dict[str, Path]
) -> None:
    """#17: n below the shard size with two workers makes the lone shard in parts; with
    cohorts of 3 (batched diffusers/CLIP calls) the parts are cut on cohort boundaries, so the
    bytes are a one-worker run's."""
    server.state.reply = Fake()
    config = _config(server, tmp_path, models, **WIDE)
    for table in ("diffusion", "inpaint"):
        config[table]["batch_size"] = 3
    runs = {}
    for workers in (1, 2):
        shutil.rmtree(tmp_path / "llm-cache", ignore_errors=True)
        root = tmp_path / f"w{workers}"
        args = ["--n", "5", "--seed", "4", "--workers", str(workers), "--shard-size", "16"]
        result = run_cli("make", "imgdiff", "--out", str(root), *args, *_sets(config))
        assert result.returncode == 0, result.stderr
        runs[workers] = dataset_bytes(root)
    assert runs[1] == runs[2]
