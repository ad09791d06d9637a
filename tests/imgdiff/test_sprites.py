"""imgdiff on the sprite world: every change kind, pixels only where the record says,
captions with the things' names, replacements within a hypernym, how-many answers; and
finding 8 on the shapes world (1-3 changes by default, shadows boxed, moves in depth said)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import synthgen
from synthgen.world.sprites.atlas import load_atlas
from tests.helpers import dataset_bytes, run_cli

SPRITE_KINDS = ("replace", "remove", "add", "attach", "move", "resize", "recolor")


def _records(config: dict[str, Any], n: int, seed: int = 0) -> list[Any]:
    return list(synthgen.generate("imgdiff", n=n, seed=seed, config=config))


def _changed(rec: Any) -> np.ndarray:
    a = np.asarray(rec.media_objects["image_0"].convert("RGB")).astype(np.int16)
    b = np.asarray(rec.media_objects["image_1"].convert("RGB")).astype(np.int16)
    return (np.abs(a - b) > 16).any(axis=2)


def _claimed(rec: Any, shape: tuple[int, int]) -> np.ndarray:
    inside = np.zeros(shape, dtype=bool)
    for ch in rec.changes:
        for box in (ch.box, ch.shadow_box):
            if box is not None:
                x, y, w, h = box
                inside[y : y + h, x : x + w] = True
    return inside


@pytest.mark.parametrize("kind", SPRITE_KINDS)
def test_every_sprite_kind_changes_pixels_only_in_its_boxes(kind: str) -> None:
    """Each kind is made; every pixel that differs (by more than diff_area's threshold) lies
    in a change's object box or its shadow box; captions name the things."""
    records = _records({"world": "sprites", "kinds": [kind], "changes": 1}, 4, seed=2)
    assert len(records) == 4
    atlas = load_atlas()
    for rec in records:
        (ch,) = rec.changes
        assert ch.kind == kind
        diff = _changed(rec)
        assert diff.any()
        assert not (diff & ~_claimed(rec, diff.shape)).any(), rec.id
        words = " ".join(ch.captions).lower()
        if ch.before is not None:
            assert ch.before.name in words, (ch.captions, ch.before.name)
        if ch.after is not None and kind in ("add", "attach", "replace"):
            assert ch.after.name in words, (ch.captions, ch.after.name)
        if kind == "replace":
            a = atlas.categories[ch.before.attributes["category"]].hypernyms
            b = atlas.categories[ch.after.attributes["category"]].hypernyms
            assert a != b and a[:2] == b[:2], (a, b)  # same hypernym, another category
        if kind == "remove":
            assert ch.after is None and ch.box_b is None
        if kind in ("add", "attach"):
            assert ch.before is None and ch.box_a is None
        if kind == "move":
            (ax, ay, _aw, ah), (bx, by, _bw, bh) = ch.before.bbox, ch.after.bbox
            if "camera" in ch.direction:  # nearer: lower in the image and taller
                nearer = by + bh > ay + ah and bh > ah
                farther = by + bh < ay + ah and bh < ah
                assert nearer if ch.direction == "closer to the camera" else farther, ch
            else:
                assert ch.direction == ("to the left" if bx < ax else "to the right")
        if kind == "resize":
            grew = ch.after.bbox[3] > ch.before.bbox[3]
            assert ("bigger" if grew else "smaller") in ch.captions[0]


def test_things_no_change_is_about_are_named_in_both_images_or_neither() -> None:
    """A change that uncovers or covers another thing (the tram removed, a train hidden behind
    it now shows) is a difference the captions do not say: those pairs are rejected, so the
    things of A's graph without the changed ones are exactly B's without the changed ones."""
    records = _records({"world": "sprites", "scene_graphs": True}, 24, seed=6)
    assert len(records) == 24

    def things(graph: dict[str, Any]) -> Counter[str]:
        return Counter(o["category"] for o in graph["objects"] if o["role"] == "thing")

    for rec in records:
        graph_a, graph_b = rec.world_graphs
        before = Counter(c.before.attributes["category"] for c in rec.changes if c.before)
        after = Counter(c.after.attributes["category"] for c in rec.changes if c.after)
        assert things(graph_a) - before == things(graph_b) - after, (rec.id, rec.captions[0])


def test_sprite_pairs_have_one_to_three_changes_and_count_them() -> None:
    records = _records({"world": "sprites"}, 30, seed=4)
    counts = Counter(len(r.changes) for r in records)
    assert set(counts) <= {1, 2, 3} and len(counts) >= 2, counts
    for rec in records:
        how_many = [q for q in rec.qa if q.kind == "how_many"]
        assert [q.answer for q in how_many] == [str(len(rec.changes))]
        assert re.search(r"\b(a|an|the)\b", rec.captions[0].lower())


def test_shapes_default_follows_the_readme_and_boxes_hold_every_changed_pixel() -> None:
    """Finding 8: by default 1-3 changes with a how-many question; no changed pixel lies
    outside the changes' object boxes and shadow boxes (was 18 % of pairs with over 10 %)."""
    records = _records({"world": {"max_objects": 6}}, 24, seed=1)
    counts = Counter(len(r.changes) for r in records)
    assert len(counts) >= 2 and set(counts) <= {1, 2, 3}, counts
    for rec in records:
        assert any(q.kind == "how_many" for q in rec.qa)
        diff = _changed(rec)
        assert not (diff & ~_claimed(rec, diff.shape)).any(), rec.id


def test_shapes_moves_in_depth_are_described() -> None:
    """Finding 8: a move's description follows its ground displacement in the camera's
    frame (from the graph's camera), so a large move in depth is never only "to the left"."""
    records = _records(
        {"world": {"max_objects": 6}, "kinds": ["move"], "changes": 1, "scene_graphs": True},
        30,
        seed=7,
    )
    seen = Counter()
    for rec in records:
        (ch,) = rec.changes
        cam = rec.scene_graphs[0].camera
        fwd = np.subtract(cam.look_at, cam.position)[:2]
        fwd = fwd / np.hypot(*fwd)
        right = np.array([fwd[1], -fwd[0]])
        d = np.subtract(ch.after.position, ch.before.position)
        side, depth = float(d @ right), float(d @ fwd)
        words = ch.direction
        if abs(depth) >= 0.5 * abs(side):
            assert ("back" if depth > 0 else "front") in words, (side, depth, words)
            seen["depth"] += 1
        if abs(side) >= 0.5 * abs(depth):
            assert ("right" if side > 0 else "left") in words, (side, depth, words)
    assert seen["depth"] >= 3


def test_sprite_pairs_same_bytes_with_one_and_two_workers(tmp_path: Path) -> None:
    runs = {}
    for workers in (1, 2):
        root = tmp_path / f"w{workers}"
        args = ["--n", "6", "--seed", "3", "--workers", str(workers), "--shard-size", "3"]
        result = run_cli("make", "imgdiff", "--out", str(root), *args, "--set", 'world="sprites"')
        assert result.returncode == 0, result.stderr
        runs[workers] = dataset_bytes(root)
    assert runs[1] == runs[2]
    assert sum(1 for name in runs[1] if name.endswith((".image_0.png", ".image_1.png"))) == 12


def test_sprite_world_with_only_shapes_kinds_is_one_line_exit_2(tmp_path: Path) -> None:
    result = run_cli(
        "make", "imgdiff", "--out", str(tmp_path / "x"), "--n", "2",
        "--set", 'world="sprites"', "--set", 'kinds=["material"]',
    )  # fmt: skip
    assert result.returncode == 2
    assert "kinds" in result.stderr and "sprite" in result.stderr
    assert not (tmp_path / "x").exists() or not list((tmp_path / "x").rglob("*.png"))
