"""The svg recipe: visibility filter, QA answers from the graph, VG interop, determinism."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import synthgen
from synthgen.filters.visibility import Visibility
from synthgen.records import media_of
from synthgen.world import build_scene_graph, get_renderer
from synthgen.world.camera import Light
from synthgen.world.scene import Scene, WorldObject
from synthgen.world.stage import make_stage
from synthgen.world.vg import load_vg
from tests.helpers import dataset_bytes, run_cli

SMALL = {"world": {"max_objects": 6}, "qa": {"per_image": 6}}


def _records(root: Path) -> list[dict]:
    return [json.loads(line) for p in sorted((root / "data").glob("*.jsonl"))
            for line in p.read_text().splitlines()]


def _hidden_scene() -> Scene:
    """A small sphere straight behind a large cube, as seen from the stage's camera."""
    stage = make_stage(0, 0, 320, 240)
    cam = np.array(stage.camera.position)
    target = np.array(stage.camera.target)
    ground_dir = (target - cam)[:2] / np.linalg.norm((target - cam)[:2])
    front = target[:2] - 0.5 * ground_dir
    back = front + 1.2 * ground_dir  # 10 pixels of the sphere peek over the cube
    objects = (
        WorldObject("cube", "red", "rubber", "large", float(front[0]), float(front[1]), 0.0),
        WorldObject("sphere", "blue", "metal", "small", float(back[0]), float(back[1]), 0.0),
    )
    return Scene(objects=objects, stage=stage, light=Light(azimuth_deg=30, elevation_deg=60))


def test_visibility_rejects_a_constructed_scene_with_a_hidden_object() -> None:
    scene = _hidden_scene()
    rendering = get_renderer("pillow").render(scene)
    graph = build_scene_graph(scene, rendering)
    counts = [(o.id, o.visible_pixels) for o in graph.objects]
    assert counts[0][1] > 1000 and 0 < counts[1][1] < 40, counts
    verdict = Visibility(40).check(counts)
    assert not verdict.passed and verdict.filter == "visibility"
    assert verdict.score == counts[1][1] and verdict.threshold == 40
    assert "object 2" in (verdict.detail or "")
    assert Visibility(counts[1][1]).check(counts).passed


def test_every_record_passed_visibility_and_answers_match_the_graph(tmp_path: Path) -> None:
    synthgen.make("svg", n=40, out=tmp_path / "d", workers=1, shard_size=20, config=SMALL)
    records = _records(tmp_path / "d")
    assert len(records) == 40
    for r in records:
        verdicts = {v["filter"]: v for v in r["lineage"]["verdicts"]}
        assert verdicts["visibility"]["passed"]
        assert min(o["visible_pixels"] for o in r["scene_graph"]["objects"]) >= 40
        names = [o["name"] for o in r["scene_graph"]["objects"]]
        for qa in r["qa"]:
            if qa["kind"] == "count":
                assert int(qa["answer"]) == names.count(json.loads(qa["program"])["select"]["name"])
            choices = json.loads(qa["choices"]) if qa["choices"] else None  # JSON text
            assert (qa["answer_index"] == -1) == (choices is None)
            if choices:
                assert choices[qa["answer_index"]] == qa["answer"]
                assert len(set(choices)) == len(choices)
        assert r["conversations"][0]["value"].startswith("<image>\n")
        image = Image.open(tmp_path / "d" / media_of(r)["image"]["path"])
        assert image.size == (r["scene_graph"]["width"], r["scene_graph"]["height"])


def test_same_seed_same_bytes_and_worker_count_does_not_matter(tmp_path: Path) -> None:
    synthgen.make("svg", n=24, out=tmp_path / "a", workers=1, shard_size=8, config=SMALL)
    synthgen.make("svg", n=24, out=tmp_path / "b", workers=2, shard_size=8, config=SMALL)
    assert dataset_bytes(tmp_path / "a") == dataset_bytes(tmp_path / "b")
    synthgen.make("svg", n=24, out=tmp_path / "c", seed=1, workers=1, shard_size=8, config=SMALL)
    assert (tmp_path / "a/data/shard-00000.jsonl").read_bytes() != (
        tmp_path / "c/data/shard-00000.jsonl").read_bytes()


