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
from synthgen.generators.svg_multi import SvgMultiConfig, _qa_graphs, sample_views
from synthgen.world.graph import build_scene_graph
from tests.helpers import dataset_bytes
from tests.qa.checker import check_many, world_graph

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
        assert sorted(r["media"]) == [f"image_{i}" for i in range(k)]
        for i, g in enumerate(r["scene_graphs"]):
            image = Image.open(tmp_path / "d" / r["media"][f"image_{i}"]["path"])
            assert image.size == (g["width"], g["height"])
            assert min(o["visible_pixels"] for o in g["objects"]) >= 40
        graphs = [world_graph(g) for g in r["scene_graphs"]]
        for qa in r["qa"]:
            check_many(qa, graphs)
        first = r["conversations"][0]["value"]
        assert first.count("<image>") == k and first.startswith("<image>\n" * k)
        assert sum(t["value"].count("<image>") for t in r["conversations"]) == k
    assert set(sizes) == {2, 3, 4}


def test_every_multi_image_kind_is_produced_and_checked() -> None:
    cfg = SvgMultiConfig(qa=QAConfig(per_image=14))
    suite = QASuite(cfg.qa)
    rng = np.random.default_rng(8)
    kinds: Counter[str] = Counter()
    for _ in range(40):
        views = sample_views(rng, cfg)
        if views is None:
            continue
        scene_graphs = [build_scene_graph(s, r) for s, r in views]
        truth = [world_graph(g.model_dump()) for g in scene_graphs]
        for qa in suite.ask_many(_qa_graphs(scene_graphs, [r for _, r in views]), rng):
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
        graphs = [world_graph(g) for g in r["scene_graphs"]]
        for qa in r["qa"]:
            check_many(qa, graphs)


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
