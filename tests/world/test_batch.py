"""The batch paths (`make_scenes`, `sample_rendered_scenes`, `build_scene_graphs`, renderer
`render_batch`) give, scene for scene, exactly what the one-scene functions give."""

from __future__ import annotations

import json

import numpy as np
import pytest

from synthgen.world import (
    PillowRenderer,
    SceneGraph,
    SceneSamplingError,
    WorldConfig,
    build_scene_graph,
    build_scene_graphs,
    make_scene,
    make_scenes,
    sample_rendered_scene,
    sample_rendered_scenes,
)
from synthgen.world.geometry import build_geometries, build_geometry
from synthgen.world.scene import _place_numpy, _place_python
from synthgen.world.shading import shade_facets, shade_scalar

CONFIGS = {
    "default": WorldConfig(),
    "crowded": WorldConfig(min_objects=8, max_objects=10),
    "spheres": WorldConfig(shapes=("sphere", "torus"), materials=("metal",), max_objects=6),
    "flat": WorldConfig(shadows=False, stages=3, min_objects=1, max_objects=4),
}


def _key(result) -> tuple:
    if isinstance(result, SceneSamplingError):
        return ("error", str(result))
    scene, rendering, graph = result
    return (
        rendering.image.tobytes(),
        rendering.ids.tobytes(),
        rendering.pixel_counts.tolist(),
        rendering.object_boxes.tolist(),
        graph.model_dump_json(),
        scene.objects,
    )


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_batch_results_and_generator_states_equal_one_at_a_time(name: str) -> None:
    cfg = CONFIGS[name]
    seeds = range(90)
    alone = []
    after_alone = []
    for s in seeds:
        rng = np.random.default_rng(s)
        alone.append(_key(make_scene(rng, cfg)))
        after_alone.append(rng.random())
    for size in (1, 7, 64):
        got = []
        after = []
        for start in range(0, len(seeds), size):
            rngs = [np.random.default_rng(s) for s in seeds[start : start + size]]
            got += [_key(r) for r in make_scenes(rngs, cfg)]
            after += [rng.random() for rng in rngs]
        assert got == alone, f"batch size {size}"
        assert after == after_alone, f"batch size {size}: generator states differ"


def test_sampling_errors_are_per_scene_and_equal_to_alone() -> None:
    cfg = WorldConfig(min_objects=1, max_objects=30, area_half_extent=1.6, max_tries=3)
    rngs = [np.random.default_rng(s) for s in range(24)]
    batch = sample_rendered_scenes(rngs, cfg)
    errors = 0
    for s, got in enumerate(batch):
        try:
            scene, rendering = sample_rendered_scene(np.random.default_rng(s), cfg)
        except SceneSamplingError as exc:
            errors += 1
            assert isinstance(got, SceneSamplingError) and str(got) == str(exc)
        else:
            assert not isinstance(got, SceneSamplingError)
            assert got[0] == scene and got[1].image.tobytes() == rendering.image.tobytes()
    assert 0 < errors < len(batch)


def test_depth_and_unoccluded_counts_equal_one_at_a_time() -> None:
    cfg = WorldConfig()
    batch = make_scenes([np.random.default_rng(s) for s in range(10)], cfg)
    for s, (_scene, r, _g) in enumerate(batch):
        _scene1, r1, _g1 = make_scene(np.random.default_rng(s), cfg)
        assert np.array_equal(r.depth, r1.depth)
        assert np.array_equal(r.depth_map(include_ground=True), r1.depth_map(True))
        assert r.unoccluded_pixel_counts().tolist() == r1.unoccluded_pixel_counts().tolist()


def test_render_batch_and_geometry_batch_equal_one_at_a_time(scenes) -> None:
    renderer = PillowRenderer()
    batch_scenes = [scene for _s, scene, _r, _g in scenes]
    rendered = renderer.render_batch(batch_scenes)
    geos = build_geometries(batch_scenes)
    for scene, r, geo in zip(batch_scenes, rendered, geos, strict=True):
        one = renderer.render(scene)
        assert r.image.tobytes() == one.image.tobytes()
        assert np.array_equal(r.ids, one.ids)
        alone = build_geometry(scene)
        assert [bytes(c) for c in geo.xy] == [bytes(c) for c in alone.xy]
        assert geo.ink == alone.ink and geo.kid == alone.kid and geo.to_ids == alone.to_ids
        assert geo.tag.tolist() == alone.tag.tolist() and geo.order == alone.order
        assert [bytes(c) for c in geo.shadows] == [bytes(c) for c in alone.shadows]


def test_graph_batch_with_predicates_equals_one_at_a_time(scenes) -> None:
    wanted = {"left of", "behind", "same size as", "farther than"}
    graphs = build_scene_graphs(
        [s for _x, s, _r, _g in scenes], [r for *_x, r, _g in scenes], wanted
    )
    for (_s, scene, r, _g), g in zip(scenes, graphs, strict=True):
        assert g.model_dump_json() == build_scene_graph(scene, r, wanted).model_dump_json()
        assert list(g.relations_by_predicate) == [p for p in g.relations_by_predicate]
        assert set(g.relations_by_predicate) == wanted


def test_trusted_graphs_equal_validated_ones(scenes) -> None:
    """Graphs are built without validation; they must be exactly what validation makes."""
    for _s, _scene, _r, g in scenes:
        text = g.model_dump_json()
        validated = SceneGraph.model_validate(json.loads(text))
        assert validated == g
        assert validated.model_dump_json() == text
        assert SceneGraph.model_validate(g.model_dump()).model_dump_json() == text
        assert g.model_dump() == validated.model_dump()
        assert all(isinstance(o.bbox, tuple) for o in g.objects)
        assert all(isinstance(p, tuple) for v in g.relations_by_predicate.values() for p in v)


def test_python_and_numpy_placement_agree() -> None:
    rng = np.random.default_rng(3)
    for _ in range(300):
        counts = rng.integers(1, 9, size=int(rng.integers(1, 12))).tolist()
        total = sum(counts)
        tries = int(rng.integers(1, 6))
        cx = rng.uniform(-2.0, 2.0, (total, tries))
        cy = rng.uniform(-2.0, 2.0, (total, tries))
        radius = rng.uniform(0.1, 0.6, total)
        gap = float(rng.uniform(0.0, 0.3))
        px, py, alive = _place_numpy(cx, cy, radius, counts, gap)
        start = 0
        for i, n in enumerate(counts):
            got = _place_python(
                cx[start : start + n].tolist(),
                cy[start : start + n].tolist(),
                radius[start : start + n].tolist(),
                gap,
            )
            assert (got is not None) == bool(alive[i])
            if got is not None:
                assert got[0] == px[start : start + n].tolist()
                assert got[1] == py[start : start + n].tolist()
            start += n


def test_facet_shading_equals_scalar_shading() -> None:
    rng = np.random.default_rng(2)
    n = 400
    cols = [u / np.linalg.norm(u, axis=0) for u in rng.normal(size=(3, 3, n))]
    base, sky, ground = rng.random((3, 3, n))
    metal = rng.random(n) < 0.5
    inks = shade_facets(
        tuple(base),
        tuple(cols[0]),
        tuple(cols[1]),
        tuple(cols[2]),
        metal,
        tuple(sky),
        tuple(ground),
    )
    for i in range(n):
        one = shade_scalar(
            tuple(base[:, i]),
            tuple(cols[0][:, i]),
            tuple(cols[1][:, i]),
            tuple(cols[2][:, i]),
            bool(metal[i]),
            tuple(sky[:, i]),
            tuple(ground[:, i]),
        )
        assert int(inks[i]) == one
