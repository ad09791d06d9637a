from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from PIL import Image

from synthgen.world import (
    PillowRenderer,
    Renderer,
    Rendering,
    WorldConfig,
    get_renderer,
    make_scene,
    register_renderer,
)
from synthgen.world.depth import surface_map
from synthgen.world.geometry import build_geometry, painter_order
from synthgen.world.shading import shade, shade_scalar


def test_rendering_types_and_shapes(scenes):
    for _s, scene, r, _g in scenes:
        assert r.image.mode == "RGB" and r.image.size == (320, 240)
        assert r.ids.dtype == np.uint8 and r.ids.shape == (240, 320)
        assert r.ids.max() == len(scene.objects)
        assert (
            r.pixel_counts.tolist()
            == np.bincount(r.ids.ravel(), minlength=len(scene.objects) + 1).tolist()
        )


def test_id_map_is_exactly_the_drawn_polygons(scenes):
    """Drawing every sphere band into the id map too must change nothing."""
    full = PillowRenderer(all_into_ids=True)
    for _s, scene, r, _g in scenes:
        assert np.array_equal(full.render(scene).ids, r.ids)


def test_object_pixels_differ_from_an_empty_render(scenes):
    """Where the id map says 'object', the RGB image was painted by that object's polygons;
    where it says background, the pixel is the backdrop (or a shadow on it)."""
    for _s, scene, r, _g in scenes[:6]:
        bare = type(scene)(objects=(), stage=scene.stage, light=scene.light)
        bg = np.asarray(PillowRenderer(shadows=False).render(bare).image).astype(int)
        img = np.asarray(r.image).astype(int)
        background = r.ids == 0
        # backdrop pixels are only ever darkened (by shadows), never recoloured
        assert (img[background] <= bg[background]).all()


def test_object_boxes_contain_every_object_pixel(scenes):
    for _s, scene, r, _g in scenes:
        for k in range(len(scene.objects)):
            ys, xs = np.nonzero(r.ids == k + 1)
            x0, y0, x1, y1 = r.object_boxes[k]
            assert xs.min() >= x0 and xs.max() <= x1 and ys.min() >= y0 and ys.max() <= y1


def test_depth_is_finite_exactly_on_objects_and_within_their_bounds(scenes):
    for _s, scene, r, _g in scenes[:12]:
        d = r.depth
        assert d.dtype == np.float32 and d.shape == r.ids.shape
        assert np.array_equal(np.isfinite(d), r.ids > 0)
        cam = scene.camera
        for k, o in enumerate(scene.objects):
            vals = d[r.ids == k + 1]
            c = np.array(o.centre)
            dist = np.linalg.norm(c - cam.origin)
            assert vals.min() >= dist - o.bound_radius - 1e-3
            assert vals.max() <= dist + o.bound_radius + 1e-3


def test_depth_with_ground_hits_the_ground_plane(scenes):
    _s, scene, r, _g = scenes[0]
    d = r.depth_map(include_ground=True)
    bg = r.ids == 0
    assert np.isfinite(d[bg]).mean() > 0.5
    ys, xs = np.nonzero(bg & np.isfinite(d))
    rays = scene.camera.ray_directions(xs, ys)
    z = scene.camera.origin[2] + rays[:, 2] * d[ys, xs]
    assert np.abs(z).max() < 1e-3  # the points lie on z = 0


def test_sphere_depth_matches_ray_sphere_intersection():
    cfg = WorldConfig(shapes=("sphere",), min_objects=3, max_objects=3)
    scene, r, _g = make_scene(np.random.default_rng(5), cfg)
    cam = scene.camera
    d = r.depth
    for k, o in enumerate(scene.objects):
        ys, xs = np.nonzero(r.ids == k + 1)
        rays = cam.ray_directions(xs, ys)
        oc = cam.origin - np.array(o.centre)
        b = rays @ oc
        disc = b * b - (oc @ oc - o.scale**2)
        hit = disc > 1e-6
        t = -b[hit] - np.sqrt(disc[hit])
        assert hit.mean() > 0.8
        assert np.allclose(d[ys[hit], xs[hit]], t, atol=1e-3)


def _interior(labels: np.ndarray, k: int, radius: int = 2) -> np.ndarray:
    """Pixels labelled k whose (2 radius + 1)^2 neighbourhood is all k."""
    m = labels == k
    h, w = m.shape
    inner = np.zeros_like(m)
    core = m[radius : h - radius, radius : w - radius].copy()
    for dy in range(-radius, radius + 1):
        for dx in range(-radius, radius + 1):
            core &= m[radius + dy : h - radius + dy, radius + dx : w - radius + dx]
    inner[radius : h - radius, radius : w - radius] = core
    return inner


