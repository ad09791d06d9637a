"""svg's model-backed paths against the loopback OpenAI-compatible server: MLLM scene graphs
for a folder of images, LLM paraphrases, the VQA check; accounting, cache and key hygiene."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

import synthgen
from synthgen.records import media_of
from tests.helpers import dataset_bytes
from tests.models.fake_llm_server import FakeLLMServer, last_user_text
from tests.models.llm_fixtures import fixture_offline, fixture_server  # noqa: F401

SECRET = "sk-test-do-not-leak-1234567890"

GOOD = {
    "objects": [
        {"id": 1, "name": "mug", "attributes": ["red", "ceramic"], "bbox": [2, 3, 10, 12]},
        {"id": 2, "name": "book", "attributes": ["blue"], "bbox": [20, 4, 20, 10]},
        {"id": 3, "name": "mug", "attributes": ["white"], "bbox": [44, 20, 8, 8]},
    ],
    "relations": [
        {"subject": 1, "predicate": "left of", "object": 2},
        {"subject": 3, "predicate": "right of", "object": 2},
    ],
}
BAD_BOX = {
    "objects": [{"id": 1, "name": "mug", "attributes": [], "bbox": [60, 3, 30, 12]}],
    "relations": [],
}


def _images(folder: Path, count: int) -> Path:
    folder.mkdir()
    for i in range(count):
        Image.new("RGB", (64, 48), (40 * i % 255, 90, 160)).save(folder / f"img{i:02d}.png")
    return folder


def _reply(body: dict[str, Any]) -> tuple[str, str]:
    """Graphs for annotation requests, paraphrases for rewrite requests."""
    text = last_user_text(body)
    if "Rewrite" in text or "rewrite" in text:  # first: a question may say "objects you can see"
        question = text.split("Question:", 1)[-1].strip()
        return json.dumps({"question": "Please tell me: " + question}), "stop"
    if "objects you can see" in text:
        return json.dumps(GOOD), "stop"
    return "1", "stop"


def _config(
    server: FakeLLMServer, images: Path, tmp_path: Path, concurrency: int = 128, **extra: Any
) -> dict:
    """``concurrency=1`` where the server's replies or faults are scripted in arrival order."""
    return {
        "annotator": "mllm",
        "images": str(images),
        "qa": {"per_image": 4},
        "llm": {
            "base_url": server.base_url,
            "model": "tiny",
            "cache_dir": str(tmp_path / "llm-cache"),
            "backoff_base_s": 0.01,
            "max_retries": 2,
            "max_concurrency": concurrency,
        },
        **extra,
    }


def test_mllm_graphs_for_a_folder_of_images(
    server: FakeLLMServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SYNTHGEN_LLM_API_KEY", SECRET)
    server.state.reply = _reply
    images = _images(tmp_path / "imgs", 5)
    out = tmp_path / "ds"
    manifest = synthgen.make(
        "svg", n=5, out=out, workers=1, shard_size=3, config=_config(server, images, tmp_path)
    )
    records = [
        json.loads(line)
        for p in sorted((out / "data").glob("*.jsonl"))
        for line in p.read_text().splitlines()
    ]
    assert [r["source"] for r in records] == ["mllm"] * 5
    first = records[0]
    assert {o["object_id"] for o in first["vg_graph"]["objects"]} == {1, 2, 3}
    assert media_of(first)["image"]["width"] == 64
    assert any(m["role"] == "annotator" for m in first["lineage"]["models"])
    assert first["lineage"]["prompts"][0]["name"] == "annotate/scene_graph"
    assert all(qa["answer"] for r in records for qa in r["qa"])
    hits = server.chat_hits
    assert manifest.totals.counters["llm.requests"] >= 5
    # every request carried the key; nothing written holds it
    for rec in server.requests:
        headers = {k.lower(): v for k, v in rec.headers.items()}
        assert headers.get("authorization") == f"Bearer {SECRET}"
    for path in out.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path
    # rerun from scratch with the same cache: zero new requests, same bytes
    again = tmp_path / "again"
    synthgen.make(
        "svg", n=5, out=again, workers=1, shard_size=3, config=_config(server, images, tmp_path)
    )
    assert server.chat_hits == hits
    assert dataset_bytes(again) == dataset_bytes(out)


def test_invalid_graph_is_rejected_and_every_index_is_accounted_for(
    server: FakeLLMServer, tmp_path: Path
) -> None:
    replies = iter([GOOD, BAD_BOX, GOOD, GOOD])
    server.state.reply = lambda body: (json.dumps(next(replies)), "stop")
    images = _images(tmp_path / "imgs", 4)
    out = tmp_path / "ds"
    manifest = synthgen.make(
        "svg", n=3, out=out, workers=1, config=_config(server, images, tmp_path, 1)
    )
    assert manifest.totals.rejects_by_reason == {"mllm_graph_invalid": 1}
    rejects = [
        json.loads(line) for line in (out / "rejects/shard-00000.jsonl").read_text().splitlines()
    ]
    assert rejects[0]["index"] == 1 and "not inside" in rejects[0]["detail"]
    records = [
        json.loads(line) for line in (out / "data/shard-00000.jsonl").read_text().splitlines()
    ]
    assert sorted([r["index"] for r in records] + [1]) == [0, 1, 2, 3]


def test_server_failures_reject_with_reasons_and_the_job_completes(
    server: FakeLLMServer, tmp_path: Path
) -> None:
    from tests.models.fake_llm_server import Status

    server.state.reply = lambda body: (json.dumps(GOOD), "stop")
    server.script(Status(500), Status(500), Status(500))  # first image: retries exhausted
    images = _images(tmp_path / "imgs", 4)
    manifest = synthgen.make(
        "svg", n=3, out=tmp_path / "ds", workers=1, config=_config(server, images, tmp_path, 1)
    )
    assert manifest.totals.rejects_by_reason == {"llm_unavailable": 1}
    assert manifest.totals.accepted == 3


def test_paraphrases_keep_the_programs_answers(server: FakeLLMServer, tmp_path: Path) -> None:
    server.state.reply = _reply
    base = synthgen.make(
        "svg", n=3, out=tmp_path / "plain", workers=1, config={"qa": {"per_image": 4}}
    )
    para = synthgen.make(
        "svg",
        n=3,
        out=tmp_path / "para",
        workers=1,
        config={
            "qa": {"per_image": 4},
            "paraphrase": "llm",
            "llm": _config(server, tmp_path, tmp_path)["llm"],
        },
    )
    assert base.totals.accepted == para.totals.accepted == 3

    def load(root: Path) -> list[dict]:
        return [
            json.loads(line) for line in (root / "data/shard-00000.jsonl").read_text().splitlines()
        ]

    for plain, rewritten in zip(load(tmp_path / "plain"), load(tmp_path / "para"), strict=True):
        for a, b in zip(plain["qa"], rewritten["qa"], strict=True):
            assert b["answer"] == a["answer"] and b["program"] == a["program"]
            assert b["question"] == "Please tell me: " + a["question"]
            assert b["original_question"] == a["question"]
