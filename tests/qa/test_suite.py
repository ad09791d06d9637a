"""The suite's contracts: every kind is produced; every reference in a program selects
exactly one object; multiple choice holds the answer once and distractors are wrong;
skipped kinds are counted by reason; QA is a pure function of (graph, config, rng); the
template file covers every kind with several paraphrases."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pytest

from synthgen.generators.qa import QAConfig, QASuite, question_kinds
from synthgen.generators.qa.balance import calibrate, calibration_graphs
from synthgen.generators.qa.sources import from_vg
from synthgen.generators.qa.templates import default_templates
from synthgen.prompts import load
from synthgen.world.vg import VGImage, export_graph
from tests.qa.checker import Graph, one
from tests.qa.conftest import Sample

REF_KEYS = ("ref", "subject", "object", "anchor", "a", "b", "answer_ref")


def _refs(program: dict[str, Any]) -> list[dict[str, Any] | list[int]]:
    """Every object reference in a single-image program (refs, regions, list items)."""
    if program["op"] in ("point_object", "point_depth"):
        return []  # points, not references
    out: list[dict[str, Any] | list[int]] = [program[k] for k in REF_KEYS if k in program]
    out += program.get("refs", [])
    out += [item["object"] for item in program.get("items", [])]
    out += [c[k] for c in program.get("claims", []) for k in ("subject", "object")]
    sel = program.get("select")
    if sel and "rel" in sel:
        out.append(sel["rel"]["ref"])
    return out


def test_every_reference_selects_exactly_one_object(samples: list[Sample]) -> None:
    suite = QASuite(QAConfig(per_image=40))
    rng = np.random.default_rng(3)
    seen = 0
    for s in samples[:120]:
        truth: Graph = s.truth
        for qa in suite.ask(s.view, rng):
            for r in _refs(qa.program):
                one(truth, r)  # raises when a reference matches 0 or 2+ objects
                seen += 1
    assert seen > 5000


def test_multiple_choice_holds_the_answer_once_among_wrong_options(samples: list[Sample]) -> None:
    suite = QASuite(QAConfig(per_image=40, multiple_choice_ratio=1.0, num_choices=4))
    rng = np.random.default_rng(4)
    by_kind: Counter[str] = Counter()
    for s in samples[:100]:
        for qa in suite.ask(s.view, rng):
            if qa.choices is None:
                continue
            by_kind[qa.kind] += 1
            assert qa.choices[qa.answer_index] == qa.answer
            assert qa.choices.count(qa.answer) == 1 and len(set(qa.choices)) == len(qa.choices)
            assert 2 <= len(qa.choices) <= 4
            if "options" in qa.program:
                assert set(qa.choices) <= set(qa.program["options"])
            elif qa.answer_type == "count":
                assert all(c.isdigit() for c in qa.choices)
    # Counting, attributes, relations, names, boxes and listed options all become MC.
    assert {"count", "typed_attribute", "relation_named", "grounding", "leftmost"} <= set(by_kind)
    assert "caption" not in by_kind and "object_list" not in by_kind


def test_answer_positions_of_multiple_choice_are_shuffled(samples: list[Sample]) -> None:
    suite = QASuite(QAConfig(per_image=40, multiple_choice_ratio=1.0))
    rng = np.random.default_rng(5)
    index = Counter(
        qa.answer_index
        for s in samples[:100]
        for qa in suite.ask(s.view, rng)
        if qa.choices is not None and len(qa.choices) == 4
    )
    total = sum(index.values())
    assert total > 500 and all(abs(index[i] / total - 0.25) < 0.05 for i in range(4)), index


def test_kinds_a_graph_cannot_support_are_skipped_and_counted(samples: list[Sample]) -> None:
    vg = from_vg(VGImage.model_validate(export_graph(samples[0].graph, 0)))
    counters: Counter[str] = Counter()
    qas = QASuite(QAConfig(per_image=40)).ask(vg, np.random.default_rng(0), counters)
    assert qas and not {q.kind for q in qas} & {"point_same_object", "object_closer"}
    for kind, cap in [
        ("point_same_object", "masks"),
        ("point_closer", "depth"),
        ("object_closer", "3d"),
        ("distance_compare", "3d"),
        ("relation_exists", "opposites"),
    ]:
        assert counters[f"qa.skipped.{kind}.needs_{cap}"] == 1, (kind, counters)


def test_qa_is_a_pure_function_of_graph_config_and_rng(samples: list[Sample]) -> None:
    config = QAConfig(per_image=12)
    first = [
        [q.model_dump() for q in QASuite(config).ask(s.view, np.random.default_rng(i))]
        for i, s in enumerate(samples[:30])
    ]
    # Another suite, the graphs visited in reverse order: the same questions.
    suite = QASuite(config)
    again = [
        [q.model_dump() for q in suite.ask(s.view, np.random.default_rng(i))]
        for i, s in reversed(list(enumerate(samples[:30])))
    ]
    assert first == again[::-1]


def test_calibration_is_deterministic() -> None:
    kind = question_kinds.get("compositional_count")()
    assert calibrate(kind, calibration_graphs()) == calibrate(kind, calibration_graphs())


def test_every_kind_has_several_paraphrases_and_fills_them() -> None:
    table = load("qa")
    templates = default_templates()
    for name in question_kinds.names():
        # a kind words its questions in its own table, or in one table per predicate
        tables = [k for k in table if k == name or k.startswith(name + ".")]
        assert tables, f"no templates for {name}"
        for k in tables:
            assert len(table[k]["templates"]) >= 3, k
            assert templates.has(k)
    assert len([n for n in question_kinds.names() if question_kinds.get(n).images == 1]) >= 30
    assert len([n for n in question_kinds.names() if question_kinds.get(n).images > 1]) == 14


@pytest.mark.parametrize("bad", [("no_such_kind",), ("count", "nope")])
def test_unknown_kinds_are_config_errors(bad: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match="unknown question kinds"):
        QAConfig(kinds=bad)
