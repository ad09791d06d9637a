"""The sprite renderer's caches are invisible: evicting them, or drawing in another order,
gives the same bytes; cached art has the size of the scene's layers; LRUs stay bounded."""

from __future__ import annotations

import numpy as np

from synthgen.world.sprites import SpritesConfig, SpriteWorld
from synthgen.world.sprites import render as R

CONFIG = SpritesConfig()


def _bytes(r):
    return r.image.tobytes(), r.ids.tobytes(), r.depth_order.tobytes()


def test_cache_eviction_does_not_change_bytes():
    w = SpriteWorld()
    scenes = [w.sample(np.random.default_rng(seed), CONFIG) for seed in range(6)]
    warm = [_bytes(R.render_scene(s)) for s in scenes]
    sprites, structs = R._SPRITES.max_bytes, R._STRUCTS.max_bytes
    try:
        R.clear_caches()
        R._SPRITES.max_bytes = R._STRUCTS.max_bytes = 1  # every lookup a miss
        cold = [_bytes(R.render_scene(s)) for s in reversed(scenes)][::-1]
    finally:
        R._SPRITES.max_bytes, R._STRUCTS.max_bytes = sprites, structs
    assert warm == cold


def test_art_has_the_layer_size_and_counts_match_masks():
    w = SpriteWorld()
    for seed in range(10):
        s = w.sample(np.random.default_rng(seed), CONFIG)
        for lay in s.layers:
            art = R.layer_drawable(s, lay)
            if art is None:
                continue
            assert art.im.size == (lay.w, lay.h), lay
            assert art.mask.shape == (lay.h, lay.w)
            assert sum(art.counts) == int(art.mask.sum())


def test_sprite_mask_is_alpha_at_least_half():
    w = SpriteWorld()
    s = w.sample(np.random.default_rng(3), CONFIG)
    lay = next(x for x in s.layers if x.kind == "sprite")
    cat, pose, idx, h, _ = lay.key
    d = R.sprite_drawable(s.atlas, cat, pose, idx, h)
    alpha = np.asarray(R.sprite_art(s.atlas, cat, pose, idx, h).im.getchannel(3))
    assert ((alpha >= 128) == (d.labels > 0)).all()
    assert ((d.inv[..., 0] == 0) == (alpha == 255)).all()


def test_lru_is_bounded_by_bytes():
    class V:
        nbytes = 10

    lru = R._LRU(35)
    for k in range(10):
        lru.put(k, V())
        assert lru.bytes <= 35
    assert len(lru) == 3 and lru.get(9) is not None and lru.get(0) is None


def test_sprite_part_layers_only_relabel_their_sprite():
    """A sprite-part layer comes right after its sprite (or another part layer of it) and
    covers only that sprite's opaque pixels, so not pasting it changes no colour."""
    w = SpriteWorld()
    seen = 0
    for seed in range(40):
        s = w.sample(np.random.default_rng(seed), CONFIG)
        last_sprite = None
        for lay in s.layers:
            if lay.kind == "sprite":
                last_sprite = lay
                continue
            if lay.kind != "struct" or not lay.key[0].startswith("sprite|"):
                last_sprite = None
                continue
            seen += 1
            _, _atlas, cat, pose, idx, flip, _names = lay.key[0].split("|")
            assert last_sprite is not None, lay
            assert last_sprite.key == (cat, pose, int(idx), lay.h, flip == "1"), lay
            assert (last_sprite.x, last_sprite.y) == (lay.x, lay.y)
            art = R.layer_drawable(s, lay)
            assert art.relabel
            alpha = np.asarray(R.sprite_art(s.atlas, cat, pose, int(idx), lay.h).im)[..., 3]
            if flip == "1":
                alpha = alpha[:, ::-1]
            assert (alpha[art.mask] == 255).all()
    assert seen > 10


def test_graph_pixel_counts_are_the_id_map_bincount():
    """svg takes each id's pixel count from the graph instead of recounting the map: the
    counts (made per search box while building the graph) equal the map's bincount."""
    w = SpriteWorld()
    for seed in range(12):
        s = w.sample(np.random.default_rng(seed), CONFIG)
        r = w.render(s, CONFIG)
        g = w.graph(s, r, CONFIG)
        counted = np.bincount(r.ids.ravel().astype(np.int64), minlength=len(g.pixel_counts))
        assert counted.tolist() == g.pixel_counts.tolist(), seed


def test_fast_rng_draws_what_the_generator_draws():
    from synthgen.world.sprites import scene as S

    assert S.FAST_RNG  # on this numpy the fast path is the one sampling uses
    a, b = np.random.default_rng(7), S.fast_rng(np.random.default_rng(7))
    assert isinstance(b, S.FastRng)
    got, want = [], []
    for i in range(3000):
        n = [1, 2, 3, 5, 7, 12, 100, 1000, 3_000_000_000, 5 << 32][i % 10]
        lo = i % 4
        want.append((int(a.integers(n)), int(a.integers(lo, lo + n)), a.random()))
        got.append((b.integers(n), b.integers(lo, lo + n), b.random()))
    assert got == want
    assert b.standard_normal() == a.standard_normal()  # other calls: the Generator's own
    # a scene drafted through it equals one drafted from the plain Generator
    S.FAST_RNG = False
    try:
        world, config = SpriteWorld(), CONFIG
        plain = [world.sample(np.random.default_rng(s), config) for s in range(5)]
    finally:
        S.FAST_RNG = True
    fast = [world.sample(np.random.default_rng(s), config) for s in range(5)]
    assert [(s.objects, s.layers, s.relations, s.tries) for s in plain] == [
        (s.objects, s.layers, s.relations, s.tries) for s in fast
    ]


def test_draft_records_are_what_their_constructors_build():
    """Objects, layers and relations of a draft are built without their dataclass
    ``__init__``: each must equal (and hash as) the one the constructor builds from its
    fields, with no other attribute."""
    import dataclasses

    world = SpriteWorld()
    for seed in range(8):
        s = world.sample(np.random.default_rng(seed), CONFIG)
        for rec in (*s.objects, *s.layers, *s.relations):
            names = [f.name for f in dataclasses.fields(rec)]
            again = type(rec)(**{k: getattr(rec, k) for k in names})
            assert rec == again and hash(rec) == hash(again)
            assert sorted(vars(rec)) == sorted(names)
            with __import__("pytest").raises(dataclasses.FrozenInstanceError):
                rec.x = 1
