"""The ``world`` setting of svg, svg_multi, imgdiff and edit: names, tables, errors, identity,
and a world registered here (a newcomer's) running through svg's generic path."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pydantic import BaseModel, ConfigDict, Field

import synthgen
from synthgen.engine import build_job
from synthgen.errors import UserError
from synthgen.generators.qa.sources import from_world_graph
from synthgen.program import programs
from synthgen.records import media_of
from synthgen.seeding import config_hash
from synthgen.validate import validate_dataset
from synthgen.world import WorldConfig
from synthgen.world.base import World, WorldRendering, register_world
from synthgen.world.vg import VGImage, VGObject, VGRelationship
from tests.helpers import run_cli

PROGRAMS = ("svg", "svg_multi", "imgdiff", "edit")
SMALL = {"qa": {"per_image": 6}}

# ---- a test-only world: colored tiles on a gray floor -----------------------------------

TILE_COLORS = {"red": (200, 40, 40), "blue": (40, 60, 200), "green": (40, 170, 60)}
TILE_NAMES = ("tile", "card", "block")


class TilesConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    width: int = Field(96, ge=32)
    height: int = Field(64, ge=32)
    max_objects: int = Field(4, ge=2, le=8)


@dataclass(frozen=True)
class Tile:
    name: str
    color: str
    x: int
    y: int
    w: int
    h: int


class TilesGraph(BaseModel):
    """VG-shaped, with a scene type and per-object pixel counts (as the sprite world's)."""

    width: int
    height: int
    scene_type: str
    objects: list[dict]
    relationships: list[dict]

    def to_vg(self) -> VGImage:
        return VGImage(
            image_id=0,
            width=self.width,
            height=self.height,
            objects=[
                VGObject(
                    object_id=o["id"], x=o["x"], y=o["y"], w=o["w"], h=o["h"],
                    names=[o["name"]], attributes=[o["color"]],
                )
                for o in self.objects
            ],
            relationships=[
                VGRelationship(
                    relationship_id=i, predicate=r["predicate"],
                    subject_id=r["subject"], object_id=r["object"],
                )
                for i, r in enumerate(self.relationships)
            ],
        )


@register_world
class TilesWorld(World[TilesConfig, tuple, TilesGraph]):
    """Non-overlapping tiles in a row: every tile fully visible, left-of relations exact."""

    name = "test_tiles"
    Config = TilesConfig

    def sample(self, rng: np.random.Generator, config: TilesConfig) -> tuple:
        n = 2 + int(rng.random() * (config.max_objects - 1))
        slot = config.width // n
        tiles = []
        for k in range(n):
            u = rng.random(3).tolist()
            tiles.append(
                Tile(
                    TILE_NAMES[int(u[0] * 3)], sorted(TILE_COLORS)[int(u[1] * 3)],
                    k * slot + 2, 4 + int(u[2] * 10), slot - 4, config.height // 2,
                )
            )
        return tuple(tiles)

    def render(self, scene: tuple, config: TilesConfig) -> WorldRendering:
        rgb = np.full((config.height, config.width, 3), 128, np.uint8)
        ids = np.zeros((config.height, config.width), np.uint8)
        for k, t in enumerate(scene, start=1):
            rgb[t.y : t.y + t.h, t.x : t.x + t.w] = TILE_COLORS[t.color]
            ids[t.y : t.y + t.h, t.x : t.x + t.w] = k
        return WorldRendering(Image.fromarray(rgb), ids, ids.copy())

    def graph(self, scene: tuple, rendering: WorldRendering, config: TilesConfig) -> TilesGraph:
        counts = np.bincount(rendering.ids.ravel(), minlength=len(scene) + 1)
        objects = [
            {"id": k, "name": t.name, "color": t.color, "x": t.x, "y": t.y, "w": t.w, "h": t.h,
             "visible_pixels": int(counts[k]), "depth_rank": k}
            for k, t in enumerate(scene, start=1)
        ]
        rels = [
            {"subject": a, "predicate": "left of", "object": b}
            for a in range(1, len(scene) + 1)
            for b in range(a + 1, len(scene) + 1)
        ]
        return TilesGraph(
            width=config.width, height=config.height, scene_type="table top",
            objects=objects, relationships=rels,
        )


def _records(root: Path) -> list[dict]:
    return [json.loads(line) for p in sorted((root / "data").glob("*.jsonl"))
            for line in p.read_text().splitlines()]


# ---- the setting ----------------------------------------------------------------------


@pytest.mark.parametrize("program", PROGRAMS)
def test_world_name_table_and_default_resolve_alike(program: str) -> None:
    # svg, imgdiff and edit draw real things by default (issues #14, #15); svg_multi shapes
    expected_default = "shapes" if program == "svg_multi" else "sprites"
    assert build_job(program, 1, "unused").config["world"]["name"] == expected_default
    shapes = build_job(program, 1, "unused", config={"world": "shapes"})
    for world in ({"name": "shapes"}, {}):
        job = build_job(program, 1, "unused", config={"world": world})
        assert job.config == shapes.config and job.config_hash == shapes.config_hash
    # the name of the shapes world stays out of the hash: configs hash as before worlds had names
    cls = programs.get(program)
    unnamed = {**shapes.config, "world": {
        k: v for k, v in shapes.config["world"].items() if k != "name"}}
    assert shapes.config_hash == config_hash(cls.identity_config(unnamed))


@pytest.mark.parametrize("program", PROGRAMS)
def test_world_table_without_name_is_the_shapes_world(program: str) -> None:
    job = build_job(program, 1, "unused", config={"world": {"max_objects": 8}})
    named = build_job(
        program, 1, "unused", config={"world": {"name": "shapes", "max_objects": 8}}
    )
    assert job.config["world"]["max_objects"] == 8 and job.config["world"]["name"] == "shapes"
    assert job.config_hash == named.config_hash
    assert job.config_hash != build_job(
        program, 1, "unused", config={"world": "shapes"}
    ).config_hash
    cfg = programs.get(program).Config.model_validate(job.config)
    assert type(cfg.world) is WorldConfig and cfg.world.max_objects == 8


def test_world_max_objects_still_works_end_to_end() -> None:
    table = list(synthgen.generate("svg", 3, config={"world": {"max_objects": 4}, **SMALL}))
    named = list(
        synthgen.generate("svg", 3, config={"world": {"name": "shapes", "max_objects": 4}, **SMALL})
    )
    assert [r.model_dump_json() for r in table] == [r.model_dump_json() for r in named]
    assert all(len(r.scene_graph.objects) <= 4 for r in table)
    assert all("world_graph" not in r.model_dump_json() for r in table)


@pytest.mark.parametrize(
    ("world", "words"),
    [
        ("spritez", ["config field 'world'", "unknown world 'spritez'", "registered worlds",
                     "shapes"]),
        ({"name": "shapez"}, ["unknown world 'shapez'", "did you mean 'shapes'"]),
        ({"max_objectz": 8}, ["world.max_objectz"]),
        ({"name": "shapes", "renderer": "blender"}, ["world.renderer", "pillow"]),
        ({"name": "test_tiles", "max_objects": 99}, ["world.max_objects"]),
        ({"name": "test_tiles", "max_objects": 4, "shapes": ["cube"]}, ["world.shapes"]),
        (5, ["config field 'world'", "world name"]),
    ],
)
def test_bad_world_settings_are_one_line_user_errors(world: object, words: list[str]) -> None:
    with pytest.raises(UserError) as err:
        build_job("svg", 1, "unused", config={"world": world})
    text = str(err.value)
    assert "\n" not in text
    for word in words:
        assert word in text, text


def test_unknown_world_exits_2_with_one_line_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = run_cli("make", "svg", "--n", "4", "--out", str(out), "--set", 'world="nope"')
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "unknown world 'nope'" in lines[0]
    assert "registered worlds: shapes, sprites" in lines[0]
    assert not out.exists()


@pytest.mark.parametrize("program", ["svg_multi", "imgdiff", "edit"])
def test_programs_without_other_worlds_refuse_them_before_writing(
    program: str, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    supported = set(programs.get(program).worlds or ())
    for world in ("sprites", "test_tiles", {"name": "sprites", "max_objects": 6}):
        name = world if isinstance(world, str) else world["name"]
        if name in supported:
            continue  # the program has learnt this world (imgdiff: sprites)
        with pytest.raises(UserError, match=f"not yet supported by {program}") as err:
            synthgen.make(program, n=2, out=out, workers=1, config={"world": world})
        assert "\n" not in str(err.value) and 'world="shapes"' in str(err.value)
    assert not out.exists()


def test_depth_media_needs_the_shapes_world() -> None:
    with pytest.raises(UserError, match="depth"):
        build_job("svg", 1, "unused", config={"world": "test_tiles", "depth": True})


# ---- a newcomer's world through svg ------------------------------------------------------


def test_a_registered_world_runs_through_svg_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "d"
    config = {"world": {"name": "test_tiles", "max_objects": 5}, **SMALL}
    synthgen.make("svg", n=12, out=out, workers=1, shard_size=6, config=config)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["job"]["config"]["world"] == {
        "name": "test_tiles", "width": 96, "height": 64, "max_objects": 5}
    assert manifest["job"]["config_hash"] != build_job("svg", 1, "unused").config_hash
    records = _records(out)
    assert len(records) == 12
    kinds = set()
    for r in records:
        assert r["source"] == "test_tiles" and "scene_graph" not in r
        graph = r["world_graph"]
        assert graph["scene_type"] == "table top"
        names = [o["name"] for o in graph["objects"]]
        assert set(names) <= set(TILE_NAMES)
        assert {v["filter"]: v["passed"] for v in r["lineage"]["verdicts"]} == {
            "visibility": True}
        image = Image.open(out / media_of(r)["image"]["path"])
        assert image.size == (96, 64)
        assert r["qa"] and r["conversations"][0]["value"].startswith("<image>\n")
        for qa in r["qa"]:
            kinds.add(qa["kind"])
            if qa["kind"] == "count":
                assert int(qa["answer"]) == names.count(json.loads(qa["program"])["select"]["name"])
            # no closed vocabulary: never a question about a shape of the shapes world
            assert "cube" not in qa["question"] and "metal" not in qa["question"]
    assert kinds, "no questions asked"
    report = validate_dataset(out)
    assert report.ok, report.problems
    # same bytes again (pure function of seed and index), through the in-memory API too
    again = list(synthgen.generate("svg", 12, config=config))
    assert [json.loads(a.model_dump_json())["qa"] for a in again] == [r["qa"] for r in records]


def test_world_graph_view_carries_masks_and_depth_order() -> None:
    world = TilesWorld()
    config = TilesConfig(max_objects=4)
    scene = world.sample(np.random.default_rng(0), config)
    rendering = world.render(scene, config)
    view = from_world_graph(world.graph(scene, rendering, config).to_vg(), rendering, "tiles")
    assert view.source == "tiles" and not view.decided
    assert view.has_masks and view.has_depth
    assert {"masks", "depth", "relations", "typed_attributes"} <= view.capabilities()
    depth = view.depth
    assert np.isinf(depth[rendering.ids == 0]).all()
    # rank 1 (drawn first, far) is the largest depth
    first, last = depth[rendering.ids == 1], depth[rendering.ids == len(scene)]
    assert first.min() > last.max()
    vg = world.graph(scene, rendering, config).to_vg()
    # things the graph left out may show in the id map: still masks
    rendering.ids[0, 0] = 77
    assert from_world_graph(vg, rendering, "tiles").has_masks
    # an object of the graph that does not show under its id: no masks (and no depth)
    rendering.ids[rendering.ids == 2] = 0
    view = from_world_graph(vg, rendering, "tiles")
    assert not view.has_masks and not view.has_depth and view.source == "tiles"


def test_svg_on_sprites_runs_and_validates(tmp_path: Path) -> None:
    from synthgen.world.sprites import SCENE_TYPES

    out = tmp_path / "s"
    proc = run_cli("make", "svg", "--n", "20", "--out", str(out), "--set", 'world="sprites"',
                   "--no-progress")
    assert proc.returncode == 0, proc.stderr
    assert run_cli("validate", str(out)).returncode == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["job"]["config"]["world"]["name"] == "sprites"
    records = _records(out)
    assert len(records) == 20
    categories = set()
    for r in records:
        assert r["source"] == "sprites" and "scene_graph" not in r
        graph = r["world_graph"]
        assert graph["scene_type"] in SCENE_TYPES
        for o in graph["objects"]:
            assert o["names"] and isinstance(o["synset"], str) and o["pixels"] >= 40
            categories.add(o["category"])
        names = [o["names"][0] for o in graph["objects"]]
        for qa in r["qa"]:
            if qa["kind"] == "count":
                assert int(qa["answer"]) == names.count(json.loads(qa["program"])["select"]["name"])
        image = Image.open(out / media_of(r)["image"]["path"])
        assert image.size == (graph["width"], graph["height"])
    assert len(categories) >= 10  # sprite categories, not the shapes world's six shapes
    assert not categories & {"cube", "sphere", "cylinder", "cone", "pyramid", "torus"}
