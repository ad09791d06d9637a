"""The model-backed path: LLM rewrite (loopback fake server) and the relative CLAP check
(tiny random CLAP, and stub scorers for the retry rule)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import synthgen
import synthgen.generators.audiocaps  # registers the program
from synthgen.engine import build_job
from synthgen.generators.audiocaps import AudiocapsRecord
from synthgen.models import create_chat_backend
from synthgen.produce import load_program, produce
from tests.helpers import dataset_bytes
from tests.models import tiny
from tests.models.fake_llm_server import FakeLLMServer, last_user_text
from tests.models.llm_fixtures import fixture_offline, fixture_server  # noqa: F401

SMALL = {"duration_s": [5.0, 6.0], "events": [1, 3]}
SUFFIXES = ("", " in the distance", " nearby")
ORACLE = ("audibility", "separability", "no_layout")


def rewrite_reply(body: dict[str, Any]) -> tuple[str, str]:
    """A fake WavCaps rewrite: the draft with a seed-dependent tail (so retries differ)."""
    draft = re.search(r"^Draft: (.*)$", last_user_text(body), re.MULTILINE).group(1)
    tail = SUFFIXES[int(body.get("seed") or 0) % len(SUFFIXES)]
    return json.dumps({"caption": draft.rstrip(".") + tail + "."}), "stop"


def settings(server: FakeLLMServer, tmp_path: Path) -> dict[str, Any]:
    return {
        "base_url": server.base_url,
        "model": "tiny",
        "cache_dir": str(tmp_path / "llm-cache"),
        "backoff_base_s": 0.01,
        "timeout_s": 5.0,
        "max_retries": 1,
        "max_tokens": 256,
    }


def _records(root: Path) -> list[dict]:
    return [
        json.loads(line)
        for path in sorted((root / "data").glob("*.jsonl"))
        for line in path.read_text().splitlines()
    ]


@pytest.fixture(scope="module")
def clap_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("transformers")
    return tiny.checkpoint("clap", tmp_path_factory)


def test_llm_rewrite_and_clap_end_to_end(
    server: FakeLLMServer, tmp_path: Path, clap_path: Path
) -> None:
    server.state.reply = rewrite_reply
    cfg = {**SMALL, "rewrite": "llm", "llm": settings(server, tmp_path)}
    cfg["clap_model"] = str(clap_path)
    root = tmp_path / "ds"
    manifest = synthgen.make(
        "audiocaps", n=3, out=root, seed=4, workers=1, shard_size=4, config=cfg
    )
    plain = json.loads(next(synthgen.generate("audiocaps", n=1, config=SMALL)).model_dump_json())
    records = _records(root)
    assert len(records) == 3
    for rec in records:
        AudiocapsRecord.model_validate(rec)
        # one record schema for both paths; the rewrite's draft (None, so left out of the
        # template-only JSON) comes on top
        assert set(rec) - set(plain) == {"caption_draft"} and set(plain) <= set(rec)
        draft = rec["caption_draft"]
        assert draft and rec["caption"].startswith(draft.rstrip("."))
        roles = {m.get("role") for m in rec["lineage"]["models"]}
        assert {"llm", "clap"} <= roles
        assert any(m["id"] == "org/tiny" for m in rec["lineage"]["models"])
        prompts = {p["name"] for p in rec["lineage"]["prompts"]}
        assert prompts == {"audio_captions", "audio_captions.rewrite"}
        verdicts = {v["filter"]: v for v in rec["lineage"]["verdicts"]}
        assert verdicts["caption_facts"]["passed"]
        clap = verdicts["clap_relative"]
        assert clap["passed"] and clap["score"] >= clap["threshold"]
        assert clap["kind"] == "clap" and clap["detail"].startswith("attempt ")
    assert manifest.totals.counters["llm.requests"] >= 3
    body = server.requests[0].body
    assert body["response_format"]["type"] == "json_schema"
    assert "Sounds in order:" in last_user_text(body)
    assert set(manifest.totals.rejects_by_reason) <= {"clap_relative", "separability"}


class StubScorer:
    """CLAP stand-in: caption scores come from ``captions`` in call order; labels score 0.5."""

    def __init__(self, captions: Sequence[float]) -> None:
        self.captions = list(captions)
        self.seen: list[str] = []

    def model_ref(self) -> tuple[str, str | None]:
        return ("stub/clap", None)

    def note_model(self, ctx: Any, role: str | None = None) -> None:
        ctx.used_model("stub/clap", None, role=role)

    def audio_texts(self, audios: Sequence[Any], texts: Sequence[Sequence[str]]) -> np.ndarray:
        self.seen += [t[0] for t in texts]
        return np.array([[self.captions.pop(0), 0.5] for _ in texts])


def _produce(config: dict[str, Any], backends: dict[str, Any]) -> Any:
    """The outcome of the first candidate that passes the oracle checks."""
    job = build_job("audiocaps", 1, "unused", seed=9, config=config)
    for index in range(20):
        out = produce(job, index, program=load_program(job), backends=backends)
        if out.reject is None or out.reject.reason not in ORACLE:
            return out
    raise AssertionError("no candidate passed the oracle checks")


def test_clap_failure_retries_twice_with_new_captions_then_rejects() -> None:
    scorer = StubScorer([0.1, 0.2, 0.3])
    out = _produce({**SMALL, "clap_retries": 2}, {"clap": scorer})
    assert out.reject is not None and out.reject.reason == "clap_relative"
    assert "failed 3 attempt(s)" in out.reject.detail
    assert len(scorer.seen) == 3 and len(set(scorer.seen)) >= 2  # fresh phrasings
    scorer = StubScorer([0.1, 0.2, 0.9])
    out = _produce({**SMALL, "clap_retries": 2}, {"clap": scorer})
    verdict = next(v for v in out.record.lineage.verdicts if v.filter == "clap_relative")
    assert verdict.passed and verdict.detail == "attempt 3 of 3"
    assert out.record.caption == scorer.seen[-1] and out.record.caption_draft is None


def test_a_rewrite_that_drops_a_sound_is_rejected(server: FakeLLMServer, tmp_path: Path) -> None:
    server.state.reply = lambda body: (json.dumps({"caption": "Something happens here."}), "stop")
    cfg = {**SMALL, "rewrite": "llm", "llm": settings(server, tmp_path)}
    backend = create_chat_backend(cfg["llm"])
    try:
        out = _produce(cfg, {"llm": backend})
    finally:
        backend.close()
    assert out.reject is not None and out.reject.reason == "caption_facts"
    assert "misses the" in out.reject.detail


def test_a_rewrite_that_loses_a_count_or_adds_a_sound_is_rejected(
    server: FakeLLMServer, tmp_path: Path
) -> None:
    """Fact checks on the graph of a real candidate: counts must stay, nothing may be added."""
    server.state.reply = rewrite_reply
    cfg = {
        "events": [1, 1],
        "classes": ["knock"],
        "rewrite": "llm",
        "llm": settings(server, tmp_path),
    }
    backend = create_chat_backend(cfg["llm"])
    try:
        out = _produce(cfg, {"llm": backend})
    finally:
        backend.close()
    program = load_program(build_job("audiocaps", 1, "unused", seed=9, config=cfg))
    graph = out.record.graph
    reps = graph.events[0].repetitions
    assert program.facts.check((out.record.caption, graph)).passed
    assert not program.facts.check(("Someone knocks on a door.", graph)).passed
    added = program.facts.check((f"Someone knocks {reps} times while a siren wails.", graph))
    assert not added.passed and "absent siren" in added.detail


def test_clap_calls_of_a_cohort_share_forward_passes_at_any_concurrency(
    server: FakeLLMServer, tmp_path: Path, clap_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """#17: audiocaps' CLAP checks of clap_batch_size consecutive candidates run as one
    grouped call, grouped by index, so llm.max_concurrency 1 and 64 write the same bytes.
    (Since 35c1c68 the last shard here is a frontier that stops after its one needed record,
    not a shard made in full and cut: the strict list of groups differed by the discarded
    candidates started past it, 21 vs 17 audio groups.)"""
    from tests.models.batch_spy import record_call_sizes

    sizes = record_call_sizes(monkeypatch)
    server.state.reply = rewrite_reply
    runs = {}
    for concurrency in (1, 64):
        llm = {**settings(server, tmp_path), "max_concurrency": concurrency, "cache": False}
        cfg = {**SMALL, "rewrite": "llm", "llm": llm, "clap_model": str(clap_path)}
        cfg["clap_batch_size"] = 4
        sizes.clear()
        root = tmp_path / f"c{concurrency}"
        synthgen.make("audiocaps", n=6, out=root, seed=2, workers=1, shard_size=8, config=cfg)
        runs[concurrency] = (dataset_bytes(root), sorted(sizes))
    assert runs[1][0] == runs[64][0]
    # a group never spans two cohorts (4 candidates: 4 clips, 8 texts = caption + labels),
    # and does hold several candidates' items. Which groups run is not compared: a frontier
    # shard that stops at the n-th record may start (and throw away) candidates of the next
    # cohort, how many depending on timing; the groups of the written ones cannot vary
    for _, calls in runs.values():
        assert all(n <= (4 if what == "clap.audio" else 8) for what, n in calls), calls
        assert max(n for what, n in calls if what.startswith("clap.")) > 2
