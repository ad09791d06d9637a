"""multihop's model-backed modes against the loopback OpenAI-compatible server: LLM rewording
(answers and chains stay the program's, leaking or name-dropping rewrites are discarded) and
MLLM questions about a user's JSONL documents (only grounded, two-document questions kept)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

import synthgen
from synthgen.errors import UserError
from synthgen.generators.multihop.schema import PART_KEYS
from synthgen.generators.multihop.user_docs import UserQuestion, load_pools, validate
from synthgen.records import media_of
from tests.helpers import dataset_bytes
from tests.models.fake_llm_server import FakeLLMServer, last_user_text
from tests.models.llm_fixtures import fixture_offline, fixture_server  # noqa: F401


def _llm(server: FakeLLMServer, tmp_path: Path) -> dict[str, Any]:
    return {
        "base_url": server.base_url,
        "model": "tiny",
        "cache_dir": str(tmp_path / "llm-cache"),
        "backoff_base_s": 0.01,
        "max_retries": 2,
    }


def _load(root: Path) -> list[dict]:
    return [
        json.loads(line)
        for p in sorted((root / "data").glob("*.jsonl"))
        for line in p.read_text().splitlines()
    ]


def test_rewrite_keeps_answer_program_and_chain(server: FakeLLMServer, tmp_path: Path) -> None:
    def reply(body: dict) -> tuple[str, str]:
        question = last_user_text(body).split("Question:", 1)[-1].strip()
        return json.dumps({"question": "Tell me: " + question}), "stop"

    server.state.reply = reply
    synthgen.make("multihop", n=12, out=tmp_path / "plain", workers=1)
    synthgen.make(
        "multihop",
        n=12,
        out=tmp_path / "llm",
        workers=1,
        config={"rewrite": "llm", "llm": _llm(server, tmp_path)},
    )
    for a, b in zip(_load(tmp_path / "plain"), _load(tmp_path / "llm"), strict=True):
        assert (b["answer"], b["program"], b["chain"]) == (a["answer"], a["program"], a["chain"])
        assert b["question"] == "Tell me: " + a["question"]
        assert b["original_question"] == a["question"]
        assert any(m["role"] == "rewriter" for m in b["lineage"]["models"])
        assert b["lineage"]["verdicts"][-1]["filter"] == "no_answer_leak"


def test_rewrite_rerun_from_cache_sends_no_request(server: FakeLLMServer, tmp_path: Path) -> None:
    def reply(body: dict) -> tuple[str, str]:
        question = last_user_text(body).split("Question:", 1)[-1].strip()
        return json.dumps({"question": "Please say: " + question}), "stop"

    server.state.reply = reply
    config = {"rewrite": "llm", "llm": _llm(server, tmp_path)}
    synthgen.make("multihop", n=8, out=tmp_path / "first", workers=1, config=config)
    sent = len(server.requests)
    assert server.chat_hits >= 8
    synthgen.make("multihop", n=8, out=tmp_path / "again", workers=2, config=config)
    assert len(server.requests) == sent  # every rewrite came from the cache
    assert dataset_bytes(tmp_path / "first") == dataset_bytes(tmp_path / "again")


def test_leaking_or_name_dropping_rewrites_are_discarded(
    server: FakeLLMServer, tmp_path: Path
) -> None:
    plain = _load_plain(tmp_path)
    answers = iter(r["answer"] for r in plain)
    flip = iter(range(100))

    def reply(body: dict) -> tuple[str, str]:
        i = next(flip)
        if i % 2 == 0:  # leak the answer
            return json.dumps({"question": f"Is it {next(answers)}?"}), "stop"
        next(answers)
        return json.dumps({"question": "What is it?"}), "stop"  # drops every name

    server.state.reply = reply
    manifest = synthgen.make(
        "multihop",
        n=6,
        out=tmp_path / "llm",
        workers=1,
        config={"rewrite": "llm", "llm": _llm(server, tmp_path)},
    )
    assert manifest.totals.counters["multihop.rewrite_discarded"] == 6
    for a, b in zip(plain, _load(tmp_path / "llm"), strict=True):
        assert b["question"] == a["question"] and b.get("original_question") is None


def _load_plain(tmp_path: Path) -> list[dict]:
    synthgen.make("multihop", n=6, out=tmp_path / "plain", workers=1)
    return _load(tmp_path / "plain")


def _pools(tmp_path: Path) -> Path:
    Image.new("RGB", (32, 24), (200, 40, 40)).save(tmp_path / "ferry.png")
    pools = [
        {
            "documents": [
                {
                    "id": "a",
                    "text": "The river ferry was built by Omsted Yards.",
                    "images": ["ferry.png"],
                },
                {"id": "b", "text": "Omsted Yards was founded in 1888 by two brothers."},
            ]
        },
        {
            "documents": [
                {"id": "a", "text": "The tower stands in Lisvik."},
                {"id": "b", "text": "Lisvik has 48,000 residents."},
            ]
        },
    ]
    path = tmp_path / "docs.jsonl"
    path.write_text("\n".join(json.dumps(p) for p in pools) + "\n")
    return path


GOOD = {
    "question": "When was the builder of the river ferry founded?",
    "answer": "1888",
    "evidence": [
        {"doc": "a", "quote": "The river ferry was built by Omsted Yards."},
        {"doc": "b", "quote": "Omsted Yards was founded in 1888"},
    ],
}
INVENTED = {
    "question": "How tall is the tower?",
    "answer": "80 m",
    "evidence": [
        {"doc": "a", "quote": "The tower is 80 m tall."},
        {"doc": "b", "quote": "Lisvik has 48,000 residents."},
    ],
}
ONE_DOC = {
    "question": "Where does the tower stand?",
    "answer": "Lisvik",
    "evidence": [{"doc": "a", "quote": "The tower stands in Lisvik."}],
}


def test_user_documents_keep_only_grounded_two_document_questions(
    server: FakeLLMServer, tmp_path: Path
) -> None:
    def reply(body: dict) -> tuple[str, str]:
        text = last_user_text(body)
        if "river ferry" in text.split("Documents:", 1)[1]:
            return json.dumps({"questions": [ONE_DOC, GOOD]}), "stop"
        return json.dumps({"questions": [INVENTED, ONE_DOC]}), "stop"

    server.state.reply = reply
    path = _pools(tmp_path)
    out = tmp_path / "ds"
    # the second pool has no grounded question: 2 lines give 1 record
    with pytest.raises(UserError, match="ran out after 2 candidates with 1 accepted"):
        synthgen.make(
            "multihop",
            n=2,
            out=out,
            workers=1,
            config={"documents": str(path), "llm": _llm(server, tmp_path)},
        )
    manifest = synthgen.make(
        "multihop",
        n=1,
        out=tmp_path / "one",
        workers=1,
        config={"documents": str(path), "llm": _llm(server, tmp_path)},
    )
    [record] = _load(tmp_path / "one")
    assert record["answer"] == "1888" and record["source"] == "user"
    assert [h["doc"] for h in record["chain"]] == ["a", "b"]
    text = record["documents"][1]["parts"][0]["text"]
    a, b = record["chain"][1]["span"]
    assert text[a:b] == "Omsted Yards was founded in 1888"
    assert record["documents"][0]["parts"][1] == {
        **PART_KEYS,  # schema 5: every part has every part type's keys, empty if not its own
        "type": "image",
        "kind": "photo",
        "media": "image_0",
    }
    assert media_of(record)["image_0"]["width"] == 32
    assert manifest.totals.counters["multihop.user_question_discarded"] >= 1
    # the request for the first pool (the one with an image; pools run concurrently, so
    # not necessarily the first to arrive)
    request = next(
        r.body
        for r in server.requests
        if "river ferry" in last_user_text(r.body).split("Documents:", 1)[1]
    )
    content = request["messages"][-1]["content"]
    assert any(p.get("type") == "image_url" for p in content)
    assert "Harbour Museum" in last_user_text(request)  # few-shot examples from the toml


@pytest.mark.parametrize(
    ("line", "needle"),
    [
        ('{"documents": [{"id": "a", "text": "x"}]}', "line 2: field documents"),
        ('{"documents": [{"id": "a"}, {"text": "y"}]}', "line 2: field documents.1.id"),
        ('{"documents": [{"id": "a"}, {"id": "b", "images": ["none.png"]}]}', "documents.images"),
        ("not json", "line 2"),
    ],
)
def test_malformed_jsonl_names_line_and_field(tmp_path: Path, line: str, needle: str) -> None:
    path = tmp_path / f"bad{abs(hash(line))}.jsonl"
    path.write_text('{"documents": [{"id": "a"}, {"id": "b"}]}\n' + line + "\n")
    with pytest.raises(UserError, match=needle.replace(".", r"\.")):
        load_pools(str(path))


def test_validate_keeps_only_quoted_grounded_non_leaking_questions() -> None:
    texts = {
        "a": "The river ferry was built by\n  Omsted Yards.",
        "b": "Omsted Yards was founded in 1888.",
    }
    good = UserQuestion.model_validate(GOOD)
    hops = validate(good, texts)
    assert not isinstance(hops, str)
    a, b = hops[0].span  # type: ignore[misc]
    assert texts["a"][a:b] == texts["a"]  # matched across the line break
    blank = GOOD | {"evidence": [{"doc": "a", "quote": "  "}, GOOD["evidence"][1]]}
    leaking = GOOD | {"question": "Was the builder of the river ferry founded in 1888?"}
    elsewhere = GOOD | {"answer": "1889"}
    unknown = GOOD | {"evidence": [GOOD["evidence"][0], {"doc": "z", "quote": "x"}]}
    for bad, why in [
        (blank, "quote not found"),
        (leaking, "contains the answer"),
        (elsewhere, "not grounded"),
        (unknown, "unknown document"),
    ]:
        got = validate(UserQuestion.model_validate(bad), texts)
        assert isinstance(got, str) and why in got, (bad, got)