def test_depth_media_is_a_16_bit_png_consistent_with_object_distances(tmp_path: Path) -> None:
    synthgen.make("svg", n=3, out=tmp_path / "d", workers=1, config={**SMALL, "depth": True})
    for r in _records(tmp_path / "d"):
        ref = media_of(r)["depth"]
        assert ref["mime"] == "image/png"
        depth = np.asarray(Image.open(io.BytesIO((tmp_path / "d" / ref["path"]).read_bytes())))
        assert depth.shape == (240, 320)
        assert (depth == 0).any() and (depth > 0).any()  # background is 0
        for o in r["scene_graph"]["objects"]:
            x, y, w, h = o["bbox"]
            window = depth[y:y + h, x:x + w].astype(np.float64) / 1000
            window = window[window > 0]
            # Some surface in the object's box lies within the object's extent of its centre.
            assert window.size and np.abs(window - o["distance"]).min() < 0.8


def test_vg_export_import_round_trip(tmp_path: Path) -> None:
    synthgen.make("svg", n=5, out=tmp_path / "d", workers=1, config=SMALL)
    out = tmp_path / "vg" / "scene_graphs.json"
    result = run_cli("export", str(tmp_path / "d"), "--to", "vg", "--all-relations", str(out))
    assert result.returncode == 0, result.stderr
    images = load_vg(out)
    records = _records(tmp_path / "d")
    assert len(images) == len(records) == 5
    next_id = 1  # VG ids: unique in the dataset, from 1, in record and object order
    for image, r in zip(images, records, strict=True):
        graph = r["scene_graph"]
        assert image.image_id == r["index"] + 1
        assert (image.width, image.height) == (graph["width"], graph["height"])
        objects = {o.object_id: o for o in image.objects}
        new_id = {}
        for o in graph["objects"]:
            new_id[o["id"]] = next_id
            vg = objects[next_id]
            next_id += 1
            assert vg.names == [o["name"]]
            assert sorted(vg.attributes) == sorted(o["attributes"].values())
            assert [vg.x, vg.y, vg.w, vg.h] == o["bbox"]
        rels = {(rel.subject_id, rel.predicate, rel.object_id) for rel in image.relationships}
        expected = {(new_id[s], p, new_id[o])
                    for p, pairs in json.loads(graph["relations_by_predicate"]).items()
                    for s, o in pairs}
        assert rels == expected


def test_vg_source_asks_box_and_relation_questions_and_counts_skipped_kinds(
        tmp_path: Path) -> None:
    synthgen.make("svg", n=6, out=tmp_path / "d", workers=1, config=SMALL)
    vg = tmp_path / "sg.json"
    assert run_cli("export", str(tmp_path / "d"), "--to", "vg", str(vg)).returncode == 0
    manifest = synthgen.make("svg", n=6, out=tmp_path / "from_vg", workers=1,
                             config={"source": f"vg:{vg}", "qa": {"per_image": 6}})
    records = _records(tmp_path / "from_vg")
    assert [r["source"] for r in records] == ["vg"] * 6
    assert all(r["vg_graph"] is not None and "image" not in media_of(r) for r in records)
    assert any(r["qa"] for r in records)
    assert manifest.totals.counters.get("qa.skipped.object_closer.needs_3d", 0) > 0
    too_many = run_cli("make", "svg", "--n", "7", "--out", str(tmp_path / "x"), "--set",
                       f'source="vg:{vg}"')
    assert too_many.returncode == 2 and "6 candidates" in too_many.stderr


