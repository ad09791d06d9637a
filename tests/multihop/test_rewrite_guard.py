"""``multihop.rewrite.acceptable``: an LLM rewrite replaces a template question only if it keeps
its meaning as far as words tell. Adversarial rewrites of every question variant the program
asks: gibberish, a changed/dropped/added number, a swapped name, colour or shape, a flipped
comparison or time order, a swapped relation, an added negation or name; faithful rewordings
(hand-written, one or more per template phrasing) are kept."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import pytest

import synthgen
from synthgen.generators.multihop.rewrite import acceptable


@cache
def _questions() -> list[dict[str, Any]]:
    """Up to 3 records of each (variant, phrasing) the program makes."""
    out: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for record in synthgen.generate("multihop", n=300, seed=3):
        data = record.model_dump(mode="json")
        data["program"] = json.loads(data["program"])
        phrasing = re.sub(
            r"[A-Z][a-z]+|\d[\d,]*|\b(?:red|blue|green|gray|purple)\b", "_", data["question"]
        )
        bucket = out.setdefault((data["variant"], phrasing), [])
        if len(bucket) < 3:
            bucket.append(data)
    return [q for qs in out.values() for q in qs]


def _ok(q: dict[str, Any], rewritten: str) -> bool:
    return acceptable(q["program"], q["question"], q["answer"], rewritten)


def _variants() -> set[str]:
    return {q["variant"] for q in _questions()}


def test_the_sample_covers_the_variants() -> None:
    assert len(_variants()) >= 18


def test_the_template_and_a_polite_rewording_are_kept() -> None:
    qs = _questions()
    assert [q["question"] for q in qs if not _ok(q, q["question"])] == []
    assert [q["question"] for q in qs if not _ok(q, "Please tell me: " + q["question"])] == []


@pytest.mark.parametrize(
    "junk", ["zzz", "What is this?", "Which one is it?", "How many are there?"]
)
def test_gibberish_or_a_generic_question_is_discarded_for_every_variant(junk: str) -> None:
    assert [q["variant"] for q in _questions() if _ok(q, junk)] == []


def test_a_changed_dropped_or_added_number_is_discarded() -> None:
    tried = 0
    for q in _questions():
        text = q["question"]
        for m in re.finditer(r"\d[\d,]*\d|\d", text):
            number = int(m.group().replace(",", ""))
            changed = text[: m.start()] + f"{number + 1:,}" + text[m.end() :]
            assert not _ok(q, changed), changed
            dropped = text[: m.start()] + "a certain number" + text[m.end() :]
            assert not _ok(q, dropped), dropped
            tried += 1
        assert not _ok(q, text.rstrip("?") + " in 2019?"), text
    assert tried >= 5


def _names(q: dict[str, Any]) -> list[str]:
    """Entity names (capitalised runs) the question says."""
    return re.findall(r"(?<!^)(?:[A-Z][a-z]+ ?)+", q["question"].removeprefix("Which "))


def test_a_swapped_name_is_discarded() -> None:
    tried = 0
    for q in _questions():
        for name in _names(q):
            name = name.strip()
            for other in ("Zorblat Works", name.split()[0] + " Zorblat"):
                swapped = q["question"].replace(name, other)
                if swapped != q["question"]:
                    assert not _ok(q, swapped), swapped
                    tried += 1
    assert tried >= 40


def test_a_swapped_colour_or_shape_is_discarded_plural_or_not() -> None:
    tried = 0
    swaps = {
        "red": "green", "blue": "red", "green": "blue", "gray": "purple", "purple": "gray",
        "cylinders": "cubes", "cubes": "spheres", "spheres": "cylinders",
        "cylinder": "cube", "cube": "sphere", "sphere": "cylinder",
    }  # fmt: skip
    for q in _questions():
        for word, other in swaps.items():
            if re.search(rf"\b{word}\b", q["question"]):
                swapped = re.sub(rf"\b{word}\b", other, q["question"])
                assert not _ok(q, swapped), swapped
                tried += 1
    assert tried >= 8


FLIPS = [
    ("more populous", "less populous"),
    ("more employees", "fewer employees"),
    ("more than", "fewer than"),
    ("older", "younger"),
    ("born first", "born last"),
    ("founded earlier", "founded later"),
    ("before", "after"),
    ("years after", "years before"),
]


@pytest.mark.parametrize(("phrase", "flipped"), FLIPS)
def test_a_flipped_comparison_or_time_order_is_discarded(phrase: str, flipped: str) -> None:
    hits = [q for q in _questions() if phrase in q["question"]]
    assert hits, phrase
    for q in hits:
        rewritten = q["question"].replace(phrase, flipped)
        assert not _ok(q, rewritten), rewritten


RELATION_SWAPS = [
    ("is headquartered", "was born"),
    ("has its headquarters", "was born"),
    ("the organiser of", "the chief executive of"),
    ("that organised", "led by"),
    ("the chief executive of", "the organiser of"),
    ("led by", "that organised"),
    ("employees", "customers"),
    ("population", "area"),
    ("founded", "renamed"),
    ("born", "hired"),
]


@pytest.mark.parametrize(("phrase", "swapped"), RELATION_SWAPS)
def test_a_swapped_relation_or_attribute_is_discarded(phrase: str, swapped: str) -> None:
    hits = [q for q in _questions() if phrase in q["question"]]
    assert hits, phrase
    for q in hits:
        rewritten = q["question"].replace(phrase, swapped)
        assert not _ok(q, rewritten), rewritten


def test_an_added_negation_or_name_is_discarded() -> None:
    for q in _questions():
        text = q["question"]
        assert not _ok(q, "Is it not so: " + text), text
        assert not _ok(q, text.rstrip("?") + ", according to Vornak Daily?"), text


FAITHFUL = {
    "lookup_hq_population": "How many inhabitants does the city that is home to "
    "{a}'s headquarters have?",
    "lookup_hq_founded": "When was the city that is home to {a}'s headquarters founded?",
    "lookup_org_founded": "What year was the company that organised the {a} founded?",
    "lookup_org_employees": "What is the size of the staff of the company that organised the {a}?",
    "lookup_led_employees": "How many employees work for the company whose leader is {a}?",
    "lookup_ceo_born": "What year was the CEO of {a} born?",
    "compare_led_employees": "Which employs more people: the company led by {a} or the one "
    "led by {b}?",
    "compare_org_founded": "Which organiser was founded earlier, that of the {a} or that of "
    "the {b}?",
    "intersect_hq_founded": "Name the company headquartered in {a} that was founded prior to {n}.",
    "count_hq_employees": "Of the companies headquartered in {a}, how many have over {n} "
    "employees?",
}


@pytest.mark.parametrize(("variant", "rewrite"), sorted(FAITHFUL.items()))
def test_a_faithful_rewording_is_kept(variant: str, rewrite: str) -> None:
    hits = [q for q in _questions() if q["variant"] == variant]
    assert hits, variant
    for q in hits:
        program = q["program"]
        starts = [s["start"] for s in program.get("items", [])] or [program.get("start")]
        value = next((c["value"] for c in program.get("conditions", []) if "value" in c), None)
        threshold = next(
            (c.get("lt") or c.get("gt") for c in program.get("conditions", []) if "attr" in c),
            None,
        )
        fields = {
            "a": value or starts[0],
            "b": starts[-1],
            "n": f"{threshold:,}" if threshold and threshold >= 10_000 else threshold,
        }
        text = rewrite.format(**fields)
        assert _ok(q, text), (q["question"], text)
