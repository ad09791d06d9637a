from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import ValidationError

from synthgen.world import SHAPES, SceneSamplingError, WorldConfig, sample_scene
from synthgen.world.scene import sample_rendered_scene


def test_config_rejects_unknown_names_and_bad_ranges():
    with pytest.raises(ValidationError, match="unknown shapes"):
        WorldConfig(shapes=("cube", "teapot"))
    with pytest.raises(ValidationError, match="min_objects"):
        WorldConfig(min_objects=5, max_objects=3)
    with pytest.raises(ValidationError):
        WorldConfig(bogus=1)


def test_same_rng_state_same_scene_different_seed_different_scene():
    cfg = WorldConfig()
    a = sample_scene(np.random.default_rng(7), cfg)
    b = sample_scene(np.random.default_rng(7), cfg)
    c = sample_scene(np.random.default_rng(8), cfg)
    assert a == b
    assert a != c


def test_sampling_does_not_touch_global_random_state():
    np.random.seed(123)
    before = np.random.get_state()[1].copy()
    sample_scene(np.random.default_rng(1), WorldConfig())
    assert (np.random.get_state()[1] == before).all()


def test_object_counts_attributes_and_spacing(scenes):
    cfg = WorldConfig()
    for _seed, scene, _r, _g in scenes:
        objs = scene.objects
        assert cfg.min_objects <= len(objs) <= cfg.max_objects
        for o in objs:
            assert o.shape in SHAPES
            assert abs(o.x) <= cfg.area_half_extent and abs(o.y) <= cfg.area_half_extent
        for i, a in enumerate(objs):
            for b in objs[i + 1 :]:
                gap = math.hypot(a.x - b.x, a.y - b.y) - a.footprint_radius - b.footprint_radius
                assert gap >= cfg.min_spacing - 1e-9


def test_every_object_has_min_visible_pixels(scenes):
    need = WorldConfig().min_visible_pixels
    for _seed, scene, rendering, _g in scenes:
        counts = np.bincount(rendering.ids.ravel(), minlength=len(scene.objects) + 1)
        assert counts[1:].min() >= need


def test_restricted_vocabulary_is_respected():
    cfg = WorldConfig(shapes=("torus",), colors=("red", "blue"), materials=("metal",))
    for seed in range(5):
        scene = sample_scene(np.random.default_rng(seed), cfg)
        assert {o.shape for o in scene.objects} == {"torus"}
        assert {o.color for o in scene.objects} <= {"red", "blue"}
        assert {o.material for o in scene.objects} == {"metal"}


def test_impossible_constraints_raise_scene_sampling_error():
    cfg = WorldConfig(min_objects=40, max_objects=40, area_half_extent=1.0, max_tries=3)
    with pytest.raises(SceneSamplingError, match="max_tries=3"):
        sample_rendered_scene(np.random.default_rng(0), cfg)