def test_mesh_depth_points_lie_on_drawn_faces():
    """Back-project pixels well inside a face with their depth: they lie on the cube's
    surface. (At face edges Pillow's integer vertex rounding can hand a pixel to the
    neighbouring face; there the depth is that face's plane, up to ~1 px off.)"""
    cfg = WorldConfig(shapes=("cube",), min_objects=4, max_objects=4)
    scene, r, _g = make_scene(np.random.default_rng(11), cfg)
    cam = scene.camera
    d = r.depth
    geo = build_geometry(scene)
    tags = surface_map(geo, (scene.width, scene.height))
    checked = 0
    for k, o in enumerate(scene.objects):
        th = math.radians(o.rotation_deg)
        a = 0.72 * o.scale
        for tag in np.unique(tags[r.ids == k + 1]).tolist():
            ys, xs = np.nonzero(_interior(tags, tag) & (r.ids == k + 1))
            if len(xs) == 0:
                continue
            checked += len(xs)
            p = cam.origin + cam.ray_directions(xs, ys) * d[ys, xs, None].astype(np.float64)
            lx = (p[:, 0] - o.x) * math.cos(th) + (p[:, 1] - o.y) * math.sin(th)
            ly = -(p[:, 0] - o.x) * math.sin(th) + (p[:, 1] - o.y) * math.cos(th)
            tol = 2e-3  # float32 depth
            assert np.abs(lx).max() <= a + tol and np.abs(ly).max() <= a + tol
            assert p[:, 2].min() >= -tol and p[:, 2].max() <= 2 * a + tol
            on = (np.abs(np.abs(lx) - a) < tol) | (np.abs(np.abs(ly) - a) < tol)
            on |= np.abs(p[:, 2] - 2 * a) < tol
            assert on.all()
    assert checked > 500


def test_unoccluded_counts_bound_visible_counts(scenes):
    for _s, _scene, r, _g in scenes:
        un = r.unoccluded_pixel_counts()
        assert (un >= r.pixel_counts[1:]).all()


def test_painter_order_matches_ray_order_for_disjoint_discs():
    """Brute force: along every ray from the eye, discs are met in painter order."""
    rng = np.random.default_rng(0)
    for _ in range(200):
        n = 6
        xs, ys, rs = [], [], []
        while len(xs) < n:
            x, y, r = rng.uniform(-3, 3), rng.uniform(-3, 3), rng.uniform(0.2, 0.9)
            if all(math.hypot(x - a, y - b) > r + c for a, b, c in zip(xs, ys, rs, strict=True)):
                xs.append(x)
                ys.append(y)
                rs.append(r)
        eye = rng.uniform(-12, 12, 2)
        if (
            min(math.hypot(eye[0] - x, eye[1] - y) - r for x, y, r in zip(xs, ys, rs, strict=True))
            < 0.5
        ):
            continue
        order = painter_order(np.array(xs), np.array(ys), np.array(rs), tuple(eye))
        rank = {k: i for i, k in enumerate(order.tolist())}
        for ang in np.linspace(0, 2 * math.pi, 720, endpoint=False):
            dvec = np.array([math.cos(ang), math.sin(ang)])
            hits = []
            for k, (x, y, r) in enumerate(zip(xs, ys, rs, strict=True)):
                oc = eye - np.array([x, y])
                b = dvec @ oc
                disc = b * b - (oc @ oc - r * r)
                if disc > 0 and -b - math.sqrt(disc) > 0:
                    hits.append((-b - math.sqrt(disc), k))
            hits.sort()
            # nearer hits must be drawn later (higher rank)
            for (_t1, k1), (_t2, k2) in itertools.pairwise(hits):
                assert rank[k1] > rank[k2]


def test_scalar_and_vector_shading_agree():
    rng = np.random.default_rng(1)
    for _ in range(300):
        n, v, light = (u / np.linalg.norm(u) for u in rng.normal(size=(3, 3)))
        base, sky, ground = rng.random((3, 3))
        metal = bool(rng.random() < 0.5)
        vec = shade(base[None], n[:, None], v[:, None], light, np.array([metal]), sky, ground)
        one = shade_scalar(
            tuple(base), tuple(n), tuple(v), tuple(light), metal, tuple(sky), tuple(ground)
        )
        assert int(vec[0]) == one


def test_registry():
    assert isinstance(get_renderer("pillow"), PillowRenderer)
    with pytest.raises(ValueError, match="unknown renderer"):
        get_renderer("blender-not-installed")

    @register_renderer("test-flat")
    class Flat(Renderer):
        def render(self, scene):
            img = Image.new("RGB", (scene.width, scene.height))
            ids = np.zeros((scene.height, scene.width), np.uint8)
            return Rendering(
                img,
                ids,
                pixel_counts=np.zeros(len(scene.objects) + 1, np.int64),
                object_boxes=np.zeros((len(scene.objects), 4), np.int64),
                draw_order=list(range(len(scene.objects))),
                depth_fn=lambda ground: np.full(ids.shape, np.inf, np.float32),
                unoccluded_fn=lambda: np.zeros(len(scene.objects), np.int64),
            )

    assert isinstance(get_renderer("test-flat"), Flat)
    with pytest.raises(ValueError, match="already registered"):
        register_renderer("test-flat")(PillowRenderer)


def test_geometry_draw_list_is_consistent(scenes):
    for _s, scene, _r, _g in scenes[:8]:
        geo = build_geometry(scene)
        n = len(scene.objects)
        assert len(geo.xy) == len(geo.ink) == len(geo.kid) == len(geo.to_ids) == len(geo.tag)
        # objects appear as contiguous blocks, in painter order
        blocks = [k for i, k in enumerate(geo.kid) if i == 0 or geo.kid[i - 1] != k]
        assert blocks == [k + 1 for k in geo.order]
        assert sorted(geo.order) == list(range(n))
