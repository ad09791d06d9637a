"""vqa_agreement asks the loopback MLLM and compares its reply with the program's answer."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
from PIL import Image

from synthgen.filters.vqa_agreement import VqaAgreement, VQAQuestion, chosen_letter, first_number
from synthgen.models import LLMRejected
from tests.models.fake_llm_server import FakeLLMServer, Reply, Status
from tests.models.llm_fixtures import (  # noqa: F401  (pytest fixtures)
    fixture_make_backend,
    fixture_make_settings,
    fixture_offline,
    fixture_server,
)

IMAGE = Image.new("RGB", (16, 16), (200, 30, 30))


def _check(backend: Any, **q: Any):
    return VqaAgreement(backend).check(VQAQuestion(images=(IMAGE,), **q))


@pytest.mark.parametrize(
    ("reply", "question", "passed"),
    [
        ("3", {"question": "How many cubes?", "answer": "3"}, True),
        ("There are three cubes.", {"question": "How many cubes?", "answer": "3"}, True),
        ("2", {"question": "How many cubes?", "answer": "3"}, False),
        ("The Red.", {"question": "What color?", "answer": "red"}, True),
        ("blue", {"question": "What color?", "answer": "red"}, False),
        ("B", {"question": "Which?", "answer": "cone", "choices": ("cube", "cone")}, True),
        ("(B) cone", {"question": "Which?", "answer": "cone", "choices": ("cube", "cone")}, True),
        ("cone", {"question": "Which?", "answer": "cone", "choices": ("cube", "cone")}, True),
        ("A", {"question": "Which?", "answer": "cone", "choices": ("cube", "cone")}, False),
    ],
)
def test_agreement_by_mode(
    server: FakeLLMServer,
    make_backend: Callable[..., Any],
    reply: str,
    question: dict[str, Any],
    passed: bool,
) -> None:
    server.script(Reply(reply))
    verdict = _check(make_backend(cache=False), seed=7, **question)
    assert verdict.passed is passed
    assert verdict.kind == "vqa" and verdict.filter == "vqa_agreement"
    assert verdict.threshold == 1.0 and verdict.score == (1.0 if passed else 0.0)
    assert verdict.model and verdict.model.startswith("org/tiny")
    body = server.requests[-1].body
    content = body["messages"][-1]["content"]
    image_url = next(p["image_url"]["url"] for p in content if p["type"] == "image_url")
    assert image_url.startswith("data:image/png;base64,")
    assert base64.b64decode(image_url.split(",", 1)[1])[:4] == b"\x89PNG"
    assert body["seed"] == 7 and body["temperature"] == 0.0
    if "choices" in question:
        text = next(p["text"] for p in content if p["type"] == "text")
        assert "A. cube" in text and "B. cone" in text


def test_model_failure_propagates_as_a_reject(
    server: FakeLLMServer, make_backend: Callable[..., Any]
) -> None:
    server.script(*[Status(500)] * 3)
    with pytest.raises(LLMRejected) as info:
        _check(make_backend(cache=False, max_retries=2), question="How many?", answer="1")
    assert info.value.reject.reason == "llm_unavailable"


def test_helpers() -> None:
    assert first_number("I count twelve") == 12 and first_number("none") is None
    assert chosen_letter("C.", ("a", "b", "c")) == "C"
    assert chosen_letter("D", ("a", "b", "c")) is None
