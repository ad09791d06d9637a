"""The independent checker (tests/qa/checker.py, which imports nothing from the QA package)
re-derives every answer of sprite-world svg records from the record's own world graph and
the atlas: counts over generic words, placed relations ("what is the woman holding"),
parts at regions, scene types, chained attributes, negation over categories, captions and
lists. Point questions need the instance map, which a record does not store: they are
checked on graphs made here with their maps.

``SYNTHGEN_SLOW=1`` checks 10,000 records (the issue's figure) instead of a few hundred."""

from __future__ import annotations

import json
import os
from collections import Counter
from typing import Any

import numpy as np
import pytest

import synthgen
from tests.qa.checker import Disagreement, check, program, sprite_graph

_SLOW = os.environ.get("SYNTHGEN_SLOW", "")
N = (int(_SLOW) if _SLOW.isdigit() and int(_SLOW) > 1 else 10_000) if _SLOW else 150
"""Records checked: 150; ``SYNTHGEN_SLOW=1``: 10,000; ``SYNTHGEN_SLOW=2000``: 2,000."""
POINT_OPS = {"point_object", "point_depth"}
NEW_KINDS = {
    "relation_object", "relation_subject", "part_at_point", "category_count",
    "category_exists", "scene_type", "category_negation_count", "category_negation_exists",
}  # fmt: skip


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    config = {"world": "sprites", "qa": {"per_image": 40, "multiple_choice_ratio": 0.3}}
    made = synthgen.generate("svg", N, config=config)
    return [json.loads(r.model_dump_json()) for r in made]


def test_checker_agrees_with_every_sprite_answer(records: list[dict[str, Any]]) -> None:
    kinds: Counter[str] = Counter()
    wrong = []
    for r in records:
        truth = sprite_graph(r["world_graph"])
        for qa in r["qa"]:
            if program(qa)["op"] in POINT_OPS:
                continue
            try:
                check(qa, truth)
            except Disagreement as e:
                wrong.append((r["index"], qa["question"], qa["answer"], str(e)))
            kinds[qa["kind"]] += 1
    print(
        f"checked {sum(kinds.values())} QA of {len(records)} sprite records: {len(wrong)} disagree"
    )
    assert not wrong, wrong[:10]
    assert set(kinds) >= NEW_KINDS, NEW_KINDS - set(kinds)
    assert sum(kinds.values()) >= 20 * len(records)


def _flip(qa: dict[str, Any]) -> str | None:
    """A wrong answer of the right form."""
    a = qa["answer"]
    if qa["answer_type"] == "bool":
        return "no" if a == "yes" else "yes"
    if qa["answer_type"] == "count":
        return str(int(a) + 1)
    if qa["answer_type"] in ("name", "attribute", "list", "text", "relation", "box"):
        return a + " x"
    return None


def test_checker_catches_wrong_sprite_answers(records: list[dict[str, Any]]) -> None:
    caught: Counter[str] = Counter()
    for r in records:
        truth = sprite_graph(r["world_graph"])
        for qa in r["qa"]:
            wrong = _flip(qa)
            if program(qa)["op"] in POINT_OPS or wrong is None:
                continue
            with pytest.raises(Disagreement):
                check({**qa, "answer": wrong, "choices": None}, truth)
            caught[qa["kind"]] += 1
    # 21 of the 25 non-point kinds a sprite image can be asked (topmost / bottommost, most /
    # least frequent and the relation lists are not asked of sprites, the 3-D kinds need a
    # 3-D world): compositional_exists, relation_which, chain_attribute and
    # attributes_at_region are asked a few times per 1,000 images (#15 finding 2: their
    # words gave the answer away), so 150 records need not hold them
    assert len(caught) >= 21, caught


def _checked_points(kinds: tuple[str, ...], per_image: int, images: int, seed: int) -> int:
    """Ask ``kinds`` of ``images`` sprite scenes made here and check every answer against
    the scene's world graph with its instance map and depth order (drawn later: nearer);
    the number of questions checked."""
    from synthgen.generators.qa import QAConfig, QASuite
    from synthgen.generators.qa.sources import from_world_graph
    from synthgen.generators.svg import Svg, SvgConfig  # noqa: F401  (the program's world path)
    from synthgen.world.sprites import SpritesConfig, SpriteWorld

    world, cfg = SpriteWorld(), SpritesConfig()
    suite = QASuite(QAConfig(kinds=kinds, per_image=per_image))
    rng = np.random.default_rng(seed)
    checked = 0
    for _ in range(images):
        scene = world.sample(rng, cfg)
        rendering = world.render(scene, cfg)
        graph = world.graph(scene, rendering, cfg)
        vg, data = graph.to_vg(), graph.to_dict()
        view = from_world_graph(vg, rendering, "sprites", data, [])
        truth = sprite_graph(data, np.asarray(rendering.ids))
        order = np.asarray(rendering.depth_order).astype(np.float64)
        truth.depth = np.where(order > 0, -order, np.inf)
        for qa in suite.ask(view, rng):
            check(qa.model_dump(), truth)
            checked += 1
    return checked


def test_point_answers_hold_on_the_instance_map() -> None:
    """Points on objects and on parts of a whole, against the rendering's instance map."""
    kinds = ("point_same_object", "point_different_object", "part_at_point")
    assert _checked_points(kinds, per_image=6, images=20, seed=3) >= 20


def test_depth_point_answers_hold_and_the_things_stand_apart() -> None:
    """Which of two points is nearer, against the rendering's depth order, between things
    a viewer can tell apart in depth (the checker's rule: two things at known depths half a
    metre and 5 % apart, or such a thing and a backdrop piece). The depth order alone
    ordered two curtains of one window ("Which point is farther? (329, 130)", both on the
    wall) and two people side by side. Found by looking (stop 29)."""
    checked = _checked_points(("point_closer", "point_farther"), per_image=2, images=120, seed=5)
    assert checked >= 40, checked
