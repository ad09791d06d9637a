"""svg_multi: 2-4 images per record with their graphs, every multi-image kind produced and
checked by the independent checker, conversations with one ``<image>`` per image, and the
same bytes whatever the worker count."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import synthgen
from synthgen.generators.qa import QAConfig, QASuite, question_kinds
from synthgen.generators.svg_multi import (
    VIEWS_NOTE,
    SvgMultiConfig,
    _qa_graphs,
    sample_view_set,
)
from synthgen.records import media_of
from synthgen.world.graph import build_scene_graph
from tests.helpers import dataset_bytes
from tests.qa.checker import check_many, fits, world_graph

SMALL = {"world": {"max_objects": 6}, "qa": {"per_image": 6}}


def _records(root: Path) -> list[dict]:
    return [
        json.loads(line)
        for p in sorted((root / "data").glob("*.jsonl"))
        for line in p.read_text().splitlines()
    ]


def test_records_hold_2_to_4_images_graphs_and_checked_answers(tmp_path: Path) -> None:
    synthgen.make("svg_multi", n=24, out=tmp_path / "d", workers=1, shard_size=24, config=SMALL)
    records = _records(tmp_path / "d")
    assert len(records) == 24
    sizes = Counter()
    for r in records:
        k = len(r["scene_graphs"])
        sizes[k] += 1
        assert 2 <= k <= 4
        assert sorted(media_of(r)) == [f"image_{i}" for i in range(k)]
        for i, g in enumerate(r["scene_graphs"]):
            image = Image.open(tmp_path / "d" / media_of(r)[f"image_{i}"]["path"])
            assert image.size == (g["width"], g["height"])
            assert min(o["visible_pixels"] for o in g["objects"]) >= 40
        graphs = _truth(r)
        for qa in r["qa"]:
            check_many(qa, graphs)
        first = r["conversations"][0]["value"]
        assert first.count("<image>") == k and first.startswith("<image>\n" * k)
        assert sum(t["value"].count("<image>") for t in r["conversations"]) == k
    assert set(sizes) == {2, 3, 4}


def _truth(record: dict) -> list:
    """The checker's graphs of a record, each with its objects' physical ids."""
    graphs = [world_graph(g) for g in record["scene_graphs"]]
    for g, ids in zip(graphs, record["physical_ids"], strict=True):
        g.extra["physical"] = {o.id: p for o, p in zip(g.objects, ids, strict=True)}
    return graphs


def test_every_multi_image_kind_is_produced_and_checked() -> None:
    kinds: Counter[str] = Counter()
    rng = np.random.default_rng(8)
    for views_kind in ("related", "independent"):
        cfg = SvgMultiConfig(qa=QAConfig(per_image=14), views=views_kind)
        suite = QASuite(cfg.qa)
        for _ in range(30):
            drawn = sample_view_set(rng, cfg)
            if drawn is None:
                continue
            views, physical = drawn
            scene_graphs = [build_scene_graph(s, r) for s, r in views]
            record = {"scene_graphs": [g.model_dump() for g in scene_graphs]}
            truth = _truth({**record, "physical_ids": physical})
            qa_graphs = _qa_graphs(scene_graphs, [r for _, r in views], physical, views_kind)
            for qa in suite.ask_many(qa_graphs, rng):
                check_many(qa.model_dump(), truth)
                kinds[qa.kind] += 1
    multi = {n for n in question_kinds.names() if question_kinds.get(n).images > 1}
    assert set(kinds) == multi, multi - set(kinds)


def test_independent_views_work_too(tmp_path: Path) -> None:
    synthgen.make(
        "svg_multi",
        n=6,
        out=tmp_path / "d",
        workers=1,
        shard_size=6,
        config={**SMALL, "views": "independent"},
    )
    for r in _records(tmp_path / "d"):
        assert r["views"] == "independent"
        ids = [p for image in r["physical_ids"] for p in image]
        assert len(ids) == len(set(ids))  # no object is in two independent scenes
        graphs = _truth(r)
        for qa in r["qa"]:
            check_many(qa, graphs)
            assert not qa["question"].startswith(VIEWS_NOTE)


def test_views_of_one_scene_say_so_and_count_physical_objects(tmp_path: Path) -> None:
    """Issue #15 finding 1: related views are declared in every question; totals count a
    physical object once however many views show it; no "what do they have in common"
    compares an object with itself; "which image shows A left of B" has A and B in every
    image, so presence alone never decides it."""
    config = {**SMALL, "qa": {"per_image": 14}}
    synthgen.make("svg_multi", n=40, out=tmp_path / "d", workers=1, shard_size=40, config=config)
    totals = relations = 0
    for r in _records(tmp_path / "d"):
        assert r["views"] == "related"
        graphs = _truth(r)
        for qa in r["qa"]:
            assert qa["question"].startswith(VIEWS_NOTE), qa["question"]
            assert qa["kind"] not in ("multi_common_attributes", "multi_total_attribute_count")
            p = json.loads(qa["program"])
            if p["op"] == "total_count":
                name = p["select"]["name"]
                physical = {
                    g.extra["physical"][o.id] for g in graphs for o in g.objects if o.name == name
                }
                assert p.get("physical") and qa["answer"] == str(len(physical)), qa
                totals += 1
            if p["op"] == "image_select" and "relation" in p["cond"]:
                rel = p["cond"]["relation"]
                for g in graphs:
                    for side in (rel["subject"], rel["object"]):
                        assert sum(fits(o, side) for o in g.objects) == 1, qa
                relations += 1
    assert totals >= 10 and relations >= 5, (totals, relations)


def test_same_bytes_whatever_the_worker_count(tmp_path: Path) -> None:
    synthgen.make("svg_multi", n=12, out=tmp_path / "a", workers=1, shard_size=4, config=SMALL)
    synthgen.make("svg_multi", n=12, out=tmp_path / "b", workers=2, shard_size=4, config=SMALL)
    assert dataset_bytes(tmp_path / "a") == dataset_bytes(tmp_path / "b")


@pytest.mark.parametrize(
    ("config", "words"),
    [
        ({"images": [1, 3]}, "2 <= fewest"),
        ({"qa": {"kinds": ["count"]}}, "single-image"),
    ],
)
def test_bad_configs_are_refused(config: dict, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        SvgMultiConfig.model_validate(config)


def test_records_without_questions_are_rejected_not_written(tmp_path: Path) -> None:
    # One kind alone (a related record's changed relation) has nothing to ask of many image
    # sets: each such candidate is a reject with its reason, never a record without QA.
    config = {**SMALL, "qa": {"per_image": 2, "kinds": ["multi_relation_diff"]}}
    manifest = synthgen.make(
        "svg_multi", n=12, out=tmp_path / "d", workers=1, shard_size=12, config=config
    )
    records = _records(tmp_path / "d")
    assert len(records) == 12
    assert all(r["qa"] and r["conversations"] for r in records)
    assert manifest.totals.rejects_by_reason.get("no_questions", 0) > 0


@pytest.mark.parametrize("world", ["sprites", "shapes"])
def test_two_images_never_get_one_fact_asked_both_ways(world: str) -> None:
    """Of two images, "Which image has a hat? Image 1" and "Which image has no hat?
    Image 2" state one fact: a record asks it once (37 of 63 two-image sprite records
    asked both)."""
    config = {"world": world, "images": (2, 2), "qa": {"per_image": 8}}
    made = synthgen.generate("svg_multi", 40, seed=6, config=config)
    selects = 0
    for r in made:
        conds: Counter[str] = Counter()
        for qa in r.qa:
            if qa.program.get("op") == "image_select":
                selects += 1
                conds[json.dumps(qa.program["cond"], sort_keys=True)] += 1
        assert not [c for c, k in conds.items() if k > 1], [q.question for q in r.qa]
    assert selects >= 40  # image-select questions were asked
