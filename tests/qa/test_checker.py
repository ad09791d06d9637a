"""The independent checker (tests/qa/checker.py) agrees with every generated answer: on
procedural graphs with masks and depth, on records of an svg dataset, and on an imported
Visual Genome file; and it catches wrong answers, so agreement means something."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

import synthgen
from synthgen.export import export_dataset
from synthgen.generators.qa import QA, QAConfig, QASuite, question_kinds
from synthgen.generators.qa.distractors import distractors_for
from tests.qa.checker import Disagreement, check, program, vg_graph, world_graph
from tests.qa.conftest import Sample, with_depth

ALL_SINGLE = QAConfig(per_image=40, multiple_choice_ratio=0.5)


def _records(root: Path) -> list[dict]:
    return [
        json.loads(line)
        for p in sorted((root / "data").glob("*.jsonl"))
        for line in p.read_text().splitlines()
    ]


def _ask_all(samples: list[Sample], rounds: int, seed: int) -> list[tuple[QA, Sample]]:
    suite = QASuite(ALL_SINGLE)
    rng = np.random.default_rng(seed)
    return [(qa, s) for _ in range(rounds) for s in samples for qa in suite.ask(s.view, rng)]


def _check(qa: QA, s: Sample) -> None:
    truth = with_depth(s) if qa.program["op"] == "point_depth" else s.truth
    check(qa.model_dump(), truth)


def test_checker_agrees_with_every_answer_on_procedural_graphs(samples: list[Sample]) -> None:
    pairs = _ask_all(samples, rounds=1, seed=1)
    assert len(pairs) >= 7000
    for qa, s in pairs:
        _check(qa, s)
    kinds = Counter(qa.kind for qa, _ in pairs)
    single = {
        n
        for n in question_kinds.names()
        if question_kinds.get(n).images == 1 and "world" not in question_kinds.get(n).requires
    } - {"relation_regions"}  # the shapes world's relations are all read off the boxes
    assert set(kinds) == single, single - set(kinds)


def test_checker_agrees_on_svg_records_and_on_an_imported_vg_file(tmp_path: Path) -> None:
    """End to end: records of `synthgen make svg`, their VG export, and `source=vg:PATH`."""
    config = {"qa": {"per_image": 40, "multiple_choice_ratio": 0.5}, "world": "shapes"}
    synthgen.make("svg", n=60, out=tmp_path / "svg", workers=1, shard_size=60, config=config)
    checked = 0
    for r in _records(tmp_path / "svg"):
        truth = world_graph(r["scene_graph"])
        for qa in r["qa"]:
            if program(qa)["op"] not in ("point_object", "point_depth"):  # maps not stored
                check(qa, truth)
                checked += 1
    vg = tmp_path / "scene_graphs.json"
    assert export_dataset(tmp_path / "svg", "vg", vg) == 60
    synthgen.make(
        "svg",
        n=60,
        out=tmp_path / "from_vg",
        workers=1,
        shard_size=60,
        config={**config, "source": f"vg:{vg}"},
    )
    entries = {e["image_id"]: e for e in json.loads(vg.read_text())}
    vg_kinds = set()
    for r in _records(tmp_path / "from_vg"):
        truth = vg_graph(entries[r["vg_graph"]["image_id"]])
        for qa in r["qa"]:
            check(qa, truth)
            vg_kinds.add(qa["kind"])
            checked += 1
    assert checked >= 3000
    assert {"count", "relation_named", "grounding", "compositional_count"} <= vg_kinds
    assert not vg_kinds & {"point_same_object", "point_closer", "object_closer"}


def _wrong(qa: QA, s: Sample) -> str | None:
    """A wrong answer of the right form."""
    for d in distractors_for(qa, s.view):
        if d != qa.answer:
            return d
    if qa.answer_type == "bool":
        return "no" if qa.answer == "yes" else "yes"
    if qa.answer_type in ("list", "text"):
        return qa.answer + " x"
    return None


def test_checker_rejects_wrong_answers_and_ambiguous_references(samples: list[Sample]) -> None:
    pairs = _ask_all(samples[:80], rounds=1, seed=2)
    caught = Counter()
    for qa, s in pairs:
        wrong = _wrong(qa, s)
        if wrong is None:
            continue
        with pytest.raises(Disagreement):
            _check(qa.model_copy(update={"answer": wrong, "choices": None}), s)
        caught[qa.kind] += 1
    assert len(caught) >= 30
    # A reference that matches two objects is refused, whatever the answer.
    qa, s = next(
        (qa, s)
        for qa, s in pairs
        if qa.kind == "count" and s.view.name_counts[qa.program["select"]["name"]] > 1
    )
    name = qa.program["select"]["name"]
    bad = {"kind": "grounding", "op": "box", "ref": {"name": name, "attrs": {}}}
    with pytest.raises(Disagreement, match=r"selects [2-9]"):
        check({"program": bad, "answer": "[0, 0, 1, 1]", "choices": None}, s.truth)
