"""diff_area: connected components against a reference flood fill, the filter's rules on
hand-made pairs, and an occluded change built on the real renderer."""

from __future__ import annotations

from collections import deque

import numpy as np
import pytest
from PIL import Image

from synthgen.filters.diff_area import (
    DiffArea,
    DiffCandidate,
    ExpectedChange,
    connected_components,
    difference_mask,
    measure,
)
from synthgen.generators.imgdiff.changes import Change, Variant
from synthgen.generators.imgdiff.procedural import _View, describe_changes
from synthgen.program import Context, Rejected
from synthgen.world.render import get_renderer
from synthgen.world.scene import Scene, WorldConfig, WorldObject
from synthgen.world.stage import make_stage


def flood_fill(mask: np.ndarray) -> list[tuple[tuple[int, int, int, int], int]]:
    """Reference 8-connected labelling: BFS per pixel; (x0, y0, x1, y1), count per component."""
    h, w = mask.shape
    seen = np.zeros_like(mask)
    out = []
    for y in range(h):
        for x in range(w):
            if mask[y, x] and not seen[y, x]:
                q = deque([(y, x)])
                seen[y, x] = True
                pts = []
                while q:
                    cy, cx = q.popleft()
                    pts.append((cy, cx))
                    for dy in (-1, 0, 1):
                        for dx in (-1, 0, 1):
                            ny, nx = cy + dy, cx + dx
                            if 0 <= ny < h and 0 <= nx < w and mask[ny, nx] and not seen[ny, nx]:
                                seen[ny, nx] = True
                                q.append((ny, nx))
                ys = [p[0] for p in pts]
                xs = [p[1] for p in pts]
                out.append(((min(xs), min(ys), max(xs), max(ys)), len(pts)))
    return sorted(out)


@pytest.mark.parametrize("density", [0.05, 0.2, 0.45, 0.6])
def test_components_match_a_flood_fill(density: float) -> None:
    rng = np.random.default_rng(int(density * 100))
    for _ in range(10):
        mask = rng.random((rng.integers(1, 30), rng.integers(1, 30))) < density
        comps = connected_components(mask)
        got = sorted(
            (tuple(b), c) for b, c in zip(comps.boxes.tolist(), comps.counts.tolist(), strict=True)
        )
        assert got == flood_fill(mask)


def _random_case(rng: np.random.Generator) -> DiffCandidate:
    """Up to three random boxes, differences sprinkled inside them and, sometimes, a few
    outside (next to a box or far away); boxes sometimes overlap or touch."""
    h, w = 40, 60
    a = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    b = a.copy()
    changes = []
    for _ in range(int(rng.integers(1, 4))):
        x, y = int(rng.integers(0, w - 4)), int(rng.integers(0, h - 4))
        bw, bh = int(rng.integers(2, min(20, w - x) + 1)), int(rng.integers(2, min(15, h - y) + 1))
        changes.append(ExpectedChange((x, y, bw, bh)))
        spots = rng.random((bh, bw)) < rng.choice([0.1, 0.5, 0.9])
        b[y : y + bh, x : x + bw][spots] ^= 0x80
    if rng.random() < 0.4:
        ys, xs = rng.integers(0, h, 3), rng.integers(0, w, 3)
        b[ys, xs] ^= 0x80
    return DiffCandidate(a, b, changes)


def test_the_labelling_free_shortcut_agrees_with_labelling(monkeypatch: pytest.MonkeyPatch) -> None:
    """``measure`` skips labelling when the boxes are apart and hold every difference; on
    random pairs it must give what labelling the components gives, and both paths occur."""
    import synthgen.filters.diff_area as module

    calls = []

    def spy(mask: np.ndarray) -> object:
        calls.append(1)
        return connected_components(mask)

    monkeypatch.setattr(module, "connected_components", spy)
    rng = np.random.default_rng(7)
    skipped = 0
    for _ in range(400):
        case = _random_case(rng)
        reference = measure(case, 16, labels=True)
        before = len(calls)
        assert measure(case, 16) == reference
        skipped += len(calls) == before
    assert 50 < skipped < 350


def test_pillow_and_array_images_give_the_same_mask() -> None:
    rng = np.random.default_rng(3)
    for _ in range(20):
        case = _random_case(rng)
        for mode in ("RGB", "L"):
            arr_a, arr_b = case.image_a, case.image_b
            if mode == "L":
                arr_a, arr_b = arr_a[..., 0].copy(), arr_b[..., 0].copy()
            pil_a, pil_b = Image.fromarray(arr_a, mode), Image.fromarray(arr_b, mode)
            for threshold in (0, 16, 200):
                m1, y1, x1 = difference_mask(arr_a, arr_b, threshold)
                m2, y2, x2 = difference_mask(pil_a, pil_b, threshold)
                assert (y1, x1) == (y2, x2) and np.array_equal(m1, m2)


def _pair(h: int = 60, w: int = 80) -> tuple[np.ndarray, np.ndarray]:
    a = np.full((h, w, 3), 100, dtype=np.uint8)
    return a, a.copy()


def test_a_matching_change_passes_and_scores_its_iou() -> None:
    a, b = _pair()
    b[10:30, 20:40] = (200, 30, 30)  # 400 px: >= 80*60/400 = 12
    verdict = DiffArea().check(DiffCandidate(a, b, [ExpectedChange((20, 10, 20, 20))]))
    assert verdict.passed and verdict.score == 1.0
    # the expected box twice as wide: IoU 0.5 still passes, 0.4 does not
    assert DiffArea().check(DiffCandidate(a, b, [ExpectedChange((20, 10, 40, 20))])).passed
    bad = DiffArea().check(DiffCandidate(a, b, [ExpectedChange((20, 10, 50, 20))]))
    assert not bad.passed and "IoU 0.40" in bad.detail