@pytest.mark.parametrize(("content", "words"), [
    ('[{"image_id": 1, "objects": [{"object_id": 1, "x": 0, "y": 0, "w": 5}]}]',
     ["entry 0", "objects.0.h"]),
    ('[{"image_id": 1, "objects": []}, {"objects": []}]', ["entry 1", "image_id"]),
    # a dangling relationship is skipped and counted (tests/world/test_vg_import.py); a
    # broken image size is still an error
    ('[{"image_id": 1, "width": 0, "objects": [{"object_id": 1, "x": 0, "y": 0, "w": 5, '
     '"h": 5, "names": ["a"]}]}]', ["entry 0", "image_id 1", "'width'"]),
    ('{"not": "a list"}', ["JSON list"]),
    ("[{", ["not valid JSON"]),
])
def test_malformed_vg_input_is_a_user_error(tmp_path: Path, content: str,
                                             words: list[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    out = tmp_path / "ds"
    result = run_cli("make", "svg", "--n", "1", "--out", str(out), "--set", f'source="vg:{bad}"')
    assert result.returncode == 2, result.stderr
    line = result.stderr.strip()
    assert "\n" not in line and str(bad) in line
    for word in words:
        assert word in line, line
    assert not out.exists()


def test_named_objects_are_clearly_visible_in_the_shapes_world(tmp_path: Path) -> None:
    """Issue #15 finding 3: every object a question may name shows at least 100 pixels and
    a quarter of its area (the old filter let a 60-pixel sliver through)."""
    config = {"world": "shapes", "qa": {"per_image": 4}}
    made = synthgen.generate("svg", 100, config=config)
    for r in made:
        for o in r.scene_graph.objects:
            assert o.visible_pixels >= 100 and o.visible_fraction >= 0.25, o
    check = Visibility(100, 0.25).check
    assert not check([(1, 500, 0.9), (2, 400, 0.2)]).passed  # enough pixels, too hidden
    assert not check([(1, 60, 0.9)]).passed
    assert check([(1, 100, 0.25), (2, 5000, 1.0)]).passed


@pytest.mark.parametrize(
    ("config", "absent"),
    [
        ({"qa": {"per_image": 3}}, {"scene_graph", "vg_graph"}),
        ({"world": "shapes", "qa": {"per_image": 3}}, {"world_graph", "vg_graph"}),
        (
            {"conversations": False, "qa": {"per_image": 3}},
            {"scene_graph", "vg_graph", "conversations"},
        ),
    ],
)
def test_unset_graphs_are_left_out_of_the_json_and_read_back_as_none(
    config: dict, absent: set[str]
) -> None:
    """A record writes only its own kind of graph (and conversations when on): the other
    fields are no keys at all (not null), read back as None, and the JSON is the one the
    wrap serializer of ``OmitNone`` writes (what older pydantic, without ``exclude_if``,
    uses: the same bytes either way)."""
    from pydantic import Field, create_model

    from synthgen.generators.jsonfield import OmitNone
    from synthgen.generators.svg import SvgRecord
    from synthgen.records import BaseRecord

    fields = {
        name: (info.annotation, Field(None) if name in SvgRecord.omit_when_none else info)
        for name, info in SvgRecord.model_fields.items()
        if name not in BaseRecord.model_fields
    }
    legacy = create_model(  # type: ignore[call-overload]
        "LegacySvgRecord", __base__=(OmitNone, BaseRecord), **fields
    )
    legacy.omit_when_none = SvgRecord.omit_when_none
    for r in synthgen.generate("svg", 4, config=config):
        line = r.model_dump_json()
        data = json.loads(line)
        assert absent.isdisjoint(data) and "qa" in data
        assert set(SvgRecord.omit_when_none) - absent <= set(data)
        back = SvgRecord.model_validate_json(line)
        assert all(getattr(back, k) is None for k in absent)
        assert back.model_dump_json() == line
        assert absent.isdisjoint(r.model_dump())
        assert legacy.model_validate(r.model_dump()).model_dump_json() == line