def test_small_unexplained_occluded_and_ignored_differences() -> None:
    a, b = _pair()
    b[10:13, 20:23] = 0  # 9 px < 12 px
    small = DiffArea().check(DiffCandidate(a, b, [ExpectedChange((20, 10, 3, 3))]))
    assert not small.passed and "too small" in small.detail
    a, b = _pair()
    b[10:30, 20:40] = 0
    b[50:55, 70:75] = 0  # a second region no change explains
    stray = DiffArea().check(DiffCandidate(a, b, [ExpectedChange((20, 10, 20, 20))]))
    assert not stray.passed and "match no change" in stray.detail
    ignore = np.zeros((60, 80), dtype=bool)
    ignore[50:55, 70:75] = True
    masked = DiffArea().check(
        DiffCandidate(a, b, [ExpectedChange((20, 10, 20, 20))], lambda r, c: ignore[r, c])
    )
    assert masked.passed
    hidden = DiffArea().check(
        DiffCandidate(a, b, [ExpectedChange((20, 10, 20, 20), "x", visible_fraction=0.3)])
    )
    assert not hidden.passed and "occlusion" in hidden.detail
    # |100 - 0| = 100 is not above a threshold of 120: no pixel differs, the change is lost
    below = DiffArea(threshold=120).check(DiffCandidate(a, b, [ExpectedChange((20, 10, 20, 20))]))
    assert not below.passed and "too small: 0 differing px" in below.detail


def _occluded_scene(world: WorldConfig) -> tuple[Scene, int]:
    """A big cube in front of a small sphere on the camera's line of sight (searched
    deterministically so the sphere shows 40+ px but under half of itself)."""
    stage = make_stage(0, world.stage_seed, world.width, world.height)
    cam = stage.camera
    renderer = get_renderer("pillow", shadows=True)
    toward = np.array(cam.position[:2], dtype=float)
    toward /= np.hypot(*toward)  # ground direction from the origin towards the camera
    side = np.array([-toward[1], toward[0]])
    for near in (0.5, 1.0, 1.5):
        for gap in (1.0, 1.2, 1.4):
            for lateral in np.linspace(-0.5, 0.5, 11):
                front = toward * near
                back = toward * (near - gap) + side * lateral
                big = WorldObject("cube", "gray", "rubber", "large", *front.tolist(), 20.0)
                small = WorldObject("sphere", "red", "rubber", "small", *back.tolist(), 0.0)
                scene = Scene(objects=(big, small), stage=stage, light=_light())
                view = _View(scene, renderer.render(scene))
                if view.counts[1] >= 60 and 0.05 < view.visible_fraction(1) < 0.4:
                    return scene, 1
    raise AssertionError("no occluded configuration found")


def _light():  # type: ignore[no-untyped-def]
    from synthgen.world.camera import Light

    return Light(azimuth_deg=40.0, elevation_deg=50.0)


def test_an_occluded_change_is_rejected() -> None:
    import synthgen.generators.imgdiff  # noqa: F401  registers the program
    from synthgen.generators.imgdiff.procedural import finish
    from synthgen.generators.imgdiff.program import ImgDiff, ImgDiffConfig

    cfg = ImgDiffConfig(world="shapes")
    scene, k = _occluded_scene(cfg.world)
    objs = list(scene.objects)
    objs[k] = WorldObject(**{**objs[k].__dict__, "color": "yellow"})
    variant = Variant(tuple(objs), (Change("recolor", k, k),), (0, 1))
    scene_b = variant.scene(scene)
    renderer = get_renderer("pillow", shadows=True)
    ren_a, ren_b = renderer.render(scene), renderer.render(scene_b)
    _, expected = describe_changes(variant, _View(scene, ren_a), _View(scene_b, ren_b))
    assert expected[0].visible_fraction < 0.5
    program = ImgDiff(cfg)
    ctx = Context(config=cfg, rng=np.random.default_rng(0), index=0, seed=0)
    with pytest.raises(Rejected) as info:
        finish(ctx, (scene, ren_a, scene_b, ren_b), variant, program.visibility, program.diff_area)
    assert info.value.reject.reason == "diff_area"
    assert "occlusion" in (info.value.reject.detail or "")
    # the same change on the unoccluded big cube passes
    objs = list(scene.objects)
    objs[0] = WorldObject(**{**objs[0].__dict__, "color": "blue"})
    variant = Variant(tuple(objs), (Change("recolor", 0, 0),), (0, 1))
    scene_b = variant.scene(scene)
    ren_b = renderer.render(scene_b)
    ctx = Context(config=cfg, rng=np.random.default_rng(0), index=0, seed=0)
    sample = finish(
        ctx, (scene, ren_a, scene_b, ren_b), variant, program.visibility, program.diff_area
    )
    assert sample.data["changes"][0].kind == "recolor"


def test_visible_fraction_shortcut_equals_the_drawn_alone_count() -> None:
    """The recipe skips the drawn-alone redraw for objects nothing can hide; the fraction it
    reports must still be visible / drawn-alone pixels as the renderer counts them."""
    from synthgen.world.scene import sample_rendered_scenes

    world = WorldConfig()
    rngs = [np.random.default_rng(i) for i in range(60)]
    occluded = 0
    for base in sample_rendered_scenes(rngs, world, get_renderer("pillow", shadows=True)):
        if isinstance(base, Exception):
            continue
        scene, ren = base
        view = _View(scene, ren)
        alone = ren.unoccluded_pixel_counts()
        for k in range(len(scene.objects)):
            expected = view.counts[k] / alone[k] if alone[k] else 0.0
            assert view.visible_fraction(k) == pytest.approx(expected, abs=1e-12)
            occluded += expected < 1
    assert occluded  # partly hidden objects were among them
